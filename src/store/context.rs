//! Context persistence: `context_data` (latest value per key, compact JSON) and
//! `context_history` (every change, per run).

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::group::SampleView;
use super::metrics::SeriesRef;
use super::{SampleGroup, SampleRow, SeriesKey, Store, StoreError};
use crate::context::{Context, HistoryEntry};

/// One row of `context_data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextRow {
    /// The dotted key.
    pub key: String,
    /// The value.
    pub value: Value,
    /// When it was last written (SQLite `CURRENT_TIMESTAMP`, UTC).
    pub timestamp: String,
}

/// A history entry with the run it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    /// The run that made the change (none for changes made outside a run).
    pub run_id: Option<i64>,
    /// The change itself.
    #[serde(flatten)]
    pub entry: HistoryEntry,
}

impl Store {
    /// A fresh [`Context`] holding the persisted keys that start with one of `prefixes` (a run
    /// starts from an empty context, as in Framework0, plus what must persist across runs).
    pub fn load_context(&self, prefixes: &[&str]) -> Result<Context, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM context_data ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut values = BTreeMap::new();
        for row in rows {
            let (key, text) = row.map_err(|e| self.err(e))?;
            if prefixes.iter().any(|p| key.starts_with(p)) {
                values.insert(key, decode_value(&text));
            }
        }
        Ok(Context::from_persisted(values))
    }

    /// Persists the context's pending changes, the samples staged so far ([`Store::stage_samples`])
    /// and `samples` for `run_id` atomically, then marks the context persisted. Either
    /// everything lands or nothing does (staged samples then stay staged).
    pub fn commit(
        &mut self,
        run_id: Option<i64>,
        ctx: &mut Context,
        samples: &[SampleRow],
    ) -> Result<(), StoreError> {
        self.check_new_series(samples)?;
        let mut staged = std::mem::take(&mut self.staged);
        let groups = std::mem::take(&mut self.staged_groups);
        let cache = std::mem::take(&mut self.series_ids);
        let known = std::mem::take(&mut self.group_ids);
        let result = self.write_tx(|tx| {
            write_context(tx, run_id, ctx)?;
            // The groups whose series this connection does not know yet are resolved series
            // by series, with the rows.
            let cached: Vec<Option<&[i64]>> = groups.iter().map(|(_, g)| known.get(g)).collect();
            let missed = groups
                .iter()
                .zip(&cached)
                .filter(|(_, c)| c.is_none())
                .map(|((_, g), _)| g);
            let series = staged
                .iter()
                .map(|(_, s)| SeriesRef::from(&s.series))
                .chain(missed.flat_map(SampleGroup::series))
                .chain(samples.iter().map(|s| SeriesRef::from(&s.series)));
            let (ids, fresh) = super::metrics::resolve_series_at(tx, &cache, series)?;
            let (ordered, learned) = in_write_order(&ids, staged.len(), &groups, &cached);
            let rows = staged
                .iter()
                .map(|(run, s)| SampleView::of_row(*run, s))
                .chain(
                    groups
                        .iter()
                        .flat_map(|(run, g)| SampleView::of_group(*run, g)),
                )
                .chain(samples.iter().map(|s| SampleView::of_row(run_id, s)));
            super::metrics::write_samples(tx, rows, &ordered)?;
            let grouped = ids.len() - staged.len() - samples.len();
            Ok((fresh, grouped, learned))
        });
        self.series_ids = cache;
        self.group_ids = known;
        match result {
            Ok((fresh, grouped, learned)) => {
                self.learn_fresh(fresh, &mut staged, grouped, samples);
                for (at, ids) in learned {
                    let g = &groups[at].1;
                    self.group_ids
                        .insert(g.shapes, g.tags.clone(), g.source, ids);
                }
                self.last_commit = std::time::Instant::now();
                ctx.mark_persisted();
                Ok(())
            }
            Err(e) => {
                self.staged = staged;
                self.staged_groups = groups;
                Err(e)
            }
        }
    }

    /// Adds the series a commit created for its rows to the cache: `fresh` holds their
    /// positions among the resolved series (`staged`, then `grouped` series of groups, which
    /// the group cache learns instead, then `given`), in order. The staged rows' keys move
    /// into the cache.
    fn learn_fresh(
        &mut self,
        fresh: super::metrics::FreshSeries,
        staged: &mut [(Option<i64>, SampleRow)],
        grouped: usize,
        given: &[SampleRow],
    ) {
        for (at, id) in fresh {
            let key = if at < staged.len() {
                std::mem::replace(&mut staged[at].1.series, SeriesKey::empty())
            } else {
                match (at - staged.len())
                    .checked_sub(grouped)
                    .and_then(|i| given.get(i))
                {
                    Some(row) => row.series.clone(),
                    None => continue,
                }
            };
            self.series_ids.insert(key, id);
        }
    }

    /// Every persisted key with its value, sorted by key.
    pub fn context_rows(&self) -> Result<Vec<ContextRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, value, COALESCE(timestamp, '') FROM context_data ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, text, timestamp) = row.map_err(|e| self.err(e))?;
            let value = decode_value(&text);
            out.push(ContextRow {
                key,
                value,
                timestamp,
            });
        }
        Ok(out)
    }

    /// The persisted value of `key`.
    pub fn context_value(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM context_data WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(text.map(|t| decode_value(&t)))
    }

    /// Every recorded change of `key`, oldest first.
    pub fn context_history(&self, key: &str) -> Result<Vec<HistoryRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, timestamp, before, after, who, operation FROM context_history \
                 WHERE key = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([key], |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (run_id, timestamp, before, after, who, operation) =
                row.map_err(|e| self.err(e))?;
            out.push(HistoryRow {
                run_id,
                entry: HistoryEntry {
                    timestamp,
                    key: key.to_owned(),
                    before: decode_value(&before),
                    after: decode_value(&after),
                    who,
                    operation,
                },
            });
        }
        Ok(out)
    }
}

