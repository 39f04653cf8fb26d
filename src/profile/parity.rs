//! Framework0 parity mode (COMPAT.md §5): Framework0's bottleneck rules, JSON shape and exact
//! recommendation strings.
//!
//! - timing: p95 > 2 × mean (severity `high` if > 5 ×, else `medium`); p95 is the exclusive
//!   (Hyndman–Fan type 6) quantile at 95 % when n ≥ 20, else the maximum;
//! - resource: mean > 80 or max > 95 (`critical` if max > 95, else `high`);
//! - throughput: mean of the last 5 < 0.8 × mean of all (`medium`).

use serde::{Deserialize, Serialize};

use crate::analyze::quantile::{quantile, PercentileMethod};

/// A timing bottleneck, as Framework0 reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingBottleneck {
    /// Metric name.
    pub metric: String,
    /// Mean, ns.
    pub avg_time_ns: f64,
    /// p95, ns.
    pub p95_time_ns: f64,
    /// p95 / mean.
    pub slowdown_factor: f64,
    /// `high` or `medium`.
    pub severity: String,
}

/// A resource bottleneck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceBottleneck {
    /// Metric name.
    pub metric: String,
    /// Mean.
    pub avg_usage: f64,
    /// Maximum.
    pub max_usage: f64,
    /// `critical` or `high`.
    pub severity: String,
}

/// A throughput bottleneck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThroughputBottleneck {
    /// Metric name.
    pub metric: String,
    /// Mean of all values.
    pub overall_avg: f64,
    /// Mean of the last 5.
    pub recent_avg: f64,
    /// (1 − recent / overall) × 100.
    pub decline_percent: f64,
    /// `medium`.
    pub severity: String,
}

/// Framework0's bottleneck result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Framework0Bottlenecks {
    /// Timing bottlenecks.
    pub timing_bottlenecks: Vec<TimingBottleneck>,
    /// Resource bottlenecks.
    pub resource_bottlenecks: Vec<ResourceBottleneck>,
    /// Throughput bottlenecks.
    pub throughput_bottlenecks: Vec<ThroughputBottleneck>,
    /// Recommendation strings, in Framework0's order.
    pub recommendations: Vec<String>,
}

/// Named series of values.
pub type Series = (String, Vec<f64>);

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn timing(name: &str, v: &[f64]) -> Option<TimingBottleneck> {
    if v.is_empty() {
        return None;
    }
    let avg = mean(v);
    let p95 = if v.len() >= 20 {
        quantile(v, 0.95, PercentileMethod::Exclusive).ok()?
    } else {
        v.iter().copied().fold(f64::MIN, f64::max)
    };
    (p95 > 2.0 * avg).then(|| TimingBottleneck {
        metric: name.to_owned(),
        avg_time_ns: avg,
        p95_time_ns: p95,
        slowdown_factor: p95 / avg,
        severity: if p95 > 5.0 * avg { "high" } else { "medium" }.to_owned(),
    })
}

fn resource(name: &str, v: &[f64]) -> Option<ResourceBottleneck> {
    if v.is_empty() {
        return None;
    }
    let (avg, max) = (mean(v), v.iter().copied().fold(f64::MIN, f64::max));
    (avg > 80.0 || max > 95.0).then(|| ResourceBottleneck {
        metric: name.to_owned(),
        avg_usage: avg,
        max_usage: max,
        severity: if max > 95.0 { "critical" } else { "high" }.to_owned(),
    })
}

fn throughput(name: &str, v: &[f64]) -> Option<ThroughputBottleneck> {
    if v.is_empty() {
        return None;
    }
    let overall = mean(v);
    let recent = mean(&v[v.len().saturating_sub(5)..]);
    (recent < 0.8 * overall).then(|| ThroughputBottleneck {
        metric: name.to_owned(),
        overall_avg: overall,
        recent_avg: recent,
        decline_percent: (1.0 - recent / overall) * 100.0,
        severity: "medium".to_owned(),
    })
}

