//! Anomalies while collecting: with `args.anomaly_detection`, every metric the writer stores
//! also feeds, series by series (name + tags), the online detectors of
//! [`crate::analyze::online`], each point scored from its past only. Each event, as soon as
//! it closes, is
//!
//! * logged at WARN on target `f0.anomaly` (a Framework0 JSON log line / health alert
//!   carries it like any other event), and
//! * written to the store through the same sink as an `anomaly_event` gauge: value = the
//!   event's score, timestamp = its start, tags = the watched series' tags plus `metric`
//!   (its name) and `detector`, context = the event ([`EventReport`] JSON).
//!
//! Events still open when the collection ends are closed and written by `flush`. At most
//! [`MAX_SERIES`] series are watched (the rest are stored, not watched, and counted), so the
//! detectors' memory stays bounded: ≈ 0.25 MB per series for the default set.
//!
//! ```yaml
//! anomaly_detection: true                       # default detectors and threshold
//! anomaly_detection: {methods: [seasonal, zscore], threshold: 0.6, suppression: 60}
//! ```

use std::collections::HashMap;

use serde_json::Value;

use crate::analyze::online::{
    read_options, EventReport, OnlineOptions, OnlineRunner, Point, OPTION_KEYS,
};
use crate::diagnostic::compact;
use crate::metrics::{MetricSink, MetricType, MetricUnit, PerformanceMetric, SinkError, Tags};
use crate::scriptlet::args::ArgReader;

/// The name of the metric events are stored as.
pub const EVENT_METRIC: &str = "anomaly_event";
/// The most series watched by one collection.
pub const MAX_SERIES: usize = 512;

/// `anomaly_detection` of the collect arguments: `true`, `false`, or a mapping of the online
/// options (optionally with `enabled` and `mode: online`).
pub fn parse(r: &mut ArgReader<'_>, v: Option<&Value>) -> Option<OnlineOptions> {
    let map = match v? {
        Value::Bool(true) => return Some(OnlineOptions::default()),
        Value::Bool(false) => return None,
        Value::Object(m) => m,
        other => {
            r.invalid(
                "anomaly_detection",
                format!(
                    "must be true, false or a mapping {{methods, threshold, gap, suppression, window, period}}, got {}",
                    compact(other)
                ),
            );
            return None;
        }
    };
    let known: Vec<&str> = ["enabled", "mode"]
        .iter()
        .chain(OPTION_KEYS)
        .copied()
        .collect();
    let mut sub = r.nested("anomaly_detection", map, &known);
    if let Some(mode) = map.get("mode").filter(|m| m.as_str() != Some("online")) {
        sub.invalid(
            "mode",
            format!(
                "must be 'online' (collection watches live), got {}",
                compact(mode)
            ),
        );
    }
    let options = read_options(&mut sub, map);
    let enabled = map
        .get("enabled")
        .map_or(Some(true), |e| sub.bool("enabled", e));
    (enabled == Some(true)).then_some(options)
}

/// A sink that watches what it stores (see the module docs).
pub struct OnlineSink {
    inner: Box<dyn MetricSink>,
    options: OnlineOptions,
    runners: HashMap<(String, Tags), (OnlineRunner, PerformanceMetric)>,
    unwatched: u64,
}

/// `sink`, watched by online detectors when `options` is set.
pub fn watch(sink: Box<dyn MetricSink>, options: Option<&OnlineOptions>) -> Box<dyn MetricSink> {
    match options {
        Some(o) => Box::new(OnlineSink {
            inner: sink,
            options: o.clone(),
            runners: HashMap::new(),
            unwatched: 0,
        }),
        None => sink,
    }
}

/// The stored form of an event of the series `like` (its name, tags and source).
fn event_metric(like: &PerformanceMetric, report: &EventReport) -> PerformanceMetric {
    let mut tags = like.tags.clone();
    tags.insert("metric".into(), like.name.clone());
    tags.insert("detector".into(), report.detector.name().into());
    let context = match serde_json::to_value(report) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    PerformanceMetric {
        name: EVENT_METRIC.into(),
        value: report.score,
        metric_type: MetricType::Gauge,
        unit: MetricUnit::Count,
        timestamp: like.timestamp,
        tags,
        source: like.source.clone(),
        context,
    }
}

fn alert(like: &PerformanceMetric, report: &EventReport) -> PerformanceMetric {
    tracing::warn!(
        target: "f0.anomaly",
        metric = %like.name,
        detector = report.detector.name(),
        score = report.score,
        start = report.start_time.as_deref().unwrap_or(""),
        end = report.end_time.as_deref().unwrap_or(""),
        "anomaly in {}: {}",
        like.name,
        report.text()
    );
    let mut m = event_metric(like, report);
    if let Some(ns) = report
        .start_time
        .as_deref()
        .and_then(|t| crate::store::timestamp::parse_timestamp(t).ok())
    {
        m.timestamp = ns;
    }
    m
}

impl OnlineSink {
    fn observe(&mut self, m: &PerformanceMetric, out: &mut Vec<PerformanceMetric>) {
        if m.name == EVENT_METRIC {
            return;
        }
        let key = (m.name.clone(), m.tags.clone());
        if !self.runners.contains_key(&key) {
            if self.runners.len() >= MAX_SERIES {
                self.unwatched += 1;
                return;
            }
            let Ok(runner) = OnlineRunner::new(&self.options) else {
                return;
            };
            self.runners.insert(key.clone(), (runner, m.clone()));
        }
        let Some((runner, last)) = self.runners.get_mut(&key) else {
            return;
        };
        *last = PerformanceMetric {
            context: serde_json::Map::new(),
            ..m.clone()
        };
        let point = Point {
            ts_ns: Some(m.timestamp),
            value: m.value,
        };
        if let Ok(Some(e)) = runner.push(point) {
            out.push(alert(last, &EventReport::from(&e)));
        }
    }
}

