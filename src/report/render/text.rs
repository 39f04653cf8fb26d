//! The plain-text report in Framework0's layout (its `MetricsReporter._format_text_report`): a
//! 60-character `=` rule, the title `Framework0 Performance Metrics Report`, `Generated:`, then
//! `STATISTICAL SUMMARY`, `TREND ANALYSIS`, `BOTTLENECK ANALYSIS` and `RECOMMENDATIONS`, each
//! underlined with dashes as long as Framework0's, `Metric: ` blocks with two-space indented
//! `Label: value` lines, `• ` recommendations and a closing rule — so scripts that read it keep
//! working.
//!
//! Additions, each on lines of their own: `Generator:` (our ownership mark), `Title:`,
//! `Recipe:`, `Timeframe:` and `Percentiles:` in the header; a `VERDICTS` section before the
//! statistics; per metric the percentile ladder, anomalies, change points and history; per
//! trend the forecast; bottleneck details and the profile's count. Series are labelled
//! `name{tag="value"}`; every user string is escaped so it cannot break a line.

use std::fmt::Write as _;

use super::{counts_line, headline_numbers, window_line};
use crate::report::args::DEFAULT_TITLE;
use crate::report::escape::text as esc;
use crate::report::model::{Report, SeriesReport};
use crate::report::numfmt::{num, time, with_unit};

const RULE: &str = "============================================================";

/// Renders the text report.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    header(&mut o, r);
    verdicts(&mut o, r);
    statistics(&mut o, r);
    trends(&mut o, r);
    bottlenecks(&mut o, r);
    o.push_str("RECOMMENDATIONS\n");
    o.push_str(&"-".repeat(15));
    o.push('\n');
    for rec in &r.recommendations {
        let _ = writeln!(o, "• {}", esc(rec));
    }
    o.push_str(RULE);
    o.push('\n');
    o
}

fn header(o: &mut String, r: &Report) {
    let _ = writeln!(o, "{RULE}\nFramework0 Performance Metrics Report\n{RULE}");
    let _ = writeln!(o, "Generated: {}", time(r.generated_at_ns));
    let _ = writeln!(
        o,
        "Generator: f0 report (framework0-rs {})",
        env!("CARGO_PKG_VERSION")
    );
    if r.title != DEFAULT_TITLE {
        let _ = writeln!(o, "Title: {}", esc(&r.title));
    }
    if let Some(recipe) = &r.recipe {
        let run = r.run_id.map_or(String::new(), |id| format!(" (run {id})"));
        let _ = writeln!(o, "Recipe: {}{run}", esc(recipe));
    }
    let _ = writeln!(o, "Timeframe: {}", esc(&window_line(r)));
    let _ = writeln!(
        o,
        "Percentiles: {} (Hyndman–Fan type {})",
        r.percentile_method.name(),
        r.percentile_method.hyndman_fan_type()
    );
    for n in &r.notes {
        let _ = writeln!(o, "Note: {}", esc(n));
    }
    o.push('\n');
}

fn verdicts(o: &mut String, r: &Report) {
    o.push_str("VERDICTS\n--------\n");
    for h in &r.headline {
        let t = headline_numbers(h);
        let _ = write!(o, "{:<13}{}", h.verdict.as_str(), esc(&h.label));
        if h.p_value.is_some() {
            let _ = write!(
                o,
                ": {} {} vs {} (mean {} → {}, p {})",
                t.change,
                t.interval,
                esc(&h.basis),
                t.reference_mean,
                t.mean,
                t.p
            );
        }
        if let Some(why) = &h.reason {
            let _ = write!(o, " — {}", esc(why));
        }
        o.push('\n');
    }
    let _ = writeln!(o, "Totals: {}\n", counts_line(r));
}

fn statistics(o: &mut String, r: &Report) {
    o.push_str("STATISTICAL SUMMARY\n");
    o.push_str(&"-".repeat(20));
    o.push('\n');
    for s in &r.series {
        let _ = writeln!(o, "Metric: {}", esc(&s.label));
        let Some(sum) = &s.summary else {
            let _ = writeln!(o, "  Samples: {}", s.points.sample_count);
            if let Some(v) = s.points.values.first() {
                let _ = writeln!(
                    o,
                    "  Value: {} (statistics need at least 2 samples)",
                    num(*v)
                );
            }
            o.push('\n');
            continue;
        };
        let _ = writeln!(o, "  Samples: {}", sum.sample_count);
        let _ = writeln!(o, "  Mean: {:.2}", sum.mean);
        let _ = writeln!(o, "  Median: {:.2}", sum.median);
        let _ = writeln!(o, "  Std Dev: {:.2}", sum.std_dev);
        match sum.percentiles.get(95.0) {
            Some(p95) => _ = writeln!(o, "  P95: {p95:.2}"),
            None => o.push_str("  P95: N/A\n"),
        }
        let _ = writeln!(o, "  Unit: {}", esc(&s.unit));
        if let Some(d) = &s.distribution {
            let ladder: Vec<String> = d
                .ladder
                .iter()
                .map(|r| format!("p{} {}", r.percent, num(r.value)))
                .collect();
            let _ = writeln!(
                o,
                "  Percentiles ({}): {}",
                d.percentile_method.name(),
                ladder.join(", ")
            );
        }
        extras(o, s);
        o.push('\n');
    }
}

