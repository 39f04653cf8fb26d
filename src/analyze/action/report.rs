//! The JSON shapes an analysis produces (`schemas/analysis.schema.json` describes them): the
//! [`AnalysisReport`] of `f0 analyze --json` and `metrics.last_analysis`, and the
//! [`ChangePointReport`] of `f0 changepoints --json`. Every number is finite.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::analyze::anomaly::AnomalyPoint;
use crate::analyze::baseline::{Comparison, Drift};
use crate::analyze::changepoint::{ChangePoint, HunterParams};
use crate::analyze::quantile::PercentileMethod;
use crate::analyze::summary::StatisticalSummary;
use crate::analyze::trend::{Forecast, TrendAnalysis, TrendDirection};
use crate::metrics::{MetricError, PerformanceMetric};
use crate::store::{BaselineScope, SeriesKey};

/// Framework0's `AnomalyResult` (COMPAT §4) plus the sample's position in the analysed series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnomalyResult {
    /// The flagged sample.
    pub metric: PerformanceMetric,
    /// True (only flagged points are reported).
    pub is_anomaly: bool,
    /// Confidence in [0, 1].
    pub confidence_score: f64,
    /// The detector: a built-in method's name (`zscore`, …) or a plugin detector's.
    pub detection_method: String,
    /// What the sample was compared with.
    pub baseline_value: f64,
    /// Size of the deviation in the method's unit.
    pub deviation_magnitude: f64,
    /// 0-based position in the analysed series.
    pub index: usize,
}

impl AnomalyResult {
    /// The result for a flagged `point` of a sample of `series` taken at `timestamp`; fails when
    /// the stored series' type or unit is not one of Framework0's.
    pub fn new(
        series: &SeriesKey,
        point: &AnomalyPoint,
        timestamp: i64,
    ) -> Result<AnomalyResult, MetricError> {
        Ok(AnomalyResult {
            metric: flagged(series, point.value, timestamp)?,
            is_anomaly: point.is_anomaly,
            confidence_score: point.confidence,
            detection_method: point.method.name().to_owned(),
            baseline_value: point.baseline_value,
            deviation_magnitude: point.deviation_magnitude,
            index: point.index,
        })
    }

    /// The result for a point a plugin detector named `method` flagged in a sample of
    /// `series` (its `value`, taken at `timestamp`); the detection's numbers are finite and in
    /// range (see [`super::plugins`]).
    pub fn detected(
        series: &SeriesKey,
        d: &crate::plugin::Detection,
        value: f64,
        timestamp: i64,
        method: &str,
    ) -> Result<AnomalyResult, MetricError> {
        Ok(AnomalyResult {
            metric: flagged(series, value, timestamp)?,
            is_anomaly: true,
            confidence_score: d.confidence,
            detection_method: method.to_owned(),
            baseline_value: d.baseline,
            deviation_magnitude: d.deviation,
            index: d.index,
        })
    }
}

/// The flagged sample as a PerformanceMetric.
fn flagged(
    series: &SeriesKey,
    value: f64,
    timestamp: i64,
) -> Result<PerformanceMetric, MetricError> {
    Ok(PerformanceMetric {
        name: series.name.clone(),
        value,
        metric_type: series.metric_type.parse()?,
        unit: series.unit.parse()?,
        timestamp,
        tags: series.tags.clone(),
        source: series.source.clone(),
        context: serde_json::Map::new(),
    })
}

/// The statistical summary with the quantile definition named beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryReport {
    /// Framework0's `StatisticalSummary`.
    #[serde(flatten)]
    pub summary: StatisticalSummary,
    /// How the percentiles were computed.
    pub percentile_method: PercentileMethod,
}

/// The linear trend of one series: Framework0's `TrendAnalysis` fields and a forecast that
/// stays in range (see [`crate::analyze::trend`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendReport {
    /// The metric.
    pub metric_name: String,
    /// Direction by the Framework0 rule.
    pub trend_direction: TrendDirection,
    /// OLS slope in value units per second.
    pub slope: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// 0-based indexes of the first point after each change point.
    pub change_points: Vec<usize>,
    /// Framework0's line 3600 s after the last sample (only with `parity: framework0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_next_hour: Option<f64>,
    /// min(r², 1).
    pub forecast_confidence: f64,
    /// The forecast one span of the data ahead, or why it is not meaningful.
    pub forecast: Forecast,
}

impl TrendReport {
    /// The report of `trend` and `forecast`; `parity` keeps Framework0's `forecast_next_hour`.
    pub fn new(trend: TrendAnalysis, forecast: Forecast, parity: bool) -> TrendReport {
        TrendReport {
            metric_name: trend.metric_name,
            trend_direction: trend.trend_direction,
            slope: trend.slope,
            r_squared: trend.r_squared,
            change_points: trend.change_points,
            forecast_next_hour: parity.then_some(trend.forecast_next_hour),
            forecast_confidence: trend.forecast_confidence,
            forecast,
        }
    }
}

