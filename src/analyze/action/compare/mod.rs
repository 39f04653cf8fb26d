//! Run-over-run comparison, the CI gate behind `f0 compare`: every series of run B against the
//! same series in run A (or against its stored baseline), one row per series with the verdict,
//! sorted worst first.
//!
//! - **Runs.** B defaults to the newest run holding samples (of `--recipe` when given); A to the
//!   newest earlier run of B's recipe holding samples. A series with at least 2 samples in both
//!   runs is compared run against run.
//! - **Across runs.** A series with one sample per run (a step's wall time) has no spread
//!   within a run, so it is compared across runs instead: side A holds its samples of up to
//!   `window` runs of the recipe ending at A, side B those of up to `window` runs after A
//!   ending at B. With one sample on a side, significance comes from the prediction-interval
//!   t-test of that sample against the other side (see [`crate::analyze::baseline`]); fewer
//!   than 2 samples on both sides is `insufficient_data`.
//! - **Baselines.** With `against_baseline`, each series of B is compared with its own stored
//!   baseline; a series with only a pooled baseline of its name is `insufficient_data` with the
//!   reason (never silently compared with the pool).
//!
//! The verdict is the analysis' ([`crate::analyze::baseline::compare_samples`]): significance (Welch, or Mann–Whitney),
//! the bootstrap interval of the relative change excluding 0, and |change| ≥ the threshold.

mod render;
mod rows;
mod runs;

pub use render::{compare_markdown, compare_text, fmt_value, md_escape, runs_text};
pub use runs::RunPair;

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::AnalyzeError;
use super::resolve::resolve;
use crate::analyze::baseline::{Interval, SignificanceTest};
use crate::metrics::selector::{NameMatch, Selector};
use crate::store::{BaselineScope, Store};

/// What to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    /// Only runs of this recipe.
    pub recipe: Option<String>,
    /// Run A (default: the newest run before B of B's recipe).
    pub run_a: Option<i64>,
    /// Run B (default: the newest run).
    pub run_b: Option<i64>,
    /// Compare B with stored baselines instead of run A.
    pub against_baseline: bool,
    /// Which series (default: every series).
    pub selectors: Vec<Selector>,
    /// Runs per side for series with one sample per run (≥ 1).
    pub window: usize,
    /// The smallest |relative change| called a regression or improvement.
    pub threshold: f64,
    /// Welch or Mann–Whitney for two-sample sides.
    pub test: SignificanceTest,
    /// Significance level.
    pub alpha: f64,
    /// Now, epoch ns.
    pub now_ns: i64,
}

impl Default for CompareRequest {
    fn default() -> Self {
        CompareRequest {
            recipe: None,
            run_a: None,
            run_b: None,
            against_baseline: false,
            selectors: vec![Selector {
                name: Some(NameMatch::Glob(
                    glob::Pattern::new("*").expect("valid glob"),
                )),
                matchers: Vec::new(),
            }],
            window: 5,
            threshold: 0.2,
            test: SignificanceTest::Welch,
            alpha: 0.05,
            now_ns: 0,
        }
    }
}

/// A row's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowVerdict {
    /// Significantly and materially worse.
    Regressed,
    /// Within noise or the threshold.
    Unchanged,
    /// Significantly and materially better.
    Improved,
    /// Too few samples (or no reference) to judge.
    InsufficientData,
}

/// What a row's two sides are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Run A's samples against run B's.
    Runs,
    /// Up to `window` runs ending at A against up to `window` runs after A ending at B.
    Window,
    /// The stored baseline against run B's samples.
    Baseline,
}

/// One side of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// The runs whose samples it holds.
    pub runs: Vec<i64>,
    /// The stored baseline it is (baseline rows only).
    pub baseline_id: Option<i64>,
    /// Number of samples.
    pub n: usize,
    /// Their mean (none without samples).
    pub mean: Option<f64>,
}

/// One series' comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// The metric.
    pub metric_name: String,
    /// The series' tags.
    pub tags: BTreeMap<String, String>,
    /// The canonical tag string (`{}` untagged).
    pub series: String,
    /// Its type.
    pub metric_type: String,
    /// Its unit.
    pub unit: String,
    /// What the sides are.
    pub basis: Basis,
    /// Side A (or the baseline).
    pub before: Side,
    /// Side B.
    pub after: Side,
    /// (after − before)/|before| of the means.
    pub relative_change: Option<f64>,
    /// Bootstrap interval of the relative change.
    pub interval: Option<Interval>,
    /// Two-sided p-value of `test`.
    pub p_value: Option<f64>,
    /// The test that decided significance.
    pub test: Option<SignificanceTest>,
    /// The verdict.
    pub verdict: RowVerdict,
    /// Whether larger is better (throughput).
    pub higher_is_better: bool,
    /// Why the verdict is `insufficient_data`, or a note.
    pub reason: Option<String>,
}

/// Rows per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Regressed series.
    pub regressed: usize,
    /// Improved series.
    pub improved: usize,
    /// Unchanged series.
    pub unchanged: usize,
    /// Series without a verdict.
    pub insufficient_data: usize,
}

