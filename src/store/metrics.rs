//! Metric series and samples: `metric_series` (name, type, unit, tags) and
//! `metric_samples` (series, run, ns timestamp, value).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::{Store, StoreError};

/// What identifies a series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SeriesKey {
    /// Metric name, e.g. `step_wall_time`.
    pub name: String,
    /// Framework0 metric type string (`timing`, `resource`, ...).
    pub metric_type: String,
    /// Framework0 unit string (`ns`, `bytes`, ...).
    pub unit: String,
    /// Tags, sorted by key.
    pub tags: BTreeMap<String, String>,
    /// Producer (`runner`, `system_collector`, ...).
    pub source: Option<String>,
}

impl SeriesKey {
    fn cache_key(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.name,
            self.metric_type,
            self.unit,
            tags_json(&self.tags)
        )
    }
}

/// One sample to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRow {
    /// Its series.
    pub series: SeriesKey,
    /// Epoch nanoseconds.
    pub ts_ns: i64,
    /// The value (finite).
    pub value: f64,
    /// Optional extra context (e.g. an error), stored as compact JSON.
    pub context: Option<Value>,
}

/// One stored sample, as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSample {
    /// Its series.
    pub series: SeriesKey,
    /// The run that wrote it.
    pub run_id: Option<i64>,
    /// Epoch nanoseconds.
    pub ts_ns: i64,
    /// The value.
    pub value: f64,
}

fn tags_json(tags: &BTreeMap<String, String>) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned())
}

impl Store {
    /// Ensures every series in `samples` exists; returns ids by cache key. Runs in its own
    /// short transaction so the id cache never holds ids of rolled-back rows.
    pub(super) fn resolve_series(
        &mut self,
        samples: &[SampleRow],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut ids = HashMap::new();
        let missing: Vec<&SeriesKey> = samples
            .iter()
            .map(|s| &s.series)
            .filter(|k| !self.series_ids.contains_key(&k.cache_key()))
            .collect();
        if !missing.is_empty() {
            let (path, waited) = (self.path.clone(), self.busy_timeout);
            let err = |e| StoreError::from_sqlite(&path, waited, e);
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(err)?;
            let mut found = Vec::new();
            {
                let mut ins = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO metric_series (name, metric_type, unit, tags, source) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .map_err(err)?;
                let mut sel = tx
                    .prepare_cached(
                        "SELECT id FROM metric_series WHERE name = ?1 AND metric_type = ?2 \
                         AND unit = ?3 AND tags = ?4",
                    )
                    .map_err(err)?;
                for k in missing {
                    let tags = tags_json(&k.tags);
                    ins.execute(params![k.name, k.metric_type, k.unit, tags, k.source])
                        .map_err(err)?;
                    let id: i64 = sel
                        .query_row(params![k.name, k.metric_type, k.unit, tags], |r| r.get(0))
                        .map_err(err)?;
                    found.push((k.cache_key(), id));
                }
            }
            tx.commit().map_err(err)?;
            self.series_ids.extend(found);
        }
        for s in samples {
            let key = s.series.cache_key();
            if let Some(id) = self.series_ids.get(&key) {
                ids.insert(key, *id);
            }
        }
        Ok(ids)
    }

    /// Writes `samples` for `run_id` in one transaction.
    pub fn insert_samples(
        &mut self,
        run_id: Option<i64>,
        samples: &[SampleRow],
    ) -> Result<(), StoreError> {
        let ids = self.resolve_series(samples)?;
        let (path, waited) = (self.path.clone(), self.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, waited, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        write_samples(&tx, run_id, samples, &ids).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Samples of metric `name` whose tags include every pair in `tags`, oldest first.
    pub fn samples(
        &self,
        name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Vec<StoredSample>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.name, s.metric_type, s.unit, s.tags, s.source, m.run_id, m.ts_ns, m.value \
                 FROM metric_samples m JOIN metric_series s ON s.id = m.series_id \
                 WHERE s.name = ?1 ORDER BY m.ts_ns, m.rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([name], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, f64>(7)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, metric_type, unit, tag_text, source, run_id, ts_ns, value) =
                row.map_err(|e| self.err(e))?;
            let series_tags: BTreeMap<String, String> =
                serde_json::from_str(&tag_text).map_err(|e| StoreError::Data {
                    path: self.path.clone(),
                    message: format!("tags of series '{name}' are not a JSON object: {e}"),
                })?;
            if tags.iter().any(|(k, v)| series_tags.get(k) != Some(v)) {
                continue;
            }
            out.push(StoredSample {
                series: SeriesKey {
                    name,
                    metric_type,
                    unit,
                    tags: series_tags,
                    source,
                },
                run_id,
                ts_ns,
                value,
            });
        }
        Ok(out)
    }
}

pub(super) fn write_samples(
    tx: &Transaction<'_>,
    run_id: Option<i64>,
    samples: &[SampleRow],
    ids: &HashMap<String, i64>,
) -> rusqlite::Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO metric_samples (series_id, run_id, ts_ns, value, context) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in samples {
        let Some(id) = ids.get(&s.series.cache_key()) else {
            continue;
        };
        let context = s.context.as_ref().map(Value::to_string);
        ins.execute(params![id, run_id, s.ts_ns, s.value, context])?;
    }
    Ok(())
}
