//! History across runs, the engine of `f0 history SELECTOR` (the Apache Otava / Bencher use
//! case): per series, the per-run mean as a time series over runs (run, time, n, mean, p95),
//! change points over the run means (Hunter / E-divisive, [`compute_change_points`]), and for
//! the newest run the prediction-interval test of its mean against the means of up to
//! `window` runs before it — E-divisive cannot place a change at the last point, so a
//! regression in the last run is marked by that test. Each run where the series got worse (or
//! better) by at least the threshold is marked.

mod render;

pub use render::history_text;

use std::collections::BTreeMap;

use serde::Serialize;

use super::baselines::per_run;
use super::error::AnalyzeError;
use super::resolve::resolve;
use crate::analyze::baseline::{compare_samples, CompareParams, SignificanceTest, Verdict};
use crate::analyze::changepoint::{compute_change_points, ChangePoint, HunterParams};
use crate::analyze::quantile::{quantile, PercentileMethod};
use crate::metrics::selector::{tag_string, Selector};
use crate::store::{SampleWindow, Store, StoredSeries};

/// What to show.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    /// The series.
    pub selectors: Vec<Selector>,
    /// Only runs of this recipe.
    pub recipe: Option<String>,
    /// Earlier runs the newest run is tested against (≥ 2).
    pub window: usize,
    /// Change-point parameters over the run means.
    pub parameters: HunterParams,
    /// The smallest |relative change| marked.
    pub threshold: f64,
    /// Significance level of the newest-run test.
    pub alpha: f64,
    /// Now, epoch ns.
    pub now_ns: i64,
}

/// Why a run is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A change point over the run means starts at this run.
    ChangePoint,
    /// The newest run's mean falls outside the prediction interval of the runs before it.
    LastRun,
}

/// A marked run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    /// Why.
    pub kind: MarkKind,
    /// `regressed` (worse, e.g. slower) or `improved`.
    pub verdict: Verdict,
    /// Relative change of the mean against the runs before.
    pub relative_change: f64,
    /// The p-value of the change point or of the prediction-interval test.
    pub p_value: f64,
    /// The runs it is measured against.
    pub against_runs: Vec<i64>,
}

/// One run of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunPoint {
    /// The run.
    pub run_id: i64,
    /// Its start, epoch ns.
    pub time: i64,
    /// Samples of the series in the run.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their 95th percentile (linear).
    pub p95: f64,
    /// Set when the series changed at this run.
    pub mark: Option<Mark>,
}

/// The newest run against the runs before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastRunCheck {
    /// The newest run.
    pub run_id: i64,
    /// The runs before it that were used.
    pub against_runs: Vec<i64>,
    /// regressed / improved / unchanged.
    pub verdict: Verdict,
    /// Relative change of its mean against theirs.
    pub relative_change: f64,
    /// Prediction-interval p-value.
    pub p_value: f64,
}

/// The history of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesHistory {
    /// The metric.
    pub metric_name: String,
    /// The series' tags.
    pub tags: BTreeMap<String, String>,
    /// The canonical tag string.
    pub series: String,
    /// Its type.
    pub metric_type: String,
    /// Its unit.
    pub unit: String,
    /// Whether larger is better.
    pub higher_is_better: bool,
    /// Per run, oldest first.
    pub runs: Vec<RunPoint>,
    /// Change points over the run means (`index` = position in `runs`).
    pub change_points: Vec<ChangePoint>,
    /// The newest run's test (from 3 runs on).
    pub last_run: Option<LastRunCheck>,
    /// What could not be computed.
    pub warnings: Vec<String>,
}

/// The result of `f0 history` (`schemas/history.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    /// Always `history`.
    pub kind: &'static str,
    /// When, epoch seconds.
    pub generated_at: f64,
    /// The selectors, canonical.
    pub selectors: Vec<String>,
    /// The recipe filter.
    pub recipe: Option<String>,
    /// Runs the newest run is tested against.
    pub window: usize,
    /// Change-point parameters.
    pub parameters: HunterParams,
    /// The threshold in force.
    pub threshold: f64,
    /// One entry per series.
    pub series: Vec<SeriesHistory>,
    /// Selectors that selected nothing.
    pub skipped: Vec<super::report::Skipped>,
}

fn verdict_of(change: f64, higher_is_better: bool, threshold: f64) -> Verdict {
    if change.abs() < threshold {
        Verdict::Unchanged
    } else if (change > 0.0) == higher_is_better {
        Verdict::Improved
    } else {
        Verdict::Regressed
    }
}

