//! `f0 analyze --metric NAME`: statistics, trend, change points and anomalies of stored
//! metrics, and with `--compare-baseline` a verdict against each metric's stored baseline
//! (established by a recipe's analyze action), as readable tables or as one JSON object
//! (`schemas/analysis.schema.json`, `kind: analysis`). Read-only: nothing is written to the
//! store. `--fail-on-regression` makes a `regressed` verdict the exit status, for CI gates.

use std::path::Path;

use clap::Args;

use super::changepoints_cmd::{fmt_num, print_change_points};
use framework0::analyze::action::args::{
    AnalyzeArgs as Request, AnomalySettings, BaselineSettings,
};
use framework0::analyze::action::report::MetricAnalysis;
use framework0::analyze::action::{analyze, AnalysisReport, AnalyzeRequest};
use framework0::analyze::anomaly::AnomalyMethod;
use framework0::analyze::baseline::Verdict;
use framework0::store::timestamp::format_rfc3339;

/// Flags of `f0 analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A metric name or glob (repeatable).
    #[arg(long = "metric", value_name = "NAME", required = true)]
    pub metrics: Vec<String>,
    /// Which samples: 30m, 1h, 24h, 7d (s, m, h, d, w), last_run or all.
    #[arg(long, default_value = "all")]
    pub timeframe: String,
    /// Quantile definition: linear (numpy's default), exclusive (Framework0's), or another
    /// Hyndman–Fan method by numpy's name.
    #[arg(long, default_value = "linear")]
    pub percentile_method: String,
    /// Percents to report, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "P,P,..")]
    pub percentiles: Option<Vec<f64>>,
    /// Anomaly detectors, comma-separated (zscore, modified_zscore, iqr, iqr_nearest_rank,
    /// baseline, ewma, isolation_forest); `none` turns detection off.
    #[arg(long, value_delimiter = ',', default_value = "zscore,iqr")]
    pub anomaly_methods: Vec<String>,
    /// Anomaly sensitivity (> 0; larger flags less).
    #[arg(long, default_value_t = framework0::analyze::anomaly::DEFAULT_SENSITIVITY)]
    pub sensitivity: f64,
    /// Compare each metric with its latest stored baseline (a recipe's analyze action
    /// stores baselines with `baseline: {establish: ...}`).
    #[arg(long)]
    pub compare_baseline: bool,
    /// The smallest relative change of the mean called a regression or an improvement
    /// (default: the metrics configuration's `health.regression_threshold`, 0.2).
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
    pub regression_threshold: Option<f64>,
    /// Exit 1 when a baseline comparison says `regressed` (implies --compare-baseline).
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: AnalyzeArgs) -> u8 {
    let report = match report(store_path, &args) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    if !super::print_report(&report, args.json, print_tables) {
        return 1;
    }
    let regressed: Vec<&str> = report
        .metrics
        .iter()
        .filter(|m| {
            m.baseline_comparison
                .as_ref()
                .is_some_and(|c| c.comparison.verdict == Verdict::Regressed)
        })
        .map(|m| m.metric_name.as_str())
        .collect();
    if args.fail_on_regression && !regressed.is_empty() {
        eprintln!("regressed against the baseline: {}", regressed.join(", "));
        return 1;
    }
    0
}

fn anomaly_settings(args: &AnalyzeArgs) -> anyhow::Result<AnomalySettings> {
    let mut methods = Vec::new();
    for name in &args.anomaly_methods {
        if name == "none" {
            continue;
        }
        let method: AnomalyMethod = name.parse().map_err(|_| {
            anyhow::anyhow!(
                "unknown anomaly method '{name}'; accepted: {}, none",
                AnomalyMethod::names()
            )
        })?;
        methods.push(method);
    }
    if !(args.sensitivity > 0.0 && args.sensitivity.is_finite()) {
        anyhow::bail!(
            "--sensitivity must be a number > 0, got {}",
            args.sensitivity
        );
    }
    Ok(AnomalySettings {
        methods,
        sensitivity: args.sensitivity,
    })
}

