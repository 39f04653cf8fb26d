//! The recipe runner: orders steps, applies filters, dependencies, retries and timeouts,
//! measures every step, and persists context and step metrics after each step so that an
//! interrupted run loses nothing it finished.

mod attempt;
mod measure;
mod outcome;
mod plan;

pub use attempt::{AttemptEnd, StepWorker};
pub use measure::{Snapshot, StepUsage};
pub use outcome::{RunOutcome, RunStatus, StepOutcome, StepStatus};
pub use plan::execution_order;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::context::{lock, Context, SharedContext};
use crate::diagnostic::{Finding, Level};
use crate::recipe::validate::validate;
use crate::recipe::{Recipe, Step};
use crate::scriptlet::{Registry, Resolution, StepInfo};
use crate::store::{Store, StoreError};
use crate::util::{epoch_nanos, epoch_seconds};

/// The runner's version, written to `recipe.runner_version` (Framework0's runner wrote "2.0").
pub const RUNNER_VERSION: &str = "2.0";
const WHO: &str = "runner";

/// Options of one run (the flags of `f0 run`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run only these step names (`--only`).
    pub only: Option<Vec<String>>,
    /// Skip these step names (`--skip`).
    pub skip: Vec<String>,
    /// Keep going after a failed step.
    pub continue_on_error: bool,
    /// Default per-step timeout, seconds (a step's own `timeout` wins).
    pub step_timeout: Option<f64>,
    /// Retries after a failed attempt (a step's own `retry_count` wins).
    pub max_retries: u32,
    /// Pause between attempts, seconds.
    pub retry_delay: f64,
    /// Missing `success.ctx_has_keys` fail the step instead of warning.
    pub strict: bool,
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The recipe has validation errors; nothing ran.
    #[error("recipe {path} is invalid:\n{}", .findings.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The recipe path.
        path: String,
        /// The errors found.
        findings: Vec<Finding>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs recipes against a registry and a store.
pub struct Runner<'a> {
    registry: &'a Registry,
    store: &'a mut Store,
    interrupt: Arc<AtomicBool>,
    worker: StepWorker,
}

impl<'a> Runner<'a> {
    /// A runner; `interrupt` becomes true on Ctrl-C.
    pub fn new(registry: &'a Registry, store: &'a mut Store, interrupt: Arc<AtomicBool>) -> Self {
        Runner {
            registry,
            store,
            interrupt,
            worker: StepWorker::new(),
        }
    }

    /// Validates and runs `recipe`.
    pub fn run(&mut self, recipe: &Recipe, opts: &RunOptions) -> Result<RunOutcome, RunError> {
        let errors: Vec<Finding> = validate(recipe, self.registry)
            .into_iter()
            .filter(|f| f.level == Level::Error && !f.code.is_runtime_failure())
            .collect();
        let recipe_path = recipe.path.display().to_string();
        if !errors.is_empty() {
            return Err(RunError::Invalid {
                path: recipe_path,
                findings: errors,
            });
        }
        let recipe_name = recipe.display_name();
        let started = Instant::now();
        let start_time = epoch_seconds();
        let mut ctx = self.store.load_context()?;
        let run_id = self
            .store
            .begin_run(&recipe_name, &recipe_path, start_time)?;
        ctx.set("recipe.path", json!(recipe_path), Some(WHO));
        ctx.set("recipe.start_time", json!(start_time), Some(WHO));
        ctx.set("recipe.runner_version", json!(RUNNER_VERSION), Some(WHO));
        ctx.set("recipe.total_steps", json!(recipe.steps.len()), Some(WHO));
        for (doc_key, ctx_key) in [("metadata", "recipe.metadata"), ("config", "recipe.config")] {
            // Null when absent, so a later recipe never inherits an earlier one's config.
            let value = recipe.document.get(doc_key).cloned().unwrap_or(Value::Null);
            if value != Value::Null || ctx.contains(ctx_key) {
                ctx.set(ctx_key, value, Some(WHO));
            }
        }
        self.store.commit(Some(run_id), &mut ctx, &[])?;
        tracing::info!(target: "f0.runner", "Starting recipe execution: {recipe_path} ({} steps)", recipe.steps.len());

        let shared: SharedContext = Arc::new(Mutex::new(ctx));
        let mut steps = Vec::new();
        let mut blocked: HashSet<String> = HashSet::new();
        let mut stopped = false;
        for step in execution_order(recipe) {
            let outcome = if stopped || self.interrupted() {
                not_run(step)
            } else if let Some(reason) = filtered(step, opts) {
                skipped(step, reason)
            } else if let Some(dep) = step.depends_on.iter().find(|d| blocked.contains(*d)) {
                skipped(
                    step,
                    format!("dependency '{dep}' failed or was skipped because of a failure"),
                )
            } else {
                let info = StepInfo {
                    step_name: step.name.clone(),
                    recipe_path: recipe.path.clone(),
                    recipe_name: recipe_name.clone(),
                    attempt: 0,
                    run_id,
                    store_path: self.store.path().to_path_buf(),
                };
                let o = self.run_step(step, info, &shared, opts);
                let samples = o
                    .usage
                    .map(|u| u.samples(&recipe_name, &step.name, epoch_nanos()))
                    .unwrap_or_default();
                self.store
                    .commit(Some(run_id), &mut lock(&shared), &samples)?;
                o
            };
            match outcome.status {
                StepStatus::Failed => {
                    blocked.insert(step.name.clone());
                    stopped = !opts.continue_on_error;
                }
                StepStatus::Skipped
                    if outcome
                        .skip_reason
                        .as_deref()
                        .is_some_and(|r| r.starts_with("dependency")) =>
                {
                    blocked.insert(step.name.clone());
                }
                _ => {}
            }
            steps.push(outcome);
        }
        let interrupted = self.interrupted();
        let mut ctx = lock(&shared).clone();
        let outcome = finish(&mut ctx, run_id, recipe, steps, started, interrupted);
        self.store.commit(Some(run_id), &mut ctx, &[])?;
        self.store
            .finish_run(run_id, epoch_seconds(), outcome.status.as_str())?;
        self.apply_retention(recipe)?;
        Ok(outcome)
    }

