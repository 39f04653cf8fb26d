//! The analysis of one metric's samples: summary, change points, trend and anomalies.
//!
//! The summary needs at least two samples (a metric with fewer is skipped with the reason);
//! every other part that cannot be computed for this series — a trend over identical
//! timestamps, a z-score over fewer than 10 points — leaves a line in the metric's `warnings`
//! instead of failing the whole analysis.

use super::args::AnomalySettings;
use super::report::{AnomalyResult, MetricAnalysis, SummaryReport};
use crate::analyze::anomaly::{detect, AnomalyConfig};
use crate::analyze::changepoint::{compute_change_points, HunterParams};
use crate::analyze::quantile::PercentileMethod;
use crate::analyze::summary::{summarize, SummaryOptions};
use crate::analyze::trend::trend_analysis;
use crate::store::MetricSamples;

/// How each metric is analysed.
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
}

/// Analyses one metric; `Err` carries why it has to be skipped (too few samples, a bad
/// percentile).
pub fn analyze_metric(
    samples: &MetricSamples,
    settings: &MetricSettings,
) -> Result<MetricAnalysis, String> {
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
    let mut warnings = Vec::new();
    let change_points = match &settings.change_points {
        Some(params) => {
            compute_change_points(values, Some(timestamps), params).unwrap_or_else(|e| {
                warnings.push(format!("change points: {e}"));
                Vec::new()
            })
        }
        None => Vec::new(),
    };
    let trend = settings
        .include_trends
        .then(|| trend_analysis(&samples.name, values, timestamps, &change_points))
        .and_then(|t| t.map_err(|e| warnings.push(format!("trend: {e}"))).ok());
    let config = AnomalyConfig {
        sensitivity: settings.anomalies.sensitivity,
        ..AnomalyConfig::default()
    };
    let mut anomalies = Vec::new();
    for &method in &settings.anomalies.methods {
        match detect(values, method, &config) {
            Ok(points) => {
                for p in points.iter().filter(|p| p.is_anomaly) {
                    let series = samples.series_at(p.index);
                    match AnomalyResult::new(series, p, timestamps[p.index]) {
                        Ok(a) => anomalies.push(a),
                        Err(e) => {
                            warnings.push(format!("{}: index {}: {e}", method.name(), p.index))
                        }
                    }
                }
            }
            Err(e) => warnings.push(format!("{}: {e}", method.name())),
        }
    }
    let first = &samples.series[samples.series_of[0]];
    Ok(MetricAnalysis {
        metric_name: samples.name.clone(),
        metric_type: first.metric_type.clone(),
        unit: first.unit.clone(),
        summary: SummaryReport {
            summary: summary.saturated(),
            percentile_method: settings.method,
        },
        trend,
        anomalies,
        anomaly_methods: settings.anomalies.methods.clone(),
        change_points,
        baseline_comparison: None,
        drift: None,
        warnings,
        online_anomalies: (settings.anomalies.online.as_ref())
            .map(|o| super::online::replay(samples, o)),
    })
}