/// Framework0's analysis of the given series.
pub fn detect(
    timings: &[Series],
    resources: &[Series],
    throughputs: &[Series],
) -> Framework0Bottlenecks {
    let mut r = Framework0Bottlenecks {
        timing_bottlenecks: timings.iter().filter_map(|(n, v)| timing(n, v)).collect(),
        resource_bottlenecks: resources
            .iter()
            .filter_map(|(n, v)| resource(n, v))
            .collect(),
        throughput_bottlenecks: throughputs
            .iter()
            .filter_map(|(n, v)| throughput(n, v))
            .collect(),
        recommendations: Vec::new(),
    };
    let high = r
        .timing_bottlenecks
        .iter()
        .filter(|t| t.severity == "high")
        .count();
    if high > 0 {
        r.recommendations.push(format!("CRITICAL: {high} functions showing severe timing bottlenecks. Consider profiling and optimizing algorithm complexity."));
    }
    if !r.timing_bottlenecks.is_empty() {
        r.recommendations
            .push("Investigate caching opportunities for frequently called slow functions.".into());
    }
    if r.resource_bottlenecks
        .iter()
        .any(|b| b.metric.contains("cpu"))
    {
        r.recommendations.push(
            "High CPU utilization detected. Consider load balancing or scaling resources.".into(),
        );
    }
    if r.resource_bottlenecks
        .iter()
        .any(|b| b.metric.contains("memory"))
    {
        r.recommendations.push("Memory usage approaching limits. Review memory allocation patterns and implement cleanup.".into());
    }
    if !r.throughput_bottlenecks.is_empty() {
        r.recommendations.push(
            "Declining throughput detected. Investigate system capacity and connection pooling."
                .into(),
        );
    }
    if r.recommendations.is_empty() {
        r.recommendations
            .push("No significant bottlenecks detected. Performance appears optimal.".into());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compat_example_nineteen_hundreds_and_one_outlier() {
        let mut v = vec![100.0; 19];
        v.push(5000.0);
        let r = detect(&[("f".into(), v)], &[], &[]);
        let t = &r.timing_bottlenecks[0];
        assert_eq!(t.avg_time_ns, 345.0);
        assert!((t.p95_time_ns - 4755.0).abs() < 1e-9, "{}", t.p95_time_ns);
        assert!((t.slowdown_factor - 13.782608695652174).abs() < 1e-12);
        assert_eq!(t.severity, "high");
        assert_eq!(
            r.recommendations,
            vec![
                "CRITICAL: 1 functions showing severe timing bottlenecks. Consider profiling and optimizing algorithm complexity.",
                "Investigate caching opportunities for frequently called slow functions."
            ]
        );
    }

    #[test]
    fn resources_and_throughput_and_the_all_clear() {
        let r = detect(
            &[],
            &[
                ("cpu_usage_percent".into(), vec![90.0, 97.0]),
                ("memory_usage_percent".into(), vec![85.0, 86.0]),
            ],
            &[(
                "ops_throughput".into(),
                vec![10.0, 10.0, 10.0, 10.0, 10.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            )],
        );
        assert_eq!(r.resource_bottlenecks[0].severity, "critical");
        assert_eq!(r.resource_bottlenecks[1].severity, "high");
        assert_eq!(
            r.throughput_bottlenecks[0].decline_percent,
            (1.0 - 1.0 / 5.5) * 100.0
        );
        assert_eq!(r.recommendations.len(), 3);
        assert!(r.recommendations[0].starts_with("High CPU utilization detected."));
        let clear = detect(&[("g".into(), vec![10.0; 30])], &[], &[]);
        assert_eq!(
            clear.recommendations,
            vec!["No significant bottlenecks detected. Performance appears optimal."]
        );
        assert!(serde_json::to_value(&clear)
            .unwrap()
            .get("timing_bottlenecks")
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty());
    }
}