    /// Enforces `storage`/`retention` limits when the recipe's `config` sets them and
    /// `auto_cleanup` is on. Opt-in, so data imported with old timestamps is never dropped by
    /// a recipe that did not ask for it.
    fn apply_retention(&mut self, recipe: &Recipe) -> Result<(), RunError> {
        let Some(config) = recipe.document.get("config") else {
            return Ok(());
        };
        if config.get("storage").is_none() && config.get("retention").is_none() {
            return Ok(());
        }
        // Validation refused a bad config before the run, so this parse succeeds.
        if let Ok((cfg, _)) = crate::metrics::MetricsConfiguration::from_value(config) {
            if cfg.storage.auto_cleanup {
                let report = self.store.enforce_retention(
                    epoch_nanos(),
                    cfg.storage.max_age_days,
                    cfg.storage.max_metrics_count,
                )?;
                tracing::info!(target: "f0.runner", "Retention: removed {} expired and {} excess samples", report.expired, report.over_limit);
            }
        }
        Ok(())
    }

    fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }

    fn run_step(
        &mut self,
        step: &Step,
        mut info: StepInfo,
        ctx: &SharedContext,
        opts: &RunOptions,
    ) -> StepOutcome {
        let retries = step.retry_count.unwrap_or(opts.max_retries);
        let timeout = step
            .timeout_secs
            .or(opts.step_timeout)
            .filter(|t| *t > 0.0)
            .map(Duration::from_secs_f64);
        tracing::info!(target: "f0.runner", "Executing step: {} ({}.{})", step.name, step.module, step.function);
        let snapshot = Snapshot::start();
        let mut end = AttemptEnd::Success;
        let mut attempts = 0;
        for attempt in 1..=retries.saturating_add(1) {
            attempts = attempt;
            info.attempt = attempt;
            end = match self.registry.resolve(&step.module, &step.function) {
                Resolution::Found(entry) => attempt::run_attempt(
                    &mut self.worker,
                    entry.instantiate(),
                    info.clone(),
                    ctx.clone(),
                    step.args.clone(),
                    timeout,
                    &self.interrupt,
                ),
                Resolution::NoModule { message } | Resolution::NoAttribute { message } => {
                    AttemptEnd::Error(message)
                }
            };
            if matches!(end, AttemptEnd::Success | AttemptEnd::Interrupted) || attempt > retries {
                break;
            }
            tracing::warn!(target: "f0.runner", "Step {} attempt {attempt} failed: {}; retrying", step.name, end.message().unwrap_or_default());
            if self.pause(opts.retry_delay) {
                end = AttemptEnd::Interrupted;
                break;
            }
        }
        let usage = snapshot.finish();
        let mut warnings = Vec::new();
        let mut error = end.message().map(|m| match &end {
            // Resolution failures are reported verbatim, as Framework0 does.
            AttemptEnd::Error(e)
                if e.starts_with("Failed to import") || e.starts_with("Scriptlet class") =>
            {
                e.clone()
            }
            _ => m,
        });
        if end == AttemptEnd::Success {
            let c = lock(ctx);
            let missing: Vec<&str> = step
                .ctx_has_keys
                .iter()
                .map(String::as_str)
                .filter(|k| !c.contains(k))
                .collect();
            if !missing.is_empty() {
                let msg = format!(
                    "step '{}' did not set expected context keys: {}",
                    step.name,
                    missing.join(", ")
                );
                if opts.strict {
                    error = Some(msg);
                } else {
                    tracing::warn!(target: "f0.runner", "{msg}");
                    warnings.push(msg);
                }
            }
        }
        let status = if error.is_some() {
            StepStatus::Failed
        } else {
            StepStatus::Completed
        };
        let secs = usage.wall_ns as f64 / 1e9;
        match &error {
            Some(e) => {
                tracing::error!(target: "f0.runner", "Step {} failed after {secs:.3}s: {e}", step.name)
            }
            None => {
                tracing::info!(target: "f0.runner", "Step {} completed in {secs:.3}s", step.name)
            }
        }
        StepOutcome {
            name: step.name.clone(),
            status: if end == AttemptEnd::Interrupted {
                StepStatus::NotRun
            } else {
                status
            },
            attempts,
            duration_seconds: secs,
            error,
            skip_reason: None,
            warnings,
            usage: Some(usage),
        }
    }

    /// Sleeps `secs`; returns true if interrupted meanwhile.
    fn pause(&self, secs: f64) -> bool {
        let end = Instant::now() + Duration::from_secs_f64(secs.max(0.0));
        while Instant::now() < end {
            if self.interrupted() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10).min(end - Instant::now()));
        }
        self.interrupted()
    }
}

