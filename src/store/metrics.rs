//! Metric series and samples: `metric_series` (name, type, unit, tags) and
//! `metric_samples` (series, run, ns timestamp, value).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rusqlite::Transaction;
use serde::Serialize;
use serde_json::Value;

use super::creator::SeriesCreator;
use super::group::SampleView;
use super::{Store, StoreError};

/// What identifies a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// A key of empty strings and no tags (allocates nothing): what is left where a key was
    /// moved out.
    pub(super) fn empty() -> Self {
        SeriesKey {
            name: String::new(),
            metric_type: String::new(),
            unit: String::new(),
            tags: BTreeMap::new(),
            source: None,
        }
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

/// Series ids by identity. Hashed with foldhash, not SipHash: a `SeriesKey` (name, type, unit,
/// tags, source) is hashed once or twice per sample written, which callgrind showed at 12 %
/// of a no-op step's instructions with SipHash; the keys come from recipes and collectors,
/// not from an adversary on the network. A `hashbrown` map, so that a [`SeriesRef`] borrowed
/// from a metric finds its id without building an owned key.
pub(super) type SeriesIds = hashbrown::HashMap<SeriesKey, i64, foldhash::fast::RandomState>;

/// A series identity borrowed from wherever it lives (a [`SeriesKey`] or a metric): hashes
/// and compares exactly as the owned key does.
#[derive(Debug, Clone, Copy)]
pub(super) struct SeriesRef<'a> {
    pub name: &'a str,
    pub metric_type: &'a str,
    pub unit: &'a str,
    pub tags: &'a BTreeMap<String, String>,
    pub source: Option<&'a str>,
}

impl SeriesRef<'_> {
    /// The owned key.
    pub fn to_key(self) -> SeriesKey {
        SeriesKey {
            name: self.name.to_owned(),
            metric_type: self.metric_type.to_owned(),
            unit: self.unit.to_owned(),
            tags: self.tags.clone(),
            source: self.source.map(str::to_owned),
        }
    }
}

impl Hash for SeriesRef<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.name.hash(h);
        self.metric_type.hash(h);
        self.unit.hash(h);
        self.tags.hash(h);
        self.source.hash(h);
    }
}

impl Hash for SeriesKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        SeriesRef::from(self).hash(h);
    }
}

impl<'a> From<&'a SeriesKey> for SeriesRef<'a> {
    fn from(k: &'a SeriesKey) -> Self {
        SeriesRef {
            name: &k.name,
            metric_type: &k.metric_type,
            unit: &k.unit,
            tags: &k.tags,
            source: k.source.as_deref(),
        }
    }
}

impl PartialEq for SeriesRef<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.metric_type == o.metric_type
            && self.unit == o.unit
            && self.source == o.source
            && self.tags == o.tags
    }
}

impl Eq for SeriesRef<'_> {}

impl hashbrown::Equivalent<SeriesKey> for SeriesRef<'_> {
    fn equivalent(&self, k: &SeriesKey) -> bool {
        self.name == k.name
            && self.metric_type == k.metric_type
            && self.unit == k.unit
            && self.source == k.source.as_deref()
            && *self.tags == k.tags
    }
}

pub(super) fn tags_json(tags: &BTreeMap<String, String>) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned())
}

/// Ensures every series in `samples` exists inside `tx`; returns each sample's series id,
/// in order, and the ids of series that were not in `cache`. The caller adds those to the
/// cache only after `tx` commits, so the cache never holds ids of rolled-back rows.
pub(super) fn resolve_series<'s>(
    tx: &Transaction<'_>,
    cache: &SeriesIds,
    samples: impl IntoIterator<Item = &'s SampleRow>,
) -> rusqlite::Result<(Vec<i64>, SeriesIds)> {
    let samples: Vec<&SampleRow> = samples.into_iter().collect();
    let keys = samples.iter().map(|s| SeriesRef::from(&s.series));
    let (ids, fresh) = resolve_series_at(tx, cache, keys)?;
    let found = fresh
        .into_iter()
        .map(|(at, id)| (samples[at].series.clone(), id))
        .collect();
    Ok((ids, found))
}

/// Series new to a connection's cache: (position among the samples, id).
pub(super) type FreshSeries = Vec<(usize, i64)>;

/// As [`resolve_series`], for series borrowed from wherever they live, and the series new
/// to `cache` come as (position in `series`, id), so a caller that owns the samples can
/// move their keys into its cache instead of cloning them. Each sample costs one or two hash
/// lookups, a series new to this connection one `SELECT` or one `INSERT` (see
/// [`SeriesCreator`]).
pub(super) fn resolve_series_at<'s>(
    tx: &Transaction<'_>,
    cache: &SeriesIds,
    series: impl IntoIterator<Item = SeriesRef<'s>>,
) -> rusqlite::Result<(Vec<i64>, FreshSeries)> {
    let mut found: hashbrown::HashMap<SeriesRef<'s>, i64, foldhash::fast::RandomState> =
        Default::default();
    let mut fresh = Vec::new();
    let mut ids = Vec::new();
    let mut creator = SeriesCreator::new(tx);
    for (at, key) in series.into_iter().enumerate() {
        if let Some(&id) = cache.get(&key).or_else(|| found.get(&key)) {
            ids.push(id);
            continue;
        }
        let id = creator.id_of(key)?;
        found.insert(key, id);
        fresh.push((at, id));
        ids.push(id);
    }
    Ok((ids, fresh))
}

impl Store {
    /// The tags of series `name`, stored as a JSON object.
    pub(super) fn decode_tags(
        &self,
        name: &str,
        text: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::Data {
            path: self.path.clone(),
            message: format!("tags of series '{name}' are not a JSON object: {e}"),
        })
    }

    /// Checks the identity of every series in `samples` not yet known to this connection
    /// (a non-empty name; name, tag keys and values within 1 KiB), before anything is written.
    pub(super) fn check_new_series(&self, samples: &[SampleRow]) -> Result<(), StoreError> {
        for row in samples
            .iter()
            .filter(|r| !self.series_ids.contains_key(&r.series))
        {
            crate::metrics::check_identity(&row.series.name, &row.series.tags).map_err(|e| {
                StoreError::Data {
                    path: self.path.clone(),
                    message: format!("cannot store a sample: {e}"),
                }
            })?;
        }
        Ok(())
    }

    /// Writes `samples` for `run_id` in one transaction.
    pub fn insert_samples(
        &mut self,
        run_id: Option<i64>,
        samples: &[SampleRow],
    ) -> Result<(), StoreError> {
        let mut ctx = crate::context::Context::new();
        self.commit(run_id, &mut ctx, samples)
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
            let series_tags = self.decode_tags(&name, &tag_text)?;
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

/// Writes each sample of `rows` with its series id from `ids` (same order).
pub(super) fn write_samples<'s>(
    tx: &Transaction<'_>,
    rows: impl IntoIterator<Item = SampleView<'s>>,
    ids: &[i64],
) -> rusqlite::Result<()> {
    let mut out = super::writer::SampleWriter::new(tx);
    for (s, &series) in rows.into_iter().zip(ids) {
        out.push(super::writer::Row {
            series,
            run: s.run,
            ts_ns: s.ts_ns,
            value: s.value,
            context: s.context.map(Value::to_string),
        })?;
    }
    out.finish().map(drop)
}
