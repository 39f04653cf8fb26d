//! Reading one mapping of a step's arguments into typed values, with one [`Finding`] per
//! problem at its path (`INVALID_ARG` for a wrong value or type, `MISSING_FIELD` for a required
//! part left out, a warning for an unknown key).

use std::str::FromStr;

use serde_json::{Map, Value};

use crate::diagnostic::{compact, Code, Finding};

/// Collects findings while reading one mapping.
pub(super) struct Reader<'f> {
    pub base: String,
    pub findings: &'f mut Vec<Finding>,
}

impl Reader<'_> {
    pub fn invalid(&mut self, field: &str, message: String) {
        let path = format!("{}.{field}", self.base);
        self.findings
            .push(Finding::error(Code::InvalidArg, path, message));
    }

    pub fn missing(&mut self, field: &str, message: String) {
        let path = format!("{}.{field}", self.base);
        self.findings
            .push(Finding::error(Code::MissingField, path, message));
    }

    pub fn bool(&mut self, field: &str, v: &Value) -> Option<bool> {
        v.as_bool().or_else(|| {
            self.invalid(field, format!("must be true or false, got {}", compact(v)));
            None
        })
    }

    /// A finite number satisfying `ok`, described by `accepted`.
    pub fn number(
        &mut self,
        field: &str,
        v: &Value,
        ok: impl Fn(f64) -> bool,
        accepted: &str,
    ) -> Option<f64> {
        match v.as_f64() {
            Some(x) if x.is_finite() && ok(x) => Some(x),
            _ => {
                self.invalid(field, format!("must be {accepted}, got {}", compact(v)));
                None
            }
        }
    }

    pub fn parsed<T: FromStr>(&mut self, field: &str, v: &Value, what: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let Some(s) = v.as_str() else {
            self.invalid(
                field,
                format!("must be a string ({what}), got {}", compact(v)),
            );
            return None;
        };
        s.parse()
            .map_err(|e| self.invalid(field, format!("{e}")))
            .ok()
    }

    /// A non-empty list of percents in [0, 100].
    pub fn percents(&mut self, field: &str, v: &Value) -> Option<Vec<f64>> {
        let list = v.as_array().filter(|a| !a.is_empty());
        let parsed: Option<Vec<f64>> = list.and_then(|a| {
            a.iter()
                .map(|x| x.as_f64().filter(|p| (0.0..=100.0).contains(p)))
                .collect()
        });
        if parsed.is_none() {
            self.invalid(
                field,
                format!(
                    "must be a non-empty list of percents in [0, 100], got {}",
                    compact(v)
                ),
            );
        }
        parsed
    }

    /// Warns about keys outside `known`.
    pub fn unknown_keys(&mut self, map: &Map<String, Value>, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let path = format!("{}.{key}", self.base);
            self.findings.push(Finding::warning(
                Code::UnknownKey,
                path,
                format!(
                    "unknown key '{key}' is ignored; known: {}",
                    known.join(", ")
                ),
            ));
        }
    }

    /// A reader of the mapping `map` at `field` below this one, having warned about its keys
    /// outside `known`.
    pub fn nested(&mut self, field: &str, map: &Map<String, Value>, known: &[&str]) -> Reader<'_> {
        let mut sub = Reader {
            base: format!("{}.{field}", self.base),
            findings: self.findings,
        };
        sub.unknown_keys(map, known);
        sub
    }
}
