//! Performance health thresholds of the analyze action (issue 14, Framework0's health 5B):
//! `thresholds: {SELECTOR[:STAT]: {warning_max, critical_max, warning_min, critical_min,
//! enabled}}` in the step's arguments or the recipe's `config.health.thresholds` (the
//! arguments win key by key), and `fail_on: warning | critical`.
//!
//! `SELECTOR` is a series selector ([`crate::metrics::selector`]: `cpu_usage_total`,
//! `step_wall_time{step="build"}`, `http_*`); `STAT` is one of `mean`, `median`, `min`, `max`
//! or a percentile `pNN` (`p50`, `p95`, `p99.9`); without it the series' latest value is
//! judged. Each analysed series the selector matches gives one reading, judged with
//! Framework0's semantics (critical bounds first, strict `<` / `>`).

use serde_json::Value;

use crate::analyze::quantile::{quantile, PercentileMethod};
use crate::diagnostic::{compact, quote, Code, Finding};
pub use crate::events::FailOn;
use crate::events::Threshold;
use crate::metrics::selector::Selector;

/// The statistic of a series a threshold judges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// The newest sample.
    Latest,
    /// The mean.
    Mean,
    /// The median (the 50th percentile by the analysis' quantile definition).
    Median,
    /// The smallest sample.
    Min,
    /// The largest sample.
    Max,
    /// A percentile in (0, 100].
    Percentile(f64),
}

/// The statistics a threshold key may name, for messages.
pub const STATS_ACCEPTED: &str =
    "mean, median, min, max or a percentile p50, p90, p95, p99, p99.9 \
                                  (any pNN in (0, 100]); none for the latest value";

impl Stat {
    /// Parses `mean`, `median`, `min`, `max`, `pNN`.
    pub fn parse(s: &str) -> Result<Stat, String> {
        let stat = match s {
            "mean" => Stat::Mean,
            "median" => Stat::Median,
            "min" => Stat::Min,
            "max" => Stat::Max,
            _ => {
                let p = s
                    .strip_prefix('p')
                    .and_then(|n| n.parse::<f64>().ok())
                    .filter(|p| p.is_finite() && *p > 0.0 && *p <= 100.0);
                match p {
                    Some(p) => Stat::Percentile(p),
                    None => {
                        return Err(format!(
                            "unknown statistic '{}'; accepted: {STATS_ACCEPTED}",
                            quote(s)
                        ))
                    }
                }
            }
        };
        Ok(stat)
    }

    /// The `:STAT` suffix of a reading's name (none for the latest value).
    pub fn suffix(self) -> String {
        match self {
            Stat::Latest => String::new(),
            Stat::Mean => ":mean".to_owned(),
            Stat::Median => ":median".to_owned(),
            Stat::Min => ":min".to_owned(),
            Stat::Max => ":max".to_owned(),
            Stat::Percentile(p) => format!(":p{p}"),
        }
    }

    /// The statistic's name (`latest`, `mean`, `p95`).
    pub fn name(self) -> String {
        match self {
            Stat::Latest => "latest".to_owned(),
            other => other.suffix()[1..].to_owned(),
        }
    }

    /// The statistic of `values` (oldest first); `None` when empty or not computable.
    pub fn of(self, values: &[f64], method: PercentileMethod) -> Option<f64> {
        let finite = || values.iter().copied().filter(|v| v.is_finite());
        let v = match self {
            Stat::Latest => values.last().copied(),
            Stat::Mean => {
                let n = finite().count();
                (n > 0).then(|| finite().sum::<f64>() / n as f64)
            }
            Stat::Min => finite().reduce(f64::min),
            Stat::Max => finite().reduce(f64::max),
            Stat::Median => quantile(values, 0.5, method).ok(),
            Stat::Percentile(p) => quantile(values, p / 100.0, method).ok(),
        };
        v.filter(|x| x.is_finite())
    }
}

/// One declared threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdSpec {
    /// The key as written (`step_wall_time{step="build"}:p95`).
    pub key: String,
    /// Which series.
    pub selector: Selector,
    /// Which statistic of each.
    pub stat: Stat,
    /// The bounds.
    pub threshold: Threshold,
}

/// Splits `SELECTOR[:STAT]`: the statistic follows the last `:` after the selector's closing
/// `}` (or anywhere, for a selector without tag matchers).
pub fn parse_key(key: &str) -> Result<(Selector, Stat), String> {
    let tail_from = key.rfind('}').map_or(0, |i| i + 1);
    let (sel, stat) = match key[tail_from..].rfind(':') {
        Some(i) => {
            let at = tail_from + i;
            (&key[..at], Stat::parse(&key[at + 1..])?)
        }
        None => (key, Stat::Latest),
    };
    let selector = sel.parse::<Selector>().map_err(|e| {
        format!(
            "not a series selector: at column {}: {}",
            e.column, e.message
        )
    })?;
    Ok((selector, stat))
}

