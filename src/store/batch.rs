//! Grouped commits: the runner stages each step's samples (and leaves the step's context
//! changes pending in its [`Context`]) instead of committing a transaction per step, and
//! commits once [`FLUSH_INTERVAL`] has passed since the last commit — after a step, or while a
//! long step runs ([`SharedStore::flush_if_due`], polled by the runner's wait loop).
//!
//! **What a crash loses.** At most the changes of the last [`FLUSH_INTERVAL`] (plus the time of
//! one commit): a process killed with `SIGKILL` leaves its run `running` in the `runs` table,
//! which the next writer marks `crashed` (its pid is gone), so the run never reads as
//! `completed` with steps missing. Everything a run finished is committed before its row says
//! `completed`, `failed`, `partial` or `interrupted`.
//!
//! **Readers inside the run see everything.** Whoever locks the store through
//! [`SharedStore::lock`] (every step does, through its `StepEnv`) first gets the staged samples
//! written, so a step that analyses the run's own step metrics finds them.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use crate::context::{Context, SharedContext};

use super::{SampleRow, Store, StoreError};

/// The longest a run's finished work waits in memory before it is committed.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

impl Store {
    /// Accepts `samples` of `run_id` for the next commit ([`Store::commit`]) after checking
    /// their series' identities (so a bad name fails here, not in a later commit).
    pub fn stage_samples(
        &mut self,
        run_id: Option<i64>,
        samples: Vec<SampleRow>,
    ) -> Result<(), StoreError> {
        self.check_new_series(&samples)?;
        self.staged.extend(samples.into_iter().map(|s| (run_id, s)));
        Ok(())
    }

    /// Samples staged and not yet committed.
    pub fn staged_len(&self) -> usize {
        self.staged.len()
    }

    /// Whether [`FLUSH_INTERVAL`] has passed since this connection last committed.
    pub fn flush_due(&self) -> bool {
        self.last_commit.elapsed() >= FLUSH_INTERVAL
    }

    /// Commits the staged samples (nothing else) if there are any.
    pub fn flush_staged(&mut self) -> Result<(), StoreError> {
        if self.staged.is_empty() {
            return Ok(());
        }
        self.commit(None, &mut Context::new(), &[])
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.flush_staged() {
            tracing::warn!(target: "f0.store", "{} staged sample(s) were not written: {e}", self.staged.len());
        }
    }
}

/// One store shared by the runner and the steps it runs (each step runs on its own thread;
/// the runner writes between steps, a step while it runs). Cloning shares the connection.
#[derive(Clone)]
pub struct SharedStore(Arc<Mutex<Store>>);

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Store) -> Self {
        SharedStore(Arc::new(Mutex::new(store)))
    }

    /// The store, locked, with the staged samples written first (a failure is logged and the
    /// samples stay staged: the runner's next commit reports it). A step that panicked while
    /// holding it leaves no open transaction behind (an uncommitted transaction rolls back
    /// when dropped), so the lock is recovered.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        let mut store = self.lock_staged();
        if let Err(e) = store.flush_staged() {
            tracing::warn!(target: "f0.store", "cannot write staged samples yet: {e}");
        }
        store
    }

    /// The store, locked, leaving staged samples staged (the runner between steps).
    pub fn lock_staged(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `ctx`'s pending changes and the staged samples for `run_id` if
    /// [`FLUSH_INTERVAL`] has passed, without waiting: when the store or the context is busy
    /// (a step holds it) nothing happens and the next call tries again.
    pub fn flush_if_due(&self, run_id: i64, ctx: &SharedContext) -> Result<(), StoreError> {
        let mut store = match self.0.try_lock() {
            Ok(s) => s,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(()),
        };
        if !store.flush_due() {
            return Ok(());
        }
        let mut ctx = match ctx.try_lock() {
            Ok(c) => c,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(()),
        };
        let (changed, history) = ctx.pending();
        if store.staged_len() == 0 && changed.is_empty() && history.is_empty() {
            return Ok(());
        }
        store.commit(Some(run_id), &mut ctx, &[])
    }
}
