//! Read-side queries of the analysis engine: stored metric names (all, or those a glob
//! matches), one metric's samples in time order restricted to a time window and/or a run, the
//! latest run that holds samples of some metrics, and a metric's samples grouped per run.
//!
//! A metric *name* can span several series (the runner writes `step_wall_time` once per step,
//! each step its own series through its `step` tag); [`MetricSamples`] keeps every sample's
//! series so results can name the step or tags a value came from.

use std::collections::HashMap;

use rusqlite::params;

use super::{SeriesKey, Store, StoreError};

/// Which samples of a metric to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SampleWindow {
    /// Only samples stamped at or after this epoch-ns instant.
    pub since_ns: Option<i64>,
    /// Only samples written by this run.
    pub run_id: Option<i64>,
}

/// One metric's samples, oldest first, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricSamples {
    /// The metric name.
    pub name: String,
    /// The series the samples belong to; `series_of[i]` indexes this list.
    pub series: Vec<SeriesKey>,
    /// Values.
    pub values: Vec<f64>,
    /// Epoch-ns timestamps, non-decreasing.
    pub timestamps: Vec<i64>,
    /// The run that wrote each sample (none for samples written outside a run).
    pub run_ids: Vec<Option<i64>>,
    /// Index into [`MetricSamples::series`] of each sample.
    pub series_of: Vec<usize>,
}

impl MetricSamples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no sample was found.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The series of sample `i`.
    pub fn series_at(&self, i: usize) -> &SeriesKey {
        &self.series[self.series_of[i]]
    }
}

/// One series' samples, oldest first (ties in insertion order), column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesColumns {
    /// Values.
    pub values: Vec<f64>,
    /// Epoch-ns timestamps, non-decreasing.
    pub timestamps: Vec<i64>,
    /// The run that wrote each sample (none for samples written outside a run).
    pub run_ids: Vec<Option<i64>>,
}

/// How many samples a metric has in the whole store and when they were taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricExtent {
    /// Number of stored samples.
    pub count: usize,
    /// Oldest timestamp (epoch ns).
    pub first_ns: i64,
    /// Newest timestamp (epoch ns).
    pub last_ns: i64,
}

/// The samples one run wrote for a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSamples {
    /// The run.
    pub run_id: i64,
    /// Its values in time order.
    pub values: Vec<f64>,
}

impl Store {
    /// Every metric name with at least one stored sample, sorted.
    pub fn metric_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT s.name FROM metric_series s WHERE EXISTS \
                 (SELECT 1 FROM metric_samples m WHERE m.series_id = s.id) ORDER BY s.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The stored metric names `pattern` matches (shell glob: `*`, `?`, `[..]`), sorted.
    pub fn metric_names_matching(
        &self,
        pattern: &glob::Pattern,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .metric_names()?
            .into_iter()
            .filter(|name| pattern.matches(name))
            .collect())
    }

    /// Count and time span of a metric's stored samples; `None` when it has none.
    pub fn metric_extent(&self, name: &str) -> Result<Option<MetricExtent>, StoreError> {
        let (count, first, last): (i64, Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT COUNT(*), MIN(m.ts_ns), MAX(m.ts_ns) FROM metric_samples m \
                 JOIN metric_series s ON s.id = m.series_id WHERE s.name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok(match (first, last) {
            (Some(first_ns), Some(last_ns)) if count > 0 => Some(MetricExtent {
                count: count as usize,
                first_ns,
                last_ns,
            }),
            _ => None,
        })
    }

    /// The samples of metric `name` inside `window`, oldest first (ties in insertion order).
    pub fn metric_samples(
        &self,
        name: &str,
        window: SampleWindow,
    ) -> Result<MetricSamples, StoreError> {
        let series = self.series_named(name)?;
        let index: HashMap<i64, usize> = series
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let mut out = MetricSamples {
            name: name.to_owned(),
            series: series.into_iter().map(|(_, key)| key).collect(),
            ..MetricSamples::default()
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.series_id, m.run_id, m.ts_ns, m.value FROM metric_samples m \
                 JOIN metric_series s ON s.id = m.series_id \
                 WHERE s.name = ?1 AND (?2 IS NULL OR m.ts_ns >= ?2) \
                 AND (?3 IS NULL OR m.run_id = ?3) ORDER BY m.ts_ns, m.rowid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query(params![name, window.since_ns, window.run_id])
            .map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let series_id: i64 = row.get(0).map_err(|e| self.err(e))?;
            let Some(&slot) = index.get(&series_id) else {
                continue;
            };
            out.series_of.push(slot);
            out.run_ids.push(row.get(1).map_err(|e| self.err(e))?);
            out.timestamps.push(row.get(2).map_err(|e| self.err(e))?);
            out.values.push(row.get(3).map_err(|e| self.err(e))?);
        }
        Ok(out)
    }

    /// The newest run (highest id) holding samples of any of `names`, ignoring runs with an id
    /// of `before` or above when given (a running analysis excludes its own run).
    pub fn latest_run_with_samples(
        &self,
        names: &[String],
        before: Option<i64>,
    ) -> Result<Option<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT MAX(r.run_id) FROM metric_run_series r \
                 JOIN metric_series s ON s.id = r.series_id \
                 WHERE s.name = ?1 AND (?2 IS NULL OR r.run_id < ?2)",
            )
            .map_err(|e| self.err(e))?;
        let mut latest: Option<i64> = None;
        for name in names {
            let run: Option<i64> = stmt
                .query_row(params![name, before], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            latest = latest.max(run);
        }
        Ok(latest)
    }

    /// The samples of metric `name` grouped by the run that wrote them, in run order (samples
    /// written outside a run are left out).
    pub fn samples_per_run(&self, name: &str) -> Result<Vec<RunSamples>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.run_id, m.value FROM metric_samples m \
                 JOIN metric_series s ON s.id = m.series_id \
                 WHERE s.name = ?1 AND m.run_id IS NOT NULL ORDER BY m.run_id, m.ts_ns, m.rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([name], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out: Vec<RunSamples> = Vec::new();
        for row in rows {
            let (run_id, value) = row.map_err(|e| self.err(e))?;
            match out.last_mut() {
                Some(last) if last.run_id == run_id => last.values.push(value),
                _ => out.push(RunSamples {
                    run_id,
                    values: vec![value],
                }),
            }
        }
        Ok(out)
    }

    /// Every series named `name`, with its id, in id order.
    pub fn series_named(&self, name: &str) -> Result<Vec<(i64, SeriesKey)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, metric_type, unit, tags, source FROM metric_series \
                 WHERE name = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([name], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, metric_type, unit, tag_text, source) = row.map_err(|e| self.err(e))?;
            let tags = self.decode_tags(name, &tag_text)?;
            out.push((
                id,
                SeriesKey {
                    name: name.to_owned(),
                    metric_type,
                    unit,
                    tags,
                    source,
                },
            ));
        }
        Ok(out)
    }

    /// Every sample of the series with id `id` (from [`Store::series_named`]), oldest first,
    /// read through the `(series_id, ts_ns)` index: no join and no sort of the whole name.
    pub fn series_columns(&self, id: i64) -> Result<SeriesColumns, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT run_id, ts_ns, value FROM metric_samples WHERE series_id = ?1 \
                 ORDER BY ts_ns, rowid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([id]).map_err(|e| self.err(e))?;
        let mut out = SeriesColumns::default();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let (run, ts, v) =
                (|| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))().map_err(|e| self.err(e))?;
            out.run_ids.push(run);
            out.timestamps.push(ts);
            out.values.push(v);
        }
        Ok(out)
    }
}