/// Builds the history of `req` from `store`.
pub fn history(store: &Store, req: &HistoryRequest) -> Result<HistoryReport, AnalyzeError> {
    req.parameters.validate()?;
    super::compare::check_verdict(req.threshold, req.alpha)?;
    if !(2..=1000).contains(&req.window) {
        return Err(AnalyzeError::BadOption {
            flag: "--window".to_owned(),
            message: format!("must be a number of runs in 2..=1000, got {}", req.window),
        });
    }
    let runs = store.runs()?;
    if let Some(name) = &req.recipe {
        if !runs.iter().any(|r| &r.recipe == name) {
            return Err(AnalyzeError::BadOption {
                flag: "--recipe".to_owned(),
                message: format!("no run of recipe '{name}' is stored"),
            });
        }
    }
    let included: BTreeMap<i64, f64> = runs
        .iter()
        .filter(|r| req.recipe.as_ref().map_or(true, |n| &r.recipe == n))
        .map(|r| (r.id, r.started_at))
        .collect();
    let (series, skipped) = resolve(&store.series_index()?, &req.selectors)?;
    let mut out = Vec::new();
    for s in &series {
        let samples = store.samples_of_series(
            &s.key.name,
            std::slice::from_ref(s),
            SampleWindow::default(),
        )?;
        let mut by_run = per_run(&samples);
        by_run.retain(|run, _| included.contains_key(run));
        if by_run.is_empty() {
            continue;
        }
        out.push(series_history(s, &by_run, &included, req));
    }
    Ok(HistoryReport {
        kind: "history",
        generated_at: req.now_ns as f64 / 1e9,
        selectors: req.selectors.iter().map(Selector::to_string).collect(),
        recipe: req.recipe.clone(),
        window: req.window,
        parameters: req.parameters,
        threshold: req.threshold,
        series: out,
        skipped,
    })
}

fn series_history(
    s: &StoredSeries,
    by_run: &BTreeMap<i64, Vec<f64>>,
    started: &BTreeMap<i64, f64>,
    req: &HistoryRequest,
) -> SeriesHistory {
    let higher_is_better = s.key.metric_type == "throughput" || s.key.unit == "ops/s";
    let mut h = SeriesHistory {
        metric_name: s.key.name.clone(),
        tags: s.key.tags.clone(),
        series: tag_string(&s.key.tags),
        metric_type: s.key.metric_type.clone(),
        unit: s.key.unit.clone(),
        higher_is_better,
        runs: Vec::new(),
        change_points: Vec::new(),
        last_run: None,
        warnings: Vec::new(),
    };
    for (run, values) in by_run {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        h.runs.push(RunPoint {
            run_id: *run,
            // Run starts are stored as epoch seconds (f64): milliseconds are what they hold.
            time: (started.get(run).copied().unwrap_or(0.0) * 1e3).round() as i64 * 1_000_000,
            n: values.len(),
            mean,
            p95: quantile(values, 0.95, PercentileMethod::Linear).unwrap_or(mean),
            mark: None,
        });
    }
    let means: Vec<f64> = h.runs.iter().map(|r| r.mean).collect();
    if means.len() >= 2 {
        match compute_change_points(&means, None, &req.parameters) {
            Ok(cps) => h.change_points = cps,
            Err(e) => h.warnings.push(format!("change points: {e}")),
        }
    }
    mark_change_points(&mut h, req.threshold);
    last_run(&mut h, &means, req);
    h
}

fn mark_change_points(h: &mut SeriesHistory, threshold: f64) {
    let mut start = 0;
    for cp in &h.change_points {
        let change = if cp.mean_before != 0.0 {
            (cp.mean_after - cp.mean_before) / cp.mean_before.abs()
        } else {
            0.0
        };
        let verdict = verdict_of(change, h.higher_is_better, threshold);
        let against_runs = h.runs[start..cp.index].iter().map(|r| r.run_id).collect();
        start = cp.index;
        if verdict != Verdict::Unchanged {
            h.runs[cp.index].mark = Some(Mark {
                kind: MarkKind::ChangePoint,
                verdict,
                relative_change: change,
                p_value: cp.p_value,
                against_runs,
            });
        }
    }
}

fn last_run(h: &mut SeriesHistory, means: &[f64], req: &HistoryRequest) {
    let n = means.len();
    if n < 3 {
        return;
    }
    let from = n - 1 - (n - 1).min(req.window);
    let params = CompareParams {
        higher_is_better: h.higher_is_better,
        alpha: req.alpha,
        regression_threshold: req.threshold,
        test: SignificanceTest::PredictionInterval,
        ..CompareParams::default()
    };
    match compare_samples(&means[from..n - 1], &means[n - 1..], &params) {
        Ok(c) => {
            let check = LastRunCheck {
                run_id: h.runs[n - 1].run_id,
                against_runs: h.runs[from..n - 1].iter().map(|r| r.run_id).collect(),
                verdict: c.verdict,
                relative_change: c.relative_change,
                p_value: c.p_value,
            };
            if check.verdict != Verdict::Unchanged && h.runs[n - 1].mark.is_none() {
                h.runs[n - 1].mark = Some(Mark {
                    kind: MarkKind::LastRun,
                    verdict: check.verdict,
                    relative_change: check.relative_change,
                    p_value: check.p_value,
                    against_runs: check.against_runs.clone(),
                });
            }
            h.last_run = Some(check);
        }
        Err(e) => h.warnings.push(format!("newest run: {e}")),
    }
}
