//! The `analyze` action of `PerformanceMetricsScriptlet` and the engine behind `f0 analyze`:
//! series selectors → stored series ([`resolve`]) → one set per series, group or pool with its
//! samples ([`select`]) → statistics, change points, trend and anomalies per set ([`metric`]) →
//! baseline comparison and drift, new baselines per set ([`baselines`]) → an
//! [`AnalysisReport`], and its health: threshold and regression checks, alerts and
//! cross-component events ([`health`], [`thresholds`], recorded by [`health_step`]) and
//! performance events on `framework0.performance` ([`perf_log`]).
//!
//! In a recipe the report lands at `metrics.last_analysis` in the context and in the store's
//! `analyses` table (with the run and step); every baseline it establishes is also summarised
//! at `metrics.baselines.<metric>`, one entry per series. Arguments: see [`args`]; configuration: see
//! [`config`].

pub mod args;
mod baseline_args;
pub mod baselines;
mod changepoints;
pub mod compare;
pub mod config;
mod error;
pub mod health;
pub mod health_step;
pub mod history;
pub mod metric;
pub mod online;
pub mod perf_log;
pub mod plugins;
pub mod render;
pub mod report;
pub mod resolve;
pub mod select;
pub mod thresholds;
pub mod timeframe;

pub use args::{parse_args, AnalyzeArgs, Grouping, Parity};
pub use changepoints::change_points;
pub use error::AnalyzeError;
pub use report::{AnalysisReport, ChangePointReport};

use serde_json::{Map, Value};

use self::baselines::{
    compare_with_stored, drift_across_runs, establish, higher_is_better, NoComparison, Now,
};
use self::metric::{analyze_metric, MetricSettings};
use self::report::Skipped;
use crate::diagnostic::{Finding, Level};
use crate::scriptlet::{ActionSpec, ScriptletError, StepEnv};
use crate::store::Store;

/// The `analyze` action of `PerformanceMetricsScriptlet`.
pub const ACTION: ActionSpec = ActionSpec::new("analyze", validate_args, run_step);

/// One analysis to carry out.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeRequest {
    /// The parsed arguments.
    pub args: AnalyzeArgs,
    /// The recipe-level `config` mapping (the arguments' `config` wins over it).
    pub recipe_config: Option<Value>,
    /// The current time, epoch ns (relative timeframes count back from it).
    pub now_ns: i64,
    /// The running run (excluded from `last_run`; recorded with new baselines).
    pub run_id: Option<i64>,
}

/// The per-set settings of `args` under `config`.
fn metric_settings(args: &AnalyzeArgs, percentiles: Vec<f64>) -> MetricSettings {
    MetricSettings {
        percentiles: args.percentiles.clone().unwrap_or(percentiles),
        method: args.percentile_method,
        include_trends: args.include_trends,
        anomalies: args.anomalies.clone(),
        change_points: args.change_points,
        parity: args.parity == Some(Parity::Framework0),
    }
}

/// Every set of `selection` analysed (or skipped with the reason), compared with its baseline
/// and checked for drift as `args` ask.
fn analyze_sets(
    store: &Store,
    selection: &select::Selection,
    args: &AnalyzeArgs,
    settings: &MetricSettings,
    regression_threshold: f64,
) -> Result<(Vec<report::MetricAnalysis>, Vec<Skipped>), AnalyzeError> {
    let plugins = crate::plugin::Plugins::current();
    let mut analyzers = plugins::Running::new(&plugins, &args.analyzers)?;
    let mut detectors = plugins::Detectors::new(&plugins, &args.anomalies.custom)?;
    let mut metrics = Vec::new();
    let mut skipped = selection.skipped.clone();
    for set in &selection.sets {
        let single = set.samples.len() == 1 && args.baseline.compare;
        let analysed = if single {
            Ok(metric::single_sample(set, settings))
        } else {
            analyze_metric(set, settings)
        };
        let mut m = match analysed {
            Ok(m) => m,
            Err(reason) => {
                skipped.push(Skipped {
                    metric: set.set.label(),
                    reason,
                });
                continue;
            }
        };
        let better_up = higher_is_better(&args.baseline, &set.set);
        if args.baseline.compare {
            match compare_with_stored(store, set, &args.baseline, regression_threshold) {
                Ok(c) => m.baseline_comparison = Some(c),
                Err(e) => {
                    if let NoComparison::Unusable(why) = &e {
                        m.baseline_unusable = Some(why.clone());
                    }
                    m.warnings.push(format!("baseline comparison: {e}"));
                }
            }
        }
        if args.include_trends {
            match drift_across_runs(store, &set.set, args.baseline.alpha, better_up) {
                Ok(d) => m.drift = d,
                Err(e) => m.warnings.push(format!("drift: {e}")),
            }
        }
        if !single {
            detectors.detect(set, settings.anomalies.sensitivity, &mut m);
        }
        m.analyzers = analyzers.judge(set)?;
        metrics.push(m);
    }
    Ok((metrics, skipped))
}

