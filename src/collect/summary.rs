//! The JSON summary of a collection, written to the context as `metrics.last_collection`.
//!
//! ```json
//! {"action": "collect", "timestamp": 1760000003.2, "started_at": 1760000000.1,
//!  "run_id": 4, "step": "collect_system",
//!  "duration_seconds": 3.0, "elapsed_seconds": 3.01,
//!  "time_span": {"start": 1760000000.1, "end": 1760000003.1, "seconds": 3.0},
//!  "totals": {"system": 331, "application": 10, "network": 0, "custom": 0},
//!  "total_metrics": 341, "metrics": {"cpu_usage_total": 6, ...},
//!  "filtered": 0, "capped": 0, "dropped_batches": 0, "write_errors": [],
//!  "collectors": {"system": {...}, "application": {"workloads": [...]}, ...}}
//! ```
//!
//! Timestamps are epoch seconds (Framework0's unit); `time_span` covers the stored
//! samples; `totals` counts the stored metrics per collector (every enabled collector is
//! listed, with 0 when it stored nothing).

use std::collections::BTreeMap;

use serde::Serialize;

use super::background::BackgroundReport;
use super::network::EndpointStats;
use super::workload::{RunResult, WorkloadReport};
use super::writer::WriteReport;

/// Start, end and length of the stored samples, epoch seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimeSpan {
    /// Earliest sample.
    pub start: f64,
    /// Latest sample.
    pub end: f64,
    /// `end − start`.
    pub seconds: f64,
}

/// Mean, min and max of a per-run quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `xs` (None when empty).
    pub fn of(xs: impl Iterator<Item = f64>) -> Option<Spread> {
        let v: Vec<f64> = xs.collect();
        if v.is_empty() {
            return None;
        }
        Some(Spread {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// One workload's measured runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadSummary {
    /// Name.
    pub name: String,
    /// Program and arguments.
    pub command: Vec<String>,
    /// Warmup runs done.
    pub warmup: u32,
    /// Measured runs done.
    pub runs: usize,
    /// Wall time per run, ms.
    pub wall_ms: Option<Spread>,
    /// User CPU per run, ms.
    pub user_ms: Option<Spread>,
    /// System CPU per run, ms.
    pub sys_ms: Option<Spread>,
    /// Largest peak RSS of a run, bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Exit status of each measured run.
    pub exit_statuses: Vec<i32>,
}

impl WorkloadSummary {
    /// Summarises `report` of a workload running `command`.
    pub fn new(report: &WorkloadReport, command: &[String]) -> Self {
        let ms =
            |f: fn(&RunResult) -> u64| Spread::of(report.runs.iter().map(|r| f(r) as f64 / 1e6));
        WorkloadSummary {
            name: report.name.clone(),
            command: command.to_vec(),
            warmup: report.warmup,
            runs: report.runs.len(),
            wall_ms: ms(|r| r.wall_ns),
            user_ms: ms(|r| r.user_ns),
            sys_ms: ms(|r| r.sys_ns),
            peak_rss_bytes: report.runs.iter().map(|r| r.peak_rss_bytes).max(),
            exit_statuses: report.runs.iter().map(RunResult::status).collect(),
        }
    }
}

/// Per-collector details.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CollectorsSummary {
    /// System sampling (with `interval_seconds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<SamplingSummary>,
    /// Application collector: workloads and recorder samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationSummary>,
    /// Network probing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkSummary>,
    /// Custom metrics recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomSummary>,
    /// Plugin collectors' sampling, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins: BTreeMap<String, SamplingSummary>,
}

/// A background collector's run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SamplingSummary {
    /// Seconds between samples.
    pub interval_seconds: f64,
    /// What the sampling thread did.
    #[serde(flatten)]
    pub report: BackgroundReport,
}

/// The application collector's run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplicationSummary {
    /// Each workload.
    pub workloads: Vec<WorkloadSummary>,
    /// Metrics taken from the recorder and the allocation counters.
    pub recorder_metrics: u64,
}

