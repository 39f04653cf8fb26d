//! One step of a run: its attempts (inline on the runner's thread, or on the step thread
//! when a timeout bounds them), retries, measurement and verdict. The registry's around-step
//! hook (the profiler's capture) wraps the attempts of the steps a step of the recipe targets
//! ([`super::plan::Captured`]); every other step runs without it.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{
    attempt, watch, AttemptEnd, RunOptions, Runner, Snapshot, StepBytes, StepOutcome, StepStatus,
    StepUsage,
};
use crate::context::{lock, SharedContext};
use crate::recipe::Step;
use crate::scriptlet::{AroundStep, ChildUsage, Resolution, Scriptlet, StepEnv, StepInfo};

/// What every attempt of one step shares.
struct Call<'a> {
    step: &'a Step,
    ctx: &'a SharedContext,
    opts: &'a RunOptions,
    /// Usage reported by the attempts' helper processes.
    child: &'a Arc<Mutex<ChildUsage>>,
    /// Bytes read and written by the threads the attempts run on.
    bytes: &'a Arc<StepBytes>,
    /// The registry's around-step hook, for a step that is captured.
    around: Option<AroundStep>,
}

impl Runner<'_> {
    /// Runs every attempt of `step` (inside the registry's around-step hook when `captured`)
    /// and judges the result.
    pub(super) fn run_step(
        &mut self,
        step: &Step,
        info: StepInfo,
        ctx: &SharedContext,
        opts: &RunOptions,
        captured: bool,
    ) -> StepOutcome {
        tracing::info!(target: "f0.runner", "Executing step: {} ({}.{})", step.name, step.module, step.function);
        let child = Arc::new(Mutex::new(ChildUsage::default()));
        let bytes = Arc::new(StepBytes::default());
        let registry = self.registry.clone();
        let call = Call {
            step,
            ctx,
            opts,
            child: &child,
            bytes: &bytes,
            around: registry.around_step().filter(|_| captured),
        };
        let (end, attempts, mut usage) = match registry.resolve(&step.module, &step.function) {
            Resolution::Found(entry) => {
                let make = || entry.instantiate();
                self.measured(&call, &Attempts::new(&make, true), info)
            }
            Resolution::External(ext) => {
                tracing::debug!(target: "f0.runner", "Step {} runs {}", step.name, ext.origin());
                // A hosted step works through another process: it keeps the step thread, so
                // Ctrl-C never waits on that process.
                let make = || ext.instantiate();
                self.measured(&call, &Attempts::new(&make, false), info)
            }
            Resolution::Unresolved(u) => {
                let snapshot = Snapshot::start();
                (AttemptEnd::Unresolved(u), 1, snapshot.finish(&bytes))
            }
        };
        usage.add_child(&lock_usage(&child));
        let mut warnings = Vec::new();
        let mut error = end.message();
        if end == AttemptEnd::Success {
            if let Some(msg) = missing_keys(step, ctx) {
                if opts.strict {
                    error = Some(msg);
                } else {
                    tracing::warn!(target: "f0.runner", "{msg}");
                    warnings.push(msg);
                }
            }
        }
        let secs = usage.wall_ns as f64 / 1e9;
        let status = match &error {
            Some(e) => {
                tracing::error!(target: "f0.runner", "Step {} failed after {secs:.3}s: {e}", step.name);
                StepStatus::Failed
            }
            None => {
                tracing::info!(target: "f0.runner", "Step {} completed in {secs:.3}s", step.name);
                StepStatus::Completed
            }
        };
        let status = if matches!(end, AttemptEnd::Interrupted(_)) {
            StepStatus::NotRun
        } else {
            status
        };
        StepOutcome {
            name: step.name.clone(),
            status,
            attempts,
            duration_seconds: secs,
            error,
            skip_reason: None,
            warnings,
            usage: Some(usage),
        }
    }

    /// Measures every attempt of a step. The path is chosen first (inline on this thread, or
    /// on the step thread), so starting the watchdog is not the first step's cost.
    fn measured(
        &mut self,
        call: &Call<'_>,
        run: &Attempts<'_>,
        info: StepInfo,
    ) -> (AttemptEnd, u32, StepUsage) {
        let timeout = call.step.timeout.or(call.opts.step_timeout);
        let inline = timeout.is_none() && run.inline && self.watch(info.run_id, call.ctx);
        let snapshot = Snapshot::start();
        let (end, attempts) = self.attempts(call, run, info, inline, timeout);
        (end, attempts, snapshot.finish(call.bytes))
    }

    /// Attempts a fresh `instantiate()` until one succeeds, the retries are spent, or the run
    /// is interrupted.
    fn attempts(
        &mut self,
        call: &Call<'_>,
        run: &Attempts<'_>,
        mut info: StepInfo,
        inline: bool,
        timeout: Option<Duration>,
    ) -> (AttemptEnd, u32) {
        let step = call.step;
        let retries = step.retry_count.unwrap_or(call.opts.max_retries);
        let mut attempt = 0;
        loop {
            attempt += 1;
            info.attempt = attempt;
            let end = if inline {
                let env = self.env(info.clone(), call, self.inline.cancel.clone());
                attempt::run_inline(
                    (run.instantiate)(),
                    env,
                    step.args.clone(),
                    &self.interrupt,
                    call.around,
                    call.bytes,
                )
            } else {
                self.threaded(call, run, &info, timeout)
            };
            if matches!(end, AttemptEnd::Success | AttemptEnd::Interrupted(_)) || attempt > retries
            {
                return (end, attempt);
            }
            tracing::warn!(target: "f0.runner", "Step {} attempt {attempt} failed: {}; retrying", step.name, end.message().unwrap_or_default());
            if self.pause(call.opts.retry_delay) {
                return (AttemptEnd::Interrupted(self.interrupt.describe()), attempt);
            }
        }
    }

    /// One attempt on the step thread, bounded by `timeout` and the interrupt; the runner
    /// commits finished work while it waits.
    fn threaded(
        &mut self,
        call: &Call<'_>,
        run: &Attempts<'_>,
        info: &StepInfo,
        timeout: Option<Duration>,
    ) -> AttemptEnd {
        let env = self.env(info.clone(), call, Arc::new(AtomicBool::new(false)));
        let store = &self.store;
        let ctx = call.ctx;
        let idle = || {
            if let Err(e) = store.flush_if_due(info.run_id, ctx) {
                tracing::warn!(target: "f0.runner", "cannot commit finished work yet: {e}");
            }
        };
        attempt::run_attempt(
            &mut self.worker,
            (run.instantiate)(),
            env,
            call.step.args.clone(),
            attempt::Bounds {
                timeout,
                interrupt: &self.interrupt,
                idle: &idle,
            },
            call.around,
            call.bytes.clone(),
        )
    }

    /// The environment of one attempt, cancelled through `cancel`.
    fn env(&self, info: StepInfo, call: &Call<'_>, cancel: Arc<AtomicBool>) -> StepEnv {
        StepEnv::new(info, call.ctx.clone(), self.store.clone(), cancel)
            .with_child_usage(call.child.clone())
            .with_extensions(self.registry.extensions().clone())
    }

    /// Makes sure the run's watchdog runs (inline steps need it); false when its thread
    /// cannot start, and the step then runs on the step thread instead.
    fn watch(&mut self, run_id: i64, ctx: &SharedContext) -> bool {
        if self.inline.watchdog.is_some() {
            return true;
        }
        let watched = watch::Watched {
            interrupt: self.interrupt.clone(),
            cancel: self.inline.cancel.clone(),
            store: self.store.clone(),
            context: ctx.clone(),
            run_id,
        };
        match watch::Watchdog::start(watched) {
            Ok(w) => {
                self.inline.watchdog = Some(w);
                true
            }
            Err(e) => {
                tracing::debug!(target: "f0.runner", "no watchdog thread ({e}): steps run on the step thread");
                false
            }
        }
    }

    /// Sleeps `d`; returns true if interrupted meanwhile.
    fn pause(&self, d: Duration) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if self.interrupted() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10).min(end - Instant::now()));
        }
        self.interrupted()
    }
}

