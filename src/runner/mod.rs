//! The recipe runner: orders steps, applies filters, dependencies, retries and timeouts,
//! measures every step, and persists context and step metrics in grouped commits (at most
//! [`crate::store::FLUSH_INTERVAL`] after a step ends, also while a later step runs), so an
//! interrupted run loses nothing it finished and a killed one at most that interval, its run
//! then marked `crashed`.

mod attempt;
mod builder;
mod finish;
mod interrupt;
mod measure;
mod outcome;
mod plan;
mod step;
mod watch;

pub use attempt::{running_a_step, AttemptEnd, StepWorker};
pub use builder::RunnerBuilder;
pub use interrupt::Interrupt;
pub use measure::{Snapshot, StepBytes, StepUsage};
pub use outcome::{RunOutcome, RunStatus, SkipReason, StepOutcome, StepStatus};
pub use plan::execution_order;

use finish::{filtered, finish, not_run, skipped};

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::context::{lock, SharedContext};
use crate::diagnostic::{Finding, Level};
use crate::recipe::validate::validate;
use crate::recipe::{Recipe, Step};
use crate::scriptlet::{Registry, StepInfo};
use crate::store::{SharedStore, StoreError};
use crate::util::{epoch_nanos, epoch_seconds};

/// The runner's version, written to `recipe.runner_version` (Framework0's runner wrote "2.0").
pub const RUNNER_VERSION: &str = "2.0";
const WHO: &str = "runner";
/// Context keys a run starts with: every other key starts empty in each run.
pub const PERSISTENT_PREFIXES: &[&str] = &["metrics.baselines."];

/// Options of one run (the flags of `f0 run`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run only these step names (`--only`).
    pub only: Option<Vec<String>>,
    /// Skip these step names (`--skip`).
    pub skip: Vec<String>,
    /// Keep going after a failed step.
    pub continue_on_error: bool,
    /// Default per-step timeout (a step's own `timeout` wins).
    pub step_timeout: Option<Duration>,
    /// Retries after a failed attempt (a step's own `retry_count` wins).
    pub max_retries: u32,
    /// Pause between attempts.
    pub retry_delay: Duration,
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

/// Runs recipes against a registry and a store. The runner owns the run's one store
/// connection; every step reaches it through its [`StepEnv`](crate::scriptlet::StepEnv).
pub struct Runner<'a> {
    registry: builder::RegistryRef<'a>,
    store: SharedStore,
    interrupt: Interrupt,
    worker: StepWorker,
    inline: InlineSteps,
}

/// What the run's inline steps share: one cancellation flag (raised only on interrupt, after
/// which no further step runs) and the watchdog that raises it.
#[derive(Default)]
pub(crate) struct InlineSteps {
    cancel: Arc<AtomicBool>,
    watchdog: Option<watch::Watchdog>,
}

/// What a run carries from step to step.
struct RunState {
    run_id: i64,
    recipe_name: String,
    context: SharedContext,
    /// Steps that failed, or were skipped because of a failure: their dependents are skipped.
    blocked: HashSet<String>,
    /// An earlier step failed and the run does not continue on errors.
    stopped: bool,
    steps: Vec<StepOutcome>,
    /// The steps the registry's around-step hook wraps.
    captured: plan::Captured,
}

impl<'a> Runner<'a> {
    /// A runner over `store`; `interrupt` is raised by a signal.
    pub fn new(registry: &'a Registry, store: SharedStore, interrupt: Interrupt) -> Self {
        Runner {
            registry: builder::RegistryRef::Borrowed(registry),
            store,
            interrupt,
            worker: StepWorker::new(),
            inline: InlineSteps::default(),
        }
    }

    /// Validates and runs `recipe`.
    pub fn run(&mut self, recipe: &Recipe, opts: &RunOptions) -> Result<RunOutcome, RunError> {
        let errors: Vec<Finding> = validate(recipe, &self.registry)
            .into_iter()
            .filter(|f| f.level == Level::Error && !f.code.is_runtime_failure())
            .collect();
        if !errors.is_empty() {
            return Err(RunError::Invalid {
                path: recipe.path.display().to_string(),
                findings: errors,
            });
        }
        let started = Instant::now();
        let mut state = self.begin(recipe)?;
        let run_id = state.run_id;
        self.inline = InlineSteps::default();
        let result = self.steps(recipe, &mut state, opts);
        // Stopped before the closing commit, which must be the run's last write.
        self.inline = InlineSteps::default();
        crate::events::current::set_step(None);
        let result = result.and_then(|()| self.end(recipe, state, started));
        crate::events::current::clear();
        if result.is_err() {
            // Best effort: the store may be what failed; if this fails too, the next process
            // to open the store marks the run crashed (its pid is gone by then).
            let _ =
                self.store
                    .lock()
                    .finish_run(run_id, epoch_seconds(), RunStatus::Failed.as_str());
        }
        result
    }

    /// Runs, skips or passes over every step in order.
    fn steps(
        &mut self,
        recipe: &Recipe,
        state: &mut RunState,
        opts: &RunOptions,
    ) -> Result<(), RunError> {
        for step in execution_order(recipe) {
            crate::events::current::set_step(Some(&step.name));
            let outcome = self.next_step(recipe, step, state, opts)?;
            match (&outcome.status, &outcome.skip_reason) {
                (StepStatus::Failed, _) => {
                    state.blocked.insert(step.name.clone());
                    state.stopped = !opts.continue_on_error;
                }
                (StepStatus::Skipped, Some(r)) if r.blocks_dependents() => {
                    state.blocked.insert(step.name.clone());
                }
                _ => {}
            }
            state.steps.push(outcome);
        }
        Ok(())
    }

