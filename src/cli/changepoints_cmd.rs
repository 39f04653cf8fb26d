//! `f0 changepoints --metric SELECTOR`: Hunter / Apache Otava change points of one stored series,
//! as a table or as one JSON object (`schemas/analysis.schema.json`, `kind: changepoints`).

use std::path::Path;

use clap::Args;

use framework0::analyze::action::render::change_points_text;
use framework0::analyze::action::timeframe::Timeframe;
use framework0::analyze::action::{change_points, ChangePointReport};
use framework0::analyze::changepoint::HunterParams;
use framework0::analyze::error::StatsError;

/// Flags of `f0 changepoints`.
#[derive(Debug, Args)]
pub struct ChangepointsArgs {
    /// A series selector that matches exactly one series (`latency`,
    /// `step_wall_time{step="build"}`).
    #[arg(long, value_name = "SELECTOR")]
    pub metric: String,
    /// Which samples: 30m, 1h, 24h, 7d (s, m, h, d, w), last_run or all.
    #[arg(long, default_value = "all")]
    pub timeframe: String,
    /// Sliding window length (≥ 2); windows advance by half of it.
    #[arg(long, default_value_t = HunterParams::default().window_len)]
    pub window_len: usize,
    /// Significance a change point must reach, in (0, 1].
    #[arg(long, default_value_t = HunterParams::default().max_pvalue)]
    pub max_pvalue: f64,
    /// Change points whose relative magnitude is at most this are dropped (≥ 0).
    #[arg(long, default_value_t = HunterParams::default().min_magnitude)]
    pub min_magnitude: f64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: ChangepointsArgs) -> u8 {
    match detect(store_path, &args) {
        Ok(report) => {
            let printed = super::print_report(&report, args.json, change_points_text);
            u8::from(!printed)
        }
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn detect(store_path: &Path, args: &ChangepointsArgs) -> anyhow::Result<ChangePointReport> {
    let timeframe: Timeframe = args
        .timeframe
        .parse()
        .map_err(|e| anyhow::anyhow!("--timeframe: {e}"))?;
    let parameters = HunterParams {
        window_len: args.window_len,
        max_pvalue: args.max_pvalue,
        min_magnitude: args.min_magnitude,
    };
    check_params(&parameters)?;
    let store = super::open_existing_store(store_path)?;
    let now = framework0::util::epoch_nanos();
    Ok(change_points(
        &store,
        &args.metric,
        timeframe,
        parameters,
        now,
    )?)
}

/// Checks change-point parameters given as flags; the error names the flag.
pub(super) fn check_params(parameters: &HunterParams) -> anyhow::Result<()> {
    if let Err(e) = parameters.validate() {
        let flag = match &e {
            StatsError::InvalidParameter { name, .. } => format!("--{}", name.replace('_', "-")),
            _ => "--window-len".to_owned(),
        };
        anyhow::bail!("{flag}: {e}");
    }
    Ok(())
}
