//! The shared context: a flat map of dotted keys to JSON values with a change history
//! (COMPAT §3). Setting an equal value is a no-op; every change appends a history entry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One change of one key, in Framework0's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Epoch seconds.
    pub timestamp: f64,
    /// The key changed.
    pub key: String,
    /// The value before (null when the key was new).
    pub before: Value,
    /// The value after.
    pub after: Value,
    /// Who set it (`runner`, a step name, ...).
    pub who: Option<String>,
    /// Always `set` for now.
    pub operation: String,
}

/// The context of one run: values, history, and what is not yet persisted.
#[derive(Debug, Default, Clone)]
pub struct Context {
    values: BTreeMap<String, Value>,
    history: Vec<HistoryEntry>,
    dirty: BTreeSet<String>,
    persisted_history: usize,
}

/// A context shared between the runner and a step running on its own thread.
pub type SharedContext = Arc<Mutex<Context>>;

/// Locks a shared context, recovering the data if a step thread panicked while holding it
/// (a context map is always left consistent by [`Context::set`]).
pub fn lock(ctx: &SharedContext) -> MutexGuard<'_, Context> {
    ctx.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// A context holding `values` as already persisted (no history, nothing dirty).
    pub fn from_persisted(values: BTreeMap<String, Value>) -> Self {
        Context {
            values,
            ..Self::default()
        }
    }

    /// The value of exactly `key` (no tree walking).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// All keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// All values.
    pub fn values(&self) -> &BTreeMap<String, Value> {
        &self.values
    }

    /// Sets `key` to `value`; returns whether anything changed. An equal value is a no-op.
    pub fn set(&mut self, key: &str, value: Value, who: Option<&str>) -> bool {
        let before = self.values.get(key);
        if before == Some(&value) {
            return false;
        }
        let entry = HistoryEntry {
            timestamp: crate::util::epoch_seconds(),
            key: key.to_owned(),
            before: before.cloned().unwrap_or(Value::Null),
            after: value.clone(),
            who: who.map(str::to_owned),
            operation: "set".to_owned(),
        };
        self.values.insert(key.to_owned(), value);
        self.history.push(entry);
        self.dirty.insert(key.to_owned());
        true
    }

    /// The whole history of this run.
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// Changed keys with their values, and history entries, not yet persisted.
    pub fn pending(&self) -> (Vec<(&str, &Value)>, &[HistoryEntry]) {
        let changed = self
            .dirty
            .iter()
            .filter_map(|k| self.values.get(k).map(|v| (k.as_str(), v)))
            .collect();
        (changed, &self.history[self.persisted_history..])
    }

    /// Marks everything pending as persisted.
    pub fn mark_persisted(&mut self) {
        self.dirty.clear();
        self.persisted_history = self.history.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_set_is_a_no_op_and_changes_are_recorded() {
        let mut c = Context::new();
        assert!(c.set("a.b", json!(1), Some("t")));
        assert!(!c.set("a.b", json!(1), Some("t")));
        assert!(c.set("a.b", json!(2), None));
        assert_eq!(c.history().len(), 2);
        assert_eq!(c.history()[1].before, json!(1));
        assert_eq!(c.history()[1].after, json!(2));
        assert_eq!(c.history()[0].who.as_deref(), Some("t"));
        let (changed, hist) = c.pending();
        assert_eq!(changed, vec![("a.b", &json!(2))]);
        assert_eq!(hist.len(), 2);
        c.mark_persisted();
        assert!(c.pending().0.is_empty() && c.pending().1.is_empty());
    }
}
