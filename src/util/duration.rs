//! The one parser of durations, everywhere f0 takes one (recipe arguments, a step's `timeout`,
//! `--step-timeout`, `--retry-delay`, sleeps, sampling intervals): `"10s"`, `"500ms"`, `"2m"`,
//! `"1h"`, or a plain number of seconds (`3`, `0.5`, `"2.5"`).
//!
//! Grammar: optional whitespace, a non-negative decimal number, optional whitespace, an
//! optional unit among `ms`, `s`, `m`, `h` (a bare number is seconds). Values must be finite,
//! greater than zero (or zero where a pause of nothing makes sense: [`from_seconds_or_zero`])
//! and at most [`MAX_SECONDS`] (one year), so that no duration can overflow a clock.

use std::time::Duration;

use serde_json::Value;

/// The longest accepted duration, seconds (365 days).
pub const MAX_SECONDS: f64 = 365.0 * 86_400.0;

/// A duration argument that cannot be used; the message says what is accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    /// Not a string or a number.
    #[error("expected a duration such as \"10s\", \"500ms\", \"2m\", \"1h\" or a number of seconds, got {0}")]
    WrongType(String),
    /// A string that does not parse.
    #[error("cannot parse duration {0:?}; use a number with an optional unit ms, s, m or h (\"10s\", \"500ms\", \"2m\", \"1h\")")]
    Unparsable(String),
    /// Zero, negative, or not finite.
    #[error("{0} is not a positive duration; give e.g. \"500ms\" or \"10s\"")]
    NotPositive(String),
    /// Longer than [`MAX_SECONDS`].
    #[error("duration {0} is longer than one year (the longest accepted, 31536000 s)")]
    TooLong(String),
    /// Negative or not finite where zero is allowed.
    #[error("{0} is not a duration ≥ 0; give e.g. 0, \"500ms\" or \"10s\"")]
    Negative(String),
}

/// A positive number of seconds, at most [`MAX_SECONDS`].
pub fn from_seconds(secs: f64) -> Result<Duration, DurationError> {
    checked(secs, &shown(secs))
}

/// A number of seconds ≥ 0, at most [`MAX_SECONDS`] (a pause, a sleep).
pub fn from_seconds_or_zero(secs: f64) -> Result<Duration, DurationError> {
    if secs == 0.0 {
        return Ok(Duration::ZERO);
    }
    if !(secs.is_finite() && secs > 0.0) {
        return Err(DurationError::Negative(shown(secs)));
    }
    checked(secs, &shown(secs))
}

/// Parses a pause from text: like [`parse_duration_str`], zero allowed.
pub fn parse_pause_str(s: &str) -> Result<Duration, DurationError> {
    let secs = seconds_of(s)?;
    if secs == 0.0 {
        return Ok(Duration::ZERO);
    }
    if !(secs.is_finite() && secs > 0.0) {
        return Err(DurationError::Negative(format!("{s:?}")));
    }
    checked(secs, &format!("{s:?}"))
}

/// Parses a duration from a JSON value (string or number); see the module docs.
pub fn parse_duration(v: &Value) -> Result<Duration, DurationError> {
    let secs = match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| DurationError::WrongType(v.to_string()))?,
        Value::String(s) => seconds_of(s)?,
        other => return Err(DurationError::WrongType(other.to_string())),
    };
    checked(secs, &v.to_string())
}

/// Parses a duration from text; see the module docs.
pub fn parse_duration_str(s: &str) -> Result<Duration, DurationError> {
    checked(seconds_of(s)?, &format!("{s:?}"))
}

