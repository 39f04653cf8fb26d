//! `f0 history SELECTOR`: per series, the per-run mean over the runs (run, time, n, mean, p95),
//! change points over the run means, and the newest run tested against the runs before it;
//! the run where a series got slower is marked. A table, or one JSON object
//! (`schemas/history.schema.json`). Read-only.

use std::path::Path;

use clap::Args;

use framework0::analyze::action::history::{history, history_text, HistoryReport, HistoryRequest};
use framework0::analyze::changepoint::HunterParams;
use framework0::metrics::selector::Selector;

/// Flags of `f0 history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Series selectors (`step_wall_time`, `step_wall_time{step="build"}`, `{recipe="ci"}`).
    #[arg(value_name = "SELECTOR", required = true)]
    pub selectors: Vec<String>,
    /// Only runs of this recipe.
    #[arg(long)]
    pub recipe: Option<String>,
    /// Runs before the newest one that it is tested against.
    #[arg(long, default_value_t = 5)]
    pub window: usize,
    /// Threshold of a marked change and significance level of the newest-run test.
    #[command(flatten)]
    pub verdict: super::compare_cmd::VerdictFlags,
    /// Change points: sliding window length over the run means (≥ 2).
    #[arg(long, default_value_t = HunterParams::default().window_len)]
    pub window_len: usize,
    /// Change points: significance a change point must reach, in (0, 1].
    #[arg(long, default_value_t = HunterParams::default().max_pvalue)]
    pub max_pvalue: f64,
    /// Change points: smallest relative magnitude kept (≥ 0).
    #[arg(long, default_value_t = 0.05)]
    pub min_magnitude: f64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: HistoryArgs) -> u8 {
    match report(store_path, &args) {
        Ok(r) => u8::from(!super::print_report(&r, args.json, history_text)),
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn report(store_path: &Path, args: &HistoryArgs) -> anyhow::Result<HistoryReport> {
    let selectors = args
        .selectors
        .iter()
        .map(|s| s.parse::<Selector>())
        .collect::<Result<Vec<_>, _>>()?;
    let parameters = HunterParams {
        window_len: args.window_len,
        max_pvalue: args.max_pvalue,
        min_magnitude: args.min_magnitude,
    };
    super::changepoints_cmd::check_params(&parameters)?;
    let req = HistoryRequest {
        selectors,
        recipe: args.recipe.clone(),
        window: args.window,
        parameters,
        threshold: args.verdict.threshold,
        alpha: args.verdict.alpha,
        now_ns: framework0::util::epoch_nanos(),
    };
    let store = super::open_existing_store(store_path)?;
    Ok(history(&store, &req)?)
}
