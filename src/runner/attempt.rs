//! One attempt of one step. A step with a timeout runs on a step thread ([`run_attempt`]) so
//! that the runner can cut it off; any other step runs on the runner's own thread
//! ([`run_inline`]), which saves the two thread wake-ups of a handoff, while the run's
//! watchdog ([`super::watch`]) raises its cancellation flag on Ctrl-C and commits finished
//! work while it runs.
//!
//! On timeout or interrupt the step's cancellation flag is raised: cooperative scriptlets
//! stop, and every later context write from that step is refused. A scriptlet that ignores
//! the flag is left behind on its thread; it can no longer change the context.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::measure::{AttemptBytes, StepBytes};
use crate::scriptlet::{AroundStep, Scriptlet, ScriptletError, StepEnv, Unresolved};

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptEnd {
    /// Exit code 0.
    Success,
    /// A non-zero exit code.
    ExitCode(i32),
    /// No scriptlet is registered under the step's module and function.
    Unresolved(Unresolved),
    /// The scriptlet returned an error or panicked.
    Error(String),
    /// The scriptlet failed with a message of its own wording ([`ScriptletError::Reported`]).
    Reported(String),
    /// The timeout (seconds) passed first.
    TimedOut(f64),
    /// A signal arrived (`Ctrl-C`, `SIGTERM`, `SIGHUP`).
    Interrupted(&'static str),
}

impl AttemptEnd {
    /// Framework0's message for a failed attempt (none on success).
    pub fn message(&self) -> Option<String> {
        match self {
            AttemptEnd::Success => None,
            AttemptEnd::ExitCode(c) => Some(format!("Legacy scriptlet returned exit code: {c}")),
            // Resolution failures are reported verbatim, as Framework0 does.
            AttemptEnd::Unresolved(u) => Some(u.to_string()),
            AttemptEnd::Error(e) => Some(format!("Step execution failed: {e}")),
            AttemptEnd::Reported(m) => Some(m.clone()),
            AttemptEnd::TimedOut(t) => Some(format!("Step timed out after {t}s")),
            AttemptEnd::Interrupted(how) => Some(format!("Step interrupted ({how})")),
        }
    }
}

/// How long an interrupted step gets to notice its cancellation before the runner moves on.
const CANCEL_GRACE: Duration = Duration::from_millis(500);
const POLL: Duration = Duration::from_millis(10);

type Job = Box<dyn FnOnce() + Send>;

/// A thread reused across step attempts, so a step costs no thread creation. An attempt
/// that is abandoned (timeout, Ctrl-C) keeps its thread; the worker starts a fresh one for
/// the next attempt, and the old one exits once its stuck job returns.
#[derive(Default)]
pub struct StepWorker {
    jobs: Option<mpsc::Sender<Job>>,
}

impl StepWorker {
    /// A worker whose thread starts with the first job.
    pub fn new() -> Self {
        Self::default()
    }

    fn submit(&mut self, job: Job) -> std::io::Result<()> {
        let sender = match &self.jobs {
            Some(s) => s.clone(),
            None => {
                let (tx, rx) = mpsc::channel::<Job>();
                std::thread::Builder::new()
                    .name("f0-step".to_owned())
                    .spawn(move || {
                        while let Ok(job) = rx.recv() {
                            job();
                        }
                    })?;
                self.jobs = Some(tx.clone());
                tx
            }
        };
        sender.send(job).map_err(|_| {
            self.jobs = None;
            std::io::Error::other("the step thread is gone")
        })
    }

    /// Gives up the current thread (it is busy with an abandoned attempt).
    fn abandon(&mut self) {
        self.jobs = None;
    }
}

/// What bounds an attempt, and what the runner does while it waits.
pub struct Bounds<'a> {
    /// The attempt's timeout.
    pub timeout: Option<Duration>,
    /// Raised by a signal.
    pub interrupt: &'a super::Interrupt,
    /// Called every poll interval while the step runs (the runner's grouped commit).
    pub idle: &'a dyn Fn(),
}

/// Runs `scriptlet` once in `env` with `args` on the calling thread (the inline path of a
/// step with no timeout: no thread handoff, so no futex round trip per step), adding the
/// thread's bytes read and written to `bytes`. A panic fails
/// the attempt, not the run; an interrupt raised meanwhile (the run's watchdog raises the
/// step's cancellation flag, see [`super::watch`]) turns a failed or cancelled attempt into
/// [`AttemptEnd::Interrupted`], while a step that finished its work keeps its result.
pub fn run_inline(
    mut scriptlet: Box<dyn Scriptlet>,
    env: StepEnv,
    args: Map<String, Value>,
    interrupt: &super::Interrupt,
    around: Option<AroundStep>,
    bytes: &StepBytes,
) -> AttemptEnd {
    let end = classify(bytes.count(|| invoke(&mut *scriptlet, &env, &args, around)));
    if end != AttemptEnd::Success && interrupt.is_raised() {
        return AttemptEnd::Interrupted(interrupt.describe());
    }
    end
}

thread_local! {
    /// Set while the thread runs a step's scriptlet.
    static IN_STEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is running a step's scriptlet, inline or on the step thread: a
/// panic there fails that step and the runner reports it (the CLI's panic hook stays quiet).
pub fn running_a_step() -> bool {
    IN_STEP.with(std::cell::Cell::get) || std::thread::current().name() == Some("f0-step")
}

/// Runs the scriptlet inside the registry's `around` hook, catching a panic.
fn invoke(
    scriptlet: &mut dyn Scriptlet,
    env: &StepEnv,
    args: &Map<String, Value>,
    around: Option<AroundStep>,
) -> std::thread::Result<Result<i32, ScriptletError>> {
    let outer = IN_STEP.with(|f| f.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut run = || scriptlet.run(env, args);
        match around {
            Some(hook) => hook(env.info(), &mut run),
            None => run(),
        }
    }));
    IN_STEP.with(|f| f.set(outer));
    result
}

