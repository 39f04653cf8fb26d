//! Reading a whole `args` mapping into typed values with one [`Finding`] per problem at its
//! absolute path (`INVALID_ARG` for a wrong value, type or unknown key, `MISSING_FIELD` for a
//! required part left out), so that `f0 validate` shows every problem at once.

use std::str::FromStr;

use serde_json::{Map, Value};

use super::map::{join, FieldError};
use super::{unknown_key_message, value};
use crate::diagnostic::{Code, Finding, Level};

/// Collects findings while reading one mapping at path `base`.
pub struct ArgReader<'f> {
    base: String,
    findings: &'f mut Vec<Finding>,
}

impl<'f> ArgReader<'f> {
    /// A reader of the mapping at `base` (e.g. `recipe.steps[2].args`) into `findings`.
    pub fn new(base: impl Into<String>, findings: &'f mut Vec<Finding>) -> Self {
        ArgReader {
            base: base.into(),
            findings,
        }
    }

    /// The absolute path of `rel` below this reader's mapping.
    pub fn at(&self, rel: &str) -> String {
        join(&self.base, rel)
    }

    /// The path of this reader's mapping.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Adds a finding made elsewhere (e.g. by a nested configuration check).
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Adds findings made elsewhere.
    pub fn extend(&mut self, fs: impl IntoIterator<Item = Finding>) {
        self.findings.extend(fs);
    }

    /// Whether any error has been found so far.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }

    /// An `INVALID_ARG` error at `field`.
    pub fn invalid(&mut self, field: &str, message: String) {
        let path = self.at(field);
        self.findings
            .push(Finding::error(Code::InvalidArg, path, message));
    }

    /// A `MISSING_FIELD` error at `field`.
    pub fn missing(&mut self, field: &str, message: String) {
        let path = self.at(field);
        self.findings
            .push(Finding::error(Code::MissingField, path, message));
    }

    /// A warning finding at `field`.
    pub fn warn(&mut self, code: Code, field: &str, message: String) {
        let path = self.at(field);
        self.findings.push(Finding::warning(code, path, message));
    }

    /// Records `e` (its field below `prefix`) as an error finding: `MISSING_FIELD` when its
    /// message says something is missing, `INVALID_ARG` otherwise.
    pub fn error(&mut self, e: FieldError) {
        let code = if e.message.starts_with("missing") {
            Code::MissingField
        } else {
            Code::InvalidArg
        };
        let path = self.at(&e.field);
        self.findings.push(Finding::error(code, path, e.message));
    }

    /// The value of `r`, or None after recording its error (its field below `prefix`).
    pub fn take<T>(&mut self, r: Result<T, FieldError>, prefix: &str) -> Option<T> {
        r.map_err(|e| self.error(e.under(prefix))).ok()
    }

    fn value<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.invalid(field, m)).ok()
    }

    /// `v` as a boolean.
    pub fn bool(&mut self, field: &str, v: &Value) -> Option<bool> {
        self.value(field, value::boolean(v))
    }

    /// A finite number satisfying `ok`, described by `accepted`.
    pub fn number(
        &mut self,
        field: &str,
        v: &Value,
        ok: impl Fn(f64) -> bool,
        accepted: &str,
    ) -> Option<f64> {
        self.value(field, value::number(v, ok, accepted))
    }

    /// A string parsed by `T::from_str`.
    pub fn parsed<T: FromStr>(&mut self, field: &str, v: &Value, what: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        self.value(field, value::parsed(v, what))
    }

    /// A non-empty list of percents in [0, 100].
    pub fn percents(&mut self, field: &str, v: &Value) -> Option<Vec<f64>> {
        self.value(field, value::percents(v))
    }

    /// Errors for keys of `map` outside `known` (the unknown-key rule of [`super`]).
    pub fn unknown_keys(&mut self, map: &Map<String, Value>, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.invalid(key, unknown_key_message(key, known));
        }
    }

    /// A reader of the mapping `map` at `field` below this one, having checked its keys
    /// against `known`.
    pub fn nested(
        &mut self,
        field: &str,
        map: &Map<String, Value>,
        known: &[&str],
    ) -> ArgReader<'_> {
        let mut sub = ArgReader {
            base: self.at(field),
            findings: self.findings,
        };
        sub.unknown_keys(map, known);
        sub
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn findings_carry_absolute_paths_and_codes() {
        let mut fs = Vec::new();
        let mut r = ArgReader::new("recipe.steps[1].args", &mut fs);
        assert_eq!(r.bool("on", &json!(1)), None);
        r.take::<()>(
            Err(FieldError::new("command", "missing 'command'")),
            "workloads[0]",
        );
        let map = json!({"x": 1, "ok": 2});
        r.nested("sub", map.as_object().unwrap(), &["ok"]);
        assert!(r.has_errors());
        let got: Vec<String> = fs.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            got,
            [
                "ERROR [INVALID_ARG] at recipe.steps[1].args.on: must be true or false, got 1",
                "ERROR [MISSING_FIELD] at recipe.steps[1].args.workloads[0].command: missing 'command'",
                "ERROR [INVALID_ARG] at recipe.steps[1].args.sub.x: unknown key 'x'; accepted: ok",
            ]
        );
    }
}
