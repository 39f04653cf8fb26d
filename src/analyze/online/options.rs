//! The settings of online detection, read from a JSON mapping — the analyze action's
//! `anomaly_detection: {mode: online, …}` and the flags of `f0 detect` (which the CLI turns
//! into the same mapping, so one parser checks both and names the bad field).
//!
//! | key | accepted | default |
//! |---|---|---|
//! | `methods` | a list of detector names, or one comma-separated string; `default` expands | [`DEFAULT_DETECTORS`] |
//! | `threshold` | a calibrated score in (0, 1] | [`DEFAULT_THRESHOLD`] |
//! | `gap` | whole number of unflagged points that end an event | [`DEFAULT_GAP`] |
//! | `suppression` | whole number of points after an event with no new event | [`DEFAULT_SUPPRESSION`] |
//! | `window` | whole number ≥ 3: rolling window / EWMA span | 576 |
//! | `period` | whole number ≥ 2: the seasonal period, instead of detecting it | detected |

use serde_json::{Map, Value};

use super::{
    default_event_params, DetectorKind, EventParams, OnlineParams, DEFAULT_DETECTORS, DEFAULT_GAP,
    DEFAULT_SUPPRESSION, DEFAULT_THRESHOLD,
};
use crate::diagnostic::compact;
use crate::scriptlet::args::ArgReader;

/// The keys [`read_options`] understands.
pub const OPTION_KEYS: &[&str] = &[
    "methods",
    "threshold",
    "gap",
    "suppression",
    "window",
    "period",
];

/// Everything an online run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineOptions {
    /// The detectors (a set of several is fused, see [`super::DetectorSet`]).
    pub detectors: Vec<DetectorKind>,
    /// How flagged points become events.
    pub events: EventParams,
    /// Model settings.
    pub params: OnlineParams,
}

impl Default for OnlineOptions {
    fn default() -> Self {
        OnlineOptions {
            detectors: DEFAULT_DETECTORS.to_vec(),
            events: default_event_params(),
            params: OnlineParams::default(),
        }
    }
}

/// Reads the [`OPTION_KEYS`] present in `map` (other keys are the caller's business) into
/// options, recording a finding per bad value.
pub fn read_options(r: &mut ArgReader<'_>, map: &Map<String, Value>) -> OnlineOptions {
    let mut o = OnlineOptions::default();
    if let Some(v) = map.get("methods") {
        if let Some(d) = detectors(r, v) {
            o.detectors = d;
        }
    }
    if let Some(v) = map.get("threshold") {
        let accepted = &format!("a score in (0, 1] (default {DEFAULT_THRESHOLD})");
        o.events.threshold = r
            .number("threshold", v, |x| x > 0.0 && x <= 1.0, accepted)
            .unwrap_or(o.events.threshold);
    }
    let mut count = |key: &str, min: u64, default: usize| -> usize {
        let Some(v) = map.get(key) else {
            return default;
        };
        match v.as_u64().filter(|&n| n >= min && n <= 1 << 32) {
            Some(n) => n as usize,
            None => {
                r.invalid(
                    key,
                    format!(
                        "must be a whole number ≥ {min} (at most 2^32), got {}",
                        compact(v)
                    ),
                );
                default
            }
        }
    };
    o.events.gap = count("gap", 0, DEFAULT_GAP);
    o.events.suppression = count("suppression", 0, DEFAULT_SUPPRESSION);
    o.params.window = count("window", 3, o.params.window);
    if map.contains_key("period") {
        o.params.seasonal.period = Some(count("period", 2, 0));
    }
    o
}

/// A non-empty list of detector names (or one comma-separated string).
fn detectors(r: &mut ArgReader<'_>, v: &Value) -> Option<Vec<DetectorKind>> {
    let parsed = match v {
        Value::String(s) => DetectorKind::parse_list(s),
        Value::Array(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for (i, x) in items.iter().enumerate() {
                let Some(name) = x.as_str() else {
                    r.invalid(
                        &format!("methods[{i}]"),
                        format!("must be a detector name, got {}", compact(x)),
                    );
                    return None;
                };
                match DetectorKind::parse_list(name) {
                    Ok(list) => out.extend(list),
                    Err(e) => {
                        r.invalid(&format!("methods[{i}]"), e.to_string());
                        return None;
                    }
                }
            }
            Ok(out)
        }
        _ => {
            r.invalid(
                "methods",
                format!(
                    "must be a non-empty list of online detectors ({} or default), got {}",
                    DetectorKind::names(),
                    compact(v)
                ),
            );
            return None;
        }
    };
    parsed.map_err(|e| r.invalid("methods", e.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> (OnlineOptions, Vec<String>) {
        let mut findings = Vec::new();
        let map = v.as_object().unwrap().clone();
        let o = read_options(
            &mut ArgReader::new("args.anomaly_detection", &mut findings),
            &map,
        );
        (o, findings.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn defaults_and_every_key() {
        let (o, f) = read(json!({}));
        assert!(f.is_empty());
        assert_eq!(o, OnlineOptions::default());
        let (o, f) = read(
            json!({"methods": ["mad", "knn"], "threshold": 0.4, "gap": 0,
            "suppression": 10, "window": 50, "period": 24}),
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(o.detectors, [DetectorKind::Mad, DetectorKind::Knn]);
        assert_eq!(
            (o.events.threshold, o.events.gap, o.events.suppression),
            (0.4, 0, 10)
        );
        assert_eq!((o.params.window, o.params.seasonal.period), (50, Some(24)));
        let (o, _) = read(json!({"methods": "zscore,default"}));
        assert_eq!(o.detectors.len(), 1 + DEFAULT_DETECTORS.len());
    }

    #[test]
    fn bad_values_are_named_with_their_path() {
        let (_, f) = read(
            json!({"methods": ["zscore", "lstm"], "threshold": 1.5, "window": 2,
            "gap": -1}),
        );
        let all = f.join("\n");
        assert!(
            all.contains("args.anomaly_detection.methods[1]: unknown online detector 'lstm'"),
            "{all}"
        );
        assert!(
            all.contains("args.anomaly_detection.threshold: must be a score in (0, 1]"),
            "{all}"
        );
        assert!(
            all.contains("args.anomaly_detection.window: must be a whole number ≥ 3"),
            "{all}"
        );
        assert!(
            all.contains("args.anomaly_detection.gap: must be a whole number ≥ 0"),
            "{all}"
        );
        let (_, f) = read(json!({"methods": []}));
        assert!(
            f[0].contains("must be a non-empty list of online detectors"),
            "{f:?}"
        );
    }
}
