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
//!
//! **The runner never waits for a commit.** It hands each step's samples over (one group of
//! six, [`SharedStore::hand_over_group`]) into an inbox beside the store, under a lock of its
//! own that is held only to push or take them; whoever next locks the store moves them into the staged
//! samples first. So while the run's watchdog commits (holding the store for a batch), the
//! runner goes on to the next step. The runner locks the store at the end of every run, which
//! takes in what is left.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use crate::context::{Context, SharedContext};

use super::{SampleGroup, SampleRow, SeriesShape, Store, StoreError};

/// The longest a run's finished work waits in memory before it is committed.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Staged samples that make a batch worth committing before [`FLUSH_INTERVAL`] is up: a run
/// of short steps hands them to its watchdog as they pile up, so the commits run on the
/// watchdog's core while the runner goes on, instead of all at the run's end on the
/// runner's (`benches/store_speed.sh`: 1,000 no-op steps).
pub const FLUSH_BATCH: usize = 1024;

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

    /// Accepts `group` of `run_id` for the next commit after checking its series'
    /// identities, as [`Store::stage_samples`] does.
    pub fn stage_group(
        &mut self,
        run_id: Option<i64>,
        group: SampleGroup,
    ) -> Result<(), StoreError> {
        check_group(&self.path, &group)?;
        self.staged_groups.push((run_id, group));
        Ok(())
    }

    /// Samples staged and not yet committed.
    pub fn staged_len(&self) -> usize {
        self.staged.len()
            + self
                .staged_groups
                .iter()
                .map(|(_, g)| g.len())
                .sum::<usize>()
    }

    /// Whether [`FLUSH_INTERVAL`] has passed since this connection last committed.
    pub fn flush_due(&self) -> bool {
        self.last_commit.elapsed() >= FLUSH_INTERVAL
    }

    /// Commits the staged samples (nothing else) if there are any.
    pub fn flush_staged(&mut self) -> Result<(), StoreError> {
        if self.staged.is_empty() && self.staged_groups.is_empty() {
            return Ok(());
        }
        self.commit(None, &mut Context::new(), &[])
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.flush_staged() {
            tracing::warn!(target: "f0.store", "{} staged sample(s) were not written: {e}", self.staged_len());
        }
    }
}

/// Samples and sample groups with the run they belong to, waiting for a commit.
#[derive(Default)]
struct Inbox {
    rows: Vec<(Option<i64>, SampleRow)>,
    groups: Vec<(Option<i64>, SampleGroup)>,
    /// Samples in `rows` and `groups`.
    len: usize,
}

/// Moves `from` to the end of `into` (taking the vector whole when `into` is empty).
fn append<T>(into: &mut Vec<T>, from: Vec<T>) {
    if into.is_empty() {
        *into = from;
    } else {
        into.extend(from);
    }
}

/// Checks the identity of every series of `group` (see [`crate::metrics::check_identity`]).
fn check_group(path: &std::path::Path, group: &SampleGroup) -> Result<(), StoreError> {
    if group.values.len() != group.shapes.len() {
        return Err(StoreError::Data {
            path: path.to_path_buf(),
            message: format!(
                "cannot store a sample group: {} values for {} series",
                group.values.len(),
                group.shapes.len()
            ),
        });
    }
    for &(name, _, _) in group.shapes {
        crate::metrics::check_identity(name, &group.tags).map_err(|e| StoreError::Data {
            path: path.to_path_buf(),
            message: format!("cannot store a sample: {e}"),
        })?;
    }
    Ok(())
}

/// Groups to load into the cache ([`Store::preload_groups`]): the shapes, the source and the
/// first tag.
type Preload = (
    &'static [SeriesShape<'static>],
    Option<&'static str>,
    (&'static str, String),
);

