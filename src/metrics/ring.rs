//! Per-thread recording state: the thread's series aggregates ([`LocalAgg`], exact counts)
//! and a bounded single-producer/single-consumer ring of raw records (call records and raw
//! samples) drained by the flusher.
//!
//! The owning thread updates its aggregate and pushes a fixed-size [`Event`] without locks,
//! read-modify-write instructions or allocation: it writes the slot, then publishes it with
//! a release store of `head`; the flusher reads up to `head` (acquire) and frees slots with a
//! release store of `tail`. Only one record in [`RAW_STRIDE`] is pushed (the flusher raises
//! the stride when it runs over its CPU budget; skipped records are counted as thinned), and
//! when the ring is full the record is dropped and counted (`raw_dropped`) — the recorder
//! never blocks on the flusher, and counts stay exact because they live in the aggregate. Series with ids at or above [`MAX_LOCAL_SITES`] are recorded
//! through the slow path instead.

use std::cell::{Cell, UnsafeCell};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::local_agg::{LocalAgg, Merged};

/// Series ids below this are aggregated per thread on the hot path (a table of this many
/// pointers, 32 KiB, per recording thread).
pub const MAX_LOCAL_SITES: usize = 4096;

/// One raw record in this many is pushed to the ring (set by the flusher's budget control).
pub(crate) static RAW_STRIDE: AtomicU64 = AtomicU64::new(1);

/// Full-ring pushes skipped before the producer looks at `tail` again (reading it pulls a
/// cache line the flusher writes).
const FULL_RECHECK: u32 = 64;

/// Sub-bucket bits of aggregates created from now on (set by `install`).
pub(crate) static SUB_BITS: AtomicU32 = AtomicU32::new(11);

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum EventKind {
    /// A timed call that succeeded: `a` = start, `b` = end (raw clock ticks).
    Call = 0,
    /// A histogram value: `a` = raw clock reading, `b` = the value.
    Value = 1,
}

/// One recorded event, 40 bytes.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// Site id.
    pub site: u32,
    /// What it records.
    pub kind: EventKind,
    /// Start tick, or the reading time of a value.
    pub a: u64,
    /// End tick, or the value.
    pub b: u64,
    /// Span id of a call (0 for values).
    pub span: u64,
    /// Parent span id (0 for none).
    pub parent: u64,
}

impl Event {
    /// A successful call of series `site` from raw tick `start` to `end`.
    #[inline(always)]
    pub fn call(site: u32, start: u64, end: u64, span: u64, parent: u64) -> Event {
        Event {
            site,
            kind: EventKind::Call,
            a: start,
            b: end,
            span,
            parent,
        }
    }

    /// Value `value` of histogram series `site`, read at raw tick `at`.
    #[inline(always)]
    pub fn value(site: u32, at: u64, value: u64) -> Event {
        Event {
            site,
            kind: EventKind::Value,
            a: at,
            b: value,
            span: 0,
            parent: 0,
        }
    }
}

#[repr(align(128))]
struct Padded<T>(T);

/// What the producer counts about raw records. Thinning is counted per stride period, not per
/// record: `thinned = thinned_done + (period − countdown)` (exact once the producer is quiet).
struct RawCounters {
    /// Records dropped because the ring was full.
    dropped: AtomicU64,
    /// Records thinned in the periods that ended.
    thinned_done: AtomicU64,
    /// Records left in the current period, the last of which is pushed.
    countdown: AtomicU64,
    /// Length of the current period (the stride when it began).
    period: AtomicU64,
}

/// One thread's ring.
pub struct ThreadRing {
    head: Padded<AtomicUsize>,
    tail: Padded<AtomicUsize>,
    slots: Box<[UnsafeCell<MaybeUninit<Event>>]>,
    mask: usize,
    /// Index of the owning thread (high bits of its span ids).
    pub thread_index: u64,
    closed: AtomicBool,
    /// Producer-written counters, on their own cache line.
    counters: Padded<RawCounters>,
    aggs: Box<[AtomicPtr<LocalAgg>]>,
}

