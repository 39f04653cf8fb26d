//! Executing a [`CollectPlan`]: the `collect` action of `PerformanceMetricsScriptlet`.
//!
//! Order: start the writer (one thread, bounded queue, the sink) → start the system
//! collector (background, fixed rate, priming sample first), the network probes and the
//! plugin collectors ([`super::plugins`]; background, fixed rate) → record the custom
//! metrics → run the workloads one after another → wait out the rest of `duration` (counted
//! from when the collectors are running, so a plugin's start-up, such as a Python worker's,
//! is not taken out of it) → stop
//! the background collectors (the system one takes a final sample) → sample the recorder and
//! allocation counters → drain the writer → summary. A failing workload stops the remaining
//! workloads and the wait; a required endpoint that failed, a failed workload, a plugin
//! collector with a failed sample or a store write error fail the step after the summary is
//! written. Cancellation (timeout, Ctrl-C) stops everything, stores what was collected and
//! returns [`CollectError::Cancelled`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::application::ApplicationMetricsCollector;
use super::args::{self, CollectPlan};
use super::background::BackgroundCollector;
use super::custom::CustomMetricsCollector;
use super::network::NetworkMetricsCollector;
use super::plugins::{PluginCollector, PluginPlan};
use super::progress::Progress;
use super::summary::{
    ApplicationSummary, CollectSummary, CollectorsSummary, CustomSummary, NetworkSummary,
    SamplingSummary, WorkloadSummary,
};
use super::system::SystemMetricsCollector;
use super::workload::run_workload;
use super::writer::{BatchSender, MetricWriter, WriterOptions};
use super::{CollectError, Collector};
use crate::diagnostic::{Finding, Level};
use crate::metrics::MetricSink;
use crate::scriptlet::{ActionSpec, ScriptletError, StepEnv};
use crate::store::StoreSink;
use crate::util::epoch_seconds;

/// The `collect` action of `PerformanceMetricsScriptlet`.
pub const ACTION: ActionSpec = ActionSpec::new("collect", validate_args, run_step);

/// Context key of the summary.
pub const SUMMARY_KEY: &str = "metrics.last_collection";
/// Batches the write queue holds.
const QUEUE_CAPACITY: usize = 256;
/// How often the wait loop checks for cancellation.
const POLL: Duration = Duration::from_millis(50);

/// What a collection produced.
#[derive(Debug, Clone)]
pub struct CollectOutcome {
    /// The summary (`run_id` and `step` unset).
    pub summary: CollectSummary,
    /// Why the step must fail, each message naming its argument.
    pub failures: Vec<String>,
}

/// Runs `plan`, writing metrics to `sink`; `cancelled` is polled throughout.
pub fn execute(
    plan: &CollectPlan,
    sink: Box<dyn MetricSink>,
    cancelled: &dyn Fn() -> bool,
    progress: &Progress,
) -> Result<CollectOutcome, CollectError> {
    let started = Instant::now();
    let started_at = epoch_seconds();
    let on = plan.config.collection.enabled;
    let sink = super::online::watch(sink, plan.online.as_ref());
    let writer = MetricWriter::spawn(sink, writer_options(plan))?;
    let tx = writer.sender();
    let mut failures = Vec::new();
    let mut collectors = CollectorsSummary::default();
    let system = start_system(plan, on, &tx)?;
    let network = start_network(plan, on, &tx)?;
    let plugins = start_plugins(plan, on, &tx)?;
    // The window opens once the collectors are running: a plugin's start-up (a Python
    // worker) is not taken out of `duration`.
    let window = Instant::now();
    if let Some(entries) = plan.custom.as_ref().filter(|_| on) {
        collectors.custom = Some(record_custom(entries, &tx)?);
    }
    let (mut app, stop_early) = run_workloads(plan, on, &tx, cancelled, progress, &mut failures)?;
    wait_out(window + plan.duration, stop_early, cancelled, progress)?;
    if let Some((s, bg)) = system {
        collectors.system = Some(SamplingSummary {
            interval_seconds: s.interval.as_secs_f64(),
            report: bg.stop(),
        });
    }
    if let Some(network) = network {
        collectors.network = Some(stop_network(network, &mut failures));
    }
    collectors.plugins = stop_plugins(plugins, &mut failures);
    if plan.application.is_some() && on {
        let mut batch = Vec::new();
        ApplicationMetricsCollector::new().sample(&mut batch)?;
        app.recorder_metrics = batch.len() as u64;
        tx.send(batch)?;
        collectors.application = Some(app);
    }
    drop(tx);
    let report = writer.finish();
    if !report.errors.is_empty() {
        failures.push(format!(
            "cannot store {} metrics: {}",
            report.failed,
            report.errors.join("; ")
        ));
    }
    let mut summary = CollectSummary::new(started_at, plan.duration, started.elapsed());
    summary.collectors = collectors;
    summary.counts(&report, &enabled_collectors(plan, on));
    Ok(CollectOutcome { summary, failures })
}