/// One store shared by the runner and the steps it runs (each step runs on its own thread;
/// the runner writes between steps, a step while it runs). Cloning shares the connection.
#[derive(Clone)]
pub struct SharedStore {
    store: Arc<Mutex<Store>>,
    /// Samples handed over without the store's lock, waiting to be staged.
    inbox: Arc<Mutex<Inbox>>,
    /// A preload for whoever commits for the run to do first ([`SharedStore::preload_later`]).
    preload: Arc<Mutex<Option<Preload>>>,
    /// The store's path, for errors raised without its lock.
    path: Arc<PathBuf>,
}

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Store) -> Self {
        SharedStore {
            path: Arc::new(store.path.clone()),
            store: Arc::new(Mutex::new(store)),
            inbox: Arc::default(),
            preload: Arc::default(),
        }
    }

    /// Asks for [`Store::preload_groups`] of `shapes` from `source` with the first tag
    /// `(key, value)` to be done by [`SharedStore::run_preload`] (the run's watchdog calls it
    /// as it starts, so the scan runs beside the steps, not before them). Replaces an earlier
    /// request.
    pub fn preload_later(
        &self,
        shapes: &'static [SeriesShape<'static>],
        source: Option<&'static str>,
        tag: (&'static str, String),
    ) {
        *self.preload.lock().unwrap_or_else(PoisonError::into_inner) = Some((shapes, source, tag));
    }

    /// Does the preload asked for, if any is still pending; returns the groups it added.
    pub fn run_preload(&self) -> Result<usize, StoreError> {
        let asked = self
            .preload
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match asked {
            Some((shapes, source, (key, value))) => {
                self.lock_staged()
                    .preload_groups(shapes, source, (key, &value))
            }
            None => Ok(0),
        }
    }

    /// Forgets a preload not done yet (the run it was for has ended).
    pub fn cancel_preload(&self) {
        self.preload
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Accepts `samples` of `run_id` for a later commit without taking the store's lock (the
    /// runner's step metrics: a commit in progress never holds up the next step). Their
    /// series' identities are checked here, so a bad name fails at once, as
    /// [`Store::stage_samples`] fails. Returns whether this made the inbox a batch
    /// ([`FLUSH_BATCH`]): whoever commits for the run may want to be woken.
    pub fn hand_over(
        &self,
        run_id: Option<i64>,
        samples: Vec<SampleRow>,
    ) -> Result<bool, StoreError> {
        for row in &samples {
            crate::metrics::check_identity(&row.series.name, &row.series.tags).map_err(|e| {
                StoreError::Data {
                    path: self.path.to_path_buf(),
                    message: format!("cannot store a sample: {e}"),
                }
            })?;
        }
        let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
        let before = inbox.len;
        inbox.len += samples.len();
        inbox.rows.extend(samples.into_iter().map(|s| (run_id, s)));
        Ok(before < FLUSH_BATCH && inbox.len >= FLUSH_BATCH)
    }

    /// As [`SharedStore::hand_over`], for a group of samples that share their tags (a step's
    /// measurements: see `store/group.rs`).
    pub fn hand_over_group(
        &self,
        run_id: Option<i64>,
        group: SampleGroup,
    ) -> Result<bool, StoreError> {
        check_group(&self.path, &group)?;
        let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
        let before = inbox.len;
        inbox.len += group.len();
        inbox.groups.push((run_id, group));
        Ok(before < FLUSH_BATCH && inbox.len >= FLUSH_BATCH)
    }

    /// Moves the handed-over samples into `store`'s staged ones.
    fn take_inbox(&self, store: &mut Store) {
        let handed =
            std::mem::take(&mut *self.inbox.lock().unwrap_or_else(PoisonError::into_inner));
        append(&mut store.staged, handed.rows);
        append(&mut store.staged_groups, handed.groups);
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

    /// The store, locked, leaving staged samples staged (handed-over ones join them).
    pub fn lock_staged(&self) -> MutexGuard<'_, Store> {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        self.take_inbox(&mut store);
        store
    }

    /// Commits `ctx`'s pending changes and the staged samples for `run_id` if
    /// [`FLUSH_INTERVAL`] has passed or the staged samples make a batch ([`FLUSH_BATCH`]),
    /// without waiting: when the store or the context is busy (a step holds it) nothing
    /// happens and the next call tries again.
    pub fn flush_if_due(&self, run_id: i64, ctx: &SharedContext) -> Result<(), StoreError> {
        let mut store = match self.store.try_lock() {
            Ok(s) => s,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(()),
        };
        // The inbox stays where it is until a commit takes it, so that the hand-over that
        // makes a batch is the one that says so.
        let inbox = self
            .inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len;
        if store.staged_len() + inbox < FLUSH_BATCH && !store.flush_due() {
            return Ok(());
        }
        self.take_inbox(&mut store);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SeriesKey;
    use std::collections::BTreeMap;

    fn row(name: &str, value: f64) -> SampleRow {
        SampleRow {
            series: SeriesKey {
                name: name.to_owned(),
                metric_type: "timing".to_owned(),
                unit: "ns".to_owned(),
                tags: BTreeMap::from([("step".to_owned(), "s".to_owned())]),
                source: Some("runner".to_owned()),
            },
            ts_ns: 1,
            value,
            context: None,
        }
    }

    #[test]
    fn handed_over_samples_wait_for_no_lock_and_every_reader_sees_them() {
        let dir = tempfile::tempdir().unwrap();
        let shared = SharedStore::new(Store::open(&dir.path().join("s.db")).unwrap());
        let run = shared.lock().begin_run("r", "r.yaml", 1.0).unwrap();
        let held = shared.lock_staged();
        // The store is locked (a commit in progress): the hand-over does not wait for it.
        std::thread::scope(|s| {
            s.spawn(|| shared.hand_over(Some(run), vec![row("handed_over", 7.0)]))
                .join()
                .unwrap()
                .unwrap();
        });
        drop(held);
        // A reader (a step's env.store()) gets them written first.
        let got = shared
            .lock()
            .samples("handed_over", &BTreeMap::new())
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].value, 7.0);
        // A bad identity is refused at the hand-over, naming the store.
        let e = shared.hand_over(None, vec![row("", 1.0)]).unwrap_err();
        assert!(e.to_string().contains("s.db"), "{e}");
        assert_eq!(shared.lock_staged().staged_len(), 0);
    }

    #[test]
    fn the_watchdogs_flush_takes_in_handed_over_samples() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let shared = SharedStore::new(Store::open(&path).unwrap());
        let run = shared.lock().begin_run("r", "r.yaml", 1.0).unwrap();
        shared.hand_over(Some(run), vec![row("late", 2.0)]).unwrap();
        std::thread::sleep(FLUSH_INTERVAL);
        let ctx: SharedContext = Arc::new(Mutex::new(Context::new()));
        shared.flush_if_due(run, &ctx).unwrap();
        let reader = Store::open(&path).unwrap();
        assert_eq!(reader.samples("late", &BTreeMap::new()).unwrap().len(), 1);
    }

    #[test]
    fn a_full_batch_is_committed_before_the_flush_interval_and_its_hand_over_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let shared = SharedStore::new(Store::open(&path).unwrap());
        let run = shared.lock().begin_run("r", "r.yaml", 1.0).unwrap();
        let ctx: SharedContext = Arc::new(Mutex::new(Context::new()));
        shared.flush_if_due(run, &ctx).unwrap(); // the clock starts now
        let reader = Store::open(&path).unwrap();
        let stored = || reader.samples("batched", &BTreeMap::new()).unwrap().len();
        let almost: Vec<_> = (0..FLUSH_BATCH - 1)
            .map(|i| row("batched", i as f64))
            .collect();
        assert!(
            !shared.hand_over(Some(run), almost).unwrap(),
            "not a batch yet"
        );
        shared.flush_if_due(run, &ctx).unwrap();
        assert_eq!(stored(), 0, "short of a batch, nothing is committed early");
        assert!(shared
            .hand_over(Some(run), vec![row("batched", -1.0)])
            .unwrap());
        assert!(
            !shared
                .hand_over(Some(run), vec![row("batched", -2.0)])
                .unwrap(),
            "only the hand-over that makes the batch says so"
        );
        shared.flush_if_due(run, &ctx).unwrap();
        assert_eq!(stored(), FLUSH_BATCH + 1, "committed without waiting");
    }

    #[test]
    fn a_preload_asked_for_is_done_once_by_whoever_runs_it_and_a_cancelled_one_never() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut r = row("step_wall_time", 1.0);
        r.series.tags = BTreeMap::from([
            ("recipe".to_owned(), "r".to_owned()),
            ("step".to_owned(), "a".to_owned()),
        ]);
        Store::open(&path)
            .unwrap()
            .insert_samples(None, &[r])
            .unwrap();
        static SHAPES: [SeriesShape<'static>; 1] = [("step_wall_time", "timing", "ns")];
        let shared = SharedStore::new(Store::open(&path).unwrap());
        shared.preload_later(&SHAPES, Some("runner"), ("recipe", "r".to_owned()));
        shared.cancel_preload();
        assert_eq!(shared.run_preload().unwrap(), 0, "cancelled");
        shared.preload_later(&SHAPES, Some("runner"), ("recipe", "r".to_owned()));
        assert_eq!(shared.run_preload().unwrap(), 1);
        assert_eq!(shared.run_preload().unwrap(), 0, "done once");
    }
}
