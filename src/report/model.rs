//! The report model: one serde structure every format renders from (`report.json` is this
//! model as JSON; `schemas/report.schema.json` describes it).
//!
//! Everything is per **series** — a metric name plus its tag set — never per name alone.
//! Timestamps are epoch nanoseconds (`*_ns`), as everywhere in the store. Statistics are
//! computed on every sample of a series; only [`Points`] (what a chart draws) is downsampled.
//! Every number is finite.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyze::anomaly::AnomalyMethod;
use crate::analyze::baseline::{Interval, SignificanceTest};
use crate::analyze::changepoint::ChangePoint;
use crate::analyze::quantile::PercentileMethod;
use crate::analyze::summary::StatisticalSummary;
use crate::analyze::trend::TrendDirection;

/// The `generator` every file we write carries (see [`super::output`]).
pub const GENERATOR: &str = "f0 report";
/// The version of this model's shape.
pub const MODEL_VERSION: u32 = 1;

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`GENERATOR`] (first, so ownership checks find it in the file's head).
    pub generator: String,
    /// Always `report`.
    pub kind: String,
    /// [`MODEL_VERSION`].
    pub version: u32,
    /// The report's title.
    pub title: String,
    /// When it was generated, epoch ns.
    pub generated_at_ns: i64,
    /// Which samples it covers.
    pub window: WindowInfo,
    /// The recipe that produced it (none from the command line).
    pub recipe: Option<String>,
    /// The run that produced it (none from the command line).
    pub run_id: Option<i64>,
    /// The metric selectors as written.
    pub selectors: Vec<String>,
    /// The quantile definition of every percentile in the report.
    pub percentile_method: PercentileMethod,
    /// How many series got each verdict.
    pub verdict_counts: VerdictCounts,
    /// One verdict per series, worst first.
    pub headline: Vec<Headline>,
    /// The series, in headline order.
    pub series: Vec<SeriesReport>,
    /// Selectors and series left out, with the reason.
    pub skipped: Vec<Skipped>,
    /// CPU, memory, disk and network over the window; absent without system samples.
    pub system: Option<SystemOverview>,
    /// Framework0's bottleneck rules applied to the series and system metrics.
    pub bottlenecks: Bottlenecks,
    /// The last profile's bottlenecks and flamegraph; absent without a profile.
    pub profile: Option<ProfileSection>,
    /// What to do next: verdict findings first, then Framework0's recommendations.
    pub recommendations: Vec<String>,
    /// Facts about how the report was made (limits, fallbacks).
    pub notes: Vec<String>,
}

/// The samples a report covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowInfo {
    /// The timeframe as written (`last_run`, `24h`, `run 12`, ...).
    pub timeframe: String,
    /// The run the window is restricted to.
    pub run_id: Option<i64>,
    /// Oldest sample in the report, epoch ns.
    pub from_ns: Option<i64>,
    /// Newest sample in the report, epoch ns.
    pub to_ns: Option<i64>,
}

/// The verdict of one series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Significantly and materially worse than its reference.
    Regressed,
    /// No change that passes every criterion.
    Unchanged,
    /// Significantly and materially better.
    Improved,
    /// Too few samples, or no reference to compare with.
    Insufficient,
}

impl VerdictKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Regressed => "regressed",
            VerdictKind::Unchanged => "unchanged",
            VerdictKind::Improved => "improved",
            VerdictKind::Insufficient => "insufficient",
        }
    }
}

/// Series per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    /// Regressed series.
    pub regressed: usize,
    /// Improved series.
    pub improved: usize,
    /// Unchanged series.
    pub unchanged: usize,
    /// Series without a verdict.
    pub insufficient: usize,
}