// SAFETY: slots are written only by the owning thread before publishing `head` and read only by
// the single consumer (the flusher, serialised by the pipeline lock) between `tail` and `head`.
unsafe impl Sync for ThreadRing {}
// SAFETY: as above; the ring owns plain data.
unsafe impl Send for ThreadRing {}

impl ThreadRing {
    fn new(capacity: usize, thread_index: u64) -> ThreadRing {
        let cap = capacity.next_power_of_two().max(64);
        ThreadRing {
            head: Padded(AtomicUsize::new(0)),
            tail: Padded(AtomicUsize::new(0)),
            slots: (0..cap)
                .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                .collect(),
            mask: cap - 1,
            thread_index,
            closed: AtomicBool::new(false),
            counters: Padded(RawCounters {
                dropped: AtomicU64::new(0),
                thinned_done: AtomicU64::new(0),
                countdown: AtomicU64::new(1),
                period: AtomicU64::new(1),
            }),
            aggs: (0..MAX_LOCAL_SITES)
                .map(|_| AtomicPtr::new(std::ptr::null_mut()))
                .collect(),
        }
    }

    /// The owning thread's aggregate of `site`, created on first use; None for ids at or
    /// above [`MAX_LOCAL_SITES`].
    #[inline(always)]
    fn agg(&self, site: u32) -> Option<&LocalAgg> {
        let slot = self.aggs.get(site as usize)?;
        let p = slot.load(Ordering::Relaxed);
        if p.is_null() {
            return Some(self.new_agg(slot));
        }
        // SAFETY: published by `new_agg`; freed only when the ring drops.
        Some(unsafe { &*p })
    }

    #[cold]
    fn new_agg(&self, slot: &AtomicPtr<LocalAgg>) -> &LocalAgg {
        let p = Box::into_raw(Box::new(LocalAgg::new(SUB_BITS.load(Ordering::Relaxed))));
        slot.store(p, Ordering::Release);
        // SAFETY: just allocated; freed only when the ring drops.
        unsafe { &*p }
    }

    /// Snapshots of every series this thread recorded, by site id.
    pub(crate) fn read_aggs(&self, mut f: impl FnMut(u32, Merged)) {
        for (id, slot) in self.aggs.iter().enumerate() {
            let p = slot.load(Ordering::Acquire);
            if !p.is_null() {
                // SAFETY: published by `new_agg`; freed only when the ring drops.
                f(id as u32, unsafe { &*p }.read());
            }
        }
    }

    /// Raw records dropped because the ring was full, and thinned by the stride.
    pub(crate) fn raw_lost(&self) -> (u64, u64) {
        let c = &self.counters.0;
        let in_period = c
            .period
            .load(Ordering::Relaxed)
            .saturating_sub(c.countdown.load(Ordering::Relaxed));
        (
            c.dropped.load(Ordering::Relaxed),
            c.thinned_done.load(Ordering::Relaxed) + in_period,
        )
    }

    /// Pushes from the owning thread; false when full. `cached_tail` is the producer's copy of
    /// `tail`, refreshed only when the ring looks full.
    #[inline(always)]
    fn try_push(&self, ev: Event, cached_tail: &Cell<usize>, skip: &Cell<u32>) -> bool {
        let head = self.head.0.load(Ordering::Relaxed);
        if head.wrapping_sub(cached_tail.get()) > self.mask {
            if skip.get() > 0 {
                skip.set(skip.get() - 1);
                return false;
            }
            cached_tail.set(self.tail.0.load(Ordering::Acquire));
            if head.wrapping_sub(cached_tail.get()) > self.mask {
                skip.set(FULL_RECHECK);
                return false;
            }
        }
        // SAFETY: slot `head` is free (head - tail <= mask) and only this thread writes it.
        unsafe { (*self.slots[head & self.mask].get()).write(ev) };
        self.head.0.store(head.wrapping_add(1), Ordering::Release);
        true
    }

