//! Named-choice arguments shared by the Framework0 scriptlets (`args.action`,
//! `args.test_type`, `args.format`, ...): validation findings and the run-time lookup, with
//! one wording: `unknown action 'x'; valid actions: setup, check, report`.

use serde_json::{Map, Value};

use super::ScriptletError;
use crate::diagnostic::{compact, Code, Finding};

/// One argument that must be one of a fixed set of strings.
pub(crate) struct Choice {
    /// The scriptlet's class name, for messages.
    pub scriptlet: &'static str,
    /// The argument's name.
    pub field: &'static str,
    /// The value used when the argument is absent (None: required).
    pub default: Option<&'static str>,
    /// The accepted values.
    pub valid: &'static [&'static str],
    /// The finding code of a wrong value (`UNKNOWN_ACTION` fails the step at run time).
    pub code: Code,
}

impl Choice {
    fn unknown(&self, got: &Value) -> String {
        format!(
            "unknown {} {}; valid {}s: {}",
            self.field,
            compact(got),
            self.field,
            self.valid.join(", ")
        )
    }

    /// Findings for `args` (at `base`).
    pub fn validate(&self, args: &Map<String, Value>, base: &str) -> Vec<Finding> {
        let at = format!("{base}.{}", self.field);
        match args.get(self.field) {
            None if self.default.is_some() => vec![],
            None => vec![Finding::error(
                Code::MissingField,
                at,
                format!(
                    "{} needs '{}': one of {}",
                    self.scriptlet,
                    self.field,
                    self.valid.join(", ")
                ),
            )],
            Some(Value::String(s)) if self.valid.contains(&s.as_str()) => vec![],
            Some(other) => vec![Finding::error(self.code, at, self.unknown(other))],
        }
    }

    /// The chosen value, or an error naming the bad value and the valid ones.
    pub fn get(&self, args: &Map<String, Value>) -> Result<&'static str, ScriptletError> {
        let got = match (args.get(self.field), self.default) {
            (None, Some(d)) => return Ok(d),
            (None, None) => Value::Null,
            (Some(v), _) => v.clone(),
        };
        got.as_str()
            .and_then(|s| self.valid.iter().find(|v| **v == s).copied())
            .ok_or_else(|| ScriptletError::Message(self.unknown(&got)))
    }
}

/// A finding when `args[field]` is present and not a boolean.
pub(crate) fn check_bool(args: &Map<String, Value>, base: &str, field: &str) -> Vec<Finding> {
    match args.get(field) {
        None | Some(Value::Bool(_)) => vec![],
        Some(v) => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.{field}"),
            format!("must be true or false, got {}", compact(v)),
        )],
    }
}

/// `args[field]` as a boolean, `default` when absent.
pub(crate) fn bool_arg(
    args: &Map<String, Value>,
    field: &str,
    default: bool,
) -> Result<bool, ScriptletError> {
    match args.get(field) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(ScriptletError::InvalidArg {
            field: format!("args.{field}"),
            message: format!("must be true or false, got {}", compact(v)),
        }),
    }
}