fn filtered(step: &Step, opts: &RunOptions) -> Option<String> {
    if let Some(only) = &opts.only {
        if !only.contains(&step.name) {
            return Some("not selected by --only".to_owned());
        }
    }
    opts.skip
        .contains(&step.name)
        .then(|| "excluded by --skip".to_owned())
}

fn skipped(step: &Step, reason: String) -> StepOutcome {
    tracing::info!(target: "f0.runner", "Skipping step {}: {reason}", step.name);
    StepOutcome {
        status: StepStatus::Skipped,
        skip_reason: Some(reason),
        ..not_run(step)
    }
}

fn not_run(step: &Step) -> StepOutcome {
    StepOutcome {
        name: step.name.clone(),
        status: StepStatus::NotRun,
        attempts: 0,
        duration_seconds: 0.0,
        error: None,
        skip_reason: None,
        warnings: Vec::new(),
        usage: None,
    }
}

/// Computes the final counts and status and writes the runner's closing context keys.
fn finish(
    ctx: &mut Context,
    run_id: i64,
    recipe: &Recipe,
    steps: Vec<StepOutcome>,
    started: Instant,
    interrupted: bool,
) -> RunOutcome {
    let count = |s: StepStatus| steps.iter().filter(|o| o.status == s).count();
    let (completed, failed, skipped) = (
        count(StepStatus::Completed),
        count(StepStatus::Failed),
        count(StepStatus::Skipped),
    );
    let total = recipe.steps.len();
    let status = if interrupted {
        RunStatus::Interrupted
    } else {
        RunStatus::from_counts(completed, failed)
    };
    let success = status == RunStatus::Completed;
    let execution_time = started.elapsed().as_secs_f64();
    let success_rate = RunOutcome::rate(completed, total);
    let errors: Vec<Value> = steps
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| json!(format!("{}: {e}", s.name))))
        .collect();
    let warnings: Vec<Value> = steps
        .iter()
        .flat_map(|s| s.warnings.iter().map(|w| json!(w)))
        .collect();
    let keys: [(&str, Value); 9] = [
        ("recipe.end_time", json!(epoch_seconds())),
        ("recipe.execution_time_seconds", json!(execution_time)),
        ("recipe.status", json!(status.as_str())),
        ("recipe.success", json!(success)),
        ("recipe.completed_steps", json!(completed)),
        ("recipe.failed_steps", json!(failed)),
        ("recipe.skipped_steps", json!(skipped)),
        ("recipe.success_rate", json!(success_rate)),
        ("recipe.outputs_created", json!([])),
    ];
    for (k, v) in keys {
        ctx.set(k, v, Some(WHO));
    }
    if !errors.is_empty() {
        ctx.set("recipe.global_errors", Value::Array(errors), Some(WHO));
    }
    if !warnings.is_empty() {
        ctx.set("recipe.global_warnings", Value::Array(warnings), Some(WHO));
    }
    RunOutcome {
        run_id,
        recipe_path: recipe.path.display().to_string(),
        status,
        success,
        execution_time,
        total_steps: total,
        completed_steps: completed,
        failed_steps: failed,
        skipped_steps: skipped,
        success_rate,
        steps,
        context_keys: ctx.keys().map(str::to_owned).collect(),
    }
}
