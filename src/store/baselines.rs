//! The `baselines` table: the samples later runs are compared with, per series (metric name
//! plus tag set) and scope, where they came from, and their mean, standard deviation and
//! median. The newest row of a (metric, scope, tags) key is its current baseline; older rows
//! stay as history.
//!
//! Scopes: `series` (one stored series), `group` (the series that agree on some tags; `tags`
//! holds those) and `pooled` (every series a selector matched, stored without tags). Rows of
//! schema v2, keyed by name alone, pooled every series of their name and read as `pooled`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Store, StoreError};

/// What a baseline (or an analysis result) stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineScope {
    /// One series: the name and its full tag set.
    Series,
    /// The series that agree on the grouping tags.
    Group,
    /// Every selected series of the name.
    Pooled,
}

impl BaselineScope {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineScope::Series => "series",
            BaselineScope::Group => "group",
            BaselineScope::Pooled => "pooled",
        }
    }
}

impl fmt::Display for BaselineScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BaselineScope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "series" => Ok(BaselineScope::Series),
            "group" => Ok(BaselineScope::Group),
            "pooled" => Ok(BaselineScope::Pooled),
            other => Err(format!("unknown baseline scope '{other}'")),
        }
    }
}

/// A baseline to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBaseline<'a> {
    /// The metric name.
    pub metric: &'a str,
    /// The series' tags (the group's tags for `group`, empty for `pooled`).
    pub tags: &'a BTreeMap<String, String>,
    /// What the baseline stands for.
    pub scope: BaselineScope,
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
    /// The series' (or group's) tags.
    pub tags: BTreeMap<String, String>,
    /// What it stands for.
    pub scope: BaselineScope,
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

const COLUMNS: &str = "id, metric, tags, scope, created_at, run_id, source, sample_count, mean, \
                       std_dev, median, sample_values";

fn tags_text(tags: &BTreeMap<String, String>) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned())
}

type RawRow = (
    i64,
    String,
    String,
    String,
    f64,
    Option<i64>,
    String,
    i64,
    f64,
    f64,
    f64,
    String,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

impl Store {
    /// Stores a baseline, which becomes the current one of its (metric, scope, tags); returns
    /// its id.
    pub fn insert_baseline(&mut self, b: &NewBaseline<'_>) -> Result<i64, StoreError> {
        let values = serde_json::to_string(b.values).map_err(|e| StoreError::Data {
            path: self.path.clone(),
            message: format!("baseline of '{}' cannot be encoded: {e}", b.metric),
        })?;
        self.conn
            .execute(
                "INSERT INTO baselines (metric, tags, scope, created_at, run_id, source, \
                 sample_count, mean, std_dev, median, sample_values) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    b.metric,
                    tags_text(b.tags),
                    b.scope.as_str(),
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

    /// The newest baseline of `metric`, whatever its scope and tags (for readers that know
    /// only names).
    pub fn latest_baseline(&self, metric: &str) -> Result<Option<BaselineRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM baselines WHERE metric = ?1 ORDER BY id DESC LIMIT 1");
        let row = self
            .conn
            .query_row(&sql, [metric], raw)
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|r| self.record(r)).transpose()
    }

    /// The current baseline of the series (or group) `metric` with `tags` in `scope`.
    pub fn latest_baseline_for(
        &self,
        metric: &str,
        scope: BaselineScope,
        tags: &BTreeMap<String, String>,
    ) -> Result<Option<BaselineRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM baselines WHERE metric = ?1 AND scope = ?2 AND tags = ?3 \
             ORDER BY id DESC LIMIT 1"
        );
        let row = self
            .conn
            .query_row(&sql, params![metric, scope.as_str(), tags_text(tags)], raw)
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|r| self.record(r)).transpose()
    }

    /// Every baseline row of `metric`, oldest first.
    pub fn baselines_of(&self, metric: &str) -> Result<Vec<BaselineRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM baselines WHERE metric = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([metric], raw).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(self.record(row.map_err(|e| self.err(e))?)?);
        }
        Ok(out)
    }

    fn record(&self, row: RawRow) -> Result<BaselineRecord, StoreError> {
        let (
            id,
            metric,
            tags,
            scope,
            created_at,
            run_id,
            source,
            count,
            mean,
            std_dev,
            median,
            values,
        ) = row;
        let bad = |what: &str, e: String| StoreError::Data {
            path: self.path.clone(),
            message: format!("baseline {id} of '{metric}': {what}: {e}"),
        };
        Ok(BaselineRecord {
            tags: serde_json::from_str(&tags)
                .map_err(|e| bad("tags are not a JSON object", e.to_string()))?,
            scope: scope.parse().map_err(|e| bad("scope", e))?,
            source: serde_json::from_str(&source)
                .map_err(|e| bad("source is not valid JSON", e.to_string()))?,
            values: serde_json::from_str(&values)
                .map_err(|e| bad("sample_values is not valid JSON", e.to_string()))?,
            id,
            metric,
            created_at,
            run_id,
            sample_count: count as usize,
            mean,
            std_dev,
            median,
        })
    }
}
