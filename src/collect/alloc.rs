//! `CountingAllocator`: an opt-in global allocator that counts allocations and bytes, in
//! total and per thread, so blocks can be charged with what they allocated.
//!
//! ```
//! use framework0::collect::alloc::CountingAllocator;
//! #[global_allocator]
//! static ALLOC: CountingAllocator = CountingAllocator::new();
//! ```
//!
//! Cost per allocation: one access to const-initialised thread-local cells (the thread's
//! counts) and two relaxed `fetch_add`s on one of 16 cache-line-sized stripes of global
//! totals, picked by the thread; no lock, no allocation. `realloc` counts as one
//! deallocation of the old size plus one allocation of the new size.
//!
//! Attribution: [`track`] opens a [`PerformanceTracker`] and, when the guard drops,
//! records the bytes and allocations this thread made while it was open (nested blocks
//! included) as histograms `<name>_alloc_bytes` (bytes) and `<name>_allocations` (count),
//! with the guard's tags. Without a pipeline installed nothing is recorded (as for every
//! recorder call).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::metrics::{histogram, performance_tracker, MetricUnit, PerformanceTracker};

/// Allocation counts (of a thread, or of the process).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AllocCounts {
    /// Allocations (including the allocation half of each `realloc`).
    pub allocations: u64,
    /// Deallocations.
    pub deallocations: u64,
    /// Bytes allocated.
    pub bytes_allocated: u64,
    /// Bytes freed.
    pub bytes_freed: u64,
}

impl AllocCounts {
    /// Bytes allocated and not yet freed (0 when more was freed, e.g. a thread freeing
    /// memory another thread allocated).
    pub fn live_bytes(&self) -> u64 {
        self.bytes_allocated.saturating_sub(self.bytes_freed)
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &AllocCounts) -> AllocCounts {
        AllocCounts {
            allocations: self.allocations.wrapping_sub(earlier.allocations),
            deallocations: self.deallocations.wrapping_sub(earlier.deallocations),
            bytes_allocated: self.bytes_allocated.wrapping_sub(earlier.bytes_allocated),
            bytes_freed: self.bytes_freed.wrapping_sub(earlier.bytes_freed),
        }
    }
}

#[repr(align(128))]
struct Stripe {
    allocations: AtomicU64,
    deallocations: AtomicU64,
    bytes_allocated: AtomicU64,
    bytes_freed: AtomicU64,
}

const STRIPES: usize = 16;
#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Stripe = Stripe {
    allocations: AtomicU64::new(0),
    deallocations: AtomicU64::new(0),
    bytes_allocated: AtomicU64::new(0),
    bytes_freed: AtomicU64::new(0),
};
static TOTALS: [Stripe; STRIPES] = [EMPTY; STRIPES];

struct ThreadCounts {
    allocations: Cell<u64>,
    deallocations: Cell<u64>,
    bytes_allocated: Cell<u64>,
    bytes_freed: Cell<u64>,
}

thread_local! {
    // Const-initialised and without a destructor: access never allocates, so the
    // allocator may use it.
    static THREAD: ThreadCounts = const {
        ThreadCounts {
            allocations: Cell::new(0),
            deallocations: Cell::new(0),
            bytes_allocated: Cell::new(0),
            bytes_freed: Cell::new(0),
        }
    };
}

#[inline(always)]
fn on_alloc(size: usize) {
    let _ = THREAD.try_with(|t| {
        t.allocations.set(t.allocations.get().wrapping_add(1));
        t.bytes_allocated
            .set(t.bytes_allocated.get().wrapping_add(size as u64));
        let s = stripe_of(t);
        s.allocations.fetch_add(1, Relaxed);
        s.bytes_allocated.fetch_add(size as u64, Relaxed);
    });
}

#[inline(always)]
fn on_free(size: usize) {
    let _ = THREAD.try_with(|t| {
        t.deallocations.set(t.deallocations.get().wrapping_add(1));
        t.bytes_freed
            .set(t.bytes_freed.get().wrapping_add(size as u64));
        let s = stripe_of(t);
        s.deallocations.fetch_add(1, Relaxed);
        s.bytes_freed.fetch_add(size as u64, Relaxed);
    });
}

/// The thread's stripe: a hash of its thread-local block's address.
#[inline(always)]
fn stripe_of(t: &ThreadCounts) -> &'static Stripe {
    let h = (t as *const ThreadCounts as usize as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    &TOTALS[(h >> 60) as usize % STRIPES]
}

/// A [`GlobalAlloc`] that counts, wrapping another allocator (the system's by default).
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator<A = System> {
    inner: A,
}

impl CountingAllocator<System> {
    /// Counting over the system allocator.
    pub const fn new() -> Self {
        CountingAllocator { inner: System }
    }
}

impl<A> CountingAllocator<A> {
    /// Counting over `inner`.
    pub const fn wrap(inner: A) -> Self {
        CountingAllocator { inner }
    }
}