/// The network collector's run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkSummary {
    /// Seconds between probes (None: probed once).
    pub interval_seconds: Option<f64>,
    /// Each endpoint.
    pub endpoints: Vec<EndpointStats>,
}

/// Custom metrics recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomSummary {
    /// Entries in the recipe.
    pub entries: usize,
    /// Metrics they produced.
    pub metrics: u64,
}

/// `metrics.last_collection`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectSummary {
    /// Always `collect`.
    pub action: &'static str,
    /// When the collection ended, epoch seconds.
    pub timestamp: f64,
    /// When it started, epoch seconds.
    pub started_at: f64,
    /// The run that stored the samples.
    pub run_id: Option<i64>,
    /// The step that collected.
    pub step: Option<String>,
    /// Requested duration, seconds.
    pub duration_seconds: f64,
    /// Time the collection took, seconds.
    pub elapsed_seconds: f64,
    /// Span of the stored samples.
    pub time_span: Option<TimeSpan>,
    /// Stored metrics per collector.
    pub totals: BTreeMap<String, u64>,
    /// All stored metrics.
    pub total_metrics: u64,
    /// Stored metrics per name.
    pub metrics: BTreeMap<String, u64>,
    /// Rejected by filters.
    pub filtered: u64,
    /// Cut by `collection.max_metrics_per_collection`.
    pub capped: u64,
    /// Sample batches dropped because the write queue was full.
    pub dropped_batches: u64,
    /// Store write errors.
    pub write_errors: Vec<String>,
    /// Per-collector details.
    pub collectors: CollectorsSummary,
}

/// The category a source's metrics count under (`system_collector` → `system`).
pub fn category_of(source: &str) -> &str {
    source.strip_suffix("_collector").unwrap_or(source)
}

impl CollectSummary {
    /// An empty summary of a collection that started at `started_at` (epoch seconds), was
    /// asked to last `duration` and took `elapsed`; the counts come from [`Self::counts`].
    pub fn new(
        started_at: f64,
        duration: std::time::Duration,
        elapsed: std::time::Duration,
    ) -> Self {
        CollectSummary {
            action: "collect",
            timestamp: crate::util::epoch_seconds(),
            started_at,
            run_id: None,
            step: None,
            duration_seconds: duration.as_secs_f64(),
            elapsed_seconds: elapsed.as_secs_f64(),
            time_span: None,
            totals: Default::default(),
            total_metrics: 0,
            metrics: Default::default(),
            filtered: 0,
            capped: 0,
            dropped_batches: 0,
            write_errors: Vec::new(),
            collectors: Default::default(),
        }
    }

    /// Fills the counts from the writer's report; `enabled` lists the enabled collectors
    /// (each appears in `totals`).
    pub fn counts(&mut self, w: &WriteReport, enabled: &[&str]) {
        for c in enabled {
            self.totals.insert((*c).to_owned(), 0);
        }
        for (source, n) in &w.by_source {
            *self
                .totals
                .entry(category_of(source).to_owned())
                .or_default() += n;
        }
        self.total_metrics = w.written;
        self.metrics = w.by_name.clone();
        self.time_span = w.time_span.map(|(a, b)| TimeSpan {
            start: a as f64 / 1e9,
            end: b as f64 / 1e9,
            seconds: (b - a) as f64 / 1e9,
        });
        self.filtered = w.filtered;
        self.capped = w.capped;
        self.dropped_batches = w.dropped_batches;
        self.write_errors = w.errors.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_and_categories() {
        let s = Spread::of([1.0, 3.0, 2.0].into_iter()).unwrap();
        assert_eq!((s.mean, s.min, s.max), (2.0, 1.0, 3.0));
        assert!(Spread::of(std::iter::empty()).is_none());
        assert_eq!(category_of("system_collector"), "system");
        assert_eq!(category_of("runner"), "runner");
    }
}
