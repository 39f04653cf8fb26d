//! The text table and the Markdown table (for a CI job summary) of a [`CompareReport`]. Pure
//! functions of the report; names, tags and recipe names are escaped for Markdown.

use std::fmt::Write;

use super::{Basis, CompareReport, CompareRow, RowVerdict};
use crate::analyze::action::render::label;
use crate::analyze::baseline::SignificanceTest;
use crate::metrics::selector::series_label;

/// `v` with 4 significant digits, without trailing zeros.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - magnitude).clamp(0, 9) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A value in its unit, durations and sizes scaled to read well (`60.21 ms`, `1.5 MiB`).
pub fn fmt_value(v: f64, unit: &str) -> String {
    let ns = match unit {
        "ns" => Some(v),
        "μs" | "us" => Some(v * 1e3),
        "ms" => Some(v * 1e6),
        "s" => Some(v * 1e9),
        _ => None,
    };
    if let Some(ns) = ns {
        let (div, u) = match ns.abs() {
            a if a >= 1e9 => (1e9, "s"),
            a if a >= 1e6 => (1e6, "ms"),
            a if a >= 1e3 => (1e3, "µs"),
            _ => (1.0, "ns"),
        };
        return format!("{} {u}", short(ns / div));
    }
    if unit == "bytes" {
        let (div, u) = match v.abs() {
            a if a >= 1024.0 * 1024.0 * 1024.0 => (1024.0 * 1024.0 * 1024.0, "GiB"),
            a if a >= 1024.0 * 1024.0 => (1024.0 * 1024.0, "MiB"),
            a if a >= 1024.0 => (1024.0, "KiB"),
            _ => (1.0, "B"),
        };
        return format!("{} {u}", short(v / div));
    }
    match unit {
        "" | "count" => short(v),
        u => format!("{} {u}", short(v)),
    }
}

/// `runs 1–5`, `run 6`, `runs 1, 3, 4`.
pub fn runs_text(runs: &[i64]) -> String {
    match runs {
        [] => "no runs".to_owned(),
        [one] => format!("run {one}"),
        [first, .., last] if runs.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("runs {first}–{last}")
        }
        many => format!(
            "runs {}",
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn pct(v: f64) -> String {
    format!("{:+.1}%", v * 100.0)
}

fn test_name(t: SignificanceTest) -> &'static str {
    match t {
        SignificanceTest::Welch => "welch",
        SignificanceTest::MannWhitney => "mann-whitney",
        SignificanceTest::PredictionInterval => "prediction interval",
    }
}

fn verdict_name(v: RowVerdict) -> &'static str {
    match v {
        RowVerdict::Regressed => "regressed",
        RowVerdict::Improved => "improved",
        RowVerdict::Unchanged => "unchanged",
        RowVerdict::InsufficientData => "insufficient data",
    }
}

const HEADER: [&str; 8] = [
    "verdict", "series", "n", "before", "after", "change", "interval", "p",
];

/// The cells of one row, unescaped.
fn cells(r: &CompareRow) -> Vec<String> {
    let mean = |m: Option<f64>| m.map_or("-".to_owned(), |v| fmt_value(v, &r.unit));
    let before = match (r.basis, r.before.baseline_id) {
        (Basis::Baseline, Some(id)) => format!("{} (#{id})", mean(r.before.mean)),
        _ => mean(r.before.mean),
    };
    vec![
        verdict_name(r.verdict).to_owned(),
        series_label(&r.metric_name, &r.tags),
        format!("{} → {}", r.before.n, r.after.n),
        before,
        mean(r.after.mean),
        r.relative_change.map_or("-".to_owned(), pct),
        r.interval.map_or("-".to_owned(), |i| {
            format!("[{}, {}]", pct(i.lower), pct(i.upper))
        }),
        match (r.p_value, r.test) {
            (Some(p), Some(t)) => format!("{} ({})", short(p), test_name(t)),
            _ => "-".to_owned(),
        },
    ]
}

fn title(report: &CompareReport) -> String {
    let against = match report.run_a {
        Some(a) => format!("run {}", a),
        None => "stored baselines".to_owned(),
    };
    format!(
        "run {} against {against} (recipe {}), threshold {}%, alpha {}, test {}",
        report.run_b,
        report.recipe,
        short(report.threshold * 100.0),
        report.alpha,
        label(&report.test)
    )
}

