//! Text rendering of an [`AnalysisReport`] and a [`ChangePointReport`]: the tables
//! `f0 analyze` and `f0 changepoints` print. Pure functions of the report, so the output is
//! tested exactly; the JSON form is the report itself (serde).

use std::fmt::Write;

use super::report::{MetricAnalysis, TrendReport};
use super::{AnalysisReport, ChangePointReport};
use crate::analyze::changepoint::ChangePoint;
use crate::metrics::selector::series_label;
use crate::store::timestamp::format_rfc3339;
use crate::store::BaselineScope;

/// A number with at most 6 significant digits, without trailing zeros (`26705`, `0.0123457`).
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5 - magnitude).clamp(0, 9) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The JSON spelling of a unit-like enum (`increasing`, `regressed`).
pub fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Every analysed metric's tables, a blank line between metrics, then the skipped ones.
pub fn analysis_text(report: &AnalysisReport) -> String {
    let mut out = String::new();
    for (i, m) in report.metrics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        metric_text(&mut out, m, &report.timeframe);
    }
    for s in &report.skipped {
        let _ = writeln!(out, "skipped {}: {}", s.metric, s.reason);
    }
    out
}

/// The change-point report: its header line and table.
pub fn change_points_text(report: &ChangePointReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "metric {}: {} samples, timeframe {}, window {}, max p {}, min magnitude {}",
        series_label(&report.metric_name, &report.tags),
        report.sample_count,
        report.timeframe,
        report.parameters.window_len,
        report.parameters.max_pvalue,
        report.parameters.min_magnitude
    );
    change_point_table(&mut out, &report.change_points);
    out
}

fn metric_text(out: &mut String, m: &MetricAnalysis, timeframe: &str) {
    summary_text(out, m, timeframe);
    if let Some(t) = &m.trend {
        trend_text(out, t);
    }
    verdict_text(out, m);
    if m.summary.is_some() {
        let _ = writeln!(out, "change points ({}):", m.change_points.len());
        change_point_table(out, &m.change_points);
        anomaly_table(out, m);
        super::online::render(out, m);
    }
    for w in &m.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
}

/// How a result names what it stands for.
fn result_label(m: &MetricAnalysis) -> String {
    let series = series_label(&m.metric_name, &m.tags);
    match m.scope {
        BaselineScope::Series => series,
        BaselineScope::Group => format!(
            "{series} (by {}; {} series)",
            m.grouped_by.join(", "),
            m.members.len()
        ),
        BaselineScope::Pooled => format!("{series} (pooled, {} series)", m.members.len()),
    }
}

fn trend_text(out: &mut String, t: &TrendReport) {
    let f = &t.forecast;
    let ahead = format!(
        "forecast {} s ahead{}",
        fmt_num(f.horizon_seconds),
        if f.horizon_basis == "span" {
            " (one span of the data)"
        } else {
            ""
        }
    );
    let forecast = match (f.value, f.lower, f.upper, &f.reason) {
        (Some(v), Some(lo), Some(hi), _) => format!(
            "{ahead}: {} [{}, {}] ({}% prediction interval)",
            fmt_num(v),
            fmt_num(lo),
            fmt_num(hi),
            fmt_num(f.level * 100.0)
        ),
        (Some(v), _, _, _) => format!("{ahead}: {}", fmt_num(v)),
        (None, _, _, reason) => format!(
            "{ahead}: not meaningful ({})",
            reason.as_deref().unwrap_or("no forecast")
        ),
    };
    let _ = write!(
        out,
        "trend: {}, slope {} per s, r² {}; {forecast}",
        label(&t.trend_direction),
        fmt_num(t.slope),
        fmt_num(t.r_squared),
    );
    if let Some(next_hour) = t.forecast_next_hour {
        let _ = write!(
            out,
            "; Framework0 next hour {} (confidence {})",
            fmt_num(next_hour),
            fmt_num(t.forecast_confidence)
        );
    }
    out.push('\n');
}

