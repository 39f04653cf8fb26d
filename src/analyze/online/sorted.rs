//! A sorted multiset of the values in a sliding window: order statistics (median, quantiles,
//! ranks) and the median absolute deviation in O(log W) comparisons per query.
//!
//! Insertion and removal binary-search their position (O(log W) comparisons) and shift the
//! tail of a contiguous array (one `memmove` of at most W·8 bytes: for the window sizes used
//! here, W ≤ a few thousand, that is cheaper than the pointer chasing of a balanced tree).
//!
//! The MAD is the median of |xᵢ − m|. In sorted order the distances of the values below the
//! median decrease and those of the values above it increase, so they form two sorted
//! sequences; the k-th smallest distance is the k-th element of their union, found by binary
//! search over how many come from each side (the classic two-sorted-arrays selection, e.g.
//! Frederickson & Johnson 1982), O(log W).

/// Sorted values of a window; the caller inserts arrivals and removes evictions.
#[derive(Debug, Clone, Default)]
pub struct SortedWindow {
    sorted: Vec<f64>,
}

impl SortedWindow {
    /// An empty multiset with room for `capacity` values.
    pub fn with_capacity(capacity: usize) -> Self {
        SortedWindow {
            sorted: Vec::with_capacity(capacity),
        }
    }

    /// Adds `x` (finite).
    pub fn insert(&mut self, x: f64) {
        let at = self.sorted.partition_point(|&y| y < x);
        self.sorted.insert(at, x);
    }

    /// Removes one copy of `x`; false when absent.
    pub fn remove(&mut self, x: f64) -> bool {
        let at = self.sorted.partition_point(|&y| y < x);
        if self.sorted.get(at) == Some(&x) {
            self.sorted.remove(at);
            true
        } else {
            false
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The values, ascending.
    pub fn as_slice(&self) -> &[f64] {
        &self.sorted
    }

    /// The `k`-th smallest (0-based); `None` past the end.
    pub fn kth(&self, k: usize) -> Option<f64> {
        self.sorted.get(k).copied()
    }

    /// How many values are ≥ `x`.
    pub fn count_at_least(&self, x: f64) -> usize {
        self.sorted.len() - self.sorted.partition_point(|&y| y < x)
    }

    /// The median (mean of the two middle values for an even count); NaN when empty.
    pub fn median(&self) -> f64 {
        let n = self.sorted.len();
        match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => self.sorted[n / 2],
            _ => 0.5 * (self.sorted[n / 2 - 1] + self.sorted[n / 2]),
        }
    }

    /// The median absolute deviation from the median (unscaled); NaN when empty.
    pub fn mad(&self) -> f64 {
        self.distance_quantile(0.5)
    }

    /// The `q`-quantile (0 < q < 1, lower/upper mean at the middle as for the median) of the
    /// distances |xᵢ − median|; `q = 0.5` is the MAD. NaN when empty.
    pub fn distance_quantile(&self, q: f64) -> f64 {
        let n = self.sorted.len();
        if n == 0 {
            return f64::NAN;
        }
        let m = self.median();
        let below = self.sorted.partition_point(|&y| y < m);
        let s = &self.sorted;
        // Ascending distances: the values below m read backwards, the others forwards.
        let a = |i: usize| m - s[below - 1 - i];
        let b = |j: usize| s[below + j] - m;
        let (na, nb) = (below, n - below);
        let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let x_lo = kth_of_two(&a, na, &b, nb, lo);
        if hi == lo {
            x_lo
        } else {
            let x_hi = kth_of_two(&a, na, &b, nb, hi);
            x_lo + (pos - lo as f64) * (x_hi - x_lo)
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * std::mem::size_of::<f64>()
    }
}

/// The `k`-th smallest (0-based) of the union of two ascending sequences given by index.
fn kth_of_two(
    a: &impl Fn(usize) -> f64,
    na: usize,
    b: &impl Fn(usize) -> f64,
    nb: usize,
    k: usize,
) -> f64 {
    debug_assert!(k < na + nb);
    // Take i from `a` and k + 1 − i from `b`; find the smallest i with a(i) ≥ b(k − i).
    let (mut lo, mut hi) = ((k + 1).saturating_sub(nb), (k + 1).min(na));
    while lo < hi {
        let i = (lo + hi) / 2;
        if a(i) < b(k - i) {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    let (i, j) = (lo, k + 1 - lo);
    let from_a = if i > 0 { a(i - 1) } else { f64::NEG_INFINITY };
    let from_b = if j > 0 { b(j - 1) } else { f64::NEG_INFINITY };
    from_a.max(from_b)
}

#[cfg(test)]
mod tests {
    use super::SortedWindow;
    use proptest::prelude::*;

    fn brute_quantile(xs: &[f64], q: f64) -> f64 {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let m = if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        };
        let mut d: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
        d.sort_by(f64::total_cmp);
        let pos = q * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        d[lo] + (pos - lo as f64) * (d[hi] - d[lo])
    }

    #[test]
    fn median_and_mad_of_a_small_set() {
        let mut w = SortedWindow::with_capacity(8);
        for x in [1.0, 2.0, 3.0, 4.0, 100.0] {
            w.insert(x);
        }
        assert_eq!(w.median(), 3.0);
        assert_eq!(w.mad(), 1.0);
        assert!(w.remove(100.0));
        assert!(!w.remove(100.0));
        assert_eq!(w.median(), 2.5);
        assert_eq!(w.count_at_least(2.0), 3);
        assert!(SortedWindow::default().mad().is_nan());
    }

    proptest! {
        #[test]
        fn distance_quantiles_match_brute_force(
            xs in prop::collection::vec(-50i32..50, 1..60),
            q in 0.0f64..1.0,
        ) {
            let xs: Vec<f64> = xs.into_iter().map(f64::from).collect();
            let mut w = SortedWindow::default();
            xs.iter().for_each(|&x| w.insert(x));
            let got = w.distance_quantile(q);
            let want = brute_quantile(&xs, q);
            prop_assert!((got - want).abs() <= 1e-9, "{} vs {}", got, want);
            prop_assert_eq!(w.mad(), brute_quantile(&xs, 0.5));
        }
    }
}