/// A number as messages show it: short, exponent notation when very large or small.
fn shown(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

fn checked(secs: f64, shown: &str) -> Result<Duration, DurationError> {
    if !(secs.is_finite() && secs > 0.0) {
        return Err(DurationError::NotPositive(shown.to_owned()));
    }
    if secs > MAX_SECONDS {
        return Err(DurationError::TooLong(shown.to_owned()));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn seconds_of(s: &str) -> Result<f64, DurationError> {
    let t = s.trim();
    // A bare number, exponent notation included (`1e3`).
    if t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        if let Ok(x) = t.parse::<f64>() {
            return Ok(x);
        }
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(DurationError::Unparsable(s.to_owned())),
    };
    let x: f64 = number
        .trim()
        .parse()
        .map_err(|_| DurationError::Unparsable(s.to_owned()))?;
    Ok(x * scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_units_and_plain_seconds() {
        let ok = |v: Value| parse_duration(&v).unwrap();
        assert_eq!(ok(json!("10s")), Duration::from_secs(10));
        assert_eq!(ok(json!("500ms")), Duration::from_millis(500));
        assert_eq!(ok(json!("2m")), Duration::from_secs(120));
        assert_eq!(ok(json!("1h")), Duration::from_secs(3600));
        assert_eq!(ok(json!(" 1.5 s ")), Duration::from_millis(1500));
        assert_eq!(ok(json!("2.5")), Duration::from_millis(2500));
        assert_eq!(ok(json!(3)), Duration::from_secs(3));
        assert_eq!(ok(json!(0.25)), Duration::from_millis(250));
    }

    #[test]
    fn rejects_bad_values_with_their_reason() {
        let err = |v: Value| parse_duration(&v).unwrap_err();
        assert!(matches!(
            err(json!("ten seconds")),
            DurationError::Unparsable(_)
        ));
        assert!(matches!(err(json!("10d")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!("")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!("s")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!(0)), DurationError::NotPositive(_)));
        assert!(matches!(err(json!("-1s")), DurationError::NotPositive(_)));
        assert!(matches!(err(json!(-0.5)), DurationError::NotPositive(_)));
        assert!(matches!(err(json!("NaN")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!("inf")), DurationError::Unparsable(_)));
        // Digits and exponent characters that are still no number.
        assert!(matches!(err(json!("1e")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!("1-2")), DurationError::Unparsable(_)));
        assert!(matches!(err(json!(1e300)), DurationError::TooLong(_)));
        assert!(matches!(err(json!(true)), DurationError::WrongType(_)));
        assert!(matches!(err(json!(["1s"])), DurationError::WrongType(_)));
        let msg = err(json!("abc")).to_string();
        assert!(msg.contains("\"abc\"") && msg.contains("500ms"), "{msg}");
    }

    #[test]
    fn durations_that_would_overflow_a_clock_are_refused() {
        for secs in [
            1e300,
            18446744073709551615.0,
            1e19,
            f64::MAX,
            MAX_SECONDS * 1.0001,
        ] {
            assert!(
                matches!(from_seconds(secs), Err(DurationError::TooLong(_))),
                "{secs}"
            );
            assert!(matches!(
                from_seconds_or_zero(secs),
                Err(DurationError::TooLong(_))
            ));
        }
        assert!(matches!(
            from_seconds(f64::NAN),
            Err(DurationError::NotPositive(_))
        ));
        assert!(matches!(
            from_seconds(0.0),
            Err(DurationError::NotPositive(_))
        ));
        assert_eq!(from_seconds_or_zero(0.0).unwrap(), Duration::ZERO);
        assert!(matches!(
            from_seconds_or_zero(-1.0),
            Err(DurationError::Negative(_))
        ));
        assert!(matches!(
            from_seconds_or_zero(f64::INFINITY),
            Err(DurationError::Negative(_))
        ));
        assert_eq!(
            from_seconds(MAX_SECONDS).unwrap(),
            Duration::from_secs(31_536_000)
        );
        assert_eq!(parse_pause_str("0").unwrap(), Duration::ZERO);
        assert_eq!(
            parse_pause_str("250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert!(parse_pause_str("1e300").is_err() && parse_pause_str("-1").is_err());
    }
}
