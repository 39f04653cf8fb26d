//! `anomaly_detection: {mode: online, …}`: the analysed samples of each series replayed in
//! time order through the online detectors ([`crate::analyze::online`]), every point scored
//! from its past only — what a live watcher would have alerted, instead of the batch
//! detectors' verdicts that see the whole series. Each metric's report gains
//! `online_anomalies: {detectors, threshold, events: [...]}`; every event is
//! `schemas/online_event.schema.json` plus the `tags` of its series, its indices counted
//! within that series' samples.
//!
//! Keys (beside `enabled`): `mode` (`batch`, the default, or `online`) and, in online mode,
//! the keys of [`crate::analyze::online::options`] (`methods` then names online detectors).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::report::MetricAnalysis;
use crate::analyze::online::{
    read_options, DetectorKind, EventReport, OnlineOptions, OnlineRunner, Point, OPTION_KEYS,
};
use crate::diagnostic::compact;
use crate::scriptlet::args::ArgReader;
use crate::store::MetricSamples;

/// The keys `anomaly_detection` accepts in either mode.
pub const MODE_KEYS: &[&str] = &["enabled", "mode", "sensitivity"];

/// Every key of `anomaly_detection`.
pub fn anomaly_keys() -> Vec<&'static str> {
    MODE_KEYS.iter().chain(OPTION_KEYS).copied().collect()
}

/// The online options when `map` says `mode: online`; `None` for batch mode. Online-only
/// keys in batch mode and `sensitivity` in online mode are reported.
pub fn online_settings(r: &mut ArgReader<'_>, map: &Map<String, Value>) -> Option<OnlineOptions> {
    let online = match map.get("mode") {
        None => false,
        Some(Value::String(m)) if m == "batch" => false,
        Some(Value::String(m)) if m == "online" => true,
        Some(v) => {
            r.invalid(
                "mode",
                format!("must be 'batch' or 'online', got {}", compact(v)),
            );
            return None;
        }
    };
    if !online {
        for key in OPTION_KEYS
            .iter()
            .filter(|k| **k != "methods" && map.contains_key(**k))
        {
            r.invalid(key, format!("'{key}' applies to mode: online only"));
        }
        return None;
    }
    if map.contains_key("sensitivity") {
        r.invalid(
            "sensitivity",
            "is the batch detectors' setting; online mode takes 'threshold', a calibrated score in (0, 1]"
                .to_owned(),
        );
    }
    Some(read_options(r, map))
}

/// One event of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesEvent {
    /// The tags of the series the event is in.
    pub tags: BTreeMap<String, String>,
    /// The event; indices count the series' analysed samples.
    #[serde(flatten)]
    pub event: EventReport,
}

/// What the online replay of one metric found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlineAnomalies {
    /// The detectors (fused when several).
    pub detectors: Vec<DetectorKind>,
    /// The score threshold.
    pub threshold: f64,
    /// Events in time order of their start.
    pub events: Vec<SeriesEvent>,
}

/// Replays each series of `samples` through fresh detectors.
pub fn replay(samples: &MetricSamples, options: &OnlineOptions) -> OnlineAnomalies {
    let mut events = Vec::new();
    for (k, series) in samples.series.iter().enumerate() {
        let Ok(mut runner) = OnlineRunner::new(options) else {
            break;
        };
        let points = samples
            .series_of
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == k);
        let mut found = Vec::new();
        for (i, _) in points {
            let point = Point {
                ts_ns: Some(samples.timestamps[i]),
                value: samples.values[i],
            };
            found.extend(runner.push(point).ok().flatten());
        }
        found.extend(runner.finish());
        events.extend(found.iter().map(|e| SeriesEvent {
            tags: series.tags.clone(),
            event: EventReport::from(e),
        }));
    }
    events.sort_by(|a, b| a.event.start_time.cmp(&b.event.start_time));
    OnlineAnomalies {
        detectors: options.detectors.clone(),
        threshold: options.events.threshold,
        events,
    }
}

/// The text table of a metric's online events (nothing in batch mode).
pub fn render(out: &mut String, m: &MetricAnalysis) {
    let Some(online) = &m.online_anomalies else {
        return;
    };
    let names: Vec<&str> = online.detectors.iter().map(|d| d.name()).collect();
    let _ = writeln!(
        out,
        "online anomaly events ({}; detectors {}, threshold {}):",
        online.events.len(),
        names.join(","),
        online.threshold
    );
    for e in &online.events {
        let tags: Vec<String> = e.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            out,
            "  {}{}",
            e.event.text(),
            if tags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", tags.join(","))
            }
        );
    }
}