/// A `context_data` value as f0 reads it; one odd value never fails the store. Strict JSON is
/// read as is (integers up to ±2⁶⁴ exactly). Framework0's Python adapter writes with
/// `json.dumps`, which also emits `NaN`, `Infinity` and `-Infinity`: JSON has no such numbers,
/// so those tokens are read as `{"$numberDouble": "NaN"}` (`"Infinity"`, `"-Infinity"`),
/// MongoDB Extended JSON's spelling and the one the Python bridge writes and turns back into
/// the same floats for a Python step ([`crate::bridge`]). Text that is
/// not JSON at all — the adapter's reader falls back to the raw string — is read as that
/// string. A value f0 does not change is never rewritten, so the stored text stays as it was.
pub fn decode_value(text: &str) -> Value {
    if let Ok(v) = serde_json::from_str(text) {
        return v;
    }
    python_json(text)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

/// `text` with Python's non-finite number tokens outside strings quoted; None when there are
/// none.
fn python_json(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut escaped, mut changed) = (false, false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if let Some(token) = ["-Infinity", "Infinity", "NaN"]
            .iter()
            .find(|t| rest.starts_with(**t))
        {
            out.push_str("{\"$numberDouble\":\"");
            out.push_str(token);
            out.push_str("\"}");
            rest = &rest[token.len()..];
            changed = true;
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    changed.then_some(out)
}

fn write_context(tx: &Transaction<'_>, run_id: Option<i64>, ctx: &Context) -> rusqlite::Result<()> {
    let (changed, history) = ctx.pending();
    let mut upsert = tx.prepare_cached(
        "INSERT OR REPLACE INTO context_data (key, value, timestamp, version_id) \
         VALUES (?1, ?2, CURRENT_TIMESTAMP, 'diff')",
    )?;
    for (key, value) in changed {
        upsert.execute(params![key, value.to_string()])?;
    }
    let mut hist = tx.prepare_cached(
        "INSERT INTO context_history (run_id, timestamp, key, before, after, who, operation) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for h in history {
        hist.execute(params![
            run_id,
            h.timestamp,
            h.key,
            h.before.to_string(),
            h.after.to_string(),
            h.who,
            h.operation
        ])?;
    }
    Ok(())
}

/// The series ids of groups a commit resolved, by the group's position among the staged ones.
type Learned = Vec<(usize, Box<[i64]>)>;

/// The series ids of every sample in write order (staged rows, then the groups, then the
/// given rows) from `resolved` (the rows' ids and, between them, those of the groups not
/// `cached`), and the ids of those groups by their position, for the group cache.
fn in_write_order(
    resolved: &[i64],
    staged: usize,
    groups: &[(Option<i64>, SampleGroup)],
    cached: &[Option<&[i64]>],
) -> (Vec<i64>, Learned) {
    let known: usize = cached.iter().flatten().map(|ids| ids.len()).sum();
    let mut ordered = Vec::with_capacity(resolved.len() + known);
    ordered.extend_from_slice(&resolved[..staged]);
    let mut at = staged;
    let mut learned = Vec::new();
    for (i, ((_, g), cached)) in groups.iter().zip(cached).enumerate() {
        match cached {
            Some(ids) => ordered.extend_from_slice(ids),
            None => {
                let ids = &resolved[at..at + g.len()];
                ordered.extend_from_slice(ids);
                learned.push((i, ids.into()));
                at += g.len();
            }
        }
    }
    ordered.extend_from_slice(&resolved[at..]);
    (ordered, learned)
}
