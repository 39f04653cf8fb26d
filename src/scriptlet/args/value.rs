//! Typed readings of one JSON argument value. Each returns the message of the problem
//! (quoting the bad value with [`compact`]); callers attach the path.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;

use crate::diagnostic::compact;
use crate::util::duration::parse_duration;

/// `true` or `false`.
pub fn boolean(v: &Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("must be true or false, got {}", compact(v)))
}

/// A finite number satisfying `ok`, described by `accepted`.
pub fn number(v: &Value, ok: impl Fn(f64) -> bool, accepted: &str) -> Result<f64, String> {
    match v.as_f64() {
        Some(x) if x.is_finite() && ok(x) => Ok(x),
        _ => Err(format!("must be {accepted}, got {}", compact(v))),
    }
}

/// A whole number ≥ `min` that fits in u32.
pub fn count(v: &Value, min: u32) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= min)
        .ok_or_else(|| format!("must be a whole number ≥ {min}, got {}", compact(v)))
}

/// A non-empty string.
pub fn nonempty_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(format!("must be a non-empty string, got {}", compact(v))),
    }
}

/// A string parsed by `T::from_str` (`what` names the expected form in a type error).
pub fn parsed<T: FromStr>(v: &Value, what: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let Some(s) = v.as_str() else {
        return Err(format!("must be a string ({what}), got {}", compact(v)));
    };
    s.parse().map_err(|e: T::Err| e.to_string())
}

/// A duration (see [`crate::util::duration`]).
pub fn duration(v: &Value) -> Result<Duration, String> {
    parse_duration(v).map_err(|e| e.to_string())
}

/// A list.
pub fn list(v: &Value) -> Result<&[Value], String> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(format!("must be a list, got {}", compact(v))),
    }
}

/// A non-empty list of percents in [0, 100].
pub fn percents(v: &Value) -> Result<Vec<f64>, String> {
    v.as_array()
        .filter(|a| !a.is_empty())
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_f64().filter(|p| (0.0..=100.0).contains(p)))
                .collect()
        })
        .ok_or_else(|| {
            format!(
                "must be a non-empty list of percents in [0, 100], got {}",
                compact(v)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_reading_quotes_the_bad_value_and_says_what_is_accepted() {
        assert_eq!(
            boolean(&json!("yes")).unwrap_err(),
            "must be true or false, got \"yes\""
        );
        assert_eq!(
            number(&json!(-1), |x| x > 0.0, "a number > 0").unwrap_err(),
            "must be a number > 0, got -1"
        );
        assert_eq!(
            count(&json!(0), 1).unwrap_err(),
            "must be a whole number ≥ 1, got 0"
        );
        assert_eq!(
            count(&json!(5_000_000_000u64), 0).unwrap_err(),
            "must be a whole number ≥ 0, got 5000000000"
        );
        assert!(nonempty_string(&json!("")).is_err());
        assert_eq!(
            parsed::<u8>(&json!(3), "a byte").unwrap_err(),
            "must be a string (a byte), got 3"
        );
        assert!(duration(&json!("abc"))
            .unwrap_err()
            .contains("cannot parse"));
        assert!(list(&json!(3)).is_err());
        assert_eq!(percents(&json!([50, 99.9])).unwrap(), vec![50.0, 99.9]);
        assert!(percents(&json!([101])).is_err() && percents(&json!([])).is_err());
    }
}
