//! The analysis of one series' (or group's, or pool's) samples: summary, change points, trend
//! with its forecast, and anomalies.
//!
//! The summary needs at least two samples (a set with fewer is skipped with the reason, unless
//! its one sample is judged against a baseline: see [`single_sample`]); every other part that
//! cannot be computed for this set — a trend over identical timestamps, a z-score over fewer
//! than 10 points — leaves a line in the result's `warnings` instead of failing the whole
//! analysis.

use super::args::AnomalySettings;
use super::report::{AnomalyResult, MetricAnalysis, SummaryReport, TrendReport};
use super::select::SetSamples;
use crate::analyze::anomaly::{detect, AnomalyConfig};
use crate::analyze::changepoint::{compute_change_points, HunterParams};
use crate::analyze::quantile::PercentileMethod;
use crate::analyze::summary::{summarize, SummaryOptions};
use crate::analyze::trend::trend_with_forecast;
use crate::store::BaselineScope;

/// How each set is analysed.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSettings {
    /// Percents of the summary.
    pub percentiles: Vec<f64>,
    /// Quantile definition.
    pub method: PercentileMethod,
    /// Fit the linear trend.
    pub include_trends: bool,
    /// Anomaly detectors.
    pub anomalies: AnomalySettings,
    /// Change-point detection, when on.
    pub change_points: Option<HunterParams>,
    /// Keep Framework0's `forecast_next_hour` in trends.
    pub parity: bool,
}

/// The result of `set` with nothing computed yet: its identity, type, unit and count.
fn empty_result(set: &SetSamples, settings: &MetricSettings) -> MetricAnalysis {
    let s = &set.set;
    let first = &s.members[0].key;
    MetricAnalysis {
        metric_name: s.name.clone(),
        tags: s.tags.clone(),
        series: s.key(),
        scope: s.scope,
        pooled: s.scope == BaselineScope::Pooled,
        grouped_by: s.grouped_by.clone(),
        members: s.member_keys(),
        metric_type: first.metric_type.clone(),
        unit: first.unit.clone(),
        sample_count: set.samples.len(),
        summary: None,
        trend: None,
        anomalies: Vec::new(),
        anomaly_methods: (settings.anomalies.methods.iter())
            .map(|m| m.name().to_owned())
            .chain(settings.anomalies.custom.iter().cloned())
            .collect(),
        change_points: Vec::new(),
        baseline_comparison: None,
        drift: None,
        warnings: Vec::new(),
        baseline_unusable: None,
        online_anomalies: None,
        analyzers: Vec::new(),
    }
}

/// The result of a set holding one sample, to be judged against its baseline: no summary,
/// trend, change points or anomalies (one value has no spread), and a warning saying so.
pub fn single_sample(set: &SetSamples, settings: &MetricSettings) -> MetricAnalysis {
    let mut m = empty_result(set, settings);
    m.anomaly_methods.clear();
    m.warnings.push(
        "1 sample: no summary, trend, change points or anomalies (they need at least 2); \
         judged against the baseline only"
            .to_owned(),
    );
    m
}

/// Analyses one set; `Err` carries why it has to be skipped (too few samples, a bad
/// percentile).
pub fn analyze_metric(
    set: &SetSamples,
    settings: &MetricSettings,
) -> Result<MetricAnalysis, String> {
    let samples = &set.samples;
    let (values, timestamps) = (&samples.values[..], &samples.timestamps[..]);
    let options = SummaryOptions {
        metric_name: samples.name.clone(),
        time_range: timestamps
            .first()
            .zip(timestamps.last())
            .map(|(a, b)| (*a, *b)),
        percentiles: settings.percentiles.clone(),
        method: settings.method,
    };
    let summary = summarize(values, &options).map_err(|e| e.to_string())?;
    let mut m = empty_result(set, settings);
    m.summary = Some(SummaryReport {
        summary: summary.saturated(),
        percentile_method: settings.method,
    });
    if let Some(params) = &settings.change_points {
        match compute_change_points(values, Some(timestamps), params) {
            Ok(cps) => m.change_points = cps,
            Err(e) => m.warnings.push(format!("change points: {e}")),
        }
    }
    if settings.include_trends {
        match trend_with_forecast(&samples.name, values, timestamps, &m.change_points, None) {
            Ok((t, f)) => m.trend = Some(TrendReport::new(t, f, settings.parity)),
            Err(e) => m.warnings.push(format!("trend: {e}")),
        }
    }
    anomalies(set, settings, &mut m);
    m.online_anomalies =
        (settings.anomalies.online.as_ref()).map(|o| super::online::replay(samples, o));
    Ok(m)
}

fn anomalies(set: &SetSamples, settings: &MetricSettings, m: &mut MetricAnalysis) {
    let samples = &set.samples;
    let config = AnomalyConfig {
        sensitivity: settings.anomalies.sensitivity,
        ..AnomalyConfig::default()
    };
    for &method in &settings.anomalies.methods {
        match detect(&samples.values, method, &config) {
            Ok(points) => {
                for p in points.iter().filter(|p| p.is_anomaly) {
                    let series = samples.series_at(p.index);
                    match AnomalyResult::new(series, p, samples.timestamps[p.index]) {
                        Ok(a) => m.anomalies.push(a),
                        Err(e) => {
                            m.warnings
                                .push(format!("{}: index {}: {e}", method.name(), p.index))
                        }
                    }
                }
            }
            Err(e) => m.warnings.push(format!("{}: {e}", method.name())),
        }
    }
}
