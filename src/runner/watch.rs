//! The run's watchdog: a thread that wakes every [`POLL`] while a run's inline steps run on
//! the runner's own thread ([`super::attempt::run_inline`]). It does for them what the
//! runner's wait loop does for a step on a step thread: on Ctrl-C (or any raised
//! [`Interrupt`]) it raises the inline steps' cancellation flag, so a cooperative step stops,
//! and it commits the run's finished work once [`crate::store::FLUSH_INTERVAL`] has passed
//! ([`SharedStore::flush_if_due`]), so a long step never holds back what earlier steps did,
//! or as soon as short steps have handed over a batch ([`crate::store::FLUSH_BATCH`]; the
//! runner [`Watchdog::nudge`]s it), so the commits run beside the steps, not after them.
//!
//! As it starts it loads the series the run's recipe wrote before
//! ([`SharedStore::run_preload`]), beside the first steps instead of before them.
//!
//! It costs one timed sleep per [`POLL`] and one wake-up per batch, not a system call per step; it starts with the run's
//! first inline step and is stopped (and joined) before the run's closing commit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::Interrupt;
use crate::context::SharedContext;
use crate::store::SharedStore;
use crate::util::cpu_clock::ThreadCpuClock;

/// How often the watchdog looks.
pub(super) const POLL: Duration = Duration::from_millis(10);

/// What the watchdog watches over.
pub(super) struct Watched {
    /// Raised by a signal.
    pub interrupt: Interrupt,
    /// The cancellation flag of every inline step attempt of the run.
    pub cancel: Arc<AtomicBool>,
    /// The run's store.
    pub store: SharedStore,
    /// The run's context.
    pub context: SharedContext,
    /// The run.
    pub run_id: i64,
}

/// A running watchdog; dropping it stops and joins the thread.
pub(super) struct Watchdog {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts watching `w`.
    pub fn start(w: Watched) -> std::io::Result<Watchdog> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("f0-watchdog".to_owned())
            .spawn(move || {
                if let Err(e) = w.store.run_preload() {
                    tracing::warn!(target: "f0.runner", "cannot read the run's known series: {e}");
                }
                while !stopped.load(Ordering::Acquire) {
                    std::thread::park_timeout(POLL);
                    if stopped.load(Ordering::Acquire) {
                        break;
                    }
                    look(&w);
                }
            })?;
        Ok(Watchdog {
            stop,
            thread: Some(thread),
        })
    }
}

/// One look: cancel on interrupt, commit what is due.
fn look(w: &Watched) {
    if w.interrupt.is_raised() {
        w.cancel.store(true, Ordering::Relaxed);
    }
    if let Err(e) = w.store.flush_if_due(w.run_id, &w.context) {
        tracing::warn!(target: "f0.runner", "cannot commit finished work yet: {e}");
    }
}

impl Watchdog {
    /// The watchdog thread's CPU-time clock: what its commits cost is not a step's.
    pub fn cpu_clock(&self) -> Option<ThreadCpuClock> {
        self.thread.as_ref().and_then(ThreadCpuClock::of)
    }

    /// Wakes the watchdog for a look now (a batch is ready to commit), instead of at its
    /// next [`POLL`].
    pub fn nudge(&self) {
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{lock, Context};
    use crate::store::Store;
    use std::sync::Mutex;
    use std::time::Instant;

    #[test]
    fn the_watchdog_cancels_on_interrupt_and_commits_what_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = SharedStore::new(Store::open(&path).unwrap());
        let run_id = store.lock().begin_run("r", "r.yaml", 1.0).unwrap();
        let context: SharedContext = Arc::new(Mutex::new(Context::new()));
        lock(&context).set("watch.key", serde_json::json!(1), Some("t"));
        let interrupt = Interrupt::new();
        let cancel = Arc::new(AtomicBool::new(false));
        let dog = Watchdog::start(Watched {
            interrupt: interrupt.clone(),
            cancel: cancel.clone(),
            store: store.clone(),
            context: context.clone(),
            run_id,
        })
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        // The pending key is committed without anyone calling commit.
        while lock(&context).pending().0.len() == 1 {
            assert!(Instant::now() < deadline, "the watchdog never committed");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!cancel.load(Ordering::Relaxed));
        interrupt.raise(libc::SIGINT);
        while !cancel.load(Ordering::Relaxed) {
            assert!(Instant::now() < deadline, "the watchdog never cancelled");
            std::thread::sleep(Duration::from_millis(5));
        }
        let started = Instant::now();
        drop(dog);
        assert!(started.elapsed() < Duration::from_secs(5), "stop is prompt");
        let reader = Store::open(&path).unwrap();
        assert_eq!(
            reader.context_value("watch.key").unwrap(),
            Some(serde_json::json!(1))
        );
    }
}