fn writer_options(plan: &CollectPlan) -> WriterOptions {
    WriterOptions {
        queue_capacity: QUEUE_CAPACITY,
        chunk: usize::try_from(plan.config.performance.batch_size).unwrap_or(usize::MAX),
        max_per_batch: usize::try_from(plan.config.collection.max_metrics_per_collection)
            .unwrap_or(usize::MAX),
        filters: plan.filters.clone(),
    }
}

type Running<'p> = (&'p super::args::SystemPlan, BackgroundCollector);

fn start_system<'p>(
    plan: &'p CollectPlan,
    on: bool,
    tx: &BatchSender,
) -> Result<Option<Running<'p>>, CollectError> {
    let Some(s) = plan.system.as_ref().filter(|_| on) else {
        return Ok(None);
    };
    let c = SystemMetricsCollector::new(&s.disk_path).map_err(|e| CollectError::Setup {
        field: "args.collectors.system.disk_path".into(),
        message: e.to_string(),
    })?;
    let bg = BackgroundCollector::spawn(Box::new(c), Some(s.interval), true, tx.clone())?;
    Ok(Some((s, bg)))
}

type RunningPlugin<'p> = (&'p PluginPlan, BackgroundCollector);

fn start_plugins<'p>(
    plan: &'p CollectPlan,
    on: bool,
    tx: &BatchSender,
) -> Result<Vec<RunningPlugin<'p>>, CollectError> {
    let plans = if on { &plan.plugins[..] } else { &[] };
    plans
        .iter()
        .map(|p| {
            let c = PluginCollector::new(&plan.plugin_set, p)?;
            let bg = BackgroundCollector::spawn(Box::new(c), Some(p.interval), false, tx.clone())?;
            Ok((p, bg))
        })
        .collect()
}

/// Stops the plugin collectors; every one whose samples failed fails the step.
fn stop_plugins(
    running: Vec<RunningPlugin<'_>>,
    failures: &mut Vec<String>,
) -> BTreeMap<String, SamplingSummary> {
    let mut out = BTreeMap::new();
    for (p, bg) in running {
        let report = bg.stop();
        if report.error_count > 0 {
            failures.push(format!(
                "args.collectors.{}: {} of {} samples failed; first: {}",
                p.name,
                report.error_count,
                report.samples,
                report.errors.first().map_or("", String::as_str)
            ));
        }
        let summary = SamplingSummary {
            interval_seconds: p.interval.as_secs_f64(),
            report,
        };
        out.insert(p.name.clone(), summary);
    }
    out
}

struct RunningNetwork<'p> {
    plan: &'p super::args::NetworkPlan,
    stats: std::sync::Arc<std::sync::Mutex<Vec<super::network::EndpointStats>>>,
    collector: BackgroundCollector,
}

fn start_network<'p>(
    plan: &'p CollectPlan,
    on: bool,
    tx: &BatchSender,
) -> Result<Option<RunningNetwork<'p>>, CollectError> {
    let Some(n) = plan.network.as_ref().filter(|_| on) else {
        return Ok(None);
    };
    let c = NetworkMetricsCollector::new(n.endpoints.clone());
    let stats = c.stats_handle();
    let collector = BackgroundCollector::spawn(Box::new(c), n.interval, false, tx.clone())?;
    Ok(Some(RunningNetwork {
        plan: n,
        stats,
        collector,
    }))
}

fn stop_network(n: RunningNetwork<'_>, failures: &mut Vec<String>) -> NetworkSummary {
    n.collector.stop();
    let endpoints = n.stats.lock().map(|s| s.clone()).unwrap_or_default();
    for (i, e) in endpoints.iter().enumerate() {
        if e.required && e.failures > 0 {
            failures.push(format!(
                "args.collectors.network.endpoints[{i}]: required endpoint '{}' failed: {}",
                e.endpoint,
                e.last_error.as_deref().unwrap_or("error")
            ));
        }
    }
    NetworkSummary {
        interval_seconds: n.plan.interval.map(|d| d.as_secs_f64()),
        endpoints,
    }
}

fn record_custom(
    entries: &[super::custom::CustomEntry],
    tx: &BatchSender,
) -> Result<CustomSummary, CollectError> {
    let mut c = CustomMetricsCollector::new();
    c.record_all(entries)?;
    let mut batch = Vec::new();
    c.sample(&mut batch)?;
    let summary = CustomSummary {
        entries: entries.len(),
        metrics: batch.len() as u64,
    };
    tx.send(batch)?;
    Ok(summary)
}

