//! E-divisive means (Matteson & James 2014) with a Student t significance test, as in Apache
//! Otava's `ChangePointDetector` + `PairDistanceCalculator` + `TTestSignificanceTester`.
//!
//! For an interval Z = z[s..e) and a split τ with a right end κ (s < τ < κ ≤ e), let
//! X = z[s..τ) (n points) and Y = z[τ..κ) (m points), d(i, j) = |zᵢ − zⱼ| and
//!
//! ```text
//! Q(τ, κ) = 2/(n+m) · Σᵢ∈X Σⱼ∈Y d(i,j)
//!         − 2m/((n+m)(n−1)) · Σ_{i<k ∈ X} d(i,k)     (dropped when n = 1)
//!         − 2n/((n+m)(m−1)) · Σ_{j<k ∈ Y} d(j,k)     (dropped when m = 1)
//! ```
//!
//! i.e. the scaled energy distance (mn/(m+n))·Ê(X, Y). The interval's candidate is the τ of the
//! maximising pair, ties going to the first pair in (τ, κ) lexicographic order (numpy `argmax`
//! over the row-major τ×κ matrix). The detector repeatedly takes, over all current intervals of
//! at least two points, the candidate with the largest Q̂ (first interval on ties), tests the two
//! sides of the split *within its interval* with the pooled t-test, keeps it when p ≤ max_pvalue
//! and stops at the first candidate that is not significant.
//!
//! Cost: O(L²) time and O(L) memory per interval of L points (prefix sums of pairwise distances:
//! within-Y sums come from W(s,κ) − W(s,τ) − cross(τ,κ)); each interval is evaluated once.
//! With integer-valued data every sum is exact, so the Q̂ values equal numpy's bit for bit. The
//! three weights of each (n, m) are tabled once per series ([`Weights`]), with the same
//! expressions, so tabling changes no bit.

use std::collections::HashMap;

use super::segment::SegmentStats;

/// The best split of one interval.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Absolute index of the first point after the split.
    index: usize,
    /// Maximised Q̂.
    qhat: f64,
}

/// A change point found by the detector with its segment statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RawChangePoint {
    pub index: usize,
    pub stats: SegmentStats,
}

/// The weights of Q̂ for X of `n` and Y of `m` points: 2/(n+m), 2m/((n+m)(n−1)) (0 when
/// n = 1) and 2n/((n+m)(m−1)) (0 when m = 1), each computed by exactly the expression of the
/// definition, so a value read from [`Weights`] is bit for bit the one computed in place.
fn weights_of(n: usize, m: usize) -> [f64; 3] {
    let total = (n + m) as f64;
    let x = if n > 1 {
        (2 * m) as f64 / ((n + m) * (n - 1)) as f64
    } else {
        0.0
    };
    let y = if m > 1 {
        (2 * n) as f64 / ((n + m) * (m - 1)) as f64
    } else {
        0.0
    };
    [2.0 / total, x, y]
}

/// [`weights_of`] for every n + m ≤ `size`, computed once per series: the Hunter split runs
/// E-divisive on thousands of windows of the same length, and the three divisions per (τ, κ)
/// pair were most of its inner loop.
pub(super) struct Weights {
    size: usize,
    table: Vec<[f64; 3]>,
}

impl Weights {
    /// The table for intervals of at most `size` points.
    pub(super) fn new(size: usize) -> Weights {
        let mut table = vec![[0.0; 3]; (size + 1) * (size + 1)];
        for n in 1..size {
            for m in 1..=size - n {
                table[n * (size + 1) + m] = weights_of(n, m);
            }
        }
        Weights { size, table }
    }

    fn get(&self, n: usize, m: usize) -> [f64; 3] {
        if n + m <= self.size {
            self.table[n * (self.size + 1) + m]
        } else {
            weights_of(n, m)
        }
    }
}

/// Best split of `z[start..stop]` (at least two points).
fn best_candidate(z: &[f64], start: usize, stop: usize, weights: &Weights) -> Candidate {
    let pts = &z[start..stop];
    let len = pts.len();
    let d = |i: usize, j: usize| (pts[i] - pts[j]).abs();
    // w[k] = Σ_{i<j<k} d(i, j): pairwise distances within the first k points.
    let mut w = vec![0.0; len + 1];
    for k in 1..len {
        let added: f64 = (0..k).map(|i| d(i, k)).sum();
        w[k + 1] = w[k] + added;
    }
    // col[k] = Σ_{i<τ} d(i, k) for the current τ (starts at τ = 1).
    let mut col: Vec<f64> = (0..len).map(|k| d(0, k)).collect();
    let mut best = Candidate {
        index: start + 1,
        qhat: f64::NEG_INFINITY,
    };
    let mut first = true;
    for tau in 1..len {
        if tau > 1 {
            for (k, c) in col.iter_mut().enumerate().skip(tau) {
                *c += d(tau - 1, k);
            }
        }
        let n = tau;
        let within_x = w[tau];
        let mut cross = 0.0;
        for kappa in tau + 1..=len {
            cross += col[kappa - 1];
            let m = kappa - tau;
            let [total, wx, wy] = weights.get(n, m);
            let mut q = total * cross;
            if n > 1 {
                q -= wx * within_x;
            }
            if m > 1 {
                let within_y = w[kappa] - w[tau] - cross;
                q -= wy * within_y;
            }
            // numpy argmax: first maximum; a NaN wins at its first occurrence.
            if first || q > best.qhat || (q.is_nan() && !best.qhat.is_nan()) {
                best = Candidate {
                    index: start + tau,
                    qhat: q,
                };
                first = false;
            }
        }
    }
    best
}

