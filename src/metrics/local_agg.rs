//! Per-thread, per-series aggregates written on the hot path by their owning thread only and
//! read by the flusher: no lock, no read-modify-write instruction, no allocation after a
//! series' first values in each magnitude.
//!
//! Values are non-negative integers (raw clock ticks for timers, the value for histograms).
//! Buckets are log-linear like HdrHistogram (Tene): with `S` sub-bucket bits, values below
//! `2^S` get their own bucket; a value with highest set bit `e ≥ S` falls in row `r = e − S + 1`
//! at index `(v >> r) − 2^(S−1)`, a bucket `2^r` wide, so a bucket's upper bound is within a
//! relative `2^−(S−1)` of any value in it. `S` is the smallest with `2^(S−1) ≥ 10^d` for `d`
//! significant digits (d = 3 → S = 11, as HdrHistogram). Rows are allocated on first use.
//!
//! Moments are kept about a shift `K` (the first value) to limit cancellation:
//! `Σ(x−K)` (i64, wrapping) and `Σ(x−K)²` (f64); a snapshot turns them into
//! `mean = K + Σ(x−K)/n` and `M2 = Σ(x−K)² − (Σ(x−K))²/n`, and snapshots of several threads
//! combine by Chan, Golub & LeVeque (1979). Every field is a single-writer atomic updated with
//! plain loads and stores (no lock prefix, measured ~6 ns cheaper per call than a seqlock and
//! 128-bit sums); the count is stored last with release. A snapshot taken while the owner is
//! recording may therefore see the last record's moments or buckets without its count (a
//! difference of at most one record per thread); once the owner is quiet it is exact.

use std::sync::atomic::{AtomicI64, AtomicPtr, AtomicU64, Ordering::*};

pub(crate) use super::merged::Merged;

/// Number of bucket rows (one per highest-bit position, enough for any u64).
pub(super) const ROWS: usize = 64;

/// Bumped by `reset`: an aggregate from an older epoch reads as empty and clears itself on
/// its owner's next record.
pub(crate) static EPOCH: AtomicU64 = AtomicU64::new(0);

/// Sub-bucket bits for `digits` significant decimal digits (1..=5).
pub(crate) fn sub_bits(digits: u8) -> u32 {
    let target = 10u64.pow(u32::from(digits.clamp(1, 5)));
    (1..=19).find(|s| 1u64 << (s - 1) >= target).unwrap_or(18)
}

/// Row and index of value `v`.
#[inline(always)]
pub(crate) fn bucket_of(v: u64, s: u32) -> (usize, usize) {
    if v < (1 << s) {
        return (0, v as usize);
    }
    let e = 63 - v.leading_zeros();
    let r = e - s + 1;
    (r as usize, ((v >> r) - (1 << (s - 1))) as usize)
}

/// Largest value of bucket `(row, i)`.
pub(crate) fn bucket_high(row: usize, i: usize, s: u32) -> u64 {
    if row == 0 {
        return i as u64;
    }
    let lo = ((i as u64) + (1 << (s - 1))) << row;
    lo + ((1u64 << row) - 1)
}

pub(super) fn row_len(row: usize, s: u32) -> usize {
    if row == 0 {
        1 << s
    } else {
        1 << (s - 1)
    }
}

/// One series' aggregate in one thread.
pub(crate) struct LocalAgg {
    s: u32,
    epoch: AtomicU64,
    count: AtomicU64,
    shift: AtomicU64,
    sum: AtomicI64,
    /// `Σ(x−K)²` as `f64` bits.
    sq: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
    first: AtomicU64,
    last: AtomicU64,
    /// The latest value, not yet in its bucket (when the count is not zero).
    pending: AtomicU64,
    rows: [AtomicPtr<AtomicU64>; ROWS],
}

impl LocalAgg {
    pub(crate) fn new(s: u32) -> LocalAgg {
        LocalAgg {
            s,
            epoch: AtomicU64::new(EPOCH.load(Relaxed)),
            count: AtomicU64::new(0),
            shift: AtomicU64::new(0),
            sum: AtomicI64::new(0),
            sq: AtomicU64::new(0),
            min: AtomicU64::new(u64::MAX),
            max: AtomicU64::new(0),
            first: AtomicU64::new(0),
            last: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            rows: [const { AtomicPtr::new(std::ptr::null_mut()) }; ROWS],
        }
    }