// SAFETY: every call is forwarded unchanged to the wrapped allocator; counting touches only
// atomics and allocation-free thread-locals.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.inner.alloc(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.dealloc(ptr, layout) };
        on_free(layout.size());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            on_free(layout.size());
            on_alloc(new_size);
        }
        p
    }
}

/// Suffix of the histogram of bytes a [`track`] block allocated.
pub const ALLOC_BYTES_SUFFIX: &str = "_alloc_bytes";
/// Suffix of the histogram of allocations a [`track`] block made.
pub const ALLOCATIONS_SUFFIX: &str = "_allocations";

/// The process's totals (all zero unless a [`CountingAllocator`] is the global allocator
/// or is called directly).
pub fn totals() -> AllocCounts {
    TOTALS.iter().fold(AllocCounts::default(), |mut acc, s| {
        acc.allocations += s.allocations.load(Relaxed);
        acc.deallocations += s.deallocations.load(Relaxed);
        acc.bytes_allocated += s.bytes_allocated.load(Relaxed);
        acc.bytes_freed += s.bytes_freed.load(Relaxed);
        acc
    })
}

/// The calling thread's counts since it started.
pub fn thread_counts() -> AllocCounts {
    THREAD
        .try_with(|t| AllocCounts {
            allocations: t.allocations.get(),
            deallocations: t.deallocations.get(),
            bytes_allocated: t.bytes_allocated.get(),
            bytes_freed: t.bytes_freed.get(),
        })
        .unwrap_or_default()
}

/// Whether any allocation has been counted (the counting allocator is in use).
pub fn is_counting() -> bool {
    totals().allocations > 0
}

/// A tracked block that is also charged with its thread's allocations; see the module docs.
#[must_use = "the block is tracked until the guard drops"]
pub struct AllocationScope {
    tracker: PerformanceTracker,
    name: String,
    tags: Vec<(String, String)>,
    start: AllocCounts,
}

/// Opens a [`PerformanceTracker`] called `name` that also records the allocations made on
/// this thread until it drops.
pub fn track(name: impl Into<String>) -> AllocationScope {
    let name = name.into();
    let tracker = performance_tracker(name.clone());
    AllocationScope {
        tracker,
        name,
        tags: Vec::new(),
        start: thread_counts(),
    }
}

impl AllocationScope {
    /// Adds a tag to the tracker's and the allocation series.
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (k, v) = (key.into(), value.into());
        self.tracker.add_tag(k.clone(), v.clone());
        self.tags.push((k, v));
        self
    }

    /// Allocations on this thread since the block opened.
    pub fn so_far(&self) -> AllocCounts {
        thread_counts().since(&self.start)
    }
}

impl Deref for AllocationScope {
    type Target = PerformanceTracker;
    fn deref(&self) -> &PerformanceTracker {
        &self.tracker
    }
}

impl DerefMut for AllocationScope {
    fn deref_mut(&mut self) -> &mut PerformanceTracker {
        &mut self.tracker
    }
}

impl Drop for AllocationScope {
    fn drop(&mut self) {
        let d = self.so_far();
        if !crate::metrics::is_enabled() {
            return;
        }
        let tags: Vec<(&str, &str)> = self
            .tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        histogram(
            &format!("{}{ALLOC_BYTES_SUFFIX}", self.name),
            MetricUnit::Bytes,
            &tags,
        )
        .record(d.bytes_allocated);
        histogram(
            &format!("{}{ALLOCATIONS_SUFFIX}", self.name),
            MetricUnit::Count,
            &tags,
        )
        .record(d.allocations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_calls_are_counted_for_the_thread_and_the_process() {
        let a = CountingAllocator::new();
        let before_t = thread_counts();
        let before_p = totals();
        let layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: a valid non-zero layout; the pointer is freed with the same layout.
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            let q = a.realloc(p, layout, 3000);
            assert!(!q.is_null());
            a.dealloc(q, Layout::from_size_align(3000, 8).unwrap());
        }
        let d = thread_counts().since(&before_t);
        assert_eq!(
            d,
            AllocCounts {
                allocations: 2,
                deallocations: 2,
                bytes_allocated: 4000,
                bytes_freed: 4000,
            }
        );
        assert_eq!(d.live_bytes(), 0);
        let p = totals().since(&before_p);
        assert!(p.allocations >= 2 && p.bytes_allocated >= 4000);
        assert!(is_counting());
    }

    #[test]
    fn other_threads_do_not_count_here() {
        let a = CountingAllocator::new();
        let before = thread_counts();
        std::thread::spawn(move || {
            let layout = Layout::from_size_align(64, 8).unwrap();
            // SAFETY: valid layout, freed with the same layout.
            unsafe { a.dealloc(a.alloc(layout), layout) };
            assert_eq!(thread_counts().allocations, 1);
        })
        .join()
        .unwrap();
        assert_eq!(thread_counts().since(&before).allocations, 0);
    }
}