/// How a step's attempts are made: a fresh scriptlet per attempt, and whether an attempt
/// without a timeout may run on the runner's own thread.
struct Attempts<'f> {
    instantiate: &'f dyn Fn() -> Box<dyn Scriptlet>,
    inline: bool,
}

impl<'f> Attempts<'f> {
    fn new(instantiate: &'f dyn Fn() -> Box<dyn Scriptlet>, inline: bool) -> Self {
        Attempts {
            instantiate,
            inline,
        }
    }
}

/// The usage collected in `slot` (a poisoned slot still holds consistent numbers).
fn lock_usage(slot: &Mutex<ChildUsage>) -> ChildUsage {
    *slot.lock().unwrap_or_else(|p| p.into_inner())
}

/// The message for the step's `success.ctx_has_keys` that the context lacks, if any.
fn missing_keys(step: &Step, ctx: &SharedContext) -> Option<String> {
    if step.ctx_has_keys.is_empty() {
        // Not even a lock: the watchdog may hold the context while it commits.
        return None;
    }
    let c = lock(ctx);
    let missing: Vec<&str> = step
        .ctx_has_keys
        .iter()
        .map(String::as_str)
        .filter(|k| !c.contains(k))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "step '{}' did not set expected context keys: {}",
            step.name,
            missing.join(", ")
        )
    })
}