    /// Adds value `v` seen at raw time `at`. Owning thread only.
    ///
    /// The bucket of `v` is counted on the *next* record (or by [`LocalAgg::read`]): `v` is
    /// usually fresh from a clock read, and a memory access whose address depends on it
    /// delays the next call's clock read (measured: +10 ns per timed call on AMD EPYC).
    /// `pending` sits at a fixed address, and the previous value's bucket address is
    /// resolved long before. Min and max are branch-free for the same reason.
    #[inline(always)]
    pub(crate) fn record(&self, v: u64, at: u64) {
        let epoch = EPOCH.load(Relaxed);
        if epoch != self.epoch.load(Relaxed) {
            self.clear(epoch);
        }
        let n = self.count.load(Relaxed);
        if n == 0 {
            self.shift.store(v, Relaxed);
            self.first.store(at, Relaxed);
        } else {
            self.count_bucket(self.pending.load(Relaxed));
        }
        self.pending.store(v, Relaxed);
        self.add_moments(n, v, at);
    }

    /// [`LocalAgg::record`] when the aggregate is current and not empty; false, having
    /// changed nothing, otherwise. Owning thread only.
    #[inline(always)]
    pub(crate) fn record_common(&self, v: u64, at: u64) -> bool {
        let n = self.count.load(Relaxed);
        if n == 0 || EPOCH.load(Relaxed) != self.epoch.load(Relaxed) {
            return false;
        }
        let (row, i) = bucket_of(self.pending.load(Relaxed), self.s);
        let p = self.rows[row].load(Relaxed);
        if p.is_null() {
            return false;
        }
        // SAFETY: row `row` has `row_len` counters and `i < row_len` by construction.
        let c = unsafe { &*p.add(i) };
        c.store(c.load(Relaxed) + 1, Relaxed);
        self.pending.store(v, Relaxed);
        self.add_moments(n, v, at);
        true
    }

    /// Sum, squares, extremes, last time and count of one more value `v` at `at` (`n`
    /// before). Owning thread only.
    #[inline(always)]
    fn add_moments(&self, n: u64, v: u64, at: u64) {
        let d = v.wrapping_sub(self.shift.load(Relaxed)) as i64;
        self.sum
            .store(self.sum.load(Relaxed).wrapping_add(d), Relaxed);
        let df = d as f64;
        let sq = f64::from_bits(self.sq.load(Relaxed)) + df * df;
        self.sq.store(sq.to_bits(), Relaxed);
        self.min.store(v.min(self.min.load(Relaxed)), Relaxed);
        self.max.store(v.max(self.max.load(Relaxed)), Relaxed);
        self.last.store(at, Relaxed);
        self.count.store(n + 1, Release);
    }

    /// Adds one to the bucket of `v`. Owning thread only.
    #[inline(always)]
    fn count_bucket(&self, v: u64) {
        let (row, i) = bucket_of(v, self.s);
        let mut p = self.rows[row].load(Relaxed);
        if p.is_null() {
            p = self.alloc_row(row);
        }
        // SAFETY: row `row` has `row_len` counters and `i < row_len` by construction.
        let c = unsafe { &*p.add(i) };
        c.store(c.load(Relaxed) + 1, Relaxed);
    }

    /// Empties the aggregate for `epoch`. Owning thread only.
    #[cold]
    fn clear(&self, epoch: u64) {
        self.count.store(0, Release);
        self.sum.store(0, Relaxed);
        self.sq.store(0, Relaxed);
        self.min.store(u64::MAX, Relaxed);
        self.max.store(0, Relaxed);
        for (r, slot) in self.rows.iter().enumerate() {
            let p = slot.load(Relaxed);
            if !p.is_null() {
                // SAFETY: published rows hold `row_len` counters.
                let row = unsafe { std::slice::from_raw_parts(p, row_len(r, self.s)) };
                row.iter().for_each(|c| c.store(0, Relaxed));
            }
        }
        self.epoch.store(epoch, Release);
    }

