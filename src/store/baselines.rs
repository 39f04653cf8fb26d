//! The `baselines` table: per metric, the samples later runs are compared with, where they came
//! from, and their mean, standard deviation and median. The newest row of a metric is its
//! current baseline; older rows stay as history.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use super::{Store, StoreError};

/// A baseline to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBaseline<'a> {
    /// The metric name.
    pub metric: &'a str,
    /// The run that established it (none from the command line).
    pub run_id: Option<i64>,
    /// Where the samples came from, e.g. `{"kind": "run", "run_id": 3}`.
    pub source: &'a Value,
    /// Mean of `values`.
    pub mean: f64,
    /// Sample standard deviation of `values`.
    pub std_dev: f64,
    /// Median of `values`.
    pub median: f64,
    /// The samples themselves.
    pub values: &'a [f64],
}

/// A stored baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRecord {
    /// Row id.
    pub id: i64,
    /// The metric name.
    pub metric: String,
    /// When it was established, epoch seconds.
    pub created_at: f64,
    /// The run that established it.
    pub run_id: Option<i64>,
    /// Where the samples came from.
    pub source: Value,
    /// Number of samples.
    pub sample_count: usize,
    /// Mean of the samples.
    pub mean: f64,
    /// Sample standard deviation.
    pub std_dev: f64,
    /// Median.
    pub median: f64,
    /// The samples.
    pub values: Vec<f64>,
}

impl Store {
    /// Stores a baseline, which becomes the metric's current one; returns its id.
    pub fn insert_baseline(&mut self, b: &NewBaseline<'_>) -> Result<i64, StoreError> {
        let values = serde_json::to_string(b.values).map_err(|e| StoreError::Data {
            path: self.path.clone(),
            message: format!("baseline of '{}' cannot be encoded: {e}", b.metric),
        })?;
        self.conn
            .execute(
                "INSERT INTO baselines (metric, created_at, run_id, source, sample_count, mean, \
                 std_dev, median, sample_values) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    b.metric,
                    crate::util::epoch_seconds(),
                    b.run_id,
                    b.source.to_string(),
                    b.values.len() as i64,
                    b.mean,
                    b.std_dev,
                    b.median,
                    values
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The current (newest) baseline of `metric`.
    pub fn latest_baseline(&self, metric: &str) -> Result<Option<BaselineRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, created_at, run_id, source, sample_count, mean, std_dev, median, \
                 sample_values FROM baselines WHERE metric = ?1 ORDER BY id DESC LIMIT 1",
                [metric],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, f64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, f64>(5)?,
                        r.get::<_, f64>(6)?,
                        r.get::<_, f64>(7)?,
                        r.get::<_, String>(8)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((id, created_at, run_id, source, count, mean, std_dev, median, values)) = row
        else {
            return Ok(None);
        };
        let bad = |what: &str, e: serde_json::Error| StoreError::Data {
            path: self.path.clone(),
            message: format!("baseline {id} of '{metric}': {what} is not valid JSON: {e}"),
        };
        Ok(Some(BaselineRecord {
            id,
            metric: metric.to_owned(),
            created_at,
            run_id,
            source: serde_json::from_str(&source).map_err(|e| bad("source", e))?,
            sample_count: count as usize,
            mean,
            std_dev,
            median,
            values: serde_json::from_str(&values).map_err(|e| bad("sample_values", e))?,
        }))
    }
}
