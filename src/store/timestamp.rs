//! Timestamps as `f0 import` reads them, and their RFC 3339 rendering.
//!
//! A timestamp field is read as, in this order:
//!
//! 1. **epoch nanoseconds** — an integer literal (optional sign, digits only) whose magnitude
//!    exceeds 10¹⁵ (10¹⁵ ns is about 11.6 days after 1970, while 10¹⁵ *seconds* would be some
//!    31 million years away, so the two readings cannot be confused in practice);
//! 2. **epoch seconds** — any other decimal number (`1767225600`, `1767225600.25`, `1.5e9`):
//!    a plain decimal is read exactly to the nanosecond (digits past the ninth decimal round),
//!    a number with an exponent through `f64` and rounded to the nearest nanosecond;
//! 3. **RFC 3339** — `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `T` may also be `t` or one
//!    space, `Z` may be `z`, the fraction has 1–9 digits, and second `60` (a leap second) is
//!    read as the first instant of the next minute;
//! 4. **SQL / spreadsheet form** — `YYYY-MM-DD HH:MM:SS[.fraction]`: a space between date and
//!    time and no zone at all, read as UTC (the form of NAB's and most exported CSV files). With
//!    `T` a zone stays required: `2026-01-01T00:00:00` is refused rather than guessed.
//!
//! Every result must fit an `i64` of nanoseconds (1677-09-21 to 2262-04-11 UTC); NaN, infinity
//! and anything else are refused with a [`TimestampError`] that quotes the field.

use crate::util::civil_from_days;

/// Nanoseconds per second.
const NS_PER_S: i64 = 1_000_000_000;
/// Integer literals above this magnitude are epoch nanoseconds.
pub const NANOSECOND_THRESHOLD: i64 = 1_000_000_000_000_000;

/// Why a timestamp field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("timestamp '{}' {reason}; accepted: epoch seconds (e.g. 1767225600.5), epoch nanoseconds (an integer above 1e15), RFC 3339 (e.g. 2026-01-01T00:00:00Z) or 'YYYY-MM-DD HH:MM:SS' (UTC)", crate::diagnostic::quote(.text))]
pub struct TimestampError {
    /// The field as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

fn refuse(text: &str, reason: &'static str) -> TimestampError {
    TimestampError {
        text: text.to_owned(),
        reason,
    }
}

/// Parses one timestamp field (see the module docs) into epoch nanoseconds.
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    whole_seconds_or_ns(text.trim().as_bytes()).map_or_else(|| parse_general(text), Ok)
}

/// [`parse_timestamp`] without its fast path.
fn parse_general(text: &str) -> Result<i64, TimestampError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(refuse(text, "is empty"));
    }
    let integer = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !integer.is_empty() && integer.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = t.parse::<i64>() {
            if v.unsigned_abs() > NANOSECOND_THRESHOLD as u64 {
                return Ok(v);
            }
        }
    }
    if let Some(ns) = decimal_seconds_to_ns(t) {
        return ns.map_err(|()| refuse(text, "is out of range"));
    }
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        let seconds: f64 = t.parse().map_err(|_| refuse(text, "is not a number"))?;
        return seconds_to_ns(seconds).ok_or_else(|| refuse(text, "is out of range"));
    }
    if t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") {
        return Err(refuse(text, "is not finite"));
    }
    parse_rfc3339(t).map_err(|reason| refuse(text, reason))
}

/// The fast path of the commonest field, 1 to 18 plain digits (epoch seconds, or nanoseconds
/// above [`NANOSECOND_THRESHOLD`]): the same answer as the general path, without its `i128`
/// arithmetic (callgrind: a 1 M-line CSV import spent 8 % of its instructions in
/// `parse_timestamp` before). `None` for anything else, which the general path reads.
pub(super) fn whole_seconds_or_ns(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    integer_ns(v)
}

/// The epoch nanoseconds of a field of 1 to 18 plain digits worth `v`: nanoseconds above
/// [`NANOSECOND_THRESHOLD`], else seconds (`None` when they overflow).
pub(super) fn integer_ns(v: i64) -> Option<i64> {
    if v > NANOSECOND_THRESHOLD {
        Some(v)
    } else {
        v.checked_mul(NS_PER_S)
    }
}