/// One row of the headline table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// The series' id in [`Report::series`].
    pub series: String,
    /// Its label, `name{tag="value",...}`.
    pub label: String,
    /// Metric name.
    pub name: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Unit.
    pub unit: String,
    /// The verdict.
    pub verdict: VerdictKind,
    /// What the series was compared with (`baseline #3`, `runs 4–8`, ...).
    pub basis: String,
    /// Samples in the window.
    pub sample_count: usize,
    /// Their mean.
    pub mean: f64,
    /// Samples of the reference.
    pub reference_count: Option<usize>,
    /// The reference's mean.
    pub reference_mean: Option<f64>,
    /// (mean − reference mean) / |reference mean|.
    pub relative_change: Option<f64>,
    /// Bootstrap interval of the relative change.
    pub interval: Option<Interval>,
    /// The deciding two-sided p-value.
    pub p_value: Option<f64>,
    /// The test that gave it.
    pub test: Option<SignificanceTest>,
    /// Why there is no verdict (with `insufficient`), or how it was reached.
    pub reason: Option<String>,
}

/// Everything about one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesReport {
    /// Stable id inside this report (`s0`, `s1`, ...; never user text).
    pub id: String,
    /// `name{tag="value",...}`.
    pub label: String,
    /// Metric name.
    pub name: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Framework0 metric type.
    pub metric_type: String,
    /// Unit.
    pub unit: String,
    /// Producer.
    pub source: Option<String>,
    /// Statistics of every sample in the window (none below 2 samples: see `warnings`).
    pub summary: Option<StatisticalSummary>,
    /// The samples to draw (downsampled by LTTB, extremes and marks kept).
    pub points: Points,
    /// The band a normal sample falls in.
    pub band: Option<Band>,
    /// Anomalous samples.
    pub anomalies: Anomalies,
    /// Change points of the window's samples.
    pub change_points: Vec<ChangePoint>,
    /// Histogram and percentile ladder (none without statistics).
    pub distribution: Option<Distribution>,
    /// Linear trend and forecast.
    pub trend: Option<TrendReport>,
    /// Per-run mean and p95 across every run holding the series.
    pub history: History,
    /// Parts that could not be computed, and why.
    pub warnings: Vec<String>,
}

/// Samples to draw, column by column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// Epoch ns.
    pub ts_ns: Vec<i64>,
    /// Values (real samples, never averages).
    pub values: Vec<f64>,
    /// The run of each sample.
    pub run_ids: Vec<Option<i64>>,
    /// How many samples the drawing stands for.
    pub sample_count: usize,
}

/// A band around the expected value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower edge.
    pub lower: f64,
    /// Centre.
    pub centre: f64,
    /// Upper edge.
    pub upper: f64,
    /// Where it comes from (`baseline #3: mean ± 2 sd`, `this window: mean ± 2 sd`).
    pub source: String,
}

/// The anomalies of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomalies {
    /// The detectors that ran.
    pub methods: Vec<AnomalyMethod>,
    /// Their sensitivity.
    pub sensitivity: f64,
    /// Flagged samples (by any detector).
    pub count: usize,
    /// Flagged samples per detector.
    pub by_method: BTreeMap<String, usize>,
    /// The most confident flagged samples (at most `MAX_MARKS`, 100).
    pub marks: Vec<AnomalyMark>,
}

/// One flagged sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyMark {
    /// Position among the window's samples.
    pub index: usize,
    /// When, epoch ns.
    pub ts_ns: i64,
    /// The value.
    pub value: f64,
    /// The run that wrote it.
    pub run_id: Option<i64>,
    /// The detectors that flagged it.
    pub methods: Vec<AnomalyMethod>,
    /// The highest confidence among them.
    pub confidence: f64,
}

/// The distribution of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// The quantile definition of the ladder.
    pub percentile_method: PercentileMethod,
    /// p50 … p99.9.
    pub ladder: Vec<Rung>,
    /// Equal-width histogram over [min, max].
    pub histogram: Histogram,
}

/// One percentile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rung {
    /// The percent, e.g. 99.9.
    pub percent: f64,
    /// Its value.
    pub value: f64,
}

