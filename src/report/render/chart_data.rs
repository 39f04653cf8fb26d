//! What the dashboard's script draws, derived from the model in a compact shape: per chart a
//! time origin `t0` (epoch ms) and offsets in ms (to the µs), values as the shortest exact
//! decimal, and run ids run-length encoded. The statistics tables are rendered by the server
//! side; this is only what the charts need.

use serde::Serialize;

use crate::report::model::{Points, Report, SeriesReport};

#[derive(Serialize)]
pub(super) struct ChartData<'a> {
    series: Vec<SeriesChart<'a>>,
    system: Vec<SystemChart<'a>>,
}

#[derive(Serialize)]
struct Line<'a> {
    label: &'a str,
    t0: i64,
    x: Vec<f64>,
    y: &'a [f64],
    /// `[first index, run id]` for each stretch of samples of one run.
    runs: Vec<(usize, Option<i64>)>,
}

#[derive(Serialize)]
struct SeriesChart<'a> {
    id: &'a str,
    unit: &'a str,
    line: Line<'a>,
    /// `[lower, centre, upper, source]`.
    band: Option<(f64, f64, f64, &'a str)>,
    /// Indexes into the line of the marked anomalies.
    anomalies: Vec<usize>,
    /// `[offset ms, mean before, mean after]`.
    change_points: Vec<(f64, f64, f64)>,
    /// `[offset ms at start, value, offset ms at end, value]` of the fitted line and
    /// `[offset ms, value, lower, upper]` of the forecast.
    trend: Option<TrendChart>,
    histogram: Option<(&'a [f64], &'a [u64])>,
    /// `[percent, value]`.
    ladder: Vec<(f64, f64)>,
    /// `[run id, started ms, mean, p95, samples]`.
    history: Vec<(i64, i64, f64, f64, usize)>,
    change_runs: &'a [i64],
}

#[derive(Serialize)]
struct TrendChart {
    line: (f64, f64, f64, f64),
    forecast: Option<(f64, f64, f64, f64)>,
}

#[derive(Serialize)]
struct SystemChart<'a> {
    id: String,
    title: &'a str,
    unit: &'a str,
    lines: Vec<Line<'a>>,
}

fn ms(ns: i64, t0_ms: i64) -> f64 {
    // Whole µs, then ms: exact in f64 for any span a report covers.
    ((ns / 1_000) - t0_ms * 1_000) as f64 / 1_000.0
}

fn line<'a>(label: &'a str, p: &'a Points) -> Line<'a> {
    let t0 = p.ts_ns.first().map_or(0, |t| t.div_euclid(1_000_000));
    let mut runs: Vec<(usize, Option<i64>)> = Vec::new();
    for (i, r) in p.run_ids.iter().enumerate() {
        if runs.last().map_or(true, |(_, last)| last != r) {
            runs.push((i, *r));
        }
    }
    Line {
        label,
        t0,
        x: p.ts_ns.iter().map(|&t| ms(t, t0)).collect(),
        y: &p.values,
        runs,
    }
}

fn series_chart(s: &SeriesReport) -> SeriesChart<'_> {
    let l = line(&s.label, &s.points);
    let t0 = l.t0;
    let anomalies = s
        .anomalies
        .marks
        .iter()
        .filter_map(|m| {
            s.points
                .ts_ns
                .iter()
                .zip(&s.points.values)
                .position(|(t, v)| *t == m.ts_ns && *v == m.value)
        })
        .collect();
    let trend = s.trend.as_ref().map(|t| {
        let at = |ns: i64| t.intercept + t.slope * ((ns - t.start_ns) as f64 / 1e9);
        TrendChart {
            line: (
                ms(t.start_ns, t0),
                at(t.start_ns),
                ms(t.end_ns, t0),
                at(t.end_ns),
            ),
            forecast: t
                .forecast
                .as_ref()
                .map(|f| (ms(f.at_ns, t0), f.value, f.lower, f.upper)),
        }
    });
    SeriesChart {
        id: &s.id,
        unit: &s.unit,
        band: s
            .band
            .as_ref()
            .map(|b| (b.lower, b.centre, b.upper, b.source.as_str())),
        anomalies,
        change_points: crate::report::gather::series::drawn_change_points(&s.change_points)
            .filter_map(|c| Some((ms(c.time?, t0), c.mean_before, c.mean_after)))
            .collect(),
        trend,
        histogram: s
            .distribution
            .as_ref()
            .map(|d| (&d.histogram.edges[..], &d.histogram.counts[..])),
        ladder: s.distribution.as_ref().map_or(Vec::new(), |d| {
            d.ladder.iter().map(|r| (r.percent, r.value)).collect()
        }),
        history: s
            .history
            .runs
            .iter()
            .map(|r| {
                (
                    r.run_id,
                    r.started_ns.div_euclid(1_000_000),
                    r.mean,
                    r.p95,
                    r.count,
                )
            })
            .collect(),
        change_runs: &s.history.change_runs,
        line: l,
    }
}

/// The charts' data of `r`.
pub(super) fn chart_data(r: &Report) -> ChartData<'_> {
    ChartData {
        series: r.series.iter().map(series_chart).collect(),
        system: r
            .system
            .iter()
            .flat_map(|s| &s.panels)
            .map(|p| SystemChart {
                id: format!("sys-{}", p.key),
                title: &p.title,
                unit: &p.unit,
                lines: p.lines.iter().map(|l| line(&l.label, &l.points)).collect(),
            })
            .collect(),
    }
}