#[cfg(test)]
#[path = "step_cost_tests.rs"]
mod cost_tests;

#[cfg(test)]
mod tests {
    use super::super::Interrupt;
    use super::*;
    use crate::recipe::parse_recipe;
    use crate::scriptlet::{Registry, ScriptletError};
    use crate::store::{SharedStore, Store};
    use serde_json::{json, Map, Value};

    /// Writes the name of the thread it runs on to `thread.<step>`.
    struct WhereAmI;
    impl Scriptlet for WhereAmI {
        fn run(&mut self, env: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
            let name = std::thread::current().name().unwrap_or("").to_owned();
            env.set(&format!("thread.{}", env.info().step_name), json!(name))?;
            // The CLI's panic hook keeps quiet about a panic here on either path.
            let step = super::super::running_a_step();
            env.set(&format!("in_step.{}", env.info().step_name), json!(step))?;
            Ok(0)
        }
    }

    struct Panics;
    impl Scriptlet for Panics {
        fn run(&mut self, _: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
            panic!("boom in a step");
        }
    }

    /// Ignores cancellation for a while: spins 300 ms.
    struct Busy;
    impl Scriptlet for Busy {
        fn run(&mut self, _: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(300) {
                std::hint::spin_loop();
            }
            Ok(0)
        }
    }

    fn registry() -> Registry {
        let mut r = crate::catalog::default_registry();
        r.register(&["t"], "WhereAmI", "", || Box::new(WhereAmI), None);
        r.register(&["t"], "Panics", "", || Box::new(Panics), None);
        r.register(&["t"], "Busy", "", || Box::new(Busy), None);
        r
    }

    fn run(
        yaml: &str,
        opts: &RunOptions,
        interrupt: &Interrupt,
    ) -> (super::super::RunOutcome, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = SharedStore::new(Store::open(&path).unwrap());
        let registry = registry();
        let recipe = parse_recipe(std::path::Path::new("r.yaml"), yaml).unwrap();
        let outcome = Runner::new(&registry, store, interrupt.clone())
            .run(&recipe, opts)
            .unwrap();
        let reader = Store::open(&path).unwrap();
        std::mem::forget(dir); // the reader keeps the files; the OS cleans /tmp
        (outcome, reader)
    }

