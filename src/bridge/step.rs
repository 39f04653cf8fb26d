//! One Python step: the [`Scriptlet`] that sends a step to the run's worker, serves its
//! requests while it runs (metrics into the store, the context history), applies the context
//! changes it brings back and reports the worker's resource use to the runner.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Map, Value};

use super::frame::FrameError;
use super::metrics::MetricsWriter;
use super::shim::ShimDir;
use super::worker::{Counters, Worker, WorkerError};
use super::BridgeConfig;
use crate::scriptlet::{Scriptlet, ScriptletError, StepEnv};
use crate::util::procfs::reset_peak_rss_of;

/// What every Python step of a run shares: the settings, the written files and the worker.
pub(crate) struct Shared {
    pub(crate) config: BridgeConfig,
    host: Mutex<Host>,
}

/// The worker (if one is running) and the directory its files live in. The worker is
/// declared first so it is dropped (and exits) before its files are removed.
#[derive(Default)]
struct Host {
    worker: Option<Worker>,
    shim: Option<ShimDir>,
}

impl Shared {
    pub(crate) fn new(config: BridgeConfig) -> Self {
        Shared {
            config,
            host: Mutex::default(),
        }
    }

    /// Stops the worker (closing its input; killing it if it does not exit) and removes the
    /// written files.
    pub(crate) fn shut_down(&self) {
        let mut host = self.host();
        host.worker = None;
        host.shim = None;
    }

