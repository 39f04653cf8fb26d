//! `profile::scope(name)`: a tracked block (a [`crate::collect::alloc::track`] scope, so a
//! timer node in the call tree) that also charges the node with what its thread allocated
//! and read or wrote while it was open.
//!
//! ```
//! let _outer = framework0::profile::scope("load");
//! // ... work; nested scopes and #[performance_timer] functions become child nodes ...
//! ```
//!
//! Costs: two reads of the thread's allocation counters (thread-local cells) and two reads
//! each of `/proc/thread-self/io` and `/proc/thread-self/schedstat` (a few microseconds each): meant for blocks of ~100 µs or
//! more, not for hot inner functions (use `#[performance_timer]` there). Measurements are
//! kept in a side table keyed by the span id (at most [`MAX_SPANS`], then counted as
//! dropped) that [`super::timers`] joins with the call records.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::collect::alloc::{self, AllocationScope};
use crate::util::self_probe::{with_thread_file, ThreadFile};

/// Most spans the side table keeps.
pub const MAX_SPANS: usize = 1 << 16;

/// What one span cost besides time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanCost {
    /// Allocations on the thread while open (nested blocks included).
    pub allocations: u64,
    /// Bytes allocated.
    pub alloc_bytes: u64,
    /// Bytes the thread read (`rchar`).
    pub read_bytes: u64,
    /// Bytes the thread wrote (`wchar`).
    pub write_bytes: u64,
    /// Time runnable but waiting for a CPU, ns (`/proc/thread-self/schedstat`).
    #[serde(default)]
    pub run_queue_ns: u64,
}

#[derive(Default)]
struct Table {
    costs: HashMap<u64, SpanCost>,
    dropped: u64,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);

fn with_table<T>(f: impl FnOnce(&mut Table) -> T) -> T {
    let mut g = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    f(g.get_or_insert_with(Table::default))
}

/// Records `cost` for `span` (ignored for span 0, counted as dropped when full).
pub fn record_span_cost(span: u64, cost: SpanCost) {
    if span == 0 {
        return;
    }
    with_table(|t| {
        if t.costs.len() >= MAX_SPANS && !t.costs.contains_key(&span) {
            t.dropped += 1;
        } else {
            t.costs.insert(span, cost);
        }
    });
}

/// The recorded costs (a copy) and how many were dropped.
pub fn span_costs() -> (HashMap<u64, SpanCost>, u64) {
    with_table(|t| (t.costs.clone(), t.dropped))
}

/// Forgets every recorded cost.
pub fn reset_span_costs() {
    with_table(|t| *t = Table::default());
}

/// The calling thread's `(rchar, wchar)` from `/proc/thread-self/io` (zeros where absent);
/// the file stays open per thread ([`crate::util::self_probe`]), so a reading is one `pread`.
pub fn thread_io() -> (u64, u64) {
    with_thread_file(ThreadFile::Io, super::proctree::parse_io).unwrap_or_default()
}

/// The calling thread's run-queue wait so far, ns (0 where absent; one `pread`).
pub fn thread_run_delay_ns() -> u64 {
    with_thread_file(ThreadFile::Schedstat, super::proctree::parse_schedstat)
        .flatten()
        .unwrap_or(0)
}

/// An open profiled block; see the module docs.
#[must_use = "the block is profiled until the guard drops"]
pub struct Scope {
    inner: AllocationScope,
    io_start: (u64, u64),
    queue_start: u64,
}

/// Opens a profiled block called `name` on this thread.
///
/// The block's wall time and its run-queue readings are ordered so that a wait for a CPU
/// inside the wall time is inside the readings, and one outside is outside both: on this
/// kernel a busy machine preempts a thread mostly where a system call returns, and each
/// reading is one. The wall time starts after the start-up system calls and just before the
/// first run-queue reading, and stops just before the last one. Read before the timer (as it
/// was), a wait in between was charged to the block: a 6.6 ms block reported 12.5 ms of
/// waiting for a CPU; read after the CPU clock's system call, a wait there made a computing
/// block look 25 % busy. The probes' own reads are left out of the block's bytes.
pub fn scope(name: impl Into<String>) -> Scope {
    // Read before the block opens, so the read's own allocations (the thread's files are
    // opened on its first reading) are not charged to it.
    let on = crate::metrics::is_enabled();
    let io_before = if on { thread_io_before() } else { (0, 0) };
    let mut inner = alloc::track(name);
    let (queue_start, probe_bytes) = if on {
        inner.restart_wall();
        run_delay_and_len()
    } else {
        (0, 0)
    };
    Scope {
        inner,
        io_start: (io_before.0.saturating_add(probe_bytes), io_before.1),
        queue_start,
    }
}

/// `(rchar, wchar)` as they stand once this reading is done (its own bytes counted).
fn thread_io_before() -> (u64, u64) {
    with_thread_file(ThreadFile::Io, |t| crate::util::self_probe::io_of(t, true))
        .unwrap_or_default()
}

/// The run-queue wait so far and the bytes the reading itself read.
fn run_delay_and_len() -> (u64, u64) {
    with_thread_file(ThreadFile::Schedstat, |t| {
        (
            super::proctree::parse_schedstat(t).unwrap_or(0),
            t.len() as u64,
        )
    })
    .unwrap_or((0, 0))
}

impl Scope {
    /// The block's span id (0 when no metrics pipeline is installed).
    pub fn span_id(&self) -> u64 {
        self.inner.span_id()
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let span = self.inner.span_id();
        if span == 0 {
            return;
        }
        let a = self.inner.so_far();
        let io = thread_io();
        // The clock stops before the last reading, so a wait where that reading returns (or
        // in the bookkeeping after it) is in neither the wall time nor the wait.
        self.inner.stop_clock();
        let queued = thread_run_delay_ns().saturating_sub(self.queue_start);
        record_span_cost(
            span,
            SpanCost {
                allocations: a.allocations,
                alloc_bytes: a.bytes_allocated,
                read_bytes: io.0.saturating_sub(self.io_start.0),
                write_bytes: io.1.saturating_sub(self.io_start.1),
                run_queue_ns: queued,
            },
        );
    }
}
