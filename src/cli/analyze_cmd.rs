//! `f0 analyze --metric SELECTOR`: statistics, trend, change points and anomalies of stored
//! series — one result per series, per group with `--by`, per name with `--pool` — and with
//! `--compare-baseline` a verdict against each series' own stored baseline
//! (established by a recipe's analyze action), as readable tables or as one JSON object
//! (`schemas/analysis.schema.json`, `kind: analysis`). Read-only: nothing is written to the
//! store. `--fail-on-regression` makes a `regressed` verdict the exit status, for CI gates.

use std::path::Path;

use clap::Args;

use serde_json::{json, Map, Value};

use framework0::analyze::action::render::analysis_text;
use framework0::analyze::action::{analyze, parse_args, AnalysisReport, AnalyzeRequest};
use framework0::analyze::baseline::Verdict;
use framework0::diagnostic::{Finding, Level};

/// Flags of `f0 analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A series selector (repeatable): a name, a glob (`step_cpu_*`) and/or tag matchers
    /// (`step_wall_time{step="build"}`, `{step=~"compile.*"}`, `!=`, `!~`).
    #[arg(long = "metric", value_name = "SELECTOR", required = true)]
    pub metrics: Vec<String>,
    /// One result per group of series agreeing on these tag keys (comma-separated or
    /// repeated), instead of one per series.
    #[arg(long = "by", value_delimiter = ',', value_name = "TAG")]
    pub by: Vec<String>,
    /// One result per metric name, pooling every series the selectors match.
    #[arg(long)]
    pub pool: bool,
    /// `framework0`: add Framework0's forecast_next_hour to each trend.
    #[arg(long, value_name = "MODE")]
    pub parity: Option<String>,
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
    /// Replay each series in time order through the online detectors (every point scored
    /// from its past only) instead of running the batch anomaly detectors.
    #[arg(long)]
    pub online: bool,
    /// Online detectors with --online: zscore, mad, ewma, seasonal, knn or default.
    #[arg(long, value_name = "LIST", default_value = "default")]
    pub online_detectors: String,
    /// Calibrated score threshold in (0, 1] with --online (default 0.7).
    #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Compare each metric with its latest stored baseline (a recipe's analyze action
    /// stores baselines with `baseline: {establish: ...}`).
    #[arg(long)]
    pub compare_baseline: bool,
    /// The smallest relative change of the mean called a regression or an improvement
    /// (default: the metrics configuration's `health.regression_threshold`, 0.2).
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
    pub regression_threshold: Option<f64>,
    /// Exit 1 when a baseline comparison says `regressed` or a stored baseline cannot be read
    /// (implies --compare-baseline).
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
    if !super::print_report(&report, args.json, analysis_text) {
        return 1;
    }
    let regressed: Vec<String> = report
        .metrics
        .iter()
        .filter(|m| {
            m.baseline_comparison
                .as_ref()
                .is_some_and(|c| c.comparison.verdict == Verdict::Regressed)
        })
        .map(|m| framework0::metrics::selector::series_label(&m.metric_name, &m.tags))
        .collect();
    let unjudged: Vec<String> = (report.metrics.iter())
        .filter_map(|m| {
            let why = m.baseline_unusable.as_ref()?;
            let label = framework0::metrics::selector::series_label(&m.metric_name, &m.tags);
            Some(format!("{label}: {why}"))
        })
        .collect();
    if args.fail_on_regression && !regressed.is_empty() {
        eprintln!("regressed against the baseline: {}", regressed.join(", "));
        return 1;
    }
    if args.fail_on_regression && !unjudged.is_empty() {
        // A gate that cannot read the baseline it was asked to judge against must not pass.
        eprintln!(
            "cannot judge against the stored baseline: {}",
            unjudged.join("; ")
        );
        return 1;
    }
    0
}

/// The flags as the analyze action's arguments, so that one parser checks both.
fn as_action_args(args: &AnalyzeArgs) -> Map<String, Value> {
    let methods: Vec<&str> = args
        .anomaly_methods
        .iter()
        .map(String::as_str)
        .filter(|m| *m != "none")
        .collect();
    let anomaly = if args.online {
        let mut a = json!({"mode": "online", "methods": args.online_detectors});
        if let Some(t) = args.threshold {
            a["threshold"] = json!(t);
        }
        a
    } else if methods.is_empty() {
        json!({"enabled": false, "sensitivity": args.sensitivity})
    } else {
        json!({"methods": methods, "sensitivity": args.sensitivity})
    };
    let mut m = Map::new();
    m.insert("timeframe".into(), json!(args.timeframe));
    m.insert("metrics".into(), json!(args.metrics));
    m.insert("include_trends".into(), json!(true));
    m.insert("percentile_method".into(), json!(args.percentile_method));
    if let Some(p) = &args.percentiles {
        m.insert("percentiles".into(), json!(p));
    }
    m.insert("anomaly_detection".into(), anomaly);
    if !args.by.is_empty() {
        m.insert("group_by".into(), json!(args.by));
    }
    if args.pool {
        m.insert("pool".into(), json!(true));
    }
    if let Some(p) = &args.parity {
        m.insert("parity".into(), json!(p));
    }
    let compare = args.compare_baseline || args.fail_on_regression;
    m.insert("baseline".into(), json!({"compare": compare}));
    if let Some(t) = args.regression_threshold {
        m.insert(
            "config".into(),
            json!({"health": {"regression_threshold": t}}),
        );
    }
    m
}

/// The flag a finding about the action argument at `path` came from.
fn flag_of(path: &str) -> &'static str {
    let top = path.split(['.', '[']).next().unwrap_or_default();
    match (top, path) {
        ("timeframe", _) => "--timeframe",
        ("metrics", _) => "--metric",
        ("percentiles", _) => "--percentiles",
        ("percentile_method", _) => "--percentile-method",
        (_, p) if p.starts_with("anomaly_detection.sensitivity") => "--sensitivity",
        (_, p) if p.starts_with("anomaly_detection.threshold") => "--threshold",
        (_, p) if p.starts_with("anomaly_detection.mode") => "--online",
        ("anomaly_detection", _) => "--anomaly-methods",
        ("config", _) => "--regression-threshold",
        ("group_by", _) => "--by",
        ("pool", _) => "--pool",
        ("parity", _) => "--parity",
        _ => "--baseline",
    }
}

/// The errors among `findings`, one line each, naming the flag.
fn flag_errors(findings: &[Finding], online: bool) -> String {
    findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .map(|f| {
            let flag = match flag_of(&f.path) {
                "--anomaly-methods" if online => "--online-detectors",
                flag => flag,
            };
            format!("{flag}: {}", f.message)
        })
        .collect::<Vec<_>>()
        .join("\nError: ")
}

fn report(store_path: &Path, args: &AnalyzeArgs) -> anyhow::Result<AnalysisReport> {
    let (parsed, findings) = parse_args(&as_action_args(args), "");
    let Some(request_args) = parsed else {
        anyhow::bail!("{}", flag_errors(&findings, args.online));
    };
    let request = AnalyzeRequest {
        recipe_config: None,
        args: request_args,
        now_ns: framework0::util::epoch_nanos(),
        run_id: None,
    };
    let mut store = super::open_existing_store(store_path)?;
    Ok(analyze(&mut store, &request)?)
}