    fn host(&self) -> MutexGuard<'_, Host> {
        self.host.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Host {
    /// The running worker, started first if there is none (or it exited between steps).
    fn worker(
        &mut self,
        config: &BridgeConfig,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<&mut Worker, ScriptletError> {
        if self.worker.as_mut().is_some_and(Worker::has_exited) {
            tracing::warn!(target: "f0.bridge", "the Python worker exited between steps; starting a new one");
            self.worker = None;
        }
        if let Some(w) = self.worker.take() {
            return Ok(self.worker.insert(w));
        }
        let shim = match self.shim.take() {
            Some(s) => s,
            None => ShimDir::write().map_err(|e| {
                ScriptletError::Reported(format!(
                    "Failed to import scriptlet: cannot write the Python bridge's files: {e}"
                ))
            })?,
        };
        let started = Worker::spawn(config, &shim, cancelled);
        self.shim = Some(shim);
        match started {
            Ok(w) => Ok(self.worker.insert(w)),
            Err(WorkerError::Cancelled) => Err(ScriptletError::Cancelled),
            Err(e @ WorkerError::Spawn { .. }) => Err(ScriptletError::Reported(format!(
                "Failed to import scriptlet: {e}"
            ))),
            Err(e) => Err(ScriptletError::Reported(format!(
                "Failed to import scriptlet: the Python worker did not start: {e} (its output above says why)"
            ))),
        }
    }
}

/// A step run by the Python worker.
pub(crate) struct PythonStep {
    pub(crate) module: String,
    pub(crate) function: String,
    pub(crate) shared: Arc<Shared>,
}

impl Scriptlet for PythonStep {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let cancelled = || env.is_cancelled();
        let mut host = self.shared.host();
        let fresh = host.worker.is_none();
        let worker = host.worker(&self.shared.config, &cancelled)?;
        // A fresh worker's step includes its start; an idle one's counters did not move
        // since its last step ended.
        let before = if fresh {
            Counters::default()
        } else {
            reset_peak_rss_of(worker.pid());
            worker.idle.take().unwrap_or_else(|| worker.counters())
        };
        let mut metrics = MetricsWriter::new(env);
        let done = match exchange(worker, env, self, args, &mut metrics) {
            Ok(done) => done,
            Err(e) => return Err(self.lost(&mut host, e)),
        };
        let after = worker.counters();
        env.add_child_usage(before.usage_until(&after));
        worker.idle = Some(after);
        metrics.write(&done["metrics"]);
        if let Err(e) = apply_changes(worker, env, &done["changes"]) {
            worker.synced = None;
            return Err(e);
        }
        metrics.finish()?;
        outcome(env, &done)
    }
}

impl PythonStep {
    /// The step's error after the worker was lost mid-step (it is not used again).
    fn lost(&self, host: &mut Host, e: WorkerError) -> ScriptletError {
        let mut worker = host.worker.take();
        match e {
            WorkerError::Cancelled => {
                if let Some(w) = worker.as_mut() {
                    w.kill();
                }
                ScriptletError::Cancelled
            }
            WorkerError::Died(how) => ScriptletError::Message(format!(
                "{how} while running {}.{} (os._exit, a signal or a crash in native code); the next Python step starts a new interpreter",
                self.module, self.function
            )),
            other => {
                if let Some(w) = worker.as_mut() {
                    w.kill();
                }
                ScriptletError::failed_in("Python bridge", other)
            }
        }
    }
}

/// Sends the step and serves the worker until it is done.
fn exchange(
    worker: &mut Worker,
    env: &StepEnv,
    step: &PythonStep,
    args: &Map<String, Value>,
    metrics: &mut MetricsWriter<'_>,
) -> Result<Value, WorkerError> {
    let ctx = context_delta(worker, env);
    let info = env.info();
    worker.send(&json!({
        "op": "step",
        "module": step.module,
        "function": step.function,
        "args": args,
        "step": info.step_name,
        "attempt": info.attempt,
        "ctx": ctx,
    }))?;
    loop {
        let msg = worker.recv(&|| env.is_cancelled())?;
        match msg["op"].as_str() {
            Some("done") => return Ok(msg),
            Some("metrics") => metrics.write(&msg["items"]),
            Some("history") => {
                let entries = env.with_context(|c| serde_json::to_value(c.history()));
                let entries = entries.unwrap_or(Value::Array(Vec::new()));
                worker.send(&json!({"op": "history", "entries": entries}))?;
            }
            // A protocol violation, not a crash: the worker is killed and the step says so.
            _ => {
                return Err(FrameError::Bad(format!(
                    "{} while a step runs",
                    crate::diagnostic::compact(&msg)
                ))
                .into())
            }
        }
    }
}

/// The context keys the worker's mirror lacks: everything for a new worker (or run), else
/// the keys changed since the last step it saw.
fn context_delta(worker: &mut Worker, env: &StepEnv) -> Value {
    let run = env.info().run_id;
    env.with_context(|c| {
        let history = c.history();
        let (reset, keys): (bool, Vec<&str>) = match worker.synced {
            Some((r, n)) if r == run && n <= history.len() => {
                (false, history[n..].iter().map(|h| h.key.as_str()).collect())
            }
            _ => (true, c.keys().collect()),
        };
        let mut set = Map::new();
        for k in keys {
            if let Some(v) = c.get(k) {
                set.insert(k.to_owned(), v.clone());
            }
        }
        worker.synced = Some((run, history.len()));
        json!({"reset": reset, "set": set})
    })
}

/// Applies the step's context changes in order, each with the scriptlet's own `who` (the
/// step's name when it gave none).
fn apply_changes(
    worker: &mut Worker,
    env: &StepEnv,
    changes: &Value,
) -> Result<(), ScriptletError> {
    for change in changes.as_array().map(Vec::as_slice).unwrap_or_default() {
        let (Some(key), Some(value)) = (change[0].as_str(), change.get(1)) else {
            continue;
        };
        let who = change[2].as_str().unwrap_or(&env.info().step_name);
        env.set_as(key, value.clone(), who)?;
    }
    let run = env.info().run_id;
    worker.synced = Some((run, env.with_context(|c| c.history().len())));
    Ok(())
}

/// The step's result from the worker's `done` frame (the traceback goes to the log).
fn outcome(env: &StepEnv, done: &Value) -> Result<i32, ScriptletError> {
    let message = done["message"].as_str().unwrap_or_default().to_owned();
    if let Some(tb) = done["traceback"].as_str().filter(|t| !t.is_empty()) {
        tracing::error!(target: "f0.bridge", "Python traceback of step '{}':\n{}", env.info().step_name, tb.trim_end());
    }
    match done["outcome"].as_str() {
        Some("ok") => Ok(0),
        Some("code") => Ok(done["code"]
            .as_i64()
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(1)),
        Some("reported") => Err(ScriptletError::Reported(message)),
        Some("exception") => Err(ScriptletError::Message(message)),
        _ => Err(ScriptletError::Message(format!(
            "the Python worker reported an unknown outcome {}",
            crate::diagnostic::compact(&done["outcome"])
        ))),
    }
}