/// An equal-width histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// `bins + 1` ascending edges.
    pub edges: Vec<f64>,
    /// Samples per bin (the last bin includes its upper edge).
    pub counts: Vec<u64>,
    /// How the bin count was chosen.
    pub rule: String,
}

/// A linear trend and its forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendReport {
    /// Framework0's direction rule (|slope| < 0.001 per s is stable).
    pub direction: TrendDirection,
    /// Units per second.
    pub slope: f64,
    /// Fitted value at the first sample.
    pub intercept: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// First sample, epoch ns (x = 0 of the line).
    pub start_ns: i64,
    /// Last sample, epoch ns.
    pub end_ns: i64,
    /// The forecast, when meaningful.
    pub forecast: Option<Forecast>,
    /// Why there is no forecast.
    pub forecast_note: Option<String>,
}

/// A point forecast with its prediction interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Seconds after the last sample.
    pub horizon_seconds: f64,
    /// When, epoch ns.
    pub at_ns: i64,
    /// The line's value there.
    pub value: f64,
    /// Lower prediction bound.
    pub lower: f64,
    /// Upper prediction bound.
    pub upper: f64,
    /// Nominal coverage.
    pub level: f64,
}

/// A series across runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One point per run, oldest first.
    pub runs: Vec<RunPoint>,
    /// Runs where the per-run mean changed (first run after each change).
    pub change_runs: Vec<i64>,
}

/// One run of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPoint {
    /// The run.
    pub run_id: i64,
    /// When it started, epoch ns (its first sample when the run is unknown).
    pub started_ns: i64,
    /// Samples.
    pub count: usize,
    /// Their mean.
    pub mean: f64,
    /// Their p95 (the report's percentile method).
    pub p95: f64,
}

/// Left out of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The selector or series.
    pub what: String,
    /// Why.
    pub reason: String,
}

/// System metrics over the report's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemOverview {
    /// Start, epoch ns.
    pub from_ns: i64,
    /// End, epoch ns.
    pub to_ns: i64,
    /// CPU, memory, disk, network (those with samples).
    pub panels: Vec<SystemPanel>,
}

/// One chart of the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemPanel {
    /// `cpu`, `memory`, `disk` or `network`.
    pub key: String,
    /// Display title.
    pub title: String,
    /// The unit of its lines.
    pub unit: String,
    /// Its lines.
    pub lines: Vec<SystemLine>,
}

/// One line of a system panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemLine {
    /// `name{tags}`.
    pub label: String,
    /// Mean of every sample.
    pub mean: f64,
    /// Largest sample.
    pub max: f64,
    /// Newest sample.
    pub last: f64,
    /// Samples to draw.
    pub points: Points,
}

/// Framework0's bottleneck analysis (COMPAT §5), per series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bottlenecks {
    /// Timings whose p95 exceeds twice their mean.
    pub timing_bottlenecks: Vec<TimingBottleneck>,
    /// Percentages whose mean exceeds 80 or maximum 95.
    pub resource_bottlenecks: Vec<ResourceBottleneck>,
    /// Throughputs whose last five samples average below 80 % of all.
    pub throughput_bottlenecks: Vec<ThroughputBottleneck>,
    /// Framework0's recommendation strings.
    pub recommendations: Vec<String>,
}

/// The bottleneck rows are Framework0's shapes (COMPAT §5), the same the profiler reports.
pub use crate::profile::parity::{ResourceBottleneck, ThroughputBottleneck, TimingBottleneck};

/// The last profile (`metrics.last_profile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSection {
    /// Column names of the bottleneck table (the union of the rows' keys, first-seen order).
    pub columns: Vec<String>,
    /// Rows, each cell rendered as text.
    pub rows: Vec<Vec<String>>,
    /// Where the flamegraph SVG was read from.
    pub flamegraph_path: Option<String>,
    /// The SVG itself (embedded in the HTML as an image; not repeated in JSON).
    #[serde(skip)]
    pub flamegraph_svg: Option<String>,
}
