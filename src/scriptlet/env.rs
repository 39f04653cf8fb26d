//! What a running step sees: its identity, the shared context, the store path and a
//! cancellation flag set on timeout or Ctrl-C.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::ScriptletError;
use crate::context::{lock, SharedContext};

/// Identity of the running step.
#[derive(Debug, Clone)]
pub struct StepInfo {
    /// Step name.
    pub step_name: String,
    /// Recipe path as given.
    pub recipe_path: PathBuf,
    /// Recipe display name.
    pub recipe_name: String,
    /// 1-based attempt number.
    pub attempt: u32,
    /// This run's id in the store.
    pub run_id: i64,
    /// Path of the context store, for scriptlets that read or write metrics.
    pub store_path: PathBuf,
}

/// The environment handed to [`super::Scriptlet::run`].
pub struct StepEnv {
    info: StepInfo,
    context: SharedContext,
    cancel: Arc<AtomicBool>,
}

impl StepEnv {
    /// An environment over `context`, cancelled when `cancel` becomes true.
    pub fn new(info: StepInfo, context: SharedContext, cancel: Arc<AtomicBool>) -> Self {
        StepEnv {
            info,
            context,
            cancel,
        }
    }

    /// The step's identity.
    pub fn info(&self) -> &StepInfo {
        &self.info
    }

    /// The value of `key` in the context.
    pub fn get(&self, key: &str) -> Option<Value> {
        lock(&self.context).get(key).cloned()
    }

    /// All context keys.
    pub fn keys(&self) -> Vec<String> {
        lock(&self.context).keys().map(str::to_owned).collect()
    }

    /// Sets `key` with the step's name as `who`. Refused once the step is cancelled, so a
    /// timed-out step cannot change the context behind the runner's back.
    pub fn set(&self, key: &str, value: Value) -> Result<(), ScriptletError> {
        let mut ctx = lock(&self.context);
        if self.is_cancelled() {
            return Err(ScriptletError::Cancelled);
        }
        ctx.set(key, value, Some(&self.info.step_name));
        Ok(())
    }

    /// Whether the step must stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Sleeps for `d`, waking early with [`ScriptletError::Cancelled`] on cancellation.
    pub fn sleep(&self, d: Duration) -> Result<(), ScriptletError> {
        let end = Instant::now() + d;
        loop {
            if self.is_cancelled() {
                return Err(ScriptletError::Cancelled);
            }
            let now = Instant::now();
            if now >= end {
                return Ok(());
            }
            std::thread::sleep((end - now).min(Duration::from_millis(20)));
        }
    }
}
