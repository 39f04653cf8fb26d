//! Framework0's bottleneck rules (COMPAT §5), applied per series, and its recommendation
//! strings, in Framework0's order.
//!
//! - timing (type `timing`): p95 > 2 × mean (severity `high` above 5 ×); p95 is the
//!   `exclusive` quantile at 95 % with ≥ 20 samples (Python's exact cut-point arithmetic),
//!   else the maximum;
//! - resource (type `resource`, unit `%` — Framework0 applied the 80/95 thresholds to every
//!   resource unit, bytes included, which flags any memory size; we keep them to percentages):
//!   mean > 80 or max > 95 (`critical` when max > 95, else `high`);
//! - throughput (type `throughput`, > 5 samples): the mean of the last five < 0.8 × the mean of
//!   all (`medium`).

use crate::analyze::descriptive::mean;
use crate::report::model::{
    Bottlenecks, ResourceBottleneck, ThroughputBottleneck, TimingBottleneck,
};

/// Applies the rules to one series' samples (oldest first) and records what it finds.
pub fn judge(out: &mut Bottlenecks, label: &str, metric_type: &str, unit: &str, values: &[f64]) {
    let Ok(avg) = mean(values) else {
        return;
    };
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match metric_type {
        "timing" => {
            let p95 = if values.len() >= 20 {
                python_p95(values)
            } else {
                max
            };
            if p95 > avg * 2.0 {
                out.timing_bottlenecks.push(TimingBottleneck {
                    metric: label.to_owned(),
                    avg_time_ns: avg,
                    p95_time_ns: p95,
                    slowdown_factor: p95 / avg,
                    severity: if p95 > avg * 5.0 { "high" } else { "medium" }.to_owned(),
                });
            }
        }
        "resource" if unit == "%" && (avg > 80.0 || max > 95.0) => {
            out.resource_bottlenecks.push(ResourceBottleneck {
                metric: label.to_owned(),
                avg_usage: avg,
                max_usage: max,
                severity: if max > 95.0 { "critical" } else { "high" }.to_owned(),
            });
        }
        "throughput" if values.len() > 5 => {
            let Ok(recent) = mean(&values[values.len() - 5..]) else {
                return;
            };
            if recent < avg * 0.8 {
                out.throughput_bottlenecks.push(ThroughputBottleneck {
                    metric: label.to_owned(),
                    overall_avg: avg,
                    recent_avg: recent,
                    decline_percent: (avg - recent) / avg * 100.0,
                    severity: "medium".to_owned(),
                });
            }
        }
        _ => {}
    }
}

/// Python's `statistics.quantiles(values, n=20)[18]` (method `exclusive`) with its integer
/// cut-point arithmetic, so Framework0's numbers come out to the last digit
/// (`(x[j−1]·(n−δ) + x[j]·δ) / n` with j = ⌊19·(len+1)/20⌋ clamped to [1, len−1],
/// δ = 19·(len+1) − 20·j). Needs at least 2 values.
fn python_p95(values: &[f64]) -> f64 {
    // The two order statistics it needs by selection (O(n)), not a sort of every value.
    let mut v = values.to_vec();
    let len = v.len();
    let m = len + 1;
    let j = (19 * m / 20).clamp(1, len - 1);
    let (below, at, _) = v.select_nth_unstable_by(j, f64::total_cmp);
    let at = *at;
    let before = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let delta = (19 * m) as f64 - (20 * j) as f64;
    (before * (20.0 - delta) + at * delta) / 20.0
}

/// Framework0's recommendation strings for what was found.
pub fn recommend(b: &mut Bottlenecks) {
    let mut recs = Vec::new();
    if !b.timing_bottlenecks.is_empty() {
        let high = b
            .timing_bottlenecks
            .iter()
            .filter(|t| t.severity == "high")
            .count();
        if high > 0 {
            recs.push(format!(
                "CRITICAL: {high} functions showing severe timing bottlenecks. Consider \
                 profiling and optimizing algorithm complexity."
            ));
        }
        recs.push("Investigate caching opportunities for frequently called slow functions.".into());
    }
    if b.resource_bottlenecks
        .iter()
        .any(|r| r.metric.contains("cpu"))
    {
        recs.push(
            "High CPU utilization detected. Consider load balancing or scaling resources.".into(),
        );
    }
    if b.resource_bottlenecks
        .iter()
        .any(|r| r.metric.contains("memory"))
    {
        recs.push(
            "Memory usage approaching limits. Review memory allocation patterns and implement \
             cleanup."
                .into(),
        );
    }
    if !b.throughput_bottlenecks.is_empty() {
        recs.push(
            "Declining throughput detected. Investigate system capacity and connection pooling."
                .into(),
        );
    }
    if recs.is_empty() {
        recs.push("No significant bottlenecks detected. Performance appears optimal.".into());
    }
    b.recommendations = recs;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework0_timing_example() {
        // COMPAT §5: timing 19×100 + [5000] → avg 345.0, p95 4755.0, slowdown 13.78…, high.
        let mut values = vec![100.0; 19];
        values.push(5000.0);
        let mut b = Bottlenecks::default();
        judge(&mut b, "f", "timing", "ns", &values);
        let t = &b.timing_bottlenecks[0];
        assert_eq!((t.avg_time_ns, t.p95_time_ns), (345.0, 4755.0));
        assert_eq!(t.slowdown_factor, 13.782608695652174);
        assert_eq!(t.severity, "high");
        recommend(&mut b);
        assert_eq!(
            b.recommendations,
            [
                "CRITICAL: 1 functions showing severe timing bottlenecks. Consider profiling and \
                 optimizing algorithm complexity.",
                "Investigate caching opportunities for frequently called slow functions."
            ]
        );
    }

    #[test]
    fn resources_throughputs_and_the_all_clear() {
        let mut b = Bottlenecks::default();
        judge(&mut b, "cpu_usage_total", "resource", "%", &[90.0, 97.0]);
        judge(
            &mut b,
            "memory_used_bytes",
            "resource",
            "bytes",
            &[8e9, 9e9],
        );
        judge(
            &mut b,
            "ops",
            "throughput",
            "ops/s",
            &[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        );
        assert_eq!(b.resource_bottlenecks.len(), 1, "bytes are not percentages");
        assert_eq!(b.resource_bottlenecks[0].severity, "critical");
        assert_eq!(b.throughput_bottlenecks.len(), 1);
        recommend(&mut b);
        assert_eq!(b.recommendations.len(), 2);
        let mut none = Bottlenecks::default();
        judge(&mut none, "t", "timing", "ns", &[1.0, 1.1]);
        recommend(&mut none);
        assert_eq!(
            none.recommendations,
            ["No significant bottlenecks detected. Performance appears optimal."]
        );
    }

    proptest::proptest! {
        #[test]
        fn p95_by_selection_equals_the_sorted_formula(
            values in proptest::collection::vec(-1e6f64..1e6, 20..400),
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let (len, m) = (sorted.len(), sorted.len() + 1);
            let j = (19 * m / 20).clamp(1, len - 1);
            let delta = (19 * m) as f64 - (20 * j) as f64;
            let want = (sorted[j - 1] * (20.0 - delta) + sorted[j] * delta) / 20.0;
            proptest::prop_assert_eq!(python_p95(&values).to_bits(), want.to_bits());
        }
    }
}