fn report(store_path: &Path, args: &AnalyzeArgs) -> anyhow::Result<AnalysisReport> {
    if let Some(bad) = args
        .percentiles
        .iter()
        .flatten()
        .find(|p| !(0.0..=100.0).contains(*p))
    {
        anyhow::bail!("--percentiles: {bad} is not a percent in [0, 100]");
    }
    if let Some(t) = args.regression_threshold {
        if !(t > 0.0 && t.is_finite()) {
            anyhow::bail!("--regression-threshold must be a fraction > 0 (0.2 = 20 %), got {t}");
        }
    }
    let metrics = args
        .metrics
        .iter()
        .map(|m| m.parse().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    let request = AnalyzeRequest {
        args: Request {
            timeframe: args.timeframe.parse()?,
            metrics,
            include_trends: true,
            percentiles: args.percentiles.clone(),
            percentile_method: args.percentile_method.parse()?,
            anomalies: anomaly_settings(args)?,
            baseline: BaselineSettings {
                compare: args.compare_baseline || args.fail_on_regression,
                ..BaselineSettings::default()
            },
            ..Request::default()
        },
        recipe_config: args
            .regression_threshold
            .map(|t| serde_json::json!({"health": {"regression_threshold": t}})),
        now_ns: framework0::util::epoch_nanos(),
        run_id: None,
    };
    let mut store = super::open_existing_store(store_path)?;
    Ok(analyze(&mut store, &request)?)
}

fn print_tables(report: &AnalysisReport) {
    for (i, m) in report.metrics.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print_metric(m, &report.timeframe);
    }
    for s in &report.skipped {
        println!("skipped {}: {}", s.metric, s.reason);
    }
}

/// The JSON spelling of a unit-like enum (`increasing`, `regressed`).
fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn print_metric(m: &MetricAnalysis, timeframe: &str) {
    let s = &m.summary.summary;
    println!(
        "metric {} ({}, {}): {} samples, timeframe {timeframe}",
        m.metric_name, m.metric_type, m.unit, s.sample_count
    );
    if let Some((a, b)) = s.time_range {
        println!(
            "  {:<12} {} .. {}",
            "time",
            format_rfc3339(a),
            format_rfc3339(b)
        );
    }
    let opt = |v: Option<f64>| v.map_or("-".to_owned(), fmt_num);
    for (label, value) in [
        ("mean", fmt_num(s.mean)),
        ("median", fmt_num(s.median)),
        ("mode", opt(s.mode)),
        ("std_dev", fmt_num(s.std_dev)),
        ("variance", fmt_num(s.variance)),
        ("min", fmt_num(s.min_value)),
        ("max", fmt_num(s.max_value)),
        ("range", fmt_num(s.range_span)),
        ("skewness", opt(s.skewness)),
        ("kurtosis", opt(s.kurtosis)),
    ] {
        println!("  {label:<12} {value}");
    }
    let percentiles: Vec<String> = s
        .percentiles
        .iter()
        .map(|(p, v)| format!("p{p} {}", fmt_num(v)))
        .collect();
    println!(
        "  {:<12} {} ({})",
        "percentiles",
        percentiles.join("  "),
        m.summary.percentile_method.name()
    );
    if let Some(t) = &m.trend {
        println!(
            "trend: {}, slope {} per s, r² {}, next hour {} (confidence {})",
            label(&t.trend_direction),
            fmt_num(t.slope),
            fmt_num(t.r_squared),
            fmt_num(t.forecast_next_hour),
            fmt_num(t.forecast_confidence)
        );
    }
    if let Some(b) = &m.baseline_comparison {
        let c = &b.comparison;
        println!(
            "baseline #{} ({} samples, mean {}): {}, change {:+.2}% [{:+.2}%, {:+.2}%], p {} ({}), threshold {}%",
            b.baseline_id,
            b.baseline_sample_count,
            fmt_num(c.baseline_mean),
            label(&c.verdict),
            c.relative_change * 100.0,
            c.interval.lower * 100.0,
            c.interval.upper * 100.0,
            fmt_num(c.p_value),
            label(&c.test),
            fmt_num(b.regression_threshold * 100.0),
        );
    }
    if let Some(d) = &m.drift {
        println!(
            "drift across {} runs: {} (Mann–Kendall p {}, Sen slope {} per run)",
            d.runs.len(),
            label(&d.drift.verdict),
            fmt_num(d.drift.test.p_value),
            fmt_num(d.drift.test.sen_slope)
        );
    }
    println!("change points ({}):", m.change_points.len());
    print_change_points(&m.change_points);
    println!("anomalies ({}):", m.anomalies.len());
    if !m.anomalies.is_empty() {
        println!(
            "{:>7}  {:<30}  {:>12}  {:<16}  {:>10}  {:>12}  {:>10}",
            "index", "time", "value", "method", "confidence", "baseline", "deviation"
        );
    }
    for a in &m.anomalies {
        println!(
            "{:>7}  {:<30}  {:>12}  {:<16}  {:>10}  {:>12}  {:>10}",
            a.index,
            format_rfc3339(a.metric.timestamp),
            fmt_num(a.metric.value),
            a.detection_method.name(),
            fmt_num(a.confidence_score),
            fmt_num(a.baseline_value),
            fmt_num(a.deviation_magnitude)
        );
    }
    for w in &m.warnings {
        println!("warning: {w}");
    }
}
