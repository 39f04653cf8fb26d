//! What a running step sees: its identity, the shared context, the run's store and a
//! cancellation flag set on timeout or Ctrl-C.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::ScriptletError;
use crate::context::{lock, SharedContext};
use crate::store::{SharedStore, Store};

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
}

/// The environment handed to [`super::Scriptlet::run`].
pub struct StepEnv {
    info: StepInfo,
    context: SharedContext,
    store: SharedStore,
    cancel: Arc<AtomicBool>,
}

impl StepEnv {
    /// An environment over `context` and the run's `store`, cancelled when `cancel` becomes
    /// true.
    pub fn new(
        info: StepInfo,
        context: SharedContext,
        store: SharedStore,
        cancel: Arc<AtomicBool>,
    ) -> Self {
        StepEnv {
            info,
            context,
            store,
            cancel,
        }
    }

    /// The run's store, locked for this step (the runner writes it only between steps).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// A handle on the run's store for threads the step starts (e.g. a metrics writer).
    pub fn shared_store(&self) -> SharedStore {
        self.store.clone()
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

    /// The flag that cancels this step (raised by the runner on timeout or Ctrl-C).
    pub(crate) fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
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
