//! One mapping of arguments read key by key; every getter names its key in a [`FieldError`].

use std::time::Duration;

use serde_json::{Map, Value};

use super::{unknown_key_message, value};
use crate::diagnostic::compact;

/// The shortest sampling interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// A problem with one field, relative to the mapping being read (`field` is e.g. `url` or
/// `endpoints[0].timeout`; empty for the value itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// Relative path of the field.
    pub field: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl FieldError {
    /// An error at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error with `prefix` put before its field (`prefix.field`, or
    /// `prefix[...]` when the field starts with an index).
    pub fn under(mut self, prefix: &str) -> Self {
        self.field = join(prefix, &self.field);
        self
    }
}

/// `base.rel`, or `base[..]` when `rel` starts with an index; either part may be empty.
pub(crate) fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) if rel.starts_with('[') => format!("{base}{rel}"),
        (false, false) => format!("{base}.{rel}"),
    }
}

/// Fails at the first key of `map` outside `accepted` (the unknown-key rule of [`super`]).
pub fn check_keys(map: &Map<String, Value>, accepted: &[&str]) -> Result<(), FieldError> {
    match map.keys().find(|k| !accepted.contains(&k.as_str())) {
        Some(k) => Err(FieldError::new(
            k.as_str(),
            unknown_key_message(k, accepted),
        )),
        None => Ok(()),
    }
}

/// A mapping being read; every getter names its key in errors. Absent and `null` keys read
/// as absent.
pub struct ArgMap<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> ArgMap<'a> {
    /// Reads `v`, which must be a mapping with no keys outside `accepted` (the unknown-key rule
    /// of [`super`]).
    pub fn new(v: &'a Value, accepted: &[&str]) -> Result<Self, FieldError> {
        let map = v
            .as_object()
            .ok_or_else(|| FieldError::new("", format!("must be a mapping, got {}", compact(v))))?;
        check_keys(map, accepted)?;
        Ok(ArgMap { map })
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn read<T>(
        &self,
        key: &str,
        f: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Result<Option<T>, FieldError> {
        self.get(key)
            .map(|v| f(v).map_err(|m| FieldError::new(key, m)))
            .transpose()
    }

    /// A boolean, `default` when absent.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, FieldError> {
        Ok(self.read(key, value::boolean)?.unwrap_or(default))
    }

    /// An integer of at least `min`, `default` when absent.
    pub fn count(&self, key: &str, min: u32, default: u32) -> Result<u32, FieldError> {
        Ok(self.read(key, |v| value::count(v, min))?.unwrap_or(default))
    }

    /// A non-empty string.
    pub fn string(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.read(key, value::nonempty_string)
    }

    /// A duration (see [`crate::util::duration`]).
    pub fn duration(&self, key: &str) -> Result<Option<Duration>, FieldError> {
        self.read(key, value::duration)
    }

    /// A sampling interval: a duration of at least [`MIN_INTERVAL`].
    pub fn interval(&self, key: &str) -> Result<Option<Duration>, FieldError> {
        match self.duration(key)? {
            Some(d) if d < MIN_INTERVAL => Err(FieldError::new(
                key,
                format!(
                    "interval {}s is shorter than the 0.01s minimum",
                    d.as_secs_f64()
                ),
            )),
            d => Ok(d),
        }
    }

    /// A command: a non-empty list of program and arguments (no shell) whose program is an
    /// executable file (a path, or a name found on `PATH`); absent is an error.
    pub fn command(&self, key: &str) -> Result<Vec<String>, FieldError> {
        let command: Vec<String> = match self.get(key) {
            None => return Err(FieldError::new(key, format!("missing '{key}': a list such as [\"ls\", \"-la\"]"))),
            Some(Value::String(c)) => {
                return Err(FieldError::new(
                    key,
                    format!("must be a list of program and arguments (no shell), got the string {c:?}; to use a shell write [\"sh\", \"-c\", {c:?}]"),
                ))
            }
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .enumerate()
                .map(|(j, x)| match x {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(FieldError::new(format!("{key}[{j}]"), format!("must be a string, got {}", compact(other)))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(FieldError::new(key, format!("must be a non-empty list such as [\"ls\", \"-la\"], got {}", compact(other)))),
        };
        if crate::util::program::find_program(&command[0]).is_none() {
            let where_ = if command[0].contains('/') {
                ""
            } else {
                " on PATH"
            };
            return Err(FieldError::new(
                format!("{key}[0]"),
                format!(
                    "command not found: '{}' is not an executable file{where_}",
                    command[0]
                ),
            ));
        }
        Ok(command)
    }

    /// A list (empty when absent).
    pub fn list(&self, key: &str) -> Result<&'a [Value], FieldError> {
        Ok(self.read(key, value::list)?.unwrap_or(&[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_name_their_key() {
        let v = json!({"on": "yes", "n": 0, "s": "", "d": "abc", "i": "1ms", "l": 3});
        let s = ArgMap::new(&v, &["on", "n", "s", "d", "i", "l", "missing"]).unwrap();
        assert_eq!(s.bool("on", true).unwrap_err().field, "on");
        assert_eq!(s.count("n", 1, 1).unwrap_err().field, "n");
        assert_eq!(s.string("s").unwrap_err().field, "s");
        assert!(s
            .duration("d")
            .unwrap_err()
            .message
            .contains("cannot parse"));
        assert!(s.interval("i").unwrap_err().message.contains("minimum"));
        assert_eq!(s.list("l").unwrap_err().field, "l");
        assert_eq!(s.count("missing", 1, 7).unwrap(), 7);
        let e = ArgMap::new(&json!({"intervall": 1}), &["interval"])
            .err()
            .unwrap();
        assert_eq!(e.field, "intervall");
        assert!(e.message.contains("accepted: interval"));
        assert!(ArgMap::new(&json!(3), &[]).is_err());
    }

    #[test]
    fn under_joins_fields_and_indexes() {
        assert_eq!(
            FieldError::new("url", "x").under("endpoints[0]").field,
            "endpoints[0].url"
        );
        assert_eq!(
            FieldError::new("[2]", "x").under("workloads").field,
            "workloads[2]"
        );
        assert_eq!(FieldError::new("", "x").under("custom").field, "custom");
        assert_eq!(FieldError::new("a", "x").under("").field, "a");
    }
}