/// Establishes the baselines `from` asks for and notes, on the results, the sets a rolling
/// baseline could not cover yet.
fn establish_into(
    store: &mut Store,
    from: &args::EstablishFrom,
    selection: &select::Selection,
    args: &AnalyzeArgs,
    now: Now,
    metrics: &mut [report::MetricAnalysis],
) -> Result<Vec<report::EstablishedBaseline>, AnalyzeError> {
    let (stored, not_yet) = establish(store, from, selection, &args.grouping, args.timeframe, now)?;
    for n in not_yet {
        if let Some(m) = metrics
            .iter_mut()
            .find(|m| m.metric_name == n.metric && m.series == n.series)
        {
            m.warnings.push(n.reason);
        }
    }
    Ok(stored)
}

/// An analysis with the health of what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    /// The report.
    pub report: AnalysisReport,
    /// Threshold and regression checks and events (empty with `health.performance_alerts`
    /// off).
    pub health: health::Evaluation,
    /// The configuration in force.
    pub config: crate::metrics::MetricsConfiguration,
}

/// Runs an analysis against `store`.
pub fn analyze(store: &mut Store, req: &AnalyzeRequest) -> Result<AnalysisReport, AnalyzeError> {
    analyze_with_health(store, req).map(|a| a.report)
}

/// The declared thresholds in force: the configuration's, overlaid by the arguments'.
fn threshold_specs(
    config: &crate::metrics::MetricsConfiguration,
    args: &AnalyzeArgs,
) -> Result<Vec<thresholds::ThresholdSpec>, AnalyzeError> {
    let merged = serde_json::json!({"health": {"thresholds": config.health.thresholds}});
    let (from_config, findings) = thresholds::from_config(&merged, "config");
    if !findings.is_empty() {
        return Err(AnalyzeError::InvalidArgs(findings));
    }
    Ok(thresholds::overlay(from_config, args.thresholds.clone()))
}

/// Runs an analysis against `store` and evaluates its health (see [`health`]).
pub fn analyze_with_health(
    store: &mut Store,
    req: &AnalyzeRequest,
) -> Result<Analysed, AnalyzeError> {
    let args = &req.args;
    let config = config::effective(req.recipe_config.as_ref(), args.config.as_ref())?;
    let specs = threshold_specs(&config, args)?;
    let regression_threshold = config.health.regression_threshold;
    let settings = metric_settings(args, config.analysis.percentiles.clone());
    let selection = select::select(
        store,
        select::SelectSpec {
            selectors: &args.metrics,
            grouping: &args.grouping,
            timeframe: args.timeframe,
            now_ns: req.now_ns,
            current_run: req.run_id,
        },
    )?;
    let (mut metrics, skipped) =
        analyze_sets(store, &selection, args, &settings, regression_threshold)?;
    if metrics.is_empty() {
        return Err(AnalyzeError::NothingAnalysable {
            reasons: skipped
                .iter()
                .map(|s| format!("'{}': {}", s.metric, s.reason))
                .collect(),
        });
    }
    let now = Now {
        now_ns: req.now_ns,
        run_id: req.run_id,
    };
    let baselines_established = match &args.baseline.establish {
        Some(from) => establish_into(store, from, &selection, args, now, &mut metrics)?,
        None => Vec::new(),
    };
    let evaluation = if config.health.performance_alerts {
        health::evaluate(health::HealthInput {
            selection: &selection,
            metrics: &metrics,
            established: &baselines_established,
            specs: &specs,
            method: args.percentile_method,
            regression_threshold,
            now: req.now_ns as f64 / 1e9,
        })
    } else {
        health::Evaluation::default()
    };
    let report = AnalysisReport {
        kind: "analysis",
        generated_at: req.now_ns as f64 / 1e9,
        run_id: req.run_id,
        timeframe: args.timeframe.to_string(),
        analysed_run_id: selection.analysed_run_id,
        percentile_method: args.percentile_method,
        regression_threshold,
        metrics,
        skipped,
        baselines_established,
    };
    Ok(Analysed {
        report,
        health: evaluation,
        config,
    })
}

