//! `ApplicationMetricsCollector`: what this program's own code did, from the recorder
//! (issue #3) and the [counting allocator](super::alloc), source `application_collector`.
//! Command workloads are in [`super::workload`].
//!
//! Each sample reads [`crate::metrics::snapshot`] (cumulative since the pipeline was
//! installed; empty when none is) and emits:
//! - per timing series (timers, `#[performance_timer]`, trackers): `function_call_count`
//!   (counter, count) and `function_execution_time` (timing, ns: the mean, with the whole
//!   aggregation — median, percentiles, min, max — in the metric's context), tagged
//!   `function: <series name>` plus the series' tags;
//! - per [`alloc::track`](super::alloc::track) block: `tracker_alloc_bytes` (counter, bytes)
//!   and `tracker_allocations` (counter, count), the sums over its closed blocks, tagged
//!   `tracker: <name>`;
//! - when the counting allocator is in use, the process totals `alloc_bytes_total`,
//!   `alloc_count_total`, `dealloc_count_total` (counters) and `alloc_live_bytes` (gauge,
//!   bytes).

use serde_json::Value;

use super::alloc::{self, ALLOCATIONS_SUFFIX, ALLOC_BYTES_SUFFIX};
use super::emit::Emitter;
use super::{CollectError, Collector};
use crate::metrics::clock::epoch_now_ns;
use crate::metrics::{
    MetricType, MetricUnit, PerformanceMetric, SeriesSnapshot, APPLICATION_SOURCE,
};

/// Samples the recorder's aggregates and the allocation counters; see the module docs.
#[derive(Debug, Default)]
pub struct ApplicationMetricsCollector {
    _private: (),
}

impl ApplicationMetricsCollector {
    /// A collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// The metrics for recorder series `snapshot` (a pure function, for tests and tools).
    pub fn from_snapshot(snapshot: &[SeriesSnapshot], ts: i64) -> Vec<PerformanceMetric> {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, ts, APPLICATION_SOURCE);
        for s in snapshot {
            let a = &s.aggregation;
            let name = a.metric_name.as_str();
            let tagged = |key: &str| {
                let mut t: Vec<(String, String)> =
                    s.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                t.push((key.to_owned(), name.to_owned()));
                t
            };
            let sum = a.mean * a.count as f64;
            if s.metric_type == MetricType::Timing {
                let t = tagged("function");
                let tags: Vec<(&str, &str)> =
                    t.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                e.push_tagged(
                    "function_call_count",
                    a.count as f64,
                    MetricType::Counter,
                    MetricUnit::Count,
                    &tags,
                );
                if let Some(m) = e.push_tagged(
                    "function_execution_time",
                    a.mean,
                    MetricType::Timing,
                    s.unit,
                    &tags,
                ) {
                    if let Ok(Value::Object(agg)) = serde_json::to_value(a) {
                        m.context.insert("aggregation".into(), Value::Object(agg));
                    }
                }
            } else if s.metric_type == MetricType::Histogram {
                let tracked = [
                    (ALLOC_BYTES_SUFFIX, "tracker_alloc_bytes", MetricUnit::Bytes),
                    (ALLOCATIONS_SUFFIX, "tracker_allocations", MetricUnit::Count),
                ];
                for (suffix, metric, unit) in tracked {
                    if let Some(tracker) = name.strip_suffix(suffix) {
                        let mut t: Vec<(&str, &str)> = s
                            .tags
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        t.push(("tracker", tracker));
                        e.push_tagged(metric, sum, MetricType::Counter, unit, &t);
                    }
                }
            }
        }
        out
    }
}

impl Collector for ApplicationMetricsCollector {
    fn source(&self) -> &'static str {
        APPLICATION_SOURCE
    }

    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError> {
        let ts = epoch_now_ns();
        if crate::metrics::is_enabled() {
            out.extend(Self::from_snapshot(&crate::metrics::snapshot(), ts));
        }
        if alloc::is_counting() {
            let t = alloc::totals();
            let mut e = Emitter::new(out, ts, APPLICATION_SOURCE);
            let (c, b, n) = (MetricType::Counter, MetricUnit::Bytes, MetricUnit::Count);
            e.push("alloc_bytes_total", t.bytes_allocated as f64, c, b);
            e.push("alloc_count_total", t.allocations as f64, c, n);
            e.push("dealloc_count_total", t.deallocations as f64, c, n);
            e.push(
                "alloc_live_bytes",
                t.live_bytes() as f64,
                MetricType::Gauge,
                b,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{FilterCounts, MetricAggregation, Tags};

    fn series(name: &str, ty: MetricType, count: u64, mean: f64) -> SeriesSnapshot {
        let mut tags = Tags::new();
        tags.insert("module".into(), "m".into());
        SeriesSnapshot {
            metric_type: ty,
            unit: if ty == MetricType::Timing {
                MetricUnit::Nanoseconds
            } else {
                MetricUnit::Bytes
            },
            tags,
            aggregation: MetricAggregation {
                metric_name: name.into(),
                count,
                mean,
                median: mean,
                std_dev: 0.0,
                min_value: mean,
                max_value: mean,
                percentiles: Default::default(),
                time_range: (1, 2),
            },
            filtered: FilterCounts::default(),
        }
    }

    #[test]
    fn timings_become_call_counts_and_mean_times() {
        let snap = vec![
            series("parse", MetricType::Timing, 4, 250.0),
            series("load_alloc_bytes", MetricType::Histogram, 2, 1024.0),
            series("queue_depth", MetricType::Gauge, 3, 1.0),
        ];
        let v = ApplicationMetricsCollector::from_snapshot(&snap, 9);
        let names: Vec<&str> = v.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "function_call_count",
                "function_execution_time",
                "tracker_alloc_bytes"
            ]
        );
        assert_eq!(v[0].value, 4.0);
        assert_eq!(v[0].tags["function"], "parse");
        assert_eq!(v[0].tags["module"], "m");
        assert_eq!(v[1].value, 250.0);
        assert_eq!(v[1].context["aggregation"]["count"], 4);
        assert_eq!(v[2].value, 2048.0);
        assert_eq!(v[2].tags["tracker"], "load");
        assert!(v
            .iter()
            .all(|m| m.timestamp == 9 && m.source.as_deref() == Some(APPLICATION_SOURCE)));
    }
}
