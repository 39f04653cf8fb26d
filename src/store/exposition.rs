//! Read-side queries of the Prometheus exporter (`f0 serve`, the Pushgateway push): every
//! series, each series' latest sample through the `(series_id, ts_ns)` index, one series'
//! samples since an instant, the samples written after a rowid (what a scrape reads after
//! the first), and one run's series and samples. [`Store::read_snapshot`] runs several of them
//! in one read transaction so they see the same store.

use rusqlite::params;

use super::{Store, StoreError};

/// A series with its row id.
pub type ExposedSeries = super::StoredSeries;

/// One stored sample with its position in `metric_samples`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExposedSample {
    /// Its series.
    pub series_id: i64,
    /// `metric_samples.rowid` (grows with every insert).
    pub rowid: i64,
    /// Epoch nanoseconds.
    pub ts_ns: i64,
    /// The value.
    pub value: f64,
}

impl ExposedSample {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExposedSample> {
        Ok(ExposedSample {
            series_id: r.get(0)?,
            rowid: r.get(1)?,
            ts_ns: r.get(2)?,
            value: r.get(3)?,
        })
    }

    /// True when `self` is later than `other` (timestamp, then insertion order).
    pub fn is_after(&self, other: &ExposedSample) -> bool {
        (self.ts_ns, self.rowid) > (other.ts_ns, other.rowid)
    }
}

impl Store {
    /// Runs `f` inside one read transaction: every query it makes sees the same store.
    pub fn read_snapshot<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let out = f(self)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Every series with an id above `after`, by id.
    pub fn series_after(&self, after: i64) -> Result<Vec<ExposedSeries>, StoreError> {
        self.exposed_series(
            "SELECT id, name, metric_type, unit, tags, source FROM metric_series \
             WHERE id > ?1 ORDER BY id",
            after,
        )
    }

    /// Every series `run_id` wrote samples of, by id.
    pub fn run_series(&self, run_id: i64) -> Result<Vec<ExposedSeries>, StoreError> {
        self.exposed_series(
            "SELECT s.id, s.name, s.metric_type, s.unit, s.tags, s.source FROM metric_series s \
             WHERE s.id IN (SELECT series_id FROM metric_run_series WHERE run_id = ?1) \
             ORDER BY s.id",
            run_id,
        )
    }

    fn exposed_series(&self, sql: &str, arg: i64) -> Result<Vec<ExposedSeries>, StoreError> {
        self.series_rows(sql, [arg])
    }

    /// The latest sample (newest timestamp, then last inserted) of every series that has
    /// one: one index seek per series.
    pub fn latest_samples(&self) -> Result<Vec<ExposedSample>, StoreError> {
        let mut out = Vec::new();
        self.each_sample(
            "SELECT m.series_id, m.rowid, m.ts_ns, m.value FROM metric_series s \
             JOIN metric_samples m ON m.rowid = (SELECT m2.rowid FROM metric_samples m2 \
             WHERE m2.series_id = s.id ORDER BY m2.ts_ns DESC, m2.rowid DESC LIMIT 1) \
             ORDER BY s.id",
            params![],
            &mut |s| out.push(s),
        )?;
        Ok(out)
    }

    /// Calls `f` with every sample of series `series_id` stamped at or after `since_ns` (all
    /// when none), oldest first.
    pub fn series_samples_since(
        &self,
        series_id: i64,
        since_ns: Option<i64>,
        mut f: impl FnMut(ExposedSample),
    ) -> Result<(), StoreError> {
        self.each_sample(
            "SELECT series_id, rowid, ts_ns, value FROM metric_samples \
             WHERE series_id = ?1 AND ts_ns >= ?2 ORDER BY ts_ns, rowid",
            params![series_id, since_ns.unwrap_or(i64::MIN)],
            &mut f,
        )
    }

    /// Calls `f` with every sample whose rowid is above `after`, in rowid (insertion) order.
    pub fn samples_after_rowid(
        &self,
        after: i64,
        mut f: impl FnMut(ExposedSample),
    ) -> Result<(), StoreError> {
        self.each_sample(
            "SELECT series_id, rowid, ts_ns, value FROM metric_samples WHERE rowid > ?1 \
             ORDER BY rowid",
            params![after],
            &mut f,
        )
    }

    /// Calls `f` with every sample `run_id` wrote, oldest first.
    pub fn run_samples(
        &self,
        run_id: i64,
        mut f: impl FnMut(ExposedSample),
    ) -> Result<(), StoreError> {
        self.each_sample(
            "SELECT series_id, id, ts_ns, value FROM metric_samples \
             WHERE id BETWEEN (SELECT MIN(first_id) FROM metric_run_series WHERE run_id = ?1) \
             AND (SELECT MAX(last_id) FROM metric_run_series WHERE run_id = ?1) AND run_id = ?1 \
             ORDER BY ts_ns, id",
            params![run_id],
            &mut f,
        )
    }

    /// The highest sample rowid (0 for an empty table).
    pub fn max_sample_rowid(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(rowid), 0) FROM metric_samples",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn each_sample(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
        f: &mut dyn FnMut(ExposedSample),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(args).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            f(ExposedSample::from_row(row).map_err(|e| self.err(e))?);
        }
        Ok(())
    }
}