    /// Starts the run in the store and writes the runner's opening context keys.
    fn begin(&mut self, recipe: &Recipe) -> Result<RunState, RunError> {
        let recipe_path = recipe.path.display().to_string();
        let recipe_name = recipe.display_name();
        let start_time = epoch_seconds();
        let mut store = self.store.lock();
        // Each run starts from a fresh context, as in Framework0; what persists across runs is
        // read explicitly: the baselines a later analysis compares against.
        let mut ctx = store.load_context(PERSISTENT_PREFIXES)?;
        let run_id = store.begin_run(&recipe_name, &recipe_path, start_time)?;
        // The step series this recipe's earlier runs wrote, loaded by the watchdog before its
        // first commit (store::preload): a recipe run again finds them without a lookup each.
        self.store.preload_later(
            &measure::STEP_SERIES,
            Some(measure::STEP_SOURCE),
            ("recipe", recipe_name.clone()),
        );
        ctx.set("recipe.path", json!(recipe_path), Some(WHO));
        ctx.set("recipe.start_time", json!(start_time), Some(WHO));
        ctx.set("recipe.runner_version", json!(RUNNER_VERSION), Some(WHO));
        ctx.set("recipe.total_steps", json!(recipe.steps.len()), Some(WHO));
        for (doc_key, ctx_key) in [("metadata", "recipe.metadata"), ("config", "recipe.config")] {
            // Null when absent, so a later recipe never inherits an earlier one's config.
            let value = recipe.document.get(doc_key).cloned().unwrap_or(Value::Null);
            if value != Value::Null || store.context_value(ctx_key)?.is_some_and(|v| !v.is_null()) {
                ctx.set(ctx_key, value, Some(WHO));
            }
        }
        store.commit(Some(run_id), &mut ctx, &[])?;
        crate::events::current::set_run(
            &run_id.to_string(),
            &recipe_name,
            &crate::events::short_hex(),
        );
        tracing::info!(target: "f0.runner", "Starting recipe execution: {recipe_path} ({} steps)", recipe.steps.len());
        Ok(RunState {
            run_id,
            recipe_name,
            context: Arc::new(Mutex::new(ctx)),
            blocked: HashSet::new(),
            stopped: false,
            steps: Vec::new(),
            captured: plan::Captured::of(recipe),
        })
    }

    /// Runs, skips or passes over `step`; a step that ran is persisted with its metrics.
    fn next_step(
        &mut self,
        recipe: &Recipe,
        step: &Step,
        state: &mut RunState,
        opts: &RunOptions,
    ) -> Result<StepOutcome, RunError> {
        if state.stopped || self.interrupted() {
            return Ok(not_run(step));
        }
        if let Some(reason) = filtered(step, opts) {
            return Ok(skipped(step, reason));
        }
        if let Some(dep) = step.depends_on.iter().find(|d| state.blocked.contains(*d)) {
            return Ok(skipped(step, SkipReason::Dependency(dep.clone())));
        }
        let info = StepInfo {
            step_name: step.name.clone(),
            recipe_path: recipe.path.clone(),
            recipe_name: state.recipe_name.clone(),
            attempt: 0,
            run_id: state.run_id,
        };
        let captured = state.captured.wants(&step.name);
        let outcome = self.run_step(step, info, &state.context, opts, captured);
        let samples = outcome
            .usage
            .map(|u| u.samples(&state.recipe_name, &step.name, epoch_nanos()));
        // Grouped commits (store::batch): the step's samples wait with its context changes
        // until FLUSH_INTERVAL has passed since the last commit. With inline steps the
        // watchdog commits (the runner never waits for it), woken early when the samples
        // make a batch (FLUSH_BATCH); otherwise the runner does.
        let batch = match samples {
            Some(group) => self.store.hand_over_group(Some(state.run_id), group)?,
            None => false,
        };
        if let Some(dog) = &self.inline.watchdog {
            if batch {
                dog.nudge();
            }
            return Ok(outcome);
        }
        let mut store = self.store.lock_staged();
        if store.flush_due() {
            store.commit(Some(state.run_id), &mut lock(&state.context), &[])?;
        }
        Ok(outcome)
    }

    /// Writes the closing keys, finishes the run in the store and applies retention.
    fn end(
        &mut self,
        recipe: &Recipe,
        state: RunState,
        started: Instant,
    ) -> Result<RunOutcome, RunError> {
        let interrupted = self.interrupted();
        let mut ctx = lock(&state.context).clone();
        let outcome = finish(
            &mut ctx,
            state.run_id,
            recipe,
            state.steps,
            started,
            interrupted,
        );
        self.store.cancel_preload();
        let mut store = self.store.lock();
        // A run without errors (warnings) clears those an earlier run left in the store, so
        // the store never shows another run's errors as this one's.
        for key in ["recipe.global_errors", "recipe.global_warnings"] {
            if !ctx.contains(key) && store.context_value(key)?.is_some_and(|v| v != json!([])) {
                ctx.set(key, json!([]), Some(WHO));
            }
        }
        store.commit(Some(state.run_id), &mut ctx, &[])?;
        store.finish_run(state.run_id, epoch_seconds(), outcome.status.as_str())?;
        drop(store);
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
                let report = self.store.lock().enforce_retention(
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
        self.interrupt.is_raised()
    }
}
