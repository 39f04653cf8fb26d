//! Small shared helpers at the bottom of the crate: wall-clock time in Framework0's units,
//! [`duration`]s as recipes write them, and [`procfs`] readings of this process.

pub mod cpu_clock;
pub mod duration;
pub mod procfs;
pub mod program;
pub mod self_probe;

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch as f64 (Framework0's timestamp unit).
pub fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Nanoseconds since the Unix epoch (metric timestamps).
pub fn epoch_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`.
pub fn utc_timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let ((y, m, d), (hh, mm, ss)) = utc_parts(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// Epoch seconds as UTC ((year, month, day), (hour, minute, second)).
pub fn utc_parts(secs: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let t = secs.rem_euclid(86_400);
    (
        civil_from_days(secs.div_euclid(86_400)),
        (t / 3600, t / 60 % 60, t % 60),
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }
}
