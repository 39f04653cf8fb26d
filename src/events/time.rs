//! Timestamps and ids in Framework0's formats: ISO-8601 UTC with `+00:00` and microseconds
//! (Python's `datetime.now(timezone.utc).isoformat()`), and short random hex ids (the first
//! 8 hex digits of a `uuid4`).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::util::utc_parts;

/// `t` as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
pub fn iso_utc(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let ((y, m, day), (hh, mm, ss)) = utc_parts(d.as_secs() as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}.{:06}+00:00",
        d.subsec_micros()
    )
}

/// 8 random lowercase hex digits (an execution id).
pub fn execution_id() -> String {
    short_hex()
}

/// 8 random lowercase hex digits, different on every call.
pub fn short_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// Whether `s` is exactly 8 lowercase hex digits.
pub(crate) fn is_short_hex(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `s` has the shape `YYYY-MM-DDTHH:MM:SS[.f{1,6}]+00:00`.
pub(crate) fn is_iso_utc(s: &str) -> bool {
    let Some(body) = s.strip_suffix("+00:00") else {
        return false;
    };
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    let b = main.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    main.len() == 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && frac.map_or(true, |f| {
            (1..=6).contains(&f.len()) && f.bytes().all(|c| c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iso_format_matches_python_isoformat() {
        let t = UNIX_EPOCH + Duration::from_micros(1_760_357_696_123_456);
        assert_eq!(iso_utc(t), "2025-10-13T12:14:56.123456+00:00");
        assert!(is_iso_utc(&iso_utc(SystemTime::now())));
        assert!(!is_iso_utc("2025-10-13 12:14:56+00:00"));
        assert!(!is_iso_utc("2025-10-13T12:14:56Z"));
    }

    #[test]
    fn ids_are_8_hex_and_differ() {
        let a = short_hex();
        let b = short_hex();
        assert!(is_short_hex(&a) && is_short_hex(&b), "{a} {b}");
        assert_ne!(a, b);
        assert!(!is_short_hex("ABCDEF12"));
    }
}
