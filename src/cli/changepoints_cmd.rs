//! `f0 changepoints --metric NAME`: Hunter / Apache Otava change points of one stored metric,
//! as a table or as one JSON object (`schemas/analysis.schema.json`, `kind: changepoints`).

use std::path::Path;

use clap::Args;

use framework0::analyze::action::args::MetricPattern;
use framework0::analyze::action::select::select;
use framework0::analyze::action::timeframe::Timeframe;
use framework0::analyze::action::ChangePointReport;
use framework0::analyze::changepoint::{compute_change_points, ChangePoint, HunterParams};
use framework0::store::timestamp::format_rfc3339;

/// Flags of `f0 changepoints`.
#[derive(Debug, Args)]
pub struct ChangepointsArgs {
    /// The metric (an exact name).
    #[arg(long)]
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
            let printed = super::print_report(&report, args.json, |report| {
                println!(
                    "metric {}: {} samples, timeframe {}, window {}, max p {}, min magnitude {}",
                    report.metric_name,
                    report.sample_count,
                    report.timeframe,
                    report.parameters.window_len,
                    report.parameters.max_pvalue,
                    report.parameters.min_magnitude
                );
                print_change_points(&report.change_points);
            });
            u8::from(!printed)
        }
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn detect(store_path: &Path, args: &ChangepointsArgs) -> anyhow::Result<ChangePointReport> {
    let timeframe: Timeframe = args.timeframe.parse()?;
    let pattern: MetricPattern = args.metric.parse().map_err(anyhow::Error::msg)?;
    if let MetricPattern::Glob(_) = pattern {
        anyhow::bail!(
            "--metric takes one metric name, not the pattern '{}'",
            args.metric
        );
    }
    let parameters = HunterParams {
        window_len: args.window_len,
        max_pvalue: args.max_pvalue,
        min_magnitude: args.min_magnitude,
    };
    parameters.validate()?;
    let store = super::open_existing_store(store_path)?;
    let now = framework0::util::epoch_nanos();
    let selection = select(&store, &[pattern], timeframe, now, None)?;
    let samples = &selection.series[0];
    if samples.len() < 2 {
        anyhow::bail!(
            "metric '{}' has {} sample in timeframe {timeframe}; change-point detection needs at least 2",
            samples.name,
            samples.len()
        );
    }
    let change_points =
        compute_change_points(&samples.values, Some(&samples.timestamps), &parameters)?;
    Ok(ChangePointReport {
        kind: "changepoints",
        metric_name: samples.name.clone(),
        timeframe: timeframe.to_string(),
        sample_count: samples.len(),
        parameters,
        change_points,
    })
}

/// A number with at most 6 significant digits, without trailing zeros (`26705`, `0.0123457`).
pub(super) fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5 - magnitude).clamp(0, 9) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The change-point table: index, time, means before and after, magnitude, p-value.
pub(super) fn print_change_points(cps: &[ChangePoint]) {
    if cps.is_empty() {
        println!("no change points");
        return;
    }
    println!(
        "{:>7}  {:<30}  {:>12}  {:>12}  {:>10}  {:>10}",
        "index", "time", "mean before", "mean after", "magnitude", "p-value"
    );
    for cp in cps {
        println!(
            "{:>7}  {:<30}  {:>12}  {:>12}  {:>10}  {:>10}",
            cp.index,
            cp.time.map_or("-".to_owned(), format_rfc3339),
            fmt_num(cp.mean_before),
            fmt_num(cp.mean_after),
            fmt_num(cp.magnitude),
            fmt_num(cp.p_value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_num;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(26705.0), "26705");
        assert_eq!(fmt_num(45.0), "45");
        assert_eq!(fmt_num(30.276503540974918), "30.2765");
        assert_eq!(fmt_num(0.012345678), "0.0123457");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1.5e-7), "1.50000e-7");
        assert_eq!(fmt_num(1e300), "1.00000e300");
    }
}