/// Parses a `thresholds` mapping at path `at`; one finding per bad entry.
pub fn parse_thresholds(v: &Value, at: &str) -> (Vec<ThresholdSpec>, Vec<Finding>) {
    let mut findings = Vec::new();
    let Value::Object(map) = v else {
        findings.push(Finding::error(
            Code::InvalidArg,
            at,
            format!(
                "must be a mapping of SELECTOR[:STAT] to {{warning_max, critical_max, \
                 warning_min, critical_min}}, got {}",
                compact(v)
            ),
        ));
        return (Vec::new(), findings);
    };
    let mut specs = Vec::new();
    for (key, bounds) in map {
        let path = format!("{at}.{}", quote(key));
        let parsed = parse_key(key).and_then(|(selector, stat)| {
            let threshold =
                Threshold::from_config(key, bounds, &path).map_err(|e| e.to_string())?;
            Ok(ThresholdSpec {
                key: key.clone(),
                selector,
                stat,
                threshold,
            })
        });
        match parsed {
            Ok(s) => specs.push(s),
            Err(message) => findings.push(Finding::error(Code::InvalidArg, &path, message)),
        }
    }
    (specs, findings)
}

/// `specs` with every spec of `over` replacing the one of the same key.
pub fn overlay(mut specs: Vec<ThresholdSpec>, over: Vec<ThresholdSpec>) -> Vec<ThresholdSpec> {
    for s in over {
        match specs.iter_mut().find(|x| x.key == s.key) {
            Some(slot) => *slot = s,
            None => specs.push(s),
        }
    }
    specs
}

/// The `health.thresholds` of a configuration mapping (`config`, at path `at`); none when it
/// has none.
pub fn from_config(config: &Value, at: &str) -> (Vec<ThresholdSpec>, Vec<Finding>) {
    match config.get("health").and_then(|h| h.get("thresholds")) {
        None => (Vec::new(), Vec::new()),
        Some(Value::Object(m)) if m.is_empty() => (Vec::new(), Vec::new()),
        Some(v) => parse_thresholds(v, &format!("{at}.health.thresholds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{AlertLevel, HealthStatus};
    use crate::metrics::selector::series_label;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn keys_split_selector_and_statistic() {
        let (s, stat) = parse_key(r#"step_wall_time{step="build"}:p95"#).unwrap();
        assert_eq!(stat, Stat::Percentile(95.0));
        assert!(s.matches(
            "step_wall_time",
            &[("step".to_owned(), "build".to_owned())].into()
        ));
        assert_eq!(parse_key("cpu_usage_total").unwrap().1, Stat::Latest);
        assert_eq!(parse_key("t:p99.9").unwrap().1, Stat::Percentile(99.9));
        assert_eq!(parse_key("t:max").unwrap().1.suffix(), ":max");
        // A colon inside a quoted tag value is not a statistic.
        let (s, stat) = parse_key(r#"http{url="http://h:1"}"#).unwrap();
        assert_eq!((stat, s.exact_name()), (Stat::Latest, Some("http")));
        let e = parse_key("t:p0").unwrap_err();
        assert!(
            e.contains("unknown statistic 'p0'") && e.contains("p99.9"),
            "{e}"
        );
        assert!(parse_key("t{step=").is_err());
    }

    fn stat() -> impl Strategy<Value = Stat> {
        prop_oneof![
            Just(Stat::Latest),
            Just(Stat::Mean),
            Just(Stat::Median),
            Just(Stat::Min),
            Just(Stat::Max),
            (1u32..=1000).prop_map(|p| Stat::Percentile(f64::from(p) / 10.0)),
        ]
    }

    proptest! {
        #[test]
        fn a_series_label_with_any_statistic_parses_back(
            name in "[a-z_]{1,12}",
            tags in prop::collection::btree_map("[a-z]{1,5}", ".{0,12}", 0..4),
            stat in stat(),
        ) {
            let key = format!("{}{}", series_label(&name, &tags), stat.suffix());
            let (selector, back) = parse_key(&key).map_err(TestCaseError::fail)?;
            prop_assert_eq!(back, stat);
            prop_assert!(selector.matches(&name, &tags), "{}", key);
            prop_assert_eq!(Stat::parse(&stat.name()).ok().or(Some(Stat::Latest)), Some(stat));
        }
    }

    #[test]
    fn statistics_of_a_series() {
        let v = [3.0, 1.0, 2.0, 10.0];
        let m = PercentileMethod::default();
        assert_eq!(Stat::Latest.of(&v, m), Some(10.0));
        assert_eq!(Stat::Mean.of(&v, m), Some(4.0));
        assert_eq!(Stat::Min.of(&v, m), Some(1.0));
        assert_eq!(Stat::Max.of(&v, m), Some(10.0));
        assert_eq!(Stat::Median.of(&v, m), Some(2.5));
        assert_eq!(Stat::Percentile(100.0).of(&v, m), Some(10.0));
        assert_eq!(Stat::Mean.of(&[], m), None);
    }

    #[test]
    fn thresholds_parse_with_paths_and_fail_on_judges_statuses() {
        let (specs, f) = parse_thresholds(
            &json!({"a:p95": {"warning_max": 1, "critical_max": 2}, "b:zz": {}, "c": {"x": 1}}),
            "args.thresholds",
        );
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].threshold.evaluate(3.0), Some(AlertLevel::Critical));
        assert_eq!(specs[0].threshold.evaluate(2.0), Some(AlertLevel::Warning));
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].path, "args.thresholds.b:zz");
        assert!(f[1].message.contains("unknown key"), "{f:?}");
        assert!(FailOn::Warning.fails(HealthStatus::Warning));
        assert!(!FailOn::Critical.fails(HealthStatus::Warning));
        assert!(FailOn::Critical.fails(HealthStatus::Critical));
        assert!(FailOn::parse(&json!("major")).is_err());
    }
}