/// Runs `scriptlet` once in `env` with `args` on `worker`, bounded by `bounds.timeout` and
/// `bounds.interrupt`; on either the step's cancellation flag is raised. The step thread's
/// bytes read and written are added to `bytes` (up to the moment the runner gives it up).
pub fn run_attempt(
    worker: &mut StepWorker,
    mut scriptlet: Box<dyn Scriptlet>,
    env: StepEnv,
    args: Map<String, Value>,
    bounds: Bounds<'_>,
    around: Option<AroundStep>,
    bytes: Arc<StepBytes>,
) -> AttemptEnd {
    let Bounds {
        timeout,
        interrupt,
        idle,
    } = bounds;
    let cancel: Arc<AtomicBool> = env.cancel_flag();
    let (tx, rx) = mpsc::channel();
    let counted = Arc::new(AttemptBytes::default());
    let (counting, to) = (counted.clone(), bytes.clone());
    let job: Job = Box::new(move || {
        let result = counting.count(&to, || invoke(&mut *scriptlet, &env, &args, around));
        let _ = tx.send(result);
    });
    if let Err(e) = worker.submit(job) {
        return AttemptEnd::Error(format!("cannot start a thread for the step: {e}"));
    }
    let started = Instant::now();
    loop {
        let wait = match timeout {
            Some(t) => match t.checked_sub(started.elapsed()) {
                Some(left) => left.min(POLL),
                None => {
                    cancel.store(true, Ordering::Relaxed);
                    worker.abandon();
                    counted.give_up(&bytes);
                    return AttemptEnd::TimedOut(t.as_secs_f64());
                }
            },
            None => POLL,
        };
        match rx.recv_timeout(wait) {
            Ok(result) => return classify(result),
            Err(mpsc::RecvTimeoutError::Timeout) => idle(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return AttemptEnd::Error("the step's thread ended without a result".to_owned())
            }
        }
        if interrupt.is_raised() {
            cancel.store(true, Ordering::Relaxed);
            if rx.recv_timeout(CANCEL_GRACE).is_err() {
                worker.abandon();
                counted.give_up(&bytes);
            }
            return AttemptEnd::Interrupted(interrupt.describe());
        }
    }
}

fn classify(result: std::thread::Result<Result<i32, ScriptletError>>) -> AttemptEnd {
    match result {
        Ok(Ok(0)) => AttemptEnd::Success,
        Ok(Ok(code)) => AttemptEnd::ExitCode(code),
        Ok(Err(ScriptletError::Reported(m))) => AttemptEnd::Reported(m),
        Ok(Err(e)) => AttemptEnd::Error(e.to_string()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            AttemptEnd::Error(format!("scriptlet panicked: {what}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{lock, Context, SharedContext};
    use crate::scriptlet::StepInfo;
    use crate::store::{SharedStore, Store};
    use std::sync::Mutex;

    fn env(name: &str, ctx: &SharedContext, store: &SharedStore) -> StepEnv {
        let info = StepInfo {
            step_name: name.into(),
            recipe_path: "r.yaml".into(),
            recipe_name: "r".into(),
            attempt: 1,
            run_id: 1,
        };
        StepEnv::new(
            info,
            ctx.clone(),
            store.clone(),
            Arc::new(AtomicBool::new(false)),
        )
    }

    /// Ignores cancellation: sleeps, then tries to write.
    struct Stubborn;
    impl Scriptlet for Stubborn {
        fn run(&mut self, env: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
            std::thread::sleep(Duration::from_millis(300));
            env.set("late.write", Value::from(1))?;
            Ok(0)
        }
    }

    #[test]
    fn a_timed_out_step_cannot_write_the_context_afterwards() {
        let ctx: SharedContext = Arc::new(Mutex::new(Context::new()));
        let dir = tempfile::tempdir().unwrap();
        let store = SharedStore::new(Store::open(&dir.path().join("s.db")).unwrap());
        let mut worker = StepWorker::new();
        let end = run_attempt(
            &mut worker,
            Box::new(Stubborn),
            env("s", &ctx, &store),
            Map::new(),
            Bounds {
                timeout: Some(Duration::from_millis(50)),
                interrupt: &crate::runner::Interrupt::new(),
                idle: &|| {},
            },
            None,
            Arc::default(),
        );
        assert_eq!(end, AttemptEnd::TimedOut(0.05));
        std::thread::sleep(Duration::from_millis(500));
        assert!(!lock(&ctx).contains("late.write"));
        // The worker moved on to a fresh thread: the next attempt runs at once.
        struct Quick;
        impl Scriptlet for Quick {
            fn run(&mut self, _: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
                Ok(0)
            }
        }
        let end = run_attempt(
            &mut worker,
            Box::new(Quick),
            env("t", &ctx, &store),
            Map::new(),
            Bounds {
                timeout: None,
                interrupt: &crate::runner::Interrupt::new(),
                idle: &|| {},
            },
            None,
            Arc::default(),
        );
        assert_eq!(end, AttemptEnd::Success);
    }
}
