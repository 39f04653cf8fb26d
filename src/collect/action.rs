//! Executing a [`CollectPlan`]: the `collect` action of `PerformanceMetricsScriptlet`.
//!
//! Order: start the writer (one thread, bounded queue, the sink) → start the system
//! collector (background, fixed rate, priming sample first) and the network probes
//! (background) → record the custom metrics → run the workloads one after another → wait
//! out the rest of `duration` → stop the background collectors (the system one takes a
//! final sample) → sample the recorder and allocation counters → drain the writer →
//! summary. A failing workload stops the remaining workloads and the wait; a required
//! endpoint that failed, a failed workload or a store write error fail the step after the
//! summary is written. Cancellation (timeout, Ctrl-C) stops everything, stores what was
//! collected and returns [`CollectError::Cancelled`].

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::application::ApplicationMetricsCollector;
use super::args::{self, CollectPlan};
use super::background::BackgroundCollector;
use super::custom::CustomMetricsCollector;
use super::network::NetworkMetricsCollector;
use super::progress::Progress;
use super::summary::{
    ApplicationSummary, CollectSummary, CollectorsSummary, CustomSummary, NetworkSummary,
    SamplingSummary, WorkloadSummary,
};
use super::system::SystemMetricsCollector;
use super::workload::run_workload;
use super::writer::{MetricWriter, WriterOptions};
use super::{CollectError, Collector};
use crate::diagnostic::Level;
use crate::metrics::MetricSink;
use crate::scriptlet::{ScriptletError, StepEnv};
use crate::store::StoreSink;
use crate::util::epoch_seconds;

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
    let writer = MetricWriter::spawn(
        sink,
        WriterOptions {
            queue_capacity: QUEUE_CAPACITY,
            chunk: usize::try_from(plan.config.performance.batch_size).unwrap_or(usize::MAX),
            max_per_batch: usize::try_from(plan.config.collection.max_metrics_per_collection)
                .unwrap_or(usize::MAX),
            filters: plan.filters.clone(),
        },
    )?;
    let tx = writer.sender();
    let mut failures = Vec::new();
    let mut collectors = CollectorsSummary::default();

    let system = match plan.system.as_ref().filter(|_| on) {
        Some(s) => {
            let c = SystemMetricsCollector::new(&s.disk_path).map_err(|e| CollectError::Setup {
                field: "args.collectors.system.disk_path".into(),
                message: e.to_string(),
            })?;
            Some((
                s,
                BackgroundCollector::spawn(Box::new(c), Some(s.interval), true, tx.clone())?,
            ))
        }
        None => None,
    };
    let network = match plan.network.as_ref().filter(|_| on) {
        Some(n) => {
            let c = NetworkMetricsCollector::new(n.endpoints.clone());
            let stats = c.stats_handle();
            let bg = BackgroundCollector::spawn(Box::new(c), n.interval, false, tx.clone())?;
            Some((n, stats, bg))
        }
        None => None,
    };
    if let Some(entries) = plan.custom.as_ref().filter(|_| on) {
        let mut c = CustomMetricsCollector::new();
        c.record_all(entries)?;
        let mut batch = Vec::new();
        c.sample(&mut batch)?;
        collectors.custom = Some(CustomSummary {
            entries: entries.len(),
            metrics: batch.len() as u64,
        });
        tx.send(batch)?;
    }

    let mut app = ApplicationSummary::default();
    let mut stop_early = false;
    if let Some(a) = plan.application.as_ref().filter(|_| on) {
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
                    stop_early = true;
                    break;
                }
            }
        }
    }

    let deadline = started + plan.duration;
    while !stop_early && Instant::now() < deadline {
        if cancelled() {
            return Err(CollectError::Cancelled);
        }
        progress.message("sampling");
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
    progress.finish();

    if let Some((s, bg)) = system {
        collectors.system = Some(SamplingSummary {
            interval_seconds: s.interval.as_secs_f64(),
            report: bg.stop(),
        });
    }
    if let Some((n, stats, bg)) = network {
        bg.stop();
        let endpoints = stats.lock().map(|s| s.clone()).unwrap_or_default();
        for (i, e) in endpoints.iter().enumerate() {
            if e.required && e.failures > 0 {
                failures.push(format!(
                    "args.collectors.network.endpoints[{i}]: required endpoint '{}' failed: {}",
                    e.endpoint,
                    e.last_error.as_deref().unwrap_or("error")
                ));
            }
        }
        collectors.network = Some(NetworkSummary {
            interval_seconds: n.interval.map(|d| d.as_secs_f64()),
            endpoints,
        });
    }
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

    let enabled: Vec<&str> = [
        ("system", plan.system.is_some()),
        ("application", plan.application.is_some()),
        ("network", plan.network.is_some()),
        ("custom", plan.custom.is_some()),
    ]
    .into_iter()
    .filter(|(_, e)| *e && on)
    .map(|(n, _)| n)
    .collect();
    let mut summary = CollectSummary {
        action: "collect",
        timestamp: epoch_seconds(),
        started_at,
        run_id: None,
        step: None,
        duration_seconds: plan.duration.as_secs_f64(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        time_span: None,
        totals: Default::default(),
        total_metrics: 0,
        metrics: Default::default(),
        filtered: 0,
        capped: 0,
        dropped_batches: 0,
        write_errors: Vec::new(),
        collectors,
    };
    summary.counts(&report, &enabled);
    Ok(CollectOutcome { summary, failures })
}

/// The `collect` action as a step: validates `args`, collects into the run's store, writes
/// `metrics.last_collection`.
pub fn run_step(env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
    let info = env.info();
    let step = info.step_name.clone();
    let recipe_config = env.get("recipe.config");
    let (plan, findings) = args::parse(args, "args", recipe_config.as_ref());
    for f in &findings {
        if f.level == Level::Warning {
            tracing::warn!(target: "f0.collect", "step '{step}': {}: {}", f.path, f.message);
        }
    }
    let Some(plan) = plan else {
        let msg = findings
            .iter()
            .filter(|f| f.level == Level::Error)
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ScriptletError::Message(format!("step '{step}': {msg}")));
    };
    let sink = StoreSink::open(&info.store_path, Some(info.run_id)).map_err(|e| {
        ScriptletError::Message(format!("step '{step}': cannot open the metrics store: {e}"))
    })?;
    let progress = Progress::for_stderr(plan.duration);
    let outcome = execute(&plan, Box::new(sink), &|| env.is_cancelled(), &progress);
    progress.finish();
    let mut outcome = match outcome {
        Ok(o) => o,
        Err(CollectError::Cancelled) => return Err(ScriptletError::Cancelled),
        Err(e) => return Err(ScriptletError::Message(format!("step '{step}': {e}"))),
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
            .map_err(|e| ScriptletError::Message(format!("step '{step}': {e}")))?;
        env.set(SUMMARY_KEY, json)?;
    }
    if outcome.failures.is_empty() {
        Ok(0)
    } else {
        Err(ScriptletError::Message(format!(
            "step '{step}': {}",
            outcome.failures.join("; ")
        )))
    }
}
