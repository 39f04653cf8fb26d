//! Which samples an analysis looks at: a span back from now, the last run, or everything.
//!
//! Accepted spellings: `<n><unit>` with a positive integer `n` and unit `s`, `m`, `h`, `d` or
//! `w` (`30m`, `1h`, `24h`, `7d`), `last_run` (the newest run holding samples of the selected
//! metrics, other than the running one), `this_run` (the samples the running recipe's earlier
//! steps wrote; inside a recipe only) and `all`.

use std::fmt;
use std::str::FromStr;

/// A timeframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeframe {
    /// Samples stamped within this many seconds before now.
    Last {
        /// The span in seconds.
        seconds: i64,
        /// The count as written (`24` of `24h`).
        count: i64,
        /// The unit as written (`h` of `24h`).
        unit: char,
    },
    /// The newest run with samples (excluding the running one).
    LastRun,
    /// The running recipe's own samples.
    ThisRun,
    /// Every stored sample.
    All,
}

/// What [`Timeframe::from_str`] accepts, for messages.
pub const ACCEPTED: &str =
    "a span like 30m, 1h, 24h or 7d (units s, m, h, d, w), last_run, this_run, or all";

/// A timeframe that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timeframe '{0}'; accepted: {ACCEPTED}")]
pub struct TimeframeError(pub String);

impl FromStr for Timeframe {
    type Err = TimeframeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "last_run" => return Ok(Timeframe::LastRun),
            "this_run" => return Ok(Timeframe::ThisRun),
            "all" => return Ok(Timeframe::All),
            _ => {}
        }
        let bad = || TimeframeError(s.to_owned());
        let unit = s.chars().last().ok_or_else(bad)?;
        let per_unit = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let count: i64 = digits.parse().map_err(|_| bad())?;
        let seconds = count
            .checked_mul(per_unit)
            .filter(|&v| v > 0)
            .ok_or_else(bad)?;
        Ok(Timeframe::Last {
            seconds,
            count,
            unit,
        })
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timeframe::Last { count, unit, .. } => write!(f, "{count}{unit}"),
            Timeframe::LastRun => f.write_str("last_run"),
            Timeframe::ThisRun => f.write_str("this_run"),
            Timeframe::All => f.write_str("all"),
        }
    }
}

impl Timeframe {
    /// The oldest timestamp (epoch ns) inside the timeframe at `now_ns`, for spans.
    pub fn since_ns(&self, now_ns: i64) -> Option<i64> {
        match self {
            Timeframe::Last { seconds, .. } => {
                Some(now_ns.saturating_sub(seconds.saturating_mul(1_000_000_000)))
            }
            Timeframe::LastRun | Timeframe::ThisRun | Timeframe::All => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_keywords_round_trip() {
        for text in [
            "1h", "24h", "7d", "30m", "45s", "2w", "last_run", "this_run", "all",
        ] {
            let t: Timeframe = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
        }
        assert_eq!(
            "24h"
                .parse::<Timeframe>()
                .unwrap()
                .since_ns(100_000_000_000_000),
            Some(100_000_000_000_000 - 86_400_000_000_000)
        );
        assert_eq!(Timeframe::All.since_ns(5), None);
    }

    #[test]
    fn typos_are_refused_with_what_is_accepted() {
        for text in [
            "", "1hr", "h", "-1h", "0h", "1.5h", "7 d", "lastrun", "ALL", "1H",
        ] {
            let err = text.parse::<Timeframe>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid timeframe '{text}'; accepted: {ACCEPTED}")
            );
        }
        assert!("99999999999999999w".parse::<Timeframe>().is_err());
    }
}
