//! Gathering the report model from a store and the context: which series ([`select`]), per
//! series its window's analysis ([`series`]), verdict ([`verdict`]) and history across runs
//! ([`history`]); the system overview ([`system`]); Framework0's bottleneck rules
//! ([`bottleneck`]); the last profile ([`profile`]).
//!
//! Selection and verdicts are the analyze action's: its selector resolution, its per-series
//! baselines and results, its comparison rule ([`verdict`]). The statistics of each window are
//! computed once per series with the analysis engine's functions ([`series`]), on every core
//! while the next series are still being read ([`pipeline`]).

pub mod bottleneck;
pub mod history;
pub mod pipeline;
pub mod profile;
pub mod read;
pub mod select;
pub mod series;
pub mod system;
pub mod verdict;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::Value;

use self::select::SeriesData;
use self::series::{analyze_window, own_band, points};
use self::verdict::higher_is_better;
use crate::analyze::action::args::AnomalySettings;
use crate::analyze::changepoint::HunterParams;
use crate::analyze::quantile::PercentileMethod;
use crate::metrics::selector::tag_string;
use crate::report::args::ReportArgs;
use crate::report::error::ReportError;
use crate::report::model::{
    Band, Bottlenecks, Headline, Points, Report, SeriesReport, Skipped, VerdictKind, WindowInfo,
    GENERATOR, MODEL_VERSION,
};
use crate::report::numfmt::{num, p_value, pct};
use crate::store::Store;

/// Drawn points per report: charts share this budget (each gets 400–2,000 points; a chart is
/// well under 1,000 pixels wide).
pub const TOTAL_POINTS: usize = 80_000;
/// The most points one chart draws.
pub const MAX_POINTS: usize = 2_000;
const MIN_POINTS: usize = 400;

/// How every series is analysed.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Quantile definition.
    pub percentile_method: PercentileMethod,
    /// The smallest relative change called a regression or improvement.
    pub regression_threshold: f64,
    /// Anomaly detectors.
    pub anomalies: AnomalySettings,
    /// Change-point parameters.
    pub change_points: HunterParams,
    /// Points per chart.
    pub points_per_chart: usize,
    /// The running run, if any.
    pub current_run: Option<i64>,
    /// The one run the window covers, if it covers one.
    pub window_run: Option<i64>,
}

/// What the context holds for the report (each part optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextInputs {
    /// `metrics.last_analysis`.
    pub last_analysis: Option<Value>,
    /// `metrics.last_collection`.
    pub last_collection: Option<Value>,
    /// `metrics.last_profile`.
    pub last_profile: Option<Value>,
    /// `metrics.baselines.<metric>`, by metric.
    pub baselines: HashMap<String, Value>,
}

/// One report to gather.
#[derive(Debug, Clone, PartialEq)]
pub struct GatherRequest<'a> {
    /// The parsed arguments.
    pub args: &'a ReportArgs,
    /// Now, epoch ns.
    pub now_ns: i64,
    /// The running run, if any.
    pub current_run: Option<i64>,
    /// The running recipe's name, if any.
    pub recipe: Option<String>,
    /// The regression threshold in force.
    pub regression_threshold: f64,
    /// Where relative paths of the context (a flamegraph) resolve.
    pub base_dir: PathBuf,
    /// The context's inputs.
    pub context: ContextInputs,
}

