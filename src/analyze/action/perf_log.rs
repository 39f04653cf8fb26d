//! Performance events of an analysis (Framework0's logging 5A): with
//! `logging.log_significant_metrics` (default on), every significant finding becomes one
//! `INFO` (a regression: `WARNING`) entry on logger `framework0.performance` with message
//! `Performance: {name} = {value} {unit}` and `extra_data {metric_name, value, unit,
//! timestamp, performance_category, series, ...}`:
//!
//! | finding | name | value | `performance_category` |
//! |---|---|---|---|
//! | a `timing` series whose p95 exceeds `logging.threshold_p95` milliseconds (Framework0's unit; a series in ns, μs or s is converted; another unit is compared as it is) | `<series>:p95` | the p95 | `timing` |
//! | a flagged sample | `<series>` | the sample | `anomaly` |
//! | a change point | `<series>` | the mean after it | `change_point` |
//! | a `regressed` baseline verdict | `<series>` | the analysed mean | `regression` |

use super::report::MetricAnalysis;
use crate::analyze::baseline::Verdict;
use crate::events::logging::performance_message;
use crate::metrics::config::LoggingConfig;
use crate::metrics::selector::series_label;

/// The logger of performance events.
pub const LOGGER: &str = "framework0.performance";

/// One performance event.
#[derive(Debug, Clone, PartialEq)]
pub struct PerfEvent {
    /// `<series label>` or `<series label>:p95`.
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// `timing`, `anomaly`, `change_point` or `regression`.
    pub category: &'static str,
    /// The canonical tag string of the series.
    pub series: String,
    /// More detail (threshold, detector, p-value, ...), a JSON object.
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// The significant findings of `metrics` under `config` (none when logging them is off).
pub fn significant(metrics: &[MetricAnalysis], config: &LoggingConfig) -> Vec<PerfEvent> {
    if !config.log_significant_metrics {
        return Vec::new();
    }
    let mut out = Vec::new();
    for m in metrics {
        let label = series_label(&m.metric_name, &m.tags);
        let event = |name: String, value: f64, category, detail: serde_json::Value| PerfEvent {
            name,
            value,
            unit: m.unit.clone(),
            category,
            series: m.series.clone(),
            detail: detail.as_object().cloned().unwrap_or_default(),
        };
        let p95 = m
            .summary
            .as_ref()
            .and_then(|s| s.summary.percentiles.get(95.0));
        let over = |p: &f64| m.metric_type == "timing" && in_ms(*p, &m.unit) > config.threshold_p95;
        if let Some(p95) = p95.filter(over) {
            let d = serde_json::json!({"statistic": "p95", "threshold_p95": config.threshold_p95});
            out.push(event(format!("{label}:p95"), p95, "timing", d));
        }
        for a in &m.anomalies {
            let d = serde_json::json!({"detection_method": a.detection_method,
                "confidence_score": a.confidence_score, "baseline_value": a.baseline_value,
                "index": a.index});
            out.push(event(label.clone(), a.metric.value, "anomaly", d));
        }
        for c in &m.change_points {
            let d = serde_json::json!({"index": c.index, "mean_before": c.mean_before,
                "forward_change_percent": c.forward_change_percent});
            out.push(event(label.clone(), c.mean_after, "change_point", d));
        }
        if let Some(c) = m
            .baseline_comparison
            .as_ref()
            .filter(|c| c.comparison.verdict == Verdict::Regressed)
        {
            let d = serde_json::json!({"relative_change": c.comparison.relative_change,
                "p_value": c.comparison.p_value, "baseline_mean": c.comparison.baseline_mean,
                "baseline_id": c.baseline_id});
            out.push(event(
                label.clone(),
                c.comparison.candidate_mean,
                "regression",
                d,
            ));
        }
    }
    out
}

/// `value` of `unit` in milliseconds (time units), else as it is.
fn in_ms(value: f64, unit: &str) -> f64 {
    match unit {
        "ns" => value / 1e6,
        "\u{03bc}s" | "us" => value / 1e3,
        "s" => value * 1e3,
        _ => value,
    }
}

/// Logs each event on [`LOGGER`].
pub fn log(events: &[PerfEvent]) {
    let now = crate::util::epoch_nanos() as f64 / 1e9;
    for e in events {
        let mut extra = e.detail.clone();
        extra.insert("series".to_owned(), e.series.clone().into());
        let extra = serde_json::Value::Object(extra).to_string();
        let message = performance_message(&e.name, e.value, &e.unit);
        macro_rules! emit {
            ($level:ident) => {
                tracing::$level!(
                    target: LOGGER,
                    metric_name = e.name.as_str(),
                    value = e.value,
                    unit = e.unit.as_str(),
                    timestamp = now,
                    performance_category = e.category,
                    extra_data = extra.as_str(),
                    "{message}"
                )
            };
        }
        if e.category == "regression" {
            emit!(warn);
        } else {
            emit!(info);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_are_compared_in_milliseconds() {
        assert_eq!(in_ms(2_500_000.0, "ns"), 2.5);
        assert_eq!(in_ms(2_500.0, "\u{03bc}s"), 2.5);
        assert_eq!(in_ms(2.5, "ms"), 2.5);
        assert_eq!(in_ms(2.5, "s"), 2500.0);
        assert_eq!(in_ms(7.0, "count"), 7.0, "another unit as it is");
    }
}
