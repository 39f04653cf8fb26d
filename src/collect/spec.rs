//! Reading the settings of one collector from a recipe mapping: typed getters that report
//! a [`FieldError`] naming the key, shared by the `collect` arguments and workload entries.

use std::time::Duration;

use serde_json::{Map, Value};

use super::duration::parse_duration;
use super::FieldError;

/// The shortest sampling interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// A mapping being read; every getter names its key in errors.
pub struct Spec<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Spec<'a> {
    /// Reads `v`, which must be a mapping with no keys outside `accepted`.
    pub fn new(v: &'a Value, accepted: &[&str]) -> Result<Self, FieldError> {
        let map = v
            .as_object()
            .ok_or_else(|| FieldError::new("", format!("must be a mapping, got {}", short(v))))?;
        if let Some(k) = map.keys().find(|k| !accepted.contains(&k.as_str())) {
            return Err(FieldError::new(
                k.as_str(),
                format!("unknown key '{k}'; accepted: {}", accepted.join(", ")),
            ));
        }
        Ok(Spec { map })
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A boolean, `default` when absent.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, FieldError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(FieldError::new(
                key,
                format!("must be true or false, got {}", short(v)),
            )),
        }
    }

    /// An integer of at least `min`, `default` when absent.
    pub fn count(&self, key: &str, min: u32, default: u32) -> Result<u32, FieldError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= min)
                .ok_or_else(|| {
                    FieldError::new(
                        key,
                        format!("must be a whole number ≥ {min}, got {}", short(v)),
                    )
                }),
        }
    }

    /// A non-empty string.
    pub fn string(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(v) => Err(FieldError::new(
                key,
                format!("must be a non-empty string, got {}", short(v)),
            )),
        }
    }

    /// A duration (see [`parse_duration`]).
    pub fn duration(&self, key: &str) -> Result<Option<Duration>, FieldError> {
        self.get(key)
            .map(|v| parse_duration(v).map_err(|e| FieldError::new(key, e.to_string())))
            .transpose()
    }

    /// A sampling interval: a duration of at least [`MIN_INTERVAL`].
    pub fn interval(&self, key: &str) -> Result<Option<Duration>, FieldError> {
        let d = self.duration(key)?;
        match d {
            Some(d) if d < MIN_INTERVAL => Err(FieldError::new(
                key,
                format!(
                    "interval {}s is shorter than the 0.01s minimum",
                    d.as_secs_f64()
                ),
            )),
            _ => Ok(d),
        }
    }

    /// A list.
    pub fn list(&self, key: &str) -> Result<&'a [Value], FieldError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(v) => Err(FieldError::new(
                key,
                format!("must be a list, got {}", short(v)),
            )),
        }
    }
}

/// A short rendering of a value for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_name_their_key() {
        let v = json!({"on": "yes", "n": 0, "s": "", "d": "abc", "i": "1ms", "l": 3});
        let s = Spec::new(&v, &["on", "n", "s", "d", "i", "l", "missing"]).unwrap();
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
        let e = Spec::new(&json!({"intervall": 1}), &["interval"])
            .err()
            .unwrap();
        assert_eq!(e.field, "intervall");
        assert!(e.message.contains("accepted: interval"));
        assert!(Spec::new(&json!(3), &[]).is_err());
    }
}
