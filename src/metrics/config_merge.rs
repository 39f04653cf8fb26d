//! Merging a user's configuration mapping over defaults, key by key, with type checks.
//!
//! The defaults are a JSON tree; the user's tree is laid over it. A key the defaults lack is
//! reported as a warning and dropped; a value whose JSON kind differs from the default's
//! (a string where a number is expected, a float where an integer is) is a typed error naming
//! the dotted path. Paths listed as free-form take any value.

use serde_json::Value;

use super::config::ConfigError;
use crate::diagnostic::{Code, Finding};

/// A non-fatal finding while reading a configuration, e.g. an unknown key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigWarning {
    /// Dotted path of the key.
    pub path: String,
    /// What was found and what happens.
    pub message: String,
}

/// The kind of a JSON value, as named in error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() => "a non-negative integer",
        Value::Number(n) if n.is_i64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Lays `user` over `target` (which holds the defaults). `free_form` lists dotted paths that
/// accept any value.
pub(crate) fn merge(
    target: &mut Value,
    user: &Value,
    path: &str,
    free_form: &[&str],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<(), ConfigError> {
    if free_form.contains(&path) {
        *target = user.clone();
        return Ok(());
    }
    match (target, user) {
        (Value::Object(t), Value::Object(u)) => {
            for (key, uv) in u {
                let p = join(path, key);
                match t.get_mut(key) {
                    Some(tv) => merge(tv, uv, &p, free_form, warnings)?,
                    None => warnings.push(ConfigWarning {
                        message: format!("unknown key `{p}` ignored"),
                        path: p,
                    }),
                }
            }
            Ok(())
        }
        (Value::Array(t), Value::Array(u)) => {
            // A list replaces the default list; its items must have the default items' kind.
            if let Some(proto) = t.first() {
                for (i, item) in u.iter().enumerate() {
                    if !same_kind(proto, item) {
                        return Err(ConfigError::WrongType {
                            path: format!("{path}[{i}]"),
                            expected: kind(proto),
                            found: format!("{} ({})", kind(item), item),
                        });
                    }
                }
            }
            *t = u.clone();
            Ok(())
        }
        (t, u) if same_kind(t, u) => {
            *t = u.clone();
            Ok(())
        }
        (t, u) => Err(ConfigError::WrongType {
            path: if path.is_empty() {
                "<root>".into()
            } else {
                path.into()
            },
            expected: kind(t),
            found: format!("{} ({})", kind(u), u),
        }),
    }
}

/// Whether `user` may replace `default`: same JSON kind, and an integer default demands an
/// integer of the same signedness.
fn same_kind(default: &Value, user: &Value) -> bool {
    match (default, user) {
        (Value::Bool(_), Value::Bool(_)) => true,
        (Value::String(_), Value::String(_)) => true,
        (Value::Array(_), Value::Array(_)) => true,
        (Value::Null, _) => true,
        (Value::Number(d), Value::Number(u)) => {
            if d.is_u64() {
                u.is_u64()
            } else {
                true
            }
        }
        _ => false,
    }
}

/// Checks a MetricsConfiguration mapping (recipe-level `config:` or a step's `args.config`):
/// errors for wrong types and ranges, warnings for keys nobody reads.
pub fn check_metrics_config(config: &Value, at: &str) -> Vec<Finding> {
    match super::MetricsConfiguration::from_value(config) {
        Err(e) => vec![Finding::error(Code::InvalidArg, at, e.to_string())],
        Ok((_, warnings)) => warnings
            .into_iter()
            .map(|w| Finding::warning(Code::UnknownKey, format!("{at}.{}", w.path), w.message))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_nested_and_reports_unknown_keys() {
        let mut t = json!({"a": {"x": 1, "y": true}, "f": {}});
        let mut w = vec![];
        merge(
            &mut t,
            &json!({"a": {"x": 5, "zz": 1}, "f": {"anything": [1]}}),
            "",
            &["f"],
            &mut w,
        )
        .unwrap();
        assert_eq!(t, json!({"a": {"x": 5, "y": true}, "f": {"anything": [1]}}));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].path, "a.zz");
    }

    #[test]
    fn wrong_kinds_name_the_path() {
        let mut t = json!({"a": {"x": 1, "r": 0.5}});
        let err = merge(&mut t, &json!({"a": {"x": 1.5}}), "", &[], &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("a.x"), "{err}");
        let err = merge(&mut t, &json!({"a": {"r": "high"}}), "", &[], &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("expected a number"), "{err}");
        let err = merge(&mut t, &json!({"a": 3}), "", &[], &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("expected a mapping"), "{err}");
        // an integer is a fine number
        merge(&mut t, &json!({"a": {"r": 2}}), "", &[], &mut vec![]).unwrap();
    }
}