/// A comparison with the stored baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineComparison {
    /// Verdict, relative change, bootstrap interval, deciding p-value and test, both means.
    #[serde(flatten)]
    pub comparison: Comparison,
    /// Welch's two-sided p-value (`null` when a side has one sample).
    pub welch_p_value: Option<f64>,
    /// Mann–Whitney's two-sided p-value (`null` when a side has one sample).
    pub mann_whitney_p_value: Option<f64>,
    /// The smallest |relative change| called a regression or improvement.
    pub regression_threshold: f64,
    /// The direction of "better" used.
    pub higher_is_better: bool,
    /// The stored baseline's id.
    pub baseline_id: i64,
    /// Its scope (`series`, `group`, `pooled`).
    pub baseline_scope: BaselineScope,
    /// Its key: the canonical tag string, `*` when pooled.
    pub baseline_series: String,
    /// Where its samples came from.
    pub baseline_source: Value,
    /// Its sample count.
    pub baseline_sample_count: usize,
    /// The analysed sample count.
    pub candidate_sample_count: usize,
}

/// Drift of a metric across the runs that hold it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    /// Verdict and the Mann–Kendall test over the run means.
    #[serde(flatten)]
    pub drift: Drift,
    /// The runs, oldest first.
    pub runs: Vec<i64>,
    /// Their means.
    pub run_means: Vec<f64>,
}

/// Everything found for one series (or group, or pool) of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricAnalysis {
    /// The metric.
    pub metric_name: String,
    /// The series' tags; a group's tags; for a pool, the tags all its series share.
    pub tags: BTreeMap<String, String>,
    /// The canonical tag string (`recipe=ci,step=build`; `{}` untagged; `*` pooled).
    pub series: String,
    /// `series`, `group` or `pooled`.
    pub scope: BaselineScope,
    /// Whether several series were pooled into this result (`pool: true`).
    pub pooled: bool,
    /// The `group_by` keys (empty unless grouped).
    pub grouped_by: Vec<String>,
    /// The canonical tag strings of the stored series in this result.
    pub members: Vec<String>,
    /// Its Framework0 type (of its first series).
    pub metric_type: String,
    /// Its unit (of its first series).
    pub unit: String,
    /// Number of analysed samples.
    pub sample_count: usize,
    /// Statistics of the analysed samples (`null` for a single sample, which is only judged
    /// against its baseline).
    pub summary: Option<SummaryReport>,
    /// The linear trend (with `include_trends`).
    pub trend: Option<TrendReport>,
    /// Flagged samples of every detector that ran.
    pub anomalies: Vec<AnomalyResult>,
    /// The detectors that ran.
    pub anomaly_methods: Vec<String>,
    /// Change points (empty when detection is off).
    pub change_points: Vec<ChangePoint>,
    /// The comparison with the stored baseline (with `baseline.compare`).
    pub baseline_comparison: Option<BaselineComparison>,
    /// Drift across runs (with `include_trends` and at least 3 runs).
    pub drift: Option<DriftReport>,
    /// Parts that could not be computed, and why.
    pub warnings: Vec<String>,
    /// Why a stored baseline could not be used, when one exists (the text is also in
    /// `warnings`): a regression gate fails on it, since it cannot judge.
    #[serde(skip)]
    pub baseline_unusable: Option<String>,
    /// Events of the online detectors (`anomaly_detection.mode: online`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_anomalies: Option<super::online::OnlineAnomalies>,
    /// Verdicts of the plugin analyzers (`analyzers`), in name order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub analyzers: Vec<super::plugins::AnalyzerOutput>,
}

/// A metric left out of the analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The metric (or pattern).
    pub metric: String,
    /// Why.
    pub reason: String,
}

/// A baseline stored by this analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstablishedBaseline {
    /// Row id in the `baselines` table.
    pub id: i64,
    /// The metric.
    pub metric: String,
    /// The series' (or group's) tags; none for a pool.
    pub tags: BTreeMap<String, String>,
    /// Its key under `metrics.baselines.<metric>`: the canonical tag string, `*` when pooled.
    pub series: String,
    /// `series`, `group` or `pooled`.
    pub scope: BaselineScope,
    /// Where the samples came from.
    pub source: Value,
    /// Number of samples.
    pub sample_count: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation.
    pub std_dev: f64,
    /// Their median.
    pub median: f64,
    /// Smallest sample.
    pub min_value: f64,
    /// Largest sample.
    pub max_value: f64,
}

/// The result of one analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    /// Always `analysis`.
    pub kind: &'static str,
    /// When, epoch seconds.
    pub generated_at: f64,
    /// The run that analysed (none from the command line).
    pub run_id: Option<i64>,
    /// The timeframe as written.
    pub timeframe: String,
    /// The run `last_run` resolved to.
    pub analysed_run_id: Option<i64>,
    /// The quantile definition.
    pub percentile_method: PercentileMethod,
    /// The regression threshold in force.
    pub regression_threshold: f64,
    /// One entry per analysed series (or group, or pool), by name, then first appearance.
    pub metrics: Vec<MetricAnalysis>,
    /// Metrics left out.
    pub skipped: Vec<Skipped>,
    /// Baselines stored by this analysis.
    pub baselines_established: Vec<EstablishedBaseline>,
}

/// The result of `f0 changepoints`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePointReport {
    /// Always `changepoints`.
    pub kind: &'static str,
    /// The metric.
    pub metric_name: String,
    /// The series' tags.
    pub tags: BTreeMap<String, String>,
    /// The canonical tag string.
    pub series: String,
    /// The timeframe as written.
    pub timeframe: String,
    /// Number of samples examined.
    pub sample_count: usize,
    /// The detector's parameters.
    pub parameters: HunterParams,
    /// The change points, by index.
    pub change_points: Vec<ChangePoint>,
}