/// The result of `f0 compare` (`schemas/compare.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    /// Always `compare`.
    pub kind: &'static str,
    /// When, epoch seconds.
    pub generated_at: f64,
    /// The recipe of run B.
    pub recipe: String,
    /// Run A (none against baselines).
    pub run_a: Option<i64>,
    /// Run B.
    pub run_b: i64,
    /// `run` or `baseline`.
    pub against: &'static str,
    /// Runs per side for series with one sample per run.
    pub window: usize,
    /// The runs of each side of window rows: `[A side, B side]` (run comparisons only).
    pub window_runs: Option<[Vec<i64>; 2]>,
    /// The threshold in force.
    pub threshold: f64,
    /// The significance level.
    pub alpha: f64,
    /// The two-sample test.
    pub test: SignificanceTest,
    /// Rows per verdict.
    pub counts: Counts,
    /// One row per series, worst first.
    pub rows: Vec<CompareRow>,
    /// Selectors that selected nothing.
    pub skipped: Vec<super::report::Skipped>,
}

impl CompareReport {
    /// The rows that regressed.
    pub fn regressed(&self) -> impl Iterator<Item = &CompareRow> {
        self.rows
            .iter()
            .filter(|r| r.verdict == RowVerdict::Regressed)
    }
}

/// How bad a row is, for sorting: its change in the bad direction.
fn badness(r: &CompareRow) -> f64 {
    let c = r.relative_change.unwrap_or(0.0);
    if r.higher_is_better {
        -c
    } else {
        c
    }
}

/// Runs the comparison of `req` against `store`.
pub fn compare_runs(store: &Store, req: &CompareRequest) -> Result<CompareReport, AnalyzeError> {
    check(req)?;
    let pair = runs::pick(store, req)?;
    let index = store.series_index()?;
    let (series, skipped) = resolve(&index, &req.selectors)?;
    let mut rows = if req.against_baseline {
        rows::against_baselines(store, &pair, &series, req)?
    } else {
        rows::against_run(store, &pair, &series, req)?
    };
    rows.sort_by(|a, b| {
        (a.verdict, -badness(a))
            .partial_cmp(&(b.verdict, -badness(b)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| (&a.metric_name, &a.series).cmp(&(&b.metric_name, &b.series)))
    });
    let mut counts = Counts::default();
    for r in &rows {
        *match r.verdict {
            RowVerdict::Regressed => &mut counts.regressed,
            RowVerdict::Improved => &mut counts.improved,
            RowVerdict::Unchanged => &mut counts.unchanged,
            RowVerdict::InsufficientData => &mut counts.insufficient_data,
        } += 1;
    }
    let window_used = rows.iter().any(|r| r.basis == Basis::Window);
    Ok(CompareReport {
        kind: "compare",
        generated_at: req.now_ns as f64 / 1e9,
        recipe: pair.recipe.clone(),
        run_a: pair.a,
        run_b: pair.b,
        against: if req.against_baseline {
            "baseline"
        } else {
            "run"
        },
        window: req.window,
        window_runs: window_used.then(|| [pair.side_a.clone(), pair.side_b.clone()]),
        threshold: req.threshold,
        alpha: req.alpha,
        test: req.test,
        counts,
        rows,
        skipped,
    })
}

/// Checks a threshold (a finite fraction ≥ 0) and a significance level (in (0, 1)); the
/// error names the flag.
pub fn check_verdict(threshold: f64, alpha: f64) -> Result<(), AnalyzeError> {
    let bad = |flag: &str, message: String| AnalyzeError::BadOption {
        flag: flag.to_owned(),
        message,
    };
    if !(threshold >= 0.0 && threshold.is_finite()) {
        return Err(bad(
            "--threshold",
            format!("must be a finite fraction ≥ 0 (0.2 = 20 %), got {threshold}"),
        ));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(bad(
            "--alpha",
            format!("must be a significance level in (0, 1), got {alpha}"),
        ));
    }
    Ok(())
}

fn check(req: &CompareRequest) -> Result<(), AnalyzeError> {
    let bad = |flag: &str, message: String| AnalyzeError::BadOption {
        flag: flag.to_owned(),
        message,
    };
    if !(1..=1000).contains(&req.window) {
        return Err(bad(
            "--window",
            format!("must be a number of runs in 1..=1000, got {}", req.window),
        ));
    }
    if !(req.threshold >= 0.0 && req.threshold.is_finite()) {
        return Err(bad(
            "--threshold",
            format!(
                "must be a finite fraction ≥ 0 (0.2 = 20 %), got {}",
                req.threshold
            ),
        ));
    }
    if !(req.alpha > 0.0 && req.alpha < 1.0) {
        return Err(bad(
            "--alpha",
            format!("must be a significance level in (0, 1), got {}", req.alpha),
        ));
    }
    if req.test == SignificanceTest::PredictionInterval {
        return Err(bad("--test", "must be welch or mann-whitney".to_owned()));
    }
    if req.against_baseline && req.run_a.is_some() && req.run_b.is_some() {
        return Err(bad(
            "--baseline",
            "compares one run with stored baselines: name at most one run".to_owned(),
        ));
    }
    Ok(())
}

/// The scope a baseline comparison looks up (series baselines only).
pub(crate) const ROW_SCOPE: BaselineScope = BaselineScope::Series;