/// The findings of the analyze action's arguments at path `base` (for `f0 validate` and the
/// runner's pre-check).
pub fn validate_args(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    parse_args(args, base).1
}

fn errors_only(findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.level == Level::Error)
        .collect()
}

/// The new values of `metrics.baselines.<metric>` for `established`: one entry per series keyed
/// by its canonical tag string (`*` for a pool), merged over the entries already there (an
/// entry of the old shape — one summary for the whole name — is kept under `*`).
fn context_baselines(
    env: &StepEnv,
    established: &[report::EstablishedBaseline],
) -> Result<Vec<(String, Value)>, ScriptletError> {
    let mut out: Vec<(String, Map<String, Value>)> = Vec::new();
    for b in established {
        let key = format!("metrics.baselines.{}", b.metric);
        let at = match out.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let entries = match env.get(&key) {
                    Some(Value::Object(m)) if m.contains_key("sample_count") => {
                        Map::from_iter([("*".to_owned(), Value::Object(m))])
                    }
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                out.push((key, entries));
                out.len() - 1
            }
        };
        let summary = serde_json::to_value(b).map_err(ScriptletError::failed)?;
        out[at].1.insert(b.series.clone(), summary);
    }
    Ok(out
        .into_iter()
        .map(|(k, m)| (k, Value::Object(m)))
        .collect())
}

/// Runs the analyze action in a recipe step: analyses the run's store, stores the report for
/// the run, and sets `metrics.last_analysis` and `metrics.baselines.<metric>` (one entry per
/// series, keyed by its canonical tag string).
pub fn run_step(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    // The program's plugins (analyzers) are in scope for reading the arguments and analysing.
    crate::scriptlet::extensions::in_scope(env.extensions(), || run_in_scope(env, args))
}

fn run_in_scope(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let (parsed, findings) = parse_args(args, "args");
    let args = parsed
        .ok_or_else(|| ScriptletError::failed(AnalyzeError::InvalidArgs(errors_only(findings))))?;
    let info = env.info();
    let request = AnalyzeRequest {
        args,
        recipe_config: env.get("recipe.config"),
        now_ns: crate::util::epoch_nanos(),
        run_id: Some(info.run_id),
    };
    let fail_on = request.args.fail_on;
    let (analysed, json) = {
        let mut store = env.store();
        let analysed = analyze_with_health(&mut store, &request).map_err(ScriptletError::failed)?;
        let json = serde_json::to_value(&analysed.report).map_err(ScriptletError::failed)?;
        store
            .insert_analysis(Some(info.run_id), Some(&info.step_name), &json)
            .map_err(ScriptletError::failed)?;
        (analysed, json)
    };
    let report = &analysed.report;
    for (key, value) in context_baselines(env, &report.baselines_established)? {
        env.set(&key, value)?;
    }
    env.set("metrics.last_analysis", json)?;
    tracing::info!(
        target: "f0.analyze",
        "analysed {} metric(s) over timeframe {} ({} skipped, {} baseline(s) established)",
        report.metrics.len(),
        report.timeframe,
        report.skipped.len(),
        report.baselines_established.len()
    );
    perf_log::log(&perf_log::significant(
        &report.metrics,
        &analysed.config.logging,
    ));
    let now = request.now_ns as f64 / 1e9;
    let (status, alerts) = health_step::record_health(env, analysed.health, now)?;
    health_step::judge(fail_on, status, &alerts).map_err(ScriptletError::failed)?;
    Ok(0)
}