fn extras(o: &mut String, s: &SeriesReport) {
    let a = &s.anomalies;
    if a.count > 0 {
        let per: Vec<String> = a
            .by_method
            .iter()
            .map(|(m, n)| format!("{m} {n}"))
            .collect();
        let _ = writeln!(o, "  Anomalies: {} ({})", a.count, per.join(", "));
    }
    for cp in &s.change_points {
        let at = cp.time.map_or(format!("sample {}", cp.index), time);
        let _ = writeln!(
            o,
            "  Change point: {at}: mean {} → {} ({:+.1}%, p {})",
            num(cp.mean_before),
            num(cp.mean_after),
            cp.forward_change_percent,
            crate::report::numfmt::p_value(cp.p_value)
        );
    }
    let h = &s.history;
    if h.runs.len() > 1 {
        let changed = if h.change_runs.is_empty() {
            String::new()
        } else {
            let runs: Vec<String> = h.change_runs.iter().map(|r| format!("run {r}")).collect();
            format!("; per-run mean changed at {}", runs.join(", "))
        };
        let _ = writeln!(o, "  History: {} runs{changed}", h.runs.len());
    }
    for w in &s.warnings {
        let _ = writeln!(o, "  Warning: {}", esc(w));
    }
}

fn trends(o: &mut String, r: &Report) {
    o.push_str("TREND ANALYSIS\n");
    o.push_str(&"-".repeat(14));
    o.push('\n');
    for s in &r.series {
        let Some(t) = &s.trend else { continue };
        let dir = super::direction_name(t.direction);
        let _ = writeln!(o, "Metric: {}", esc(&s.label));
        let _ = writeln!(o, "  Direction: {dir}");
        let _ = writeln!(o, "  Slope: {:.6}", t.slope);
        let _ = writeln!(o, "  R²: {:.3}", t.r_squared);
        match (&t.forecast, &t.forecast_note) {
            (Some(f), _) => {
                let _ = writeln!(
                    o,
                    "  Forecast (+{} s): {} [{}, {}] ({}% prediction interval)",
                    num(f.horizon_seconds),
                    with_unit(f.value, &s.unit),
                    num(f.lower),
                    num(f.upper),
                    num(f.level * 100.0)
                );
            }
            (None, Some(note)) => _ = writeln!(o, "  Forecast: {}", esc(note)),
            (None, None) => {}
        }
        o.push('\n');
    }
}

fn bottlenecks(o: &mut String, r: &Report) {
    let b = &r.bottlenecks;
    o.push_str("BOTTLENECK ANALYSIS\n");
    o.push_str(&"-".repeat(19));
    o.push('\n');
    let _ = writeln!(o, "Timing bottlenecks: {}", b.timing_bottlenecks.len());
    let _ = writeln!(o, "Resource bottlenecks: {}", b.resource_bottlenecks.len());
    let _ = writeln!(
        o,
        "Throughput bottlenecks: {}",
        b.throughput_bottlenecks.len()
    );
    for t in &b.timing_bottlenecks {
        let _ = writeln!(
            o,
            "  - {}: p95 {:.2} ns = {:.2}× mean {:.2} ({})",
            esc(&t.metric),
            t.p95_time_ns,
            t.slowdown_factor,
            t.avg_time_ns,
            t.severity
        );
    }
    for x in &b.resource_bottlenecks {
        let _ = writeln!(
            o,
            "  - {}: mean {:.2}, max {:.2} ({})",
            esc(&x.metric),
            x.avg_usage,
            x.max_usage,
            x.severity
        );
    }
    for x in &b.throughput_bottlenecks {
        let _ = writeln!(
            o,
            "  - {}: last five {:.2} vs {:.2} overall (-{:.1}%)",
            esc(&x.metric),
            x.recent_avg,
            x.overall_avg,
            x.decline_percent
        );
    }
    if let Some(p) = &r.profile {
        let _ = writeln!(
            o,
            "Profile bottlenecks: {} (metrics.last_profile)",
            p.rows.len()
        );
        for row in p.rows.iter().take(10) {
            let cells: Vec<String> = p
                .columns
                .iter()
                .zip(row)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
                .collect();
            let _ = writeln!(o, "  - {}", cells.join(", "));
        }
    }
    o.push('\n');
}
