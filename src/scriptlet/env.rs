//! What a running step sees: its identity, the shared context, the run's store, a
//! cancellation flag set on timeout or Ctrl-C, and a slot for the resources of processes the
//! step runs on its behalf (the Python worker), which the runner adds to the step's figures.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::ScriptletError;
use crate::context::{lock, Context, SharedContext};
use crate::store::{SharedStore, Store};

/// What another process used doing a step's work (deltas over the step).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChildUsage {
    /// User + system CPU time, ns.
    pub cpu_ns: u64,
    /// Peak resident set of that process during the step, bytes.
    pub peak_rss_bytes: u64,
    /// Its resident set after minus before, bytes.
    pub rss_delta_bytes: i64,
    /// Bytes it read through read syscalls.
    pub read_bytes: u64,
    /// Bytes it wrote through write syscalls.
    pub write_bytes: u64,
}

impl ChildUsage {
    /// Adds `other` (a later attempt): sums, and the larger peak.
    pub fn merge(&mut self, other: &ChildUsage) {
        self.cpu_ns = self.cpu_ns.saturating_add(other.cpu_ns);
        self.peak_rss_bytes = self.peak_rss_bytes.max(other.peak_rss_bytes);
        self.rss_delta_bytes = self.rss_delta_bytes.saturating_add(other.rss_delta_bytes);
        self.read_bytes = self.read_bytes.saturating_add(other.read_bytes);
        self.write_bytes = self.write_bytes.saturating_add(other.write_bytes);
    }
}

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
    child_usage: Arc<Mutex<ChildUsage>>,
    extensions: super::Extensions,
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
            child_usage: Arc::default(),
            extensions: super::Extensions::default(),
        }
    }

    /// Collects the usage reported through [`StepEnv::add_child_usage`] into `slot` (the
    /// runner shares one slot across a step's attempts).
    pub fn with_child_usage(mut self, slot: Arc<Mutex<ChildUsage>>) -> Self {
        self.child_usage = slot;
        self
    }

    /// Gives the step the values a program attached to the registry (see
    /// [`super::extensions`]).
    pub fn with_extensions(mut self, extensions: super::Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// Every attached value (to put them in scope for code that reads them with
    /// [`super::extensions::scoped`]).
    pub fn extensions(&self) -> &super::Extensions {
        &self.extensions
    }

    /// The attached value of type `T` (e.g. the program's plugins), if any.
    pub fn extension<T: std::any::Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.extensions.get::<T>()
    }

    /// Reports what another process used doing this step's work.
    pub fn add_child_usage(&self, usage: ChildUsage) {
        self.child_usage
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .merge(&usage);
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

    /// Reads the whole context under its lock (values and this run's history).
    pub fn with_context<R>(&self, f: impl FnOnce(&Context) -> R) -> R {
        f(&lock(&self.context))
    }

    /// Sets `key` with the step's name as `who`. Refused once the step is cancelled, so a
    /// timed-out step cannot change the context behind the runner's back.
    pub fn set(&self, key: &str, value: Value) -> Result<(), ScriptletError> {
        self.set_as(key, value, &self.info.step_name)
    }

    /// Sets `key` recording `who` as the setter (a hosted scriptlet's own `who`); refused
    /// once the step is cancelled, like [`StepEnv::set`].
    pub fn set_as(&self, key: &str, value: Value, who: &str) -> Result<(), ScriptletError> {
        let mut ctx = lock(&self.context);
        if self.is_cancelled() {
            return Err(ScriptletError::Cancelled);
        }
        ctx.set(key, value, Some(who));
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
