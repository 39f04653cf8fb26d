//! Context persistence: `context_data` (latest value per key, compact JSON) and
//! `context_history` (every change, per run).

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::{SampleRow, SeriesKey, Store, StoreError};
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
        let cache = std::mem::take(&mut self.series_ids);
        let result = self.write_tx(|tx| {
            write_context(tx, run_id, ctx)?;
            let rows = || {
                let staged = staged.iter().map(|(run, s)| (*run, s));
                staged.chain(samples.iter().map(|s| (run_id, s)))
            };
            let (ids, fresh) =
                super::metrics::resolve_series_at(tx, &cache, rows().map(|(_, s)| s))?;
            super::metrics::write_samples(tx, rows(), &ids)?;
            Ok(fresh)
        });
        self.series_ids = cache;
        match result {
            Ok(fresh) => {
                // The new series' keys move from the written samples into the cache.
                for (at, id) in fresh {
                    let key = match staged.get_mut(at) {
                        Some((_, s)) => std::mem::replace(&mut s.series, SeriesKey::empty()),
                        None => samples[at - staged.len()].series.clone(),
                    };
                    self.series_ids.insert(key, id);
                }
                self.last_commit = std::time::Instant::now();
                ctx.mark_persisted();
                Ok(())
            }
            Err(e) => {
                self.staged = staged;
                Err(e)
            }
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