    #[cold]
    fn alloc_row(&self, row: usize) -> *mut AtomicU64 {
        let v: Box<[AtomicU64]> = (0..row_len(row, self.s))
            .map(|_| AtomicU64::new(0))
            .collect();
        let p = Box::into_raw(v).cast::<AtomicU64>();
        self.rows[row].store(p, Release);
        p
    }

    /// A copy of the scalars and of the buckets (see the module docs on consistency).
    pub(crate) fn read(&self) -> Merged {
        // Re-read while the count moves (at most a few times), so the scalars usually belong
        // to one count.
        let mut tries = 0;
        let scalars = loop {
            let n1 = self.count.load(Acquire);
            let stale = self.epoch.load(Acquire) != EPOCH.load(Relaxed);
            let snap = (
                if stale { 0 } else { n1 },
                self.pending.load(Relaxed),
                self.shift.load(Relaxed) as f64,
                self.sum.load(Relaxed) as f64,
                f64::from_bits(self.sq.load(Relaxed)),
                self.min.load(Relaxed),
                self.max.load(Relaxed),
                self.first.load(Relaxed),
                self.last.load(Relaxed),
            );
            tries += 1;
            if self.count.load(Acquire) == n1 || tries >= 16 {
                break snap;
            }
        };
        let (n, pending, k, sum, sq, min, max, first, last) = scalars;
        let mut m = Merged::empty(self.s);
        if n == 0 {
            return m;
        }
        let nf = n as f64;
        m.count = n;
        m.mean = k + sum / nf;
        m.m2 = (sq - sum * sum / nf).max(0.0);
        m.min = min;
        m.max = max;
        m.first = first;
        m.last = last;
        for (r, slot) in self.rows.iter().enumerate() {
            let p = slot.load(Acquire);
            if p.is_null() {
                continue;
            }
            // SAFETY: published rows hold `row_len` counters and are freed only on drop.
            let row = unsafe { std::slice::from_raw_parts(p, row_len(r, self.s)) };
            m.rows[r] = row.iter().map(|c| c.load(Relaxed)).collect();
        }
        let (r, i) = bucket_of(pending, self.s);
        let row = &mut m.rows[r];
        if row.len() <= i {
            row.resize(row_len(r, self.s), 0);
        }
        row[i] += 1;
        m
    }
}