impl MetricSink for OnlineSink {
    fn write_batch(&mut self, batch: &[PerformanceMetric]) -> Result<(), SinkError> {
        let mut events = Vec::new();
        for m in batch {
            self.observe(m, &mut events);
        }
        self.inner.write_batch(batch)?;
        if events.is_empty() {
            Ok(())
        } else {
            self.inner.write_batch(&events)
        }
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        let mut events = Vec::new();
        for (runner, last) in self.runners.values_mut() {
            if let Some(e) = runner.finish() {
                events.push(alert(last, &EventReport::from(&e)));
            }
        }
        if !events.is_empty() {
            self.inner.write_batch(&events)?;
        }
        if self.unwatched > 0 {
            tracing::warn!(
                target: "f0.anomaly",
                "{} metric(s) of series beyond the first {MAX_SERIES} were stored but not watched",
                self.unwatched
            );
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::MemorySink;

    fn metric(name: &str, value: f64, i: i64) -> PerformanceMetric {
        PerformanceMetric {
            name: name.into(),
            value,
            metric_type: MetricType::Gauge,
            unit: MetricUnit::Percent,
            timestamp: 1_700_000_000_000_000_000 + i * 1_000_000_000,
            tags: Tags::new(),
            source: Some("system_collector".into()),
            context: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_spike_in_a_watched_series_is_stored_as_an_event() {
        let memory = MemorySink::default();
        let mut sink = watch(Box::new(memory.clone()), Some(&OnlineOptions::default()));
        let mut g = crate::analyze::rng::Xoshiro256::seed_from_u64(2);
        for i in 0..1500 {
            let v = if i == 1200 {
                90.0
            } else {
                20.0 + g.standard_normal()
            };
            sink.write_batch(&[metric("cpu", v, i), metric("mem", 50.0, i)])
                .unwrap();
        }
        sink.flush().unwrap();
        let stored = memory.metrics();
        let events: Vec<&PerformanceMetric> =
            stored.iter().filter(|m| m.name == EVENT_METRIC).collect();
        assert_eq!(events.len(), 1, "{events:?}");
        let e = events[0];
        assert_eq!(e.tags["metric"], "cpu");
        assert_eq!(e.context["start_index"], 1200);
        assert_eq!(e.timestamp, metric("cpu", 0.0, 1200).timestamp);
        assert_eq!(stored.len(), 3001);
    }

    #[test]
    fn a_spike_still_open_when_the_collection_ends_is_stored_at_flush() {
        let memory = MemorySink::default();
        let mut sink = watch(Box::new(memory.clone()), Some(&OnlineOptions::default()));
        let mut g = crate::analyze::rng::Xoshiro256::seed_from_u64(3);
        for i in 0..1500 {
            let v = if i == 1499 {
                90.0
            } else {
                20.0 + g.standard_normal()
            };
            sink.write_batch(&[metric("cpu", v, i)]).unwrap();
        }
        let before_flush = memory.metrics().len();
        assert_eq!(before_flush, 1500, "no event before the series ends");
        sink.flush().unwrap();
        let stored = memory.metrics();
        let events: Vec<&PerformanceMetric> =
            stored.iter().filter(|m| m.name == EVENT_METRIC).collect();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].context["start_index"], 1499);
    }

    #[test]
    fn series_beyond_the_watched_limit_and_event_metrics_are_stored_but_not_watched() {
        let memory = MemorySink::default();
        let mut sink = OnlineSink {
            inner: Box::new(memory.clone()),
            options: OnlineOptions::default(),
            runners: HashMap::new(),
            unwatched: 0,
        };
        let batch: Vec<PerformanceMetric> = (0..MAX_SERIES + 3)
            .map(|i| metric(&format!("m{i}"), 1.0, 0))
            .chain([metric(EVENT_METRIC, 5.0, 0)])
            .collect();
        sink.write_batch(&batch).unwrap();
        assert_eq!(sink.runners.len(), MAX_SERIES);
        assert_eq!(sink.unwatched, 3);
        sink.flush().unwrap();
        assert_eq!(
            memory.metrics().len(),
            MAX_SERIES + 4,
            "every metric is stored"
        );
    }

    #[test]
    fn arguments() {
        let mut findings = Vec::new();
        {
            let mut r = ArgReader::new("args", &mut findings);
            assert!(parse(&mut r, Some(&serde_json::json!(true))).is_some());
            assert!(parse(&mut r, Some(&serde_json::json!(false))).is_none());
            assert!(parse(&mut r, Some(&serde_json::json!({"enabled": false}))).is_none());
            let o = parse(&mut r, Some(&serde_json::json!({"threshold": 0.5}))).unwrap();
            assert_eq!(o.events.threshold, 0.5);
        }
        assert!(findings.is_empty(), "{findings:?}");
        let mut r = ArgReader::new("args", &mut findings);
        parse(
            &mut r,
            Some(&serde_json::json!({"mode": "batch", "thresholds": 1})),
        );
        let all: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert!(
            all.iter()
                .any(|f| f.contains("args.anomaly_detection.mode: must be 'online'")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|f| f.contains("args.anomaly_detection.thresholds: unknown key")),
            "{all:?}"
        );
    }
}
