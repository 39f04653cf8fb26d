//! Bytes read and written by the thread a step attempt runs on (`/proc/thread-self/io`),
//! summed over the step's attempts; see the module header of [`super`].

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use crate::util::procfs::parse_io;
use crate::util::self_probe::{io_of, with_thread_file, ThreadFile};

/// Bytes read and written by the threads a step's attempts ran on, summed over its attempts
/// (shared with the step thread; see the module header).
#[derive(Debug, Default)]
pub struct StepBytes {
    read: AtomicU64,
    write: AtomicU64,
}

impl StepBytes {
    fn add(&self, (read, write): (u64, u64)) {
        self.read.fetch_add(read, Ordering::Relaxed);
        self.write.fetch_add(write, Ordering::Relaxed);
    }

    /// `(read, written)` so far.
    pub fn total(&self) -> (u64, u64) {
        (
            self.read.load(Ordering::Relaxed),
            self.write.load(Ordering::Relaxed),
        )
    }

    /// Runs `work` on this thread and adds what the thread reads and writes meanwhile (two
    /// `pread`s of `/proc/thread-self/io`).
    pub fn count<T>(&self, work: impl FnOnce() -> T) -> T {
        let start = thread_bytes(true);
        let out = work();
        self.add(since(start, thread_bytes(false)));
        out
    }
}

/// One attempt's bytes on the step thread, which the runner reads itself when it gives the
/// attempt up (timeout, Ctrl-C): whichever side comes first adds them, once.
#[derive(Debug, Default)]
pub struct AttemptBytes {
    tid: AtomicI32,
    start: [AtomicU64; 2],
    claimed: AtomicBool,
}

impl AttemptBytes {
    /// On the step thread: runs `work`, then adds its thread's bytes to `to` unless the
    /// runner gave the attempt up first.
    pub fn count<T>(&self, to: &StepBytes, work: impl FnOnce() -> T) -> T {
        let start = thread_bytes(true);
        self.start[0].store(start.0, Ordering::Relaxed);
        self.start[1].store(start.1, Ordering::Relaxed);
        self.tid.store(this_tid(), Ordering::Release);
        let out = work();
        let end = thread_bytes(false);
        if !self.claimed.swap(true, Ordering::AcqRel) {
            to.add(since(start, end));
        }
        out
    }

    /// On the runner's thread, giving the attempt up: adds what its thread read and wrote so
    /// far (one read of `/proc/self/task/<tid>/io`; nothing if it never started).
    pub fn give_up(&self, to: &StepBytes) {
        if self.claimed.swap(true, Ordering::AcqRel) {
            return;
        }
        let tid = self.tid.load(Ordering::Acquire);
        if tid == 0 {
            return;
        }
        if let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/io")) {
            let start = (
                self.start[0].load(Ordering::Relaxed),
                self.start[1].load(Ordering::Relaxed),
            );
            to.add(since(start, parse_io(&text)));
        }
    }
}

/// The calling thread's `(rchar, wchar)` (one `pread`; zeros where the file is missing). A
/// reading `before` a span counts its own bytes ([`io_of`]), so a span's bytes leave out the
/// measurement's reads.
fn thread_bytes(before: bool) -> (u64, u64) {
    with_thread_file(ThreadFile::Io, |t| io_of(t, before)).unwrap_or_default()
}

fn since(start: (u64, u64), end: (u64, u64)) -> (u64, u64) {
    (end.0.saturating_sub(start.0), end.1.saturating_sub(start.1))
}

/// The calling thread's kernel id (one `gettid` per thread).
fn this_tid() -> i32 {
    thread_local! {
        static TID: i32 = {
            // SAFETY: gettid has no preconditions.
            unsafe { libc::gettid() }
        };
    }
    TID.with(|t| *t)
}