fn summary_text(out: &mut String, m: &MetricAnalysis, timeframe: &str) {
    let count = match m.sample_count {
        1 => "1 sample".to_owned(),
        n => format!("{n} samples"),
    };
    let _ = writeln!(
        out,
        "metric {} ({}, {}): {count}, timeframe {timeframe}",
        result_label(m),
        m.metric_type,
        m.unit
    );
    if m.scope != BaselineScope::Series {
        let _ = writeln!(out, "  {:<12} {}", "series", m.members.join("; "));
    }
    let Some(summary) = &m.summary else {
        return;
    };
    let s = &summary.summary;
    if let Some((a, b)) = s.time_range {
        let _ = writeln!(
            out,
            "  {:<12} {} .. {}",
            "time",
            format_rfc3339(a),
            format_rfc3339(b)
        );
    }
    let opt = |v: Option<f64>| v.map_or("-".to_owned(), fmt_num);
    for (label, value) in [
        ("mean", fmt_num(s.mean)),
        ("median", fmt_num(s.median)),
        ("mode", opt(s.mode)),
        ("std_dev", fmt_num(s.std_dev)),
        ("variance", fmt_num(s.variance)),
        ("min", fmt_num(s.min_value)),
        ("max", fmt_num(s.max_value)),
        ("range", fmt_num(s.range_span)),
        ("skewness", opt(s.skewness)),
        ("kurtosis", opt(s.kurtosis)),
    ] {
        let _ = writeln!(out, "  {label:<12} {value}");
    }
    let percentiles: Vec<String> = s
        .percentiles
        .iter()
        .map(|(p, v)| format!("p{p} {}", fmt_num(v)))
        .collect();
    let _ = writeln!(
        out,
        "  {:<12} {} ({})",
        "percentiles",
        percentiles.join("  "),
        summary.percentile_method.name()
    );
}

fn verdict_text(out: &mut String, m: &MetricAnalysis) {
    if let Some(b) = &m.baseline_comparison {
        let c = &b.comparison;
        let scope = match b.baseline_scope {
            BaselineScope::Series => String::new(),
            other => format!("{other}, "),
        };
        let _ = writeln!(
            out,
            "baseline #{} ({scope}{} samples, mean {}): {}, change {:+.2}% [{:+.2}%, {:+.2}%], p {} ({}), threshold {}%",
            b.baseline_id,
            b.baseline_sample_count,
            fmt_num(c.baseline_mean),
            label(&c.verdict),
            c.relative_change * 100.0,
            c.interval.lower * 100.0,
            c.interval.upper * 100.0,
            fmt_num(c.p_value),
            label(&c.test),
            fmt_num(b.regression_threshold * 100.0),
        );
    }
    if let Some(d) = &m.drift {
        let _ = writeln!(
            out,
            "drift across {} runs: {} (Mann–Kendall p {}, Sen slope {} per run)",
            d.runs.len(),
            label(&d.drift.verdict),
            fmt_num(d.drift.test.p_value),
            fmt_num(d.drift.test.sen_slope)
        );
    }
}

fn anomaly_table(out: &mut String, m: &MetricAnalysis) {
    let _ = writeln!(out, "anomalies ({}):", m.anomalies.len());
    if !m.anomalies.is_empty() {
        let _ = writeln!(
            out,
            "{:>7}  {:<30}  {:>12}  {:<16}  {:>10}  {:>12}  {:>10}",
            "index", "time", "value", "method", "confidence", "baseline", "deviation"
        );
    }
    for a in &m.anomalies {
        let _ = writeln!(
            out,
            "{:>7}  {:<30}  {:>12}  {:<16}  {:>10}  {:>12}  {:>10}",
            a.index,
            format_rfc3339(a.metric.timestamp),
            fmt_num(a.metric.value),
            a.detection_method,
            fmt_num(a.confidence_score),
            fmt_num(a.baseline_value),
            fmt_num(a.deviation_magnitude)
        );
    }
}

/// The change-point table: index, time, means before and after, magnitude, p-value.
fn change_point_table(out: &mut String, cps: &[ChangePoint]) {
    if cps.is_empty() {
        out.push_str("no change points\n");
        return;
    }
    let _ = writeln!(
        out,
        "{:>7}  {:<30}  {:>12}  {:>12}  {:>10}  {:>10}",
        "index", "time", "mean before", "mean after", "magnitude", "p-value"
    );
    for cp in cps {
        let _ = writeln!(
            out,
            "{:>7}  {:<30}  {:>12}  {:>12}  {:>10}  {:>10}",
            cp.index,
            cp.time.map_or("-".to_owned(), format_rfc3339),
            fmt_num(cp.mean_before),
            fmt_num(cp.mean_after),
            fmt_num(cp.magnitude),
            fmt_num(cp.p_value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_num;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(26705.0), "26705");
        assert_eq!(fmt_num(45.0), "45");
        assert_eq!(fmt_num(30.276503540974918), "30.2765");
        assert_eq!(fmt_num(0.012345678), "0.0123457");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1.5e-7), "1.50000e-7");
        assert_eq!(fmt_num(1e300), "1.00000e300");
    }
}
