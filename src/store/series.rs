//! Series-level reads: the catalogue of stored series (name, type, unit, tags) with their ids,
//! the samples of a chosen set of series, the samples runs wrote, and the runs that hold any.
//!
//! A *series* is a metric name plus its tag set (and, in the table, its type and unit); these
//! reads let the analysis select series by [`crate::metrics::selector`] instead of pooling
//! every series that shares a name.

use std::collections::HashMap;

use rusqlite::params;

use super::{MetricSamples, SampleWindow, SeriesKey, Store, StoreError};

/// A stored series and its row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSeries {
    /// `metric_series.id`.
    pub id: i64,
    /// Name, type, unit, tags, source.
    pub key: SeriesKey,
}

/// One sample of a run, by series id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSample {
    /// `metric_series.id`.
    pub series_id: i64,
    /// The run.
    pub run_id: i64,
    /// The value.
    pub value: f64,
}

impl Store {
    /// Every series with at least one stored sample, by name, then id.
    pub fn series_index(&self) -> Result<Vec<StoredSeries>, StoreError> {
        self.series_rows(
            "SELECT id, name, metric_type, unit, tags, source FROM metric_series s \
             WHERE EXISTS (SELECT 1 FROM metric_samples m WHERE m.series_id = s.id) \
             ORDER BY name, id",
            [],
        )
    }

    /// The series rows `sql` selects (columns id, name, metric_type, unit, tags, source).
    pub(super) fn series_rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StoredSeries>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, metric_type, unit, tag_text, source) = row.map_err(|e| self.err(e))?;
            let tags = self.decode_tags(&name, &tag_text)?;
            out.push(StoredSeries {
                id,
                key: SeriesKey {
                    name,
                    metric_type,
                    unit,
                    tags,
                    source,
                },
            });
        }
        Ok(out)
    }

    /// The samples of `series` (all named `name`) inside `window`, oldest first (ties in
    /// insertion order), with each sample's series.
    pub fn samples_of_series(
        &self,
        name: &str,
        series: &[StoredSeries],
        window: SampleWindow,
    ) -> Result<MetricSamples, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT rowid, run_id, ts_ns, value FROM metric_samples WHERE series_id = ?1 \
                 AND (?2 IS NULL OR ts_ns >= ?2) AND (?3 IS NULL OR run_id = ?3)",
            )
            .map_err(|e| self.err(e))?;
        // (ts, rowid, slot, run, value), merged across the series.
        let mut rows: Vec<(i64, i64, usize, Option<i64>, f64)> = Vec::new();
        for (slot, s) in series.iter().enumerate() {
            let mut q = stmt
                .query(params![s.id, window.since_ns, window.run_id])
                .map_err(|e| self.err(e))?;
            while let Some(r) = q.next().map_err(|e| self.err(e))? {
                rows.push((
                    r.get(2).map_err(|e| self.err(e))?,
                    r.get(0).map_err(|e| self.err(e))?,
                    slot,
                    r.get(1).map_err(|e| self.err(e))?,
                    r.get(3).map_err(|e| self.err(e))?,
                ));
            }
        }
        rows.sort_unstable_by_key(|r| (r.0, r.1));
        let mut out = MetricSamples {
            name: name.to_owned(),
            series: series.iter().map(|s| s.key.clone()).collect(),
            ..MetricSamples::default()
        };
        for (ts, _, slot, run, value) in rows {
            out.timestamps.push(ts);
            out.series_of.push(slot);
            out.run_ids.push(run);
            out.values.push(value);
        }
        Ok(out)
    }

    /// Every sample the runs `run_ids` wrote, in run order, then time order.
    pub fn samples_of_runs(&self, run_ids: &[i64]) -> Result<Vec<RunSample>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT series_id, value FROM metric_samples WHERE id BETWEEN (SELECT MIN(first_id) FROM metric_run_series WHERE run_id = ?1) \
                 AND (SELECT MAX(last_id) FROM metric_run_series WHERE run_id = ?1) AND run_id = ?1 \
                 ORDER BY ts_ns, id",
            )
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for &run_id in run_ids {
            let rows = stmt
                .query_map([run_id], |r| {
                    Ok(RunSample {
                        series_id: r.get(0)?,
                        run_id,
                        value: r.get(1)?,
                    })
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                out.push(row.map_err(|e| self.err(e))?);
            }
        }
        Ok(out)
    }

    /// The ids of the runs that hold at least one sample, oldest first.
    pub fn runs_with_samples(&self) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT run_id FROM metric_run_series ORDER BY run_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Start times (epoch seconds) of the runs, by id.
    pub fn run_start_times(&self) -> Result<HashMap<i64, f64>, StoreError> {
        Ok(self
            .runs()?
            .into_iter()
            .map(|r| (r.id, r.started_at))
            .collect())
    }
}

impl Store {
    /// Count and time span of the samples of the series `ids`; `None` when they have none.
    pub fn series_extent(&self, ids: &[i64]) -> Result<Option<super::MetricExtent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*), MIN(ts_ns), MAX(ts_ns) FROM metric_samples WHERE series_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out: Option<super::MetricExtent> = None;
        for id in ids {
            let (count, first, last): (i64, Option<i64>, Option<i64>) = stmt
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|e| self.err(e))?;
            if let (Some(first_ns), Some(last_ns)) = (first, last) {
                let e = out.get_or_insert(super::MetricExtent {
                    count: 0,
                    first_ns,
                    last_ns,
                });
                e.count += count as usize;
                e.first_ns = e.first_ns.min(first_ns);
                e.last_ns = e.last_ns.max(last_ns);
            }
        }
        Ok(out)
    }
}
