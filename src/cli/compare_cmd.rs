//! `f0 compare [--recipe NAME] [A] [B]`: every series of run B against run A (or against its
//! stored baseline with `--baseline`), one row per series with its verdict, worst first — as a
//! table, one JSON object (`schemas/compare.schema.json`) or a Markdown table for a CI job
//! summary. `--fail-on-regression` makes a regression the exit status (1), for CI gates.
//! Read-only.

use std::path::Path;

use clap::{Args, ValueEnum};

use framework0::analyze::action::compare::{
    compare_markdown, compare_runs, compare_text, CompareReport, CompareRequest,
};
use framework0::analyze::baseline::SignificanceTest;
use framework0::metrics::selector::{series_label, Selector};

/// The two-sample test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestArg {
    /// Welch's t-test on the means.
    Welch,
    /// Mann–Whitney U (rank based).
    MannWhitney,
}

/// What makes a change a regression (shared with `f0 history`).
#[derive(Debug, Args)]
pub struct VerdictFlags {
    /// The smallest relative change called a regression or improvement (0.2 = 20 %).
    #[arg(long, default_value_t = 0.2, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Significance level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
}

/// Flags of `f0 compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Run A, the reference (default: the newest run before B of B's recipe).
    #[arg(value_name = "A")]
    pub run_a: Option<i64>,
    /// Run B, the candidate (default: the newest run holding samples).
    #[arg(value_name = "B")]
    pub run_b: Option<i64>,
    /// Only runs of this recipe.
    #[arg(long)]
    pub recipe: Option<String>,
    /// Compare run B with each series' stored baseline instead of run A.
    #[arg(long)]
    pub baseline: bool,
    /// Only these series (repeatable; default every series).
    #[arg(long = "metric", value_name = "SELECTOR")]
    pub metrics: Vec<String>,
    /// Runs per side for series with one sample per run.
    #[arg(long, default_value_t = 5)]
    pub window: usize,
    /// Threshold and significance level.
    #[command(flatten)]
    pub verdict: VerdictFlags,
    /// The test for sides with two or more samples.
    #[arg(long, value_enum, default_value_t = TestArg::Welch)]
    pub test: TestArg,
    /// Exit 1 when a series regressed.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print a Markdown table (e.g. >> $GITHUB_STEP_SUMMARY).
    #[arg(long)]
    pub markdown: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: CompareArgs) -> u8 {
    let report = match report(store_path, &args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let printed = if args.markdown {
        super::write_stdout(&compare_markdown(&report));
        true
    } else {
        super::print_report(&report, args.json, compare_text)
    };
    if !printed {
        return 1;
    }
    let regressed: Vec<String> = report
        .regressed()
        .map(|r| series_label(&r.metric_name, &r.tags))
        .collect();
    if args.fail_on_regression && !regressed.is_empty() {
        eprintln!(
            "regressed: {} series: {}",
            regressed.len(),
            regressed.join(", ")
        );
        return 1;
    }
    0
}

fn report(store_path: &Path, args: &CompareArgs) -> anyhow::Result<CompareReport> {
    let mut req = CompareRequest {
        recipe: args.recipe.clone(),
        run_a: args.run_a,
        run_b: args.run_b,
        against_baseline: args.baseline,
        window: args.window,
        threshold: args.verdict.threshold,
        alpha: args.verdict.alpha,
        test: match args.test {
            TestArg::Welch => SignificanceTest::Welch,
            TestArg::MannWhitney => SignificanceTest::MannWhitney,
        },
        now_ns: framework0::util::epoch_nanos(),
        ..CompareRequest::default()
    };
    if args.baseline && args.run_a.is_some() && args.run_b.is_none() {
        // With --baseline the one run named is the candidate.
        (req.run_a, req.run_b) = (None, args.run_a);
    }
    if !args.metrics.is_empty() {
        req.selectors = args
            .metrics
            .iter()
            .map(|m| {
                m.parse::<Selector>()
                    .map_err(|e| anyhow::anyhow!("--metric: {e}"))
            })
            .collect::<Result<_, _>>()?;
    }
    let store = super::open_existing_store(store_path)?;
    Ok(compare_runs(&store, &req)?)
}