fn window_note(report: &CompareReport) -> Option<String> {
    report.window_runs.as_ref().map(|[a, b]| {
        format!(
            "series with one sample per run are compared across runs: {} against {} (window {}; \
             one sample on a side: prediction-interval test)",
            runs_text(a),
            runs_text(b),
            report.window
        )
    })
}

/// The rows without a verdict (their reasons are listed below the table).
fn insufficient(report: &CompareReport) -> impl Iterator<Item = &CompareRow> {
    report
        .rows
        .iter()
        .filter(|r| r.verdict == RowVerdict::InsufficientData)
}

fn summary(report: &CompareReport) -> String {
    let c = &report.counts;
    format!(
        "{} regressed, {} improved, {} unchanged, {} insufficient data",
        c.regressed, c.improved, c.unchanged, c.insufficient_data
    )
}

/// The text table: a title line, the window note, one row per series (worst first), the
/// reasons of rows without a verdict, and the counts.
pub fn compare_text(report: &CompareReport) -> String {
    let mut out = format!("compare {}\n", title(report));
    if let Some(note) = window_note(report) {
        let _ = writeln!(out, "{note}");
    }
    let mut table: Vec<Vec<String>> = vec![HEADER.iter().map(|h| (*h).to_owned()).collect()];
    table.extend(report.rows.iter().map(cells));
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| match c {
                2..=5 => format!("{cell:>w$}"),
                _ => format!("{cell:<w$}"),
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    for r in insufficient(report) {
        let _ = writeln!(
            out,
            "  {}: {}",
            series_label(&r.metric_name, &r.tags),
            r.reason.as_deref().unwrap_or_default()
        );
    }
    for s in &report.skipped {
        let _ = writeln!(out, "skipped {}: {}", s.metric, s.reason);
    }
    let _ = writeln!(out, "{}", summary(report));
    out
}

/// `s` safe inside a Markdown table cell: `\`, `|`, backticks and emphasis characters
/// backslash-escaped, `<`, `>`, `&` as entities, line breaks as `<br>`.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A GitHub-flavoured Markdown report (e.g. for `$GITHUB_STEP_SUMMARY`): a heading, the
/// window note, a table worst first (regressions in bold), the reasons and the counts.
pub fn compare_markdown(report: &CompareReport) -> String {
    let mut out = format!("### f0 compare: {}\n\n", md_escape(&title(report)));
    if let Some(note) = window_note(report) {
        let _ = writeln!(out, "{}\n", md_escape(&note));
    }
    let _ = writeln!(out, "| {} |", HEADER.join(" | "));
    let _ = writeln!(out, "|:--|:--|--:|--:|--:|--:|:--|:--|");
    for r in &report.rows {
        let mut c: Vec<String> = cells(r).iter().map(|x| md_escape(x)).collect();
        if r.verdict == RowVerdict::Regressed {
            c[0] = format!("**{}**", c[0]);
        }
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
    out.push('\n');
    for r in insufficient(report) {
        let _ = writeln!(
            out,
            "- {}: {}",
            md_escape(&series_label(&r.metric_name, &r.tags)),
            md_escape(r.reason.as_deref().unwrap_or_default())
        );
    }
    for s in &report.skipped {
        let _ = writeln!(
            out,
            "- skipped {}: {}",
            md_escape(&s.metric),
            md_escape(&s.reason)
        );
    }
    let _ = writeln!(out, "\n{}", summary(report));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_in_their_unit() {
        assert_eq!(fmt_value(60_210_000.0, "ns"), "60.21 ms");
        assert_eq!(fmt_value(1.5, "s"), "1.5 s");
        assert_eq!(fmt_value(950.0, "ns"), "950 ns");
        assert_eq!(fmt_value(20.0, "ms"), "20 ms");
        assert_eq!(fmt_value(1536.0, "bytes"), "1.5 KiB");
        assert_eq!(fmt_value(7.0, "count"), "7");
        assert_eq!(fmt_value(42.5, "%"), "42.5 %");
        assert_eq!(runs_text(&[1, 2, 3]), "runs 1–3");
        assert_eq!(runs_text(&[1, 3]), "runs 1, 3");
        assert_eq!(runs_text(&[6]), "run 6");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(
            md_escape("a|b`c`\n<script>&*_x_*"),
            "a\\|b\\`c\\`<br>&lt;script&gt;&amp;\\*\\_x\\_\\*"
        );
        assert!(!md_escape("x\ny|z").contains('\n'));
    }
}
