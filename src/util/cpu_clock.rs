//! The CPU-time clock of one thread (`pthread_getcpuclockid`), readable from any thread: the
//! runner takes out of a step's process-wide CPU time what the store's writing thread spent
//! meanwhile (the run's watchdog committing earlier steps' work).

use std::os::unix::thread::JoinHandleExt;
use std::thread::JoinHandle;

/// One thread's CPU-time clock.
#[derive(Debug, Clone, Copy)]
pub struct ThreadCpuClock(libc::clockid_t);

impl ThreadCpuClock {
    /// The calling thread's clock (`None` where the system has none).
    pub fn current() -> Option<Self> {
        // SAFETY: pthread_self() is always a valid thread of this process.
        Self::of_pthread(unsafe { libc::pthread_self() })
    }

    /// The clock of the thread behind `handle` (`None` where the system has none).
    pub fn of<T>(handle: &JoinHandle<T>) -> Option<Self> {
        Self::of_pthread(handle.as_pthread_t())
    }

    fn of_pthread(thread: libc::pthread_t) -> Option<Self> {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: `thread` is a live thread (its JoinHandle, or the caller, is alive) and
        // `clock` is a valid out-pointer.
        let rc = unsafe { libc::pthread_getcpuclockid(thread, &mut clock) };
        (rc == 0).then_some(ThreadCpuClock(clock))
    }

    /// The thread's CPU time, ns (0 once the thread has exited or the clock cannot be read).
    pub fn now_ns(self) -> u64 {
        clock_ns(self.0)
    }
}

/// The time of clock `clock` (`clock_gettime`), ns; 0 when it cannot be read.
pub fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; an invalid clock id only returns an error.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Spins until the calling thread has used `ns` of CPU time.
    fn spin_cpu(ns: u64) {
        let me = ThreadCpuClock::current().unwrap();
        let end = me.now_ns() + ns;
        while me.now_ns() < end {
            std::hint::black_box(0);
        }
    }

    #[test]
    fn another_threads_clock_counts_its_work_and_not_the_readers() {
        let (go, wait) = mpsc::channel::<()>();
        let (done, finished) = mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            wait.recv().unwrap();
            spin_cpu(30_000_000);
            done.send(()).unwrap();
            // Idle until the reader is done.
            wait.recv().ok();
        });
        let clock = ThreadCpuClock::of(&worker).expect("a CPU clock");
        let before = clock.now_ns();
        go.send(()).unwrap();
        finished.recv().unwrap();
        let spent = clock.now_ns() - before;
        assert!(
            spent >= 30_000_000,
            "the worker spun 30 ms of CPU, its clock says {spent} ns"
        );
        // The reader's own work is not the worker's.
        let idle = clock.now_ns();
        spin_cpu(30_000_000);
        assert!(clock.now_ns() - idle < 5_000_000);
        drop(go);
        worker.join().unwrap();
    }
}