    /// Drains every published event into `f`. The consumer side of the ring is single: the
    /// [`DrainGuard`] proves that no other drain runs meanwhile.
    pub(crate) fn drain(&self, _serial: &DrainGuard<'_>, mut f: impl FnMut(&Event)) -> usize {
        let tail = self.tail.0.load(Ordering::Relaxed);
        let head = self.head.0.load(Ordering::Acquire);
        let n = head.wrapping_sub(tail);
        for i in 0..n {
            let idx = tail.wrapping_add(i) & self.mask;
            // SAFETY: slots in [tail, head) were published by the producer's release store.
            let ev = unsafe { (*self.slots[idx].get()).assume_init_ref() };
            f(ev);
        }
        self.tail.0.store(head, Ordering::Release);
        n
    }

    /// True once the owning thread has exited.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

static RINGS: Mutex<Vec<Arc<ThreadRing>>> = Mutex::new(Vec::new());
static DRAINING: Mutex<()> = Mutex::new(());

/// Held while rings are drained: [`ThreadRing::drain`] takes it as proof that it is the only
/// consumer, which is what makes reading the slots in `[tail, head)` sound.
pub(crate) struct DrainGuard<'a> {
    _held: MutexGuard<'a, ()>,
}

/// Takes the one drain lock (uncontended in practice: the flusher and explicit flushes
/// already run under the pipeline's state lock).
pub(crate) fn drain_lock() -> DrainGuard<'static> {
    DrainGuard {
        _held: DRAINING.lock().unwrap_or_else(PoisonError::into_inner),
    }
}
static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
/// Capacity of rings created from now on (set by `install`).
pub(crate) static RING_CAPACITY: AtomicUsize = AtomicUsize::new(1 << 16);

/// Every live (or not yet drained) ring.
pub(crate) fn rings() -> Vec<Arc<ThreadRing>> {
    RINGS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Forgets rings whose thread exited and which are drained.
pub(crate) fn retire(done: &[Arc<ThreadRing>]) {
    RINGS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|r| !done.iter().any(|d| Arc::ptr_eq(d, r)));
}

/// Thread-local recording state, const-initialised so access is a plain TLS load.
pub(crate) struct Local {
    ring: Cell<*const ThreadRing>,
    cached_tail: Cell<usize>,
    full_skip: Cell<u32>,
    /// Current span id (0 = none).
    pub(crate) current: Cell<u64>,
    seq: Cell<u64>,
}

impl Local {
    /// The next span id of this thread: thread index in the high 24 bits, a sequence below.
    #[inline(always)]
    pub(crate) fn next_span(&self) -> u64 {
        let mut s = self.seq.get();
        if s == 0 {
            // First span of this thread: its ring fixes the thread index (high 24 bits).
            s = self.ring().thread_index << 40;
        }
        s += 1;
        self.seq.set(s);
        s
    }

    #[inline(always)]
    fn ring(&self) -> &ThreadRing {
        let p = self.ring.get();
        if p.is_null() {
            return self.create_ring();
        }
        // SAFETY: the pointer comes from an `Arc` kept alive by `OWNER` for the thread's life.
        unsafe { &*p }
    }

