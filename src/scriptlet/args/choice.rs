//! Named-choice arguments shared by the Framework0 scriptlets (`args.action`,
//! `args.test_type`, `args.format`, ...): validation findings and the run-time lookup, with
//! one wording: `unknown action 'x'; valid actions: setup, check, report`.

use serde_json::{Map, Value};

use super::value;
use crate::diagnostic::{compact, Code, Finding};
use crate::scriptlet::ScriptletError;

/// One argument that must be one of a fixed set of strings.
pub struct Choice<'a> {
    /// The scriptlet's class name, for messages.
    pub scriptlet: &'a str,
    /// The argument's name.
    pub field: &'a str,
    /// The value used when the argument is absent (None: required).
    pub default: Option<&'a str>,
    /// The accepted values.
    pub valid: &'a [&'a str],
    /// The finding code of a wrong value (`UNKNOWN_ACTION` fails the step at run time).
    pub code: Code,
}

impl<'a> Choice<'a> {
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
    pub fn get(&self, args: &Map<String, Value>) -> Result<&'a str, ScriptletError> {
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
pub fn check_bool(args: &Map<String, Value>, base: &str, field: &str) -> Vec<Finding> {
    match args.get(field).map(value::boolean) {
        Some(Err(message)) => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.{field}"),
            message,
        )],
        _ => vec![],
    }
}

/// `args[field]` as a boolean, `default` when absent.
pub fn bool_arg(
    args: &Map<String, Value>,
    field: &str,
    default: bool,
) -> Result<bool, ScriptletError> {
    match args.get(field) {
        None => Ok(default),
        Some(v) => value::boolean(v).map_err(|message| ScriptletError::InvalidArg {
            field: format!("args.{field}"),
            message,
        }),
    }
}