/// Gathers the report model.
pub fn gather(store: &Store, req: &GatherRequest<'_>) -> Result<Report, ReportError> {
    let args = req.args;
    let plan = select::plan(
        store,
        &args.metrics,
        args.window,
        req.now_ns,
        req.current_run,
    )?;
    let mut settings = Settings {
        percentile_method: args.percentile_method,
        regression_threshold: req.regression_threshold,
        anomalies: AnomalySettings::default(),
        change_points: HunterParams::default(),
        points_per_chart: MAX_POINTS,
        current_run: req.current_run,
        window_run: plan.window.run_id,
    };
    let mut bottlenecks = Bottlenecks::default();
    let (headline, series, skipped) =
        analyse_all(store, &plan, &mut settings, req, &mut bottlenecks)?;
    let n = series.len();
    let system = system::overview(
        store,
        &plan.window,
        settings.points_per_chart,
        &mut bottlenecks,
    )?;
    bottleneck::recommend(&mut bottlenecks);
    let mut notes = notes(req, &settings, n);
    let profile = req
        .context
        .last_profile
        .as_ref()
        .and_then(|p| profile::section(p, &req.base_dir, &mut notes));
    let mut recommendations = verdict_recommendations(&headline, &series);
    recommendations.extend(bottlenecks.recommendations.iter().cloned());
    let from_ns = series
        .iter()
        .filter_map(|s| s.points.ts_ns.first())
        .min()
        .copied();
    let to_ns = series
        .iter()
        .filter_map(|s| s.points.ts_ns.last())
        .max()
        .copied();
    Ok(Report {
        generator: GENERATOR.to_owned(),
        kind: "report".to_owned(),
        version: MODEL_VERSION,
        title: args.title.clone(),
        generated_at_ns: req.now_ns,
        window: WindowInfo {
            timeframe: args.window.to_string(),
            run_id: plan.window.run_id,
            from_ns,
            to_ns,
        },
        recipe: req.recipe.clone(),
        run_id: req.current_run,
        selectors: args.metrics.iter().map(ToString::to_string).collect(),
        percentile_method: args.percentile_method,
        verdict_counts: verdict::counts(&headline),
        headline,
        series,
        skipped,
        system,
        bottlenecks,
        profile,
        recommendations,
        notes,
    })
}

/// Headline rows and series reports (worst first, with ids), and what was left out.
type Analysed = (Vec<Headline>, Vec<SeriesReport>, Vec<Skipped>);