    #[cold]
    fn create_ring(&self) -> &ThreadRing {
        let idx = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
        let ring = Arc::new(ThreadRing::new(RING_CAPACITY.load(Ordering::Relaxed), idx));
        RINGS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&ring));
        let ptr = Arc::as_ptr(&ring);
        let mut slot = Some(ring);
        let owned = OWNER
            .try_with(|o| *o.borrow_mut() = slot.take().map(Owner))
            .is_ok();
        if owned {
            self.ring.set(ptr);
        } else if let Some(ring) = slot {
            // Recording during thread teardown, after OWNER was destroyed: keep this ring alive
            // for good (one per such thread) and let the flusher drain and forget it.
            ring.closed.store(true, Ordering::Release);
            let _ = Arc::into_raw(ring);
        }
        // SAFETY: kept alive by OWNER, or leaked above.
        unsafe { &*ptr }
    }

    /// Records value `v` (ticks for a call, the value otherwise) of series `site`, seen at raw
    /// time `at`, in the thread's aggregate, and pushes the raw record `event()` (one in the
    /// stride; dropped and counted when the ring is full). Returns false when the series has
    /// no per-thread aggregate (id too large).
    #[inline(always)]
    pub(crate) fn record(&self, site: u32, v: u64, at: u64, event: impl FnOnce() -> Event) -> bool {
        let ring = self.ring();
        let Some(agg) = ring.agg(site) else {
            return false;
        };
        agg.record(v, at);
        let countdown = &ring.counters.0.countdown;
        let c = countdown.load(Ordering::Relaxed);
        if c > 1 {
            countdown.store(c - 1, Ordering::Relaxed);
            return true;
        }
        self.push_raw(ring, event());
        true
    }

    /// The common case of [`Local::record`], for a call: the thread's ring and the series'
    /// aggregate exist, the aggregate is current and not empty, and the record is thinned.
    /// Returns false, having changed nothing, when any of that does not hold.
    #[inline(always)]
    pub(crate) fn record_common(&self, site: u32, v: u64, at: u64) -> bool {
        let ring = self.ring.get();
        if ring.is_null() {
            return false;
        }
        // SAFETY: the pointer comes from an `Arc` kept alive by `OWNER` for the thread's life.
        let ring = unsafe { &*ring };
        let Some(slot) = ring.aggs.get(site as usize) else {
            return false;
        };
        let agg = slot.load(Ordering::Relaxed);
        let countdown = &ring.counters.0.countdown;
        let c = countdown.load(Ordering::Relaxed);
        // SAFETY: published by `new_agg`; freed only when the ring drops.
        if agg.is_null() || c <= 1 || !unsafe { &*agg }.record_common(v, at) {
            return false;
        }
        countdown.store(c - 1, Ordering::Relaxed);
        true
    }

    /// Pushes one raw record and starts the next stride period: the `period − 1` records of
    /// the one ending were thinned.
    #[inline(always)]
    fn push_raw(&self, ring: &ThreadRing, ev: Event) {
        let c = &ring.counters.0;
        let ended = c.period.load(Ordering::Relaxed).saturating_sub(1);
        c.thinned_done.store(
            c.thinned_done.load(Ordering::Relaxed) + ended,
            Ordering::Relaxed,
        );
        let stride = RAW_STRIDE.load(Ordering::Relaxed).max(1);
        c.period.store(stride, Ordering::Relaxed);
        c.countdown.store(stride, Ordering::Relaxed);
        if !ring.try_push(ev, &self.cached_tail, &self.full_skip) {
            c.dropped
                .store(c.dropped.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
    }
}

impl Drop for ThreadRing {
    fn drop(&mut self) {
        for slot in self.aggs.iter() {
            let p = slot.load(Ordering::Acquire);
            if !p.is_null() {
                // SAFETY: allocated by `new_agg` with `Box::new`; nobody reads after drop.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

struct Owner(Arc<ThreadRing>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
        LOCAL.with(|l| l.ring.set(std::ptr::null()));
    }
}

thread_local! {
    pub(crate) static LOCAL: Local = const {
        Local {
            ring: Cell::new(std::ptr::null()),
            cached_tail: Cell::new(0),
            full_skip: Cell::new(0),
            current: Cell::new(0),
            seq: Cell::new(0),
        }
    };
    static OWNER: std::cell::RefCell<Option<Owner>> = const { std::cell::RefCell::new(None) };
}
