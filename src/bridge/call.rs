//! A worker of its own for Python plugins (collectors and analyzers, see
//! [`crate::plugin::python`]): started on the first call, it imports the plugin's module
//! once and answers `call` frames (see `shim.py`) until it is dropped.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::shim::ShimDir;
use super::worker::{Worker, WorkerError};
use super::BridgeConfig;

/// A Python worker serving plugin calls. The worker is declared before its files, so it is
/// dropped (and exits) before they are removed.
pub struct PluginWorker {
    worker: Worker,
    _shim: ShimDir,
}

/// Why a plugin call gave no value.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The worker could not start, died, or broke the protocol.
    #[error("{0}")]
    Worker(String),
    /// The call took longer than its timeout (the worker was killed).
    #[error("no answer within {}s (the Python worker was killed)", .0.as_secs_f64())]
    Timeout(Duration),
    /// The Python code raised.
    #[error("{message}")]
    Raised {
        /// The exception.
        message: String,
        /// Its traceback.
        traceback: String,
    },
}

impl PluginWorker {
    /// Starts a worker with `config` (its interpreter and module search path).
    pub fn start(config: &BridgeConfig) -> Result<Self, CallError> {
        let shim = ShimDir::write().map_err(|e| {
            CallError::Worker(format!("cannot write the Python bridge's files: {e}"))
        })?;
        let worker = Worker::spawn(config, &shim, &|| false).map_err(|e| match e {
            e @ WorkerError::Spawn { .. } => CallError::Worker(e.to_string()),
            e => CallError::Worker(format!("the Python worker did not start: {e}")),
        })?;
        Ok(PluginWorker {
            worker,
            _shim: shim,
        })
    }

    /// Calls `module.function(*args)` — or, when `function` is a class, `method` of its one
    /// instance — and returns what it returned, within `timeout`.
    pub fn call(
        &mut self,
        module: &str,
        function: &str,
        method: &str,
        args: Vec<Value>,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let msg = json!({"op": "call", "module": module, "function": function, "method": method, "args": args});
        self.worker
            .send(&msg)
            .map_err(|e| CallError::Worker(e.to_string()))?;
        let deadline = Instant::now() + timeout;
        loop {
            let frame = self.worker.recv(&|| Instant::now() >= deadline);
            let frame = match frame {
                Ok(f) => f,
                Err(WorkerError::Cancelled) => {
                    self.worker.kill();
                    return Err(CallError::Timeout(timeout));
                }
                Err(e) => return Err(CallError::Worker(e.to_string())),
            };
            match frame["op"].as_str() {
                // Metrics recorded through f0_metrics while a plugin runs are not a step's.
                Some("metrics") => continue,
                Some("result") if frame["ok"] == true => return Ok(frame["value"].clone()),
                Some("result") => {
                    return Err(CallError::Raised {
                        message: frame["message"].as_str().unwrap_or("error").to_owned(),
                        traceback: frame["traceback"].as_str().unwrap_or("").to_owned(),
                    })
                }
                _ => {
                    return Err(CallError::Worker(format!(
                        "the Python worker answered {}",
                        crate::diagnostic::compact(&frame)
                    )))
                }
            }
        }
    }
}
