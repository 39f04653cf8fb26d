//! Built-in utility scriptlets under module `f0.builtin`, for tests, examples and recipes:
//! `Noop`, `Sleep {seconds}`, `Fail {exit_code | message}`, `SetContext {values}` and
//! `Flaky {fail_times, counter_key}` (fails its first attempts; for retry policies).

use serde_json::{Map, Value};

use crate::diagnostic::{compact, Code, Finding};
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::util::duration::from_seconds_or_zero;

/// The module path of the built-ins.
pub const MODULE: &str = "f0.builtin";

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &[MODULE],
        "Noop",
        "does nothing and succeeds",
        || Box::new(Noop),
        None,
    );
    r.register(
        &[MODULE],
        "Sleep",
        "sleeps args.seconds (cancellable)",
        || Box::new(Sleep),
        Some(validate_sleep),
    );
    r.register(
        &[MODULE],
        "Fail",
        "returns args.exit_code (default 1), or fails with args.message",
        || Box::new(Fail),
        Some(validate_fail),
    );
    r.register(
        &[MODULE],
        "SetContext",
        "sets every key of args.values in the context",
        || Box::new(SetContext),
        Some(validate_set_context),
    );
    r.register(
        &[MODULE],
        "Flaky",
        "fails its first args.fail_times attempts, then succeeds",
        || Box::new(Flaky),
        Some(|a, b| check_number(a, b, "fail_times")),
    );
}

struct Noop;
impl Scriptlet for Noop {
    fn run(&mut self, _: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
        Ok(0)
    }
}

struct Sleep;
impl Scriptlet for Sleep {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let secs = number_arg(args, "seconds")?.unwrap_or(0.0);
        let d = from_seconds_or_zero(secs).map_err(|e| ScriptletError::InvalidArg {
            field: "args.seconds".into(),
            message: e.to_string(),
        })?;
        env.sleep(d)?;
        Ok(0)
    }
}

struct Fail;
impl Scriptlet for Fail {
    fn run(&mut self, _: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        if let Some(Value::String(m)) = args.get("message") {
            return Err(ScriptletError::Message(m.clone()));
        }
        let code = args.get("exit_code").and_then(Value::as_i64).unwrap_or(1);
        Ok(i32::try_from(code).unwrap_or(1))
    }
}

struct SetContext;
impl Scriptlet for SetContext {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let Some(Value::Object(values)) = args.get("values") else {
            return Err(ScriptletError::InvalidArg {
                field: "args.values".into(),
                message: "must be a mapping of context keys to values".into(),
            });
        };
        for (k, v) in values {
            env.set(k, v.clone())?;
        }
        Ok(0)
    }
}

struct Flaky;
impl Scriptlet for Flaky {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let fail_times = number_arg(args, "fail_times")?.unwrap_or(1.0) as u64;
        let key = match args.get("counter_key") {
            Some(Value::String(k)) => k.clone(),
            _ => format!("f0.flaky.{}.attempts", env.info().step_name),
        };
        let seen = env.get(&key).and_then(|v| v.as_u64()).unwrap_or(0) + 1;
        env.set(&key, Value::from(seen))?;
        Ok(if seen <= fail_times { 1 } else { 0 })
    }
}

fn number_arg(args: &Map<String, Value>, name: &str) -> Result<Option<f64>, ScriptletError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x >= 0.0 && x.is_finite() => Ok(Some(x)),
            _ => Err(ScriptletError::InvalidArg {
                field: format!("args.{name}"),
                message: format!("must be a non-negative number, got {}", compact(v)),
            }),
        },
    }
}

/// Findings for an optional non-negative number `name`.
fn check_number(args: &Map<String, Value>, base: &str, name: &str) -> Vec<Finding> {
    match args.get(name) {
        None => vec![],
        Some(v) if v.as_f64().is_some_and(|x| x >= 0.0) => vec![],
        Some(v) => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.{name}"),
            format!("must be a non-negative number, got {}", compact(v)),
        )],
    }
}

fn validate_sleep(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    let found = check_number(args, base, "seconds");
    if !found.is_empty() {
        return found;
    }
    match args
        .get("seconds")
        .and_then(Value::as_f64)
        .map(from_seconds_or_zero)
    {
        Some(Err(e)) => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.seconds"),
            e.to_string(),
        )],
        _ => vec![],
    }
}

fn validate_fail(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    match args.get("exit_code") {
        Some(v) if !v.is_i64() => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.exit_code"),
            format!("must be an integer, got {}", compact(v)),
        )],
        _ => vec![],
    }
}

fn validate_set_context(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    match args.get("values") {
        Some(Value::Object(_)) => vec![],
        None => vec![Finding::error(
            Code::MissingField,
            format!("{base}.values"),
            "SetContext needs 'values': a mapping of context keys to values",
        )],
        Some(v) => vec![Finding::error(
            Code::InvalidArg,
            format!("{base}.values"),
            format!(
                "must be a mapping of context keys to values, got {}",
                compact(v)
            ),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(found: Vec<Finding>) -> Vec<String> {
        found
            .iter()
            .map(|f| format!("{} {}", f.path, f.message))
            .collect()
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn sleep_takes_a_non_negative_bounded_number_of_seconds() {
        assert!(validate_sleep(&args(json!({})), "s").is_empty());
        assert!(validate_sleep(&args(json!({"seconds": 0.5})), "s").is_empty());
        let m = messages(validate_sleep(&args(json!({"seconds": -1})), "s"));
        assert_eq!(m, ["s.seconds must be a non-negative number, got -1"]);
        let m = messages(validate_sleep(&args(json!({"seconds": "x"})), "s"));
        assert_eq!(m, ["s.seconds must be a non-negative number, got \"x\""]);
        let m = messages(validate_sleep(&args(json!({"seconds": 1e300})), "s"));
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("s.seconds "), "{m:?}");
    }

    #[test]
    fn fail_takes_an_integer_exit_code() {
        assert!(validate_fail(&args(json!({"exit_code": 3})), "f").is_empty());
        let m = messages(validate_fail(&args(json!({"exit_code": 1.5})), "f"));
        assert_eq!(m, ["f.exit_code must be an integer, got 1.5"]);
    }

    #[test]
    fn set_context_needs_a_mapping_of_values() {
        assert!(validate_set_context(&args(json!({"values": {"a": 1}})), "c").is_empty());
        let m = messages(validate_set_context(&args(json!({})), "c"));
        assert_eq!(
            m,
            ["c.values SetContext needs 'values': a mapping of context keys to values"]
        );
        let m = messages(validate_set_context(&args(json!({"values": [1]})), "c"));
        assert_eq!(
            m,
            ["c.values must be a mapping of context keys to values, got [1]"]
        );
    }

    #[test]
    fn run_time_checks_refuse_what_validation_refuses() {
        let e = number_arg(&args(json!({"seconds": -2})), "seconds").unwrap_err();
        assert!(
            e.to_string()
                .contains("must be a non-negative number, got -2"),
            "{e}"
        );
        assert_eq!(
            number_arg(&args(json!({"seconds": null})), "seconds").unwrap(),
            None
        );
        assert_eq!(
            number_arg(&args(json!({"seconds": 2})), "seconds").unwrap(),
            Some(2.0)
        );
        assert!(check_number(&args(json!({"fail_times": "two"})), "k", "fail_times").len() == 1);
    }
}