/// The headline rows and series reports of every selected series, worst first, with ids, and
/// the series left out. Reading and analysing overlap ([`pipeline`]); the points to draw are
/// picked once the number of series (which shares the drawing budget) is known.
fn analyse_all(
    store: &Store,
    plan: &select::Plan,
    settings: &mut Settings,
    req: &GatherRequest<'_>,
    bottlenecks: &mut Bottlenecks,
) -> Result<Analysed, ReportError> {
    let run_starts: HashMap<i64, i64> = store
        .runs()?
        .iter()
        .map(|r| (r.id, (r.started_at * 1e9) as i64))
        .collect();
    let inputs = pipeline::Inputs {
        settings,
        run_starts: &run_starts,
        context: &req.context,
    };
    let outcome = pipeline::run(store, plan, &inputs, bottlenecks)?;
    if outcome.analysed.is_empty() {
        return Err(plan.nothing(&outcome.skipped));
    }
    let n = outcome.analysed.len();
    settings.points_per_chart = (TOTAL_POINTS / n).clamp(MIN_POINTS, MAX_POINTS);
    let mut rows: Vec<(Headline, SeriesReport, bool)> = outcome
        .analysed
        .into_iter()
        .map(|a| {
            let mut report = a.report;
            report.points = points(&a.data.window, settings.points_per_chart, &a.keep);
            (a.headline, report, higher_is_better(&a.data.key))
        })
        .collect();
    rows.sort_by(|a, b| {
        let (ka, kb) = (severity(&a.0, a.2), severity(&b.0, b.2));
        ka.0.cmp(&kb.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(a.0.label.cmp(&b.0.label))
    });
    let (headline, series) = rows
        .into_iter()
        .enumerate()
        .map(|(i, (mut h, mut s, _))| {
            s.id = format!("s{i}");
            h.series = s.id.clone();
            (h, s)
        })
        .unzip();
    Ok((headline, series, outcome.skipped))
}

/// The report of one series without its points, and the sample indexes its drawing keeps.
fn series_report(
    s: &SeriesData,
    band: Option<Band>,
    settings: &Settings,
    run_starts: &HashMap<i64, i64>,
) -> (SeriesReport, Vec<usize>) {
    let mut a = analyze_window(s, settings);
    let mut keep: Vec<usize> = a.anomalies.marks.iter().map(|m| m.index).collect();
    keep.extend(series::drawn_change_points(&a.change_points).map(|c| c.index));
    let history = history::history(&s.all, run_starts, settings, &mut a.warnings);
    let report = SeriesReport {
        id: String::new(),
        label: s.label.clone(),
        name: s.key.name.clone(),
        tags: s.key.tags.clone(),
        metric_type: s.key.metric_type.clone(),
        unit: s.key.unit.clone(),
        source: s.key.source.clone(),
        band: band.or_else(|| a.summary.as_ref().map(own_band)),
        summary: a.summary,
        points: Points::default(),
        anomalies: a.anomalies,
        change_points: a.change_points,
        distribution: a.distribution,
        trend: a.trend,
        history,
        warnings: a.warnings,
    };
    (report, keep)
}

/// Worst first: the verdict group (regressed, unchanged, improved, insufficient), then within
/// it how far the series moved the wrong way (larger first).
fn severity(h: &Headline, higher_is_better: bool) -> (VerdictKind, f64) {
    let bad = h.relative_change.unwrap_or(0.0) * if higher_is_better { -1.0 } else { 1.0 };
    (h.verdict, bad)
}

/// A band from the entry of the series (by canonical tag string, scope `series`) in
/// `metrics.baselines.<metric>` (`mean`, `std_dev`, `id`), when the store had none.
pub(super) fn context_band(v: Option<&Value>, tags: &BTreeMap<String, String>) -> Option<Band> {
    let v = v?.get(tag_string(tags))?;
    if v.get("scope").and_then(Value::as_str) != Some("series") {
        return None;
    }
    let (mean, sd) = (v.get("mean")?.as_f64()?, v.get("std_dev")?.as_f64()?);
    let id = v
        .get("id")
        .and_then(Value::as_i64)
        .map_or(String::new(), |i| format!(" #{i}"));
    Some(Band {
        lower: mean - 2.0 * sd,
        centre: mean,
        upper: mean + 2.0 * sd,
        source: format!("context baseline{id}: mean ± 2 sd"),
    })
}

fn verdict_recommendations(headline: &[Headline], series: &[SeriesReport]) -> Vec<String> {
    let mut out = Vec::new();
    for (h, s) in headline.iter().zip(series) {
        let (Some(rel), Some(p)) = (h.relative_change, h.p_value) else {
            continue;
        };
        let at_run = s.history.change_runs.last().map_or(String::new(), |r| {
            format!("; the per-run mean changed at run {r}")
        });
        let line = match h.verdict {
            VerdictKind::Regressed => format!(
                "REGRESSION: {} moved {} against {} (mean {} → {}, p {}){at_run}. Investigate \
                 what changed.",
                h.label,
                pct(rel),
                h.basis,
                num(h.reference_mean.unwrap_or(0.0)),
                num(h.mean),
                p_value(p)
            ),
            VerdictKind::Improved => format!(
                "IMPROVED: {} moved {} against {}; consider establishing a new baseline.",
                h.label,
                pct(rel),
                h.basis
            ),
            _ => continue,
        };
        out.push(line);
    }
    if !headline.is_empty()
        && headline
            .iter()
            .all(|h| h.verdict == VerdictKind::Insufficient)
    {
        out.push(
            "No series has a verdict yet: establish a baseline (analyze with baseline: \
             {establish: true}) or run the recipe again so runs can be compared."
                .to_owned(),
        );
    }
    out
}

fn notes(req: &GatherRequest<'_>, settings: &Settings, n: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if settings.points_per_chart < MAX_POINTS && n > 1 {
        notes.push(format!(
            "{n} series share the drawing budget: at most {} points per chart (statistics use \
             every sample)",
            settings.points_per_chart
        ));
    }
    if let Some(c) = &req.context.last_collection {
        let total = c.get("total_metrics").and_then(Value::as_u64);
        let secs = c.get("elapsed_seconds").and_then(Value::as_f64);
        if let (Some(total), Some(secs)) = (total, secs) {
            let step = c.get("step").and_then(Value::as_str).unwrap_or("-");
            notes.push(format!(
                "last collection: {total} samples in {} s (step {step})",
                num(secs)
            ));
        }
    }
    notes
}