/// The intervals [start, stop) between sorted change points.
pub(super) fn intervals(cps: &[RawChangePoint], len: usize) -> Vec<(usize, usize)> {
    let mut bounds = Vec::with_capacity(cps.len() + 1);
    let mut start = 0;
    for cp in cps {
        if cp.index != start {
            bounds.push((start, cp.index));
        }
        start = cp.index;
    }
    if start != len {
        bounds.push((start, len));
    }
    bounds
}

/// Divisive detection over all of `z`; indexes are relative to `z`, sorted ascending.
/// `weights` may cover shorter intervals than `z` (the rest are computed in place).
pub(super) fn detect(z: &[f64], max_pvalue: f64, weights: &Weights) -> Vec<RawChangePoint> {
    let mut cps: Vec<RawChangePoint> = Vec::new();
    let mut cache: HashMap<(usize, usize), Candidate> = HashMap::new();
    loop {
        let mut best: Option<(Candidate, (usize, usize))> = None;
        for (start, stop) in intervals(&cps, z.len()) {
            if stop - start < 2 {
                continue;
            }
            let c = *cache
                .entry((start, stop))
                .or_insert_with(|| best_candidate(z, start, stop, weights));
            if best.map_or(true, |(b, _)| c.qhat > b.qhat) {
                best = Some((c, (start, stop)));
            }
        }
        let Some((candidate, (start, stop))) = best else {
            break;
        };
        let stats = SegmentStats::compare(&z[start..candidate.index], &z[candidate.index..stop]);
        // Otava's `pvalue <= max_pvalue`; a NaN p-value is not significant.
        let significant = stats.p_value <= max_pvalue;
        if !significant {
            break;
        }
        let at = cps.partition_point(|cp| cp.index < candidate.index);
        cps.insert(
            at,
            RawChangePoint {
                index: candidate.index,
                stats,
            },
        );
    }
    cps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q̂ straight from the definition, O(L⁴), for cross-checking the prefix-sum version.
    fn q_direct(pts: &[f64], tau: usize, kappa: usize) -> f64 {
        let (x, y) = (&pts[..tau], &pts[tau..kappa]);
        let (n, m) = (x.len() as f64, y.len() as f64);
        let pair_sum = |v: &[f64]| -> f64 {
            let mut s = 0.0;
            for i in 0..v.len() {
                for k in i + 1..v.len() {
                    s += (v[i] - v[k]).abs();
                }
            }
            s
        };
        let cross: f64 = x
            .iter()
            .map(|a| y.iter().map(|b| (a - b).abs()).sum::<f64>())
            .sum();
        let mut q = 2.0 / (n + m) * cross;
        if n > 1.0 {
            q -= 2.0 * m / ((n + m) * (n - 1.0)) * pair_sum(x);
        }
        if m > 1.0 {
            q -= 2.0 * n / ((n + m) * (m - 1.0)) * pair_sum(y);
        }
        q
    }

    #[test]
    fn prefix_sum_q_matches_definition() {
        let z = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let mut best = (0, f64::NEG_INFINITY);
        for tau in 1..z.len() {
            for kappa in tau + 1..=z.len() {
                let q = q_direct(&z, tau, kappa);
                if q > best.1 + 1e-12 {
                    best = (tau, q);
                }
            }
        }
        let c = best_candidate(&z, 0, z.len(), &Weights::new(0));
        let tabled = best_candidate(&z, 0, z.len(), &Weights::new(z.len()));
        assert_eq!(
            (c.index, c.qhat.to_bits()),
            (tabled.index, tabled.qhat.to_bits())
        );
        assert_eq!(c.index, best.0);
        assert!((c.qhat - best.1).abs() < 1e-12);
    }

    #[test]
    fn obvious_step_is_found_and_flat_series_has_none() {
        let mut z = vec![1.0; 10];
        z.extend(vec![5.0; 10]);
        let cps = detect(&z, 0.01, &Weights::new(8));
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [10]);
        assert!(detect(&[2.0; 12], 0.01, &Weights::new(0)).is_empty());
    }
}