    #[test]
    fn a_step_without_timeout_runs_inline_and_one_with_a_timeout_on_the_step_thread() {
        let yaml = "steps:\n- {name: a, idx: 1, module: t, function: WhereAmI}\n\
                    - {name: b, idx: 2, module: t, function: WhereAmI, timeout: 30}\n";
        let (outcome, store) = run(yaml, &RunOptions::default(), &Interrupt::new());
        assert_eq!(outcome.completed_steps, 2);
        let runner_thread = std::thread::current().name().unwrap_or("").to_owned();
        assert_eq!(
            store.context_value("thread.a").unwrap(),
            Some(json!(runner_thread))
        );
        assert_eq!(
            store.context_value("thread.b").unwrap(),
            Some(json!("f0-step"))
        );
        // The run-wide default timeout sends every step to the step thread.
        let opts = RunOptions {
            step_timeout: Some(Duration::from_secs(30)),
            ..RunOptions::default()
        };
        let (_, store) = run(yaml, &opts, &Interrupt::new());
        assert_eq!(
            store.context_value("thread.a").unwrap(),
            Some(json!("f0-step"))
        );
    }

    #[test]
    fn a_panic_fails_only_its_step_on_either_path() {
        for timeout in ["", ", timeout: 30"] {
            let yaml = format!(
                "steps:\n- {{name: p, idx: 1, module: t, function: Panics{timeout}}}\n\
                 - {{name: after, idx: 2, module: t, function: WhereAmI}}\n"
            );
            let opts = RunOptions {
                continue_on_error: true,
                ..RunOptions::default()
            };
            let (outcome, store) = run(&yaml, &opts, &Interrupt::new());
            assert_eq!(outcome.steps[0].status, StepStatus::Failed, "{timeout}");
            let e = outcome.steps[0].error.as_deref().unwrap();
            assert!(e.contains("scriptlet panicked: boom in a step"), "{e}");
            assert_eq!(outcome.steps[1].status, StepStatus::Completed, "{timeout}");
            assert!(store.context_value("thread.after").unwrap().is_some());
        }
    }

    #[test]
    fn a_timeout_still_cuts_off_a_step_that_ignores_cancellation() {
        let yaml = "steps:\n- {name: busy, idx: 1, module: t, function: Busy, timeout: 0.05}\n";
        let started = Instant::now();
        let (outcome, _) = run(yaml, &RunOptions::default(), &Interrupt::new());
        assert!(
            started.elapsed() < Duration::from_millis(290),
            "not cut off"
        );
        assert_eq!(outcome.steps[0].status, StepStatus::Failed);
        assert_eq!(
            outcome.steps[0].error.as_deref(),
            Some("Step timed out after 0.05s")
        );
    }

    #[test]
    fn an_interrupt_cancels_an_inline_step_and_its_finished_work_is_committed_meanwhile() {
        let yaml = "steps:\n- {name: a, idx: 1, module: t, function: WhereAmI}\n\
                    - {name: long, idx: 2, module: f0.builtin, function: Sleep, args: {seconds: 60}}\n\
                    - {name: c, idx: 3, module: t, function: WhereAmI}\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let interrupt = Interrupt::new();
        let raiser = {
            let (path, interrupt) = (path.clone(), interrupt.clone());
            std::thread::spawn(move || {
                // The first step's key reaches the store while the long step sleeps.
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    assert!(Instant::now() < deadline, "first step never committed");
                    let seen = Store::open(&path)
                        .ok()
                        .and_then(|s| s.context_value("thread.a").ok().flatten());
                    if seen.is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                interrupt.raise(libc::SIGINT);
            })
        };
        let store = SharedStore::new(Store::open(&path).unwrap());
        let registry = registry();
        let recipe = parse_recipe(std::path::Path::new("r.yaml"), yaml).unwrap();
        let started = Instant::now();
        let outcome = Runner::new(&registry, store, interrupt)
            .run(&recipe, &RunOptions::default())
            .unwrap();
        raiser.join().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sleep was not cancelled"
        );
        assert_eq!(outcome.status, super::super::RunStatus::Interrupted);
        assert_eq!(outcome.steps[1].status, StepStatus::NotRun);
        assert_eq!(
            outcome.steps[1].error.as_deref(),
            Some("Step interrupted (Ctrl-C)")
        );
        assert_eq!(outcome.steps[2].status, StepStatus::NotRun);
    }
}
