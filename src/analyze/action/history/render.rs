//! The text form of a [`HistoryReport`]: per series a table of runs (run, time, n, mean, p95)
//! with the marked runs flagged, then its change points and the newest run's test.

use std::fmt::Write;

use super::{HistoryReport, Mark, MarkKind, SeriesHistory};
use crate::analyze::action::compare::{fmt_value, runs_text};
use crate::analyze::action::render::fmt_num;
use crate::analyze::baseline::Verdict;
use crate::metrics::selector::series_label;
use crate::store::timestamp::format_rfc3339;

/// `slower` / `faster` for timings, `worse` / `better` otherwise.
fn direction(h: &SeriesHistory, verdict: Verdict) -> &'static str {
    let timing = matches!(h.unit.as_str(), "ns" | "μs" | "us" | "ms" | "s");
    match (verdict, timing) {
        (Verdict::Regressed, true) => "slower",
        (Verdict::Regressed, false) => "worse",
        (Verdict::Improved, true) => "faster",
        (Verdict::Improved, false) => "better",
        (Verdict::Unchanged, _) => "unchanged",
    }
}

fn mark_text(h: &SeriesHistory, m: &Mark) -> String {
    let arrow = match m.verdict {
        Verdict::Regressed => "▲",
        Verdict::Improved => "▼",
        Verdict::Unchanged => "=",
    };
    let why = match m.kind {
        MarkKind::ChangePoint => "change point",
        MarkKind::LastRun => "prediction interval",
    };
    format!(
        "{arrow} {} {:+.1}% vs {} ({why}, p {})",
        direction(h, m.verdict),
        m.relative_change * 100.0,
        runs_text(&m.against_runs),
        fmt_num(m.p_value)
    )
}

fn series_text(out: &mut String, h: &SeriesHistory) {
    let _ = writeln!(
        out,
        "series {} ({}, {}): {} runs",
        series_label(&h.metric_name, &h.tags),
        h.metric_type,
        h.unit,
        h.runs.len()
    );
    let _ = writeln!(
        out,
        "{:>7}  {:<24}  {:>6}  {:>12}  {:>12}",
        "run", "time", "n", "mean", "p95"
    );
    for r in &h.runs {
        let line = format!(
            "{:>7}  {:<24}  {:>6}  {:>12}  {:>12}  {}",
            r.run_id,
            format_rfc3339(r.time),
            r.n,
            fmt_value(r.mean, &h.unit),
            fmt_value(r.p95, &h.unit),
            r.mark.as_ref().map_or(String::new(), |m| mark_text(h, m))
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(
        out,
        "change points over the run means ({}):",
        h.change_points.len()
    );
    for cp in &h.change_points {
        let _ = writeln!(
            out,
            "  at run {}: mean {} → {}, p {}",
            h.runs[cp.index].run_id,
            fmt_value(cp.mean_before, &h.unit),
            fmt_value(cp.mean_after, &h.unit),
            fmt_num(cp.p_value)
        );
    }
    if let Some(l) = &h.last_run {
        let _ = writeln!(
            out,
            "newest run {} against {}: {}, change {:+.1}%, p {} (prediction interval)",
            l.run_id,
            runs_text(&l.against_runs),
            crate::analyze::action::render::label(&l.verdict),
            l.relative_change * 100.0,
            fmt_num(l.p_value)
        );
    }
    for w in &h.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
}

/// Every series' table, a blank line between series, then the skipped selectors.
pub fn history_text(report: &HistoryReport) -> String {
    let mut out = String::new();
    for (i, h) in report.series.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        series_text(&mut out, h);
    }
    if report.series.is_empty() {
        out.push_str("no series with samples in the runs shown\n");
    }
    for s in &report.skipped {
        let _ = writeln!(out, "skipped {}: {}", s.metric, s.reason);
    }
    out
}