/// Runs the workloads in order; a failing one stops the rest (and the wait after them).
fn run_workloads(
    plan: &CollectPlan,
    on: bool,
    tx: &BatchSender,
    cancelled: &dyn Fn() -> bool,
    progress: &Progress,
    failures: &mut Vec<String>,
) -> Result<(ApplicationSummary, bool), CollectError> {
    let mut app = ApplicationSummary::default();
    let Some(a) = plan.application.as_ref().filter(|_| on) else {
        return Ok((app, false));
    };
    for (i, w) in a.workloads.iter().enumerate() {
        let mut tick = |done: u32, total: u32| {
            progress.message(format!("workload {} {}/{}", w.name, done, total));
        };
        let mut emit = |batch| tx.send(batch);
        match run_workload(w, cancelled, &mut tick, &mut emit) {
            Ok(r) => app.workloads.push(WorkloadSummary::new(&r, &w.command)),
            Err(CollectError::Cancelled) => return Err(CollectError::Cancelled),
            Err(e) => {
                failures.push(format!("args.collectors.application.workloads[{i}]: {e}"));
                return Ok((app, true));
            }
        }
    }
    Ok((app, false))
}

/// Waits until `deadline` (at once when `stop_early`), polling for cancellation.
fn wait_out(
    deadline: Instant,
    stop_early: bool,
    cancelled: &dyn Fn() -> bool,
    progress: &Progress,
) -> Result<(), CollectError> {
    while !stop_early && Instant::now() < deadline {
        if cancelled() {
            return Err(CollectError::Cancelled);
        }
        progress.message("sampling");
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
    progress.finish();
    Ok(())
}

fn enabled_collectors(plan: &CollectPlan, on: bool) -> Vec<&str> {
    let builtin = [
        ("system", plan.system.is_some()),
        ("application", plan.application.is_some()),
        ("network", plan.network.is_some()),
        ("custom", plan.custom.is_some()),
    ];
    let plugins = plan.plugins.iter().map(|p| (p.name.as_str(), true));
    builtin
        .into_iter()
        .chain(plugins)
        .filter(|(_, e)| *e && on)
        .map(|(n, _)| n)
        .collect()
}

/// The findings of the `collect` arguments at path `base` (for `f0 validate` and the
/// runner's pre-check).
pub fn validate_args(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    args::parse(args, base, None).1
}

/// The `collect` action as a step: validates `args`, collects into the run's store, writes
/// `metrics.last_collection`.
pub fn run_step(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let info = env.info();
    let step = info.step_name.clone();
    let in_step = || format!("step '{step}'");
    let plan = plan_for_step(env, args)?;
    let sink = StoreSink::shared(env.shared_store(), Some(info.run_id));
    let progress = Progress::for_stderr(plan.duration);
    let outcome = execute(&plan, Box::new(sink), &|| env.is_cancelled(), &progress);
    progress.finish();
    let mut outcome = match outcome {
        Ok(o) => o,
        Err(CollectError::Cancelled) => return Err(ScriptletError::Cancelled),
        Err(e) => return Err(ScriptletError::failed_in(in_step(), e)),
    };
    outcome.summary.run_id = Some(info.run_id);
    outcome.summary.step = Some(step.clone());
    tracing::info!(
        target: "f0.collect",
        "step '{step}': stored {} metrics ({})",
        outcome.summary.total_metrics,
        outcome
            .summary
            .totals
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if plan.config.integration.context_storage_enabled {
        let json = serde_json::to_value(&outcome.summary)
            .map_err(|e| ScriptletError::failed_in(in_step(), e))?;
        env.set(SUMMARY_KEY, json)?;
    }
    if outcome.failures.is_empty() {
        Ok(0)
    } else {
        Err(ScriptletError::Message(format!(
            "{}: {}",
            in_step(),
            outcome.failures.join("; ")
        )))
    }
}

/// Parses the step's arguments (warnings logged), or fails naming every error.
fn plan_for_step(env: &StepEnv, args: &Map<String, Value>) -> Result<CollectPlan, ScriptletError> {
    let step = &env.info().step_name;
    let recipe_config = env.get("recipe.config");
    let plugins = crate::plugin::Plugins::for_step(env);
    let (plan, findings) = args::parse_with(args, "args", recipe_config.as_ref(), &plugins);
    for f in &findings {
        if f.level == Level::Warning {
            tracing::warn!(target: "f0.collect", "step '{step}': {}: {}", f.path, f.message);
        }
    }
    plan.ok_or_else(|| {
        let msg = findings
            .iter()
            .filter(|f| f.level == Level::Error)
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        ScriptletError::Message(format!("step '{step}': {msg}"))
    })
}