/// A plain decimal `[±]digits[.digits]` read exactly: `Some(Ok(ns))` (the fraction rounded half
/// away from zero at the nanosecond), `Some(Err(()))` when out of range, `None` when `t` is not
/// of that form (exponents go through [`seconds_to_ns`]).
fn decimal_seconds_to_ns(t: &str) -> Option<Result<i64, ()>> {
    let (negative, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let seconds: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos: i128 = 0;
    for (k, b) in fraction.bytes().take(10).enumerate() {
        let digit = i128::from(b - b'0');
        if k < 9 {
            nanos = nanos * 10 + digit;
        } else if digit >= 5 {
            nanos += 1;
        }
    }
    nanos *= 10i128.pow(9u32.saturating_sub(fraction.len() as u32));
    let magnitude = seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    let signed = if negative { -magnitude } else { magnitude };
    Some(i64::try_from(signed).map_err(|_| ()))
}

/// Epoch seconds to nanoseconds, rounded; `None` when not finite or outside the `i64` range.
fn seconds_to_ns(seconds: f64) -> Option<i64> {
    let ns = (seconds * 1e9).round();
    // ±2^63 are exactly representable; every f64 in [-2^63, 2^63) converts without overflow.
    let limit = 2f64.powi(63);
    (-limit..limit).contains(&ns).then_some(ns as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`,
/// the inverse of [`civil_from_days`]).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A fixed-width run of ASCII digits.
fn digits(s: &str, range: std::ops::Range<usize>) -> Result<u32, &'static str> {
    let part = s.get(range).ok_or("is not RFC 3339")?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().map_err(|_| "is not RFC 3339")
    } else {
        Err("is not RFC 3339")
    }
}

fn expect(s: &str, at: usize, allowed: &[u8]) -> Result<(), &'static str> {
    match s.as_bytes().get(at) {
        Some(b) if allowed.contains(b) => Ok(()),
        _ => Err("is not RFC 3339"),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)` (or `YYYY-MM-DD HH:MM:SS[.f]`, UTC) to epoch ns.
fn parse_rfc3339(s: &str) -> Result<i64, &'static str> {
    let (y, mo, d) = (digits(s, 0..4)?, digits(s, 5..7)?, digits(s, 8..10)?);
    expect(s, 4, b"-")?;
    expect(s, 7, b"-")?;
    expect(s, 10, b"Tt ")?;
    let (h, mi, sec) = (digits(s, 11..13)?, digits(s, 14..16)?, digits(s, 17..19)?);
    expect(s, 13, b":")?;
    expect(s, 16, b":")?;
    let (y, mo) = (i64::from(y), mo);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return Err("has no such date");
    }
    if h > 23 || mi > 59 || sec > 60 {
        return Err("has no such time of day");
    }
    let mut rest = &s[19..];
    let mut fraction_ns = 0i64;
    if let Some(f) = rest.strip_prefix('.') {
        let len = f.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 9 {
            return Err("needs 1 to 9 digits of fraction");
        }
        let value: i64 = f[..len].parse().map_err(|_| "is not RFC 3339")?;
        fraction_ns = value * 10i64.pow(9 - len as u32);
        rest = &f[len..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        "" if s.as_bytes()[10] == b' ' => 0,
        "" => return Err("has no UTC offset (add Z or ±HH:MM; 'YYYY-MM-DD HH:MM:SS' with a space is read as UTC)"),
        _ => {
            expect(rest, 0, b"+-")?;
            expect(rest, 3, b":")?;
            if rest.len() != 6 {
                return Err("has a malformed UTC offset");
            }
            let (oh, om) = (digits(rest, 1..3)?, digits(rest, 4..6)?);
            if oh > 23 || om > 59 {
                return Err("has a malformed UTC offset");
            }
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * i64::from(oh * 3600 + om * 60)
        }
    };
    let seconds =
        days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + sec) - offset_s;
    seconds
        .checked_mul(NS_PER_S)
        .and_then(|ns| ns.checked_add(fraction_ns))
        .ok_or("is out of range")
}

/// Renders epoch nanoseconds as RFC 3339 UTC, e.g. `2026-01-01T00:00:00.25Z` (the fraction is
/// omitted when zero and printed without trailing zeros otherwise).
pub fn format_rfc3339(ns: i64) -> String {
    let secs = ns.div_euclid(NS_PER_S);
    let frac = ns.rem_euclid(NS_PER_S);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    if frac != 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_name_the_same_instant() {
        let ns = 1_767_225_600 * NS_PER_S + 250_000_000;
        assert_eq!(parse_timestamp("1767225600.25"), Ok(ns));
        assert_eq!(parse_timestamp("1767225600250000000"), Ok(ns));
        assert_eq!(parse_timestamp("2026-01-01T00:00:00.25Z"), Ok(ns));
        assert_eq!(parse_timestamp("2026-01-01 01:30:00.25+01:30"), Ok(ns));
        assert_eq!(
            parse_timestamp("2025-12-31t23:00:00.250z"),
            Ok(ns - 3600 * NS_PER_S)
        );
        assert_eq!(parse_timestamp("15"), Ok(15 * NS_PER_S));
        assert_eq!(parse_timestamp("1.5e9"), Ok(1_500_000_000 * NS_PER_S));
        assert_eq!(format_rfc3339(ns), "2026-01-01T00:00:00.25Z");
        assert_eq!(format_rfc3339(15 * NS_PER_S), "1970-01-01T00:00:15Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn sql_form_without_zone_is_utc() {
        let ns = 1_767_225_600 * NS_PER_S;
        assert_eq!(parse_timestamp("2026-01-01 00:00:00"), Ok(ns));
        assert_eq!(parse_timestamp(" 2026-01-01 00:00:00 "), Ok(ns));
        assert_eq!(
            parse_timestamp("2026-01-01 00:00:00.5"),
            Ok(ns + NS_PER_S / 2)
        );
        assert_eq!(
            parse_timestamp("2014-04-01 00:05:00"),
            parse_timestamp("2014-04-01T00:05:00Z")
        );
        let err = parse_timestamp("2026-02-30 00:00:00").unwrap_err();
        assert_eq!(err.reason, "has no such date");
    }

    #[test]
    fn leap_seconds_and_leap_days() {
        assert_eq!(
            parse_timestamp("2016-12-31T23:59:60Z"),
            parse_timestamp("2017-01-01T00:00:00Z")
        );
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_ok());
        let err = parse_timestamp("2023-02-29T00:00:00Z").unwrap_err();
        assert_eq!(err.reason, "has no such date");
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_answers_as_the_general_one(t in "[+-]?[0-9]{1,20}") {
            if let Some(ns) = whole_seconds_or_ns(t.as_bytes()) {
                proptest::prop_assert_eq!(parse_general(&t).ok(), Some(ns));
            } else if !t.starts_with(['+', '-']) && t.len() <= 18 {
                // Only an overflow sends plain digits to the general path: it refuses them.
                proptest::prop_assert!(parse_general(&t).is_err(), "{}", t);
            }
        }
    }

    #[test]
    fn the_fast_path_keeps_the_nanosecond_threshold() {
        assert_eq!(
            whole_seconds_or_ns(b"1767225600"),
            Some(1_767_225_600_000_000_000)
        );
        // The threshold itself is read as seconds, which overflow.
        assert_eq!(whole_seconds_or_ns(b"1000000000000000"), None);
        assert_eq!(
            whole_seconds_or_ns(b"1000000000000001"),
            Some(1_000_000_000_000_001)
        );
        assert_eq!(
            whole_seconds_or_ns(b"9223372037"),
            None,
            "overflows as seconds"
        );
        assert!(parse_timestamp("9223372037").is_err());
        assert_eq!(whole_seconds_or_ns(b""), None);
        assert_eq!(whole_seconds_or_ns(b"12a"), None);
    }

    #[test]
    fn bad_fields_are_refused_with_the_reason() {
        for (text, reason) in [
            ("", "is empty"),
            ("nan", "is not finite"),
            ("-inf", "is not finite"),
            ("1e400", "is out of range"),
            ("9.3e9", "is out of range"),
            ("1.2.3", "is not a number"),
            ("2026-13-01T00:00:00Z", "has no such date"),
            ("2026-01-01T24:00:00Z", "has no such time of day"),
            (
                "2026-01-01T00:00:00",
                "has no UTC offset (add Z or ±HH:MM; 'YYYY-MM-DD HH:MM:SS' with a space is read as UTC)",
            ),
            ("2026-01-01 00:00", "is not RFC 3339"),
            ("2026-01-01 00:00:00 UTC", "is not RFC 3339"),
            ("2026-01-01T00:00:00.Z", "needs 1 to 9 digits of fraction"),
            ("2026-01-01T00:00:00+0100", "is not RFC 3339"),
            ("yesterday", "is not RFC 3339"),
        ] {
            let err = parse_timestamp(text).unwrap_err();
            assert_eq!(err.reason, reason, "{text}");
            assert!(err.to_string().contains("accepted: epoch seconds"), "{err}");
        }
    }
}