impl Drop for LocalAgg {
    fn drop(&mut self) {
        for (r, slot) in self.rows.iter().enumerate() {
            let p = slot.load(Acquire);
            if !p.is_null() {
                let len = row_len(r, self.s);
                // SAFETY: allocated in `alloc_row` as a boxed slice of exactly `len` counters.
                drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, len)) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::types::MetricAggregation;
    use proptest::prelude::*;
    use std::sync::{Mutex, MutexGuard, PoisonError};

    /// The reset test moves the global epoch; the others must not record meanwhile.
    static EPOCH_LOCK: Mutex<()> = Mutex::new(());

    fn epoch_lock() -> MutexGuard<'static, ()> {
        EPOCH_LOCK.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn summary(m: &Merged) -> MetricAggregation {
        m.summary("m", &[50.0, 90.0, 99.0, 99.9], 1.0, |r| r as i64)
            .unwrap()
    }

    #[test]
    fn sub_bits_match_hdrhistogram() {
        assert_eq!([1, 2, 3, 4, 5].map(sub_bits), [5, 8, 11, 15, 18]);
    }

    #[test]
    fn reset_epoch_empties_and_restarts() {
        let _g = epoch_lock();
        let a = LocalAgg::new(11);
        a.record(5, 1);
        assert_eq!(a.read().count, 1);
        EPOCH.fetch_add(1, Relaxed);
        assert_eq!(a.read().count, 0);
        a.record(9, 2);
        let s = summary(&a.read());
        assert_eq!((s.count, s.min_value, s.max_value), (1, 9.0, 9.0));
    }

    proptest! {
        #[test]
        fn every_value_lies_in_its_bucket(v in any::<u64>(), digits in 1u8..=5) {
            let s = sub_bits(digits);
            let (r, i) = bucket_of(v, s);
            prop_assert!(i < row_len(r, s));
            let hi = bucket_high(r, i, s);
            prop_assert!(hi >= v);
            let width = if r == 0 { 1 } else { 1u64 << r };
            prop_assert!(hi - v < width);
            // Relative bound: a bucket is at most 2^-(S-1) of its lower edge wide.
            prop_assert!((hi - v) as f64 <= (v as f64) * 2f64.powi(-(s as i32 - 1)) + 1.0);
        }

        #[test]
        fn thread_aggregates_merge_to_exact_moments(
            a in proptest::collection::vec(0u64..1u64 << 40, 1..200),
            b in proptest::collection::vec(0u64..1u64 << 40, 0..200),
        ) {
            let _g = epoch_lock();
            let (x, y) = (LocalAgg::new(11), LocalAgg::new(11));
            for (t, &v) in a.iter().enumerate() { x.record(v, t as u64 + 10); }
            for (t, &v) in b.iter().enumerate() { y.record(v, t as u64 + 5); }
            let mut m = x.read();
            m.merge(&y.read());
            let all: Vec<u64> = a.iter().chain(&b).copied().collect();
            let n = all.len() as f64;
            let mean = all.iter().map(|&v| v as f64).sum::<f64>() / n;
            let var = if all.len() > 1 {
                all.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0)
            } else { 0.0 };
            let s = summary(&m);
            prop_assert_eq!(s.count, all.len() as u64);
            prop_assert!((s.mean - mean).abs() <= 1e-9 * mean.max(1.0));
            prop_assert!((s.std_dev - var.sqrt()).abs() <= 1e-6 * var.sqrt().max(1.0));
            prop_assert_eq!(s.min_value, *all.iter().min().unwrap() as f64);
            prop_assert_eq!(s.max_value, *all.iter().max().unwrap() as f64);
            let first = if b.is_empty() { 10 } else { 5 };
            prop_assert_eq!(s.time_range.0, first);
            let mut sorted = all.clone();
            sorted.sort_unstable();
            for (key, p) in [("50", 50.0), ("99", 99.0)] {
                let rank = ((p / 100.0 * n).ceil() as usize).clamp(1, all.len());
                let exact = sorted[rank - 1] as f64;
                let got = s.percentiles[key];
                prop_assert!(got >= exact && got - exact <= exact * 2f64.powi(-10) + 1.0,
                    "p{}: got {}, exact {}", p, got, exact);
            }
        }

        #[test]
        fn the_common_path_agrees_with_the_general_one(
            vs in proptest::collection::vec(prop_oneof![0u64..2048, 0u64..1u64 << 40], 1..300),
        ) {
            let _g = epoch_lock();
            let (fast, general) = (LocalAgg::new(11), LocalAgg::new(11));
            let mut took_common = 0;
            for (t, &v) in vs.iter().enumerate() {
                let before = fast.read();
                if fast.record_common(v, t as u64) {
                    took_common += 1;
                } else {
                    let after = fast.read();
                    prop_assert_eq!(after.count, before.count, "a refusal changes nothing");
                    prop_assert_eq!(&after.rows, &before.rows);
                    fast.record(v, t as u64);
                }
                general.record(v, t as u64);
            }
            let small_runs = vs.windows(3).filter(|w| w.iter().all(|&v| v < 2048)).count();
            prop_assert!(took_common >= small_runs, "{} < {}", took_common, small_runs);
            let (a, b) = (summary(&fast.read()), summary(&general.read()));
            prop_assert_eq!(a, b);
        }

        #[test]
        fn merging_across_precisions_keeps_counts(
            a in proptest::collection::vec(0u64..1u64 << 30, 1..100),
            b in proptest::collection::vec(0u64..1u64 << 30, 1..100),
        ) {
            let _g = epoch_lock();
            let (x, y) = (LocalAgg::new(11), LocalAgg::new(5));
            for &v in &a { x.record(v, 1); }
            for &v in &b { y.record(v, 1); }
            let mut m = x.read();
            m.merge(&y.read());
            let total: u64 = m.rows.iter().flatten().sum();
            prop_assert_eq!(total, (a.len() + b.len()) as u64);
            prop_assert_eq!(m.count, total);
        }
    }
}
