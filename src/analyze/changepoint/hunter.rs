//! The Hunter split/merge procedure (Fleming et al., ICPE 2023,
//! <https://doi.org/10.1145/3578244.3583719>) as implemented by Apache Otava's
//! `compute_change_points`.
//!
//! **Split.** Windows of `window_len` points slide with step ⌊window_len/2⌋; E-divisive (see
//! [`super::edivisive`]) runs on each window with the relaxed threshold
//! p₁ = 10·max_pvalue if max_pvalue < 0.05, 2·max_pvalue if < 0.5, else max_pvalue. The next
//! window starts at max(last change point found in this window, start + step). The union of all
//! windows' points ("weak" change points), sorted, is re-tested against its neighbours in the
//! whole series.
//!
//! **Merge.** While points remain: the weakest is the first with the largest p-value; if that
//! p-value is < max_pvalue every point is significant and the weakest becomes the first with the
//! smallest magnitude, and the procedure stops when that magnitude is > min_magnitude. The
//! weakest point is removed, then the points now at its position and the next one are re-tested
//! against the new intervals. (This is Otava's rule verbatim: the left neighbour keeps its
//! previous statistics; reproducing it is what makes the reference results come out equal.)
//! Finding the weakest point uses tournament trees ([`super::weakest`]), O(log k) per removal
//! where Otava scans all k points, with the same picks.
//! Comparisons follow Python semantics, so a NaN p-value is never "larger" than a number.

use std::collections::HashSet;

use super::edivisive::{detect, intervals, RawChangePoint, Weights};
use super::segment::SegmentStats;
use super::weakest::{larger, smaller, Alive, Tourney};

/// The split step's relaxed threshold.
fn first_pass_pvalue(max_pvalue: f64) -> f64 {
    if max_pvalue < 0.05 {
        max_pvalue * 10.0
    } else if max_pvalue < 0.5 {
        max_pvalue * 2.0
    } else {
        max_pvalue
    }
}

/// Statistics of the point at `pos` against its neighbouring change points in `z`.
fn retest(z: &[f64], cps: &[RawChangePoint], pos: usize) -> SegmentStats {
    let index = cps[pos].index;
    let before = if pos == 0 { 0 } else { cps[pos - 1].index };
    let after = cps.get(pos + 1).map_or(z.len(), |cp| cp.index);
    SegmentStats::compare(&z[before..index], &z[index..after])
}

/// Split step: weak change points with statistics against their neighbours.
pub(super) fn split(z: &[f64], window_len: usize, max_pvalue: f64) -> Vec<RawChangePoint> {
    let step = window_len / 2;
    let mut start = 0;
    let mut weak: Vec<RawChangePoint> = Vec::new();
    let mut seen = HashSet::new();
    let weights = Weights::new(window_len.min(z.len()));
    while start < z.len() {
        let end = (start + window_len).min(z.len());
        let found = detect(&z[start..end], max_pvalue, &weights);
        let last = found.last().map_or(0, |cp| cp.index + start);
        for cp in found {
            let index = cp.index + start;
            if seen.insert(index) {
                weak.push(RawChangePoint { index, ..cp });
            }
        }
        start = last.max(start + step);
    }
    weak.sort_by_key(|cp| cp.index);
    debug_assert_eq!(intervals(&weak, z.len()).len(), weak.len() + 1);
    (0..weak.len())
        .map(|pos| RawChangePoint {
            index: weak[pos].index,
            stats: retest(z, &weak, pos),
        })
        .collect()
}

/// Statistics of slot `i` against its alive neighbours in `z`.
fn retest_alive(z: &[f64], cps: &[RawChangePoint], alive: &Alive, i: usize) -> SegmentStats {
    let before = alive.before(i).map_or(0, |b| cps[b].index);
    let after = alive.after(i).map_or(z.len(), |a| cps[a].index);
    SegmentStats::compare(&z[before..cps[i].index], &z[cps[i].index..after])
}

/// Merge step: drops weak points until every remaining one is significant or large enough.
/// Each removal costs O(log k) to find the weakest point ([`super::weakest`]) instead of a
/// scan of all k points, so long series with many weak points stay fast; the points removed,
/// and in which order, are exactly Otava's.
pub(super) fn merge(
    z: &[f64],
    mut cps: Vec<RawChangePoint>,
    max_pvalue: f64,
    min_magnitude: f64,
) -> Vec<RawChangePoint> {
    let n = cps.len();
    let mut alive = Alive::new(n);
    let by_p =
        |c: &[RawChangePoint], a: usize, b: usize| larger(c[a].stats.p_value, c[b].stats.p_value);
    let by_m = |c: &[RawChangePoint], a: usize, b: usize| {
        smaller(c[a].stats.magnitude(), c[b].stats.magnitude())
    };
    let mut tp = Tourney::new(n, &|a, b| by_p(&cps, a, b));
    let mut tm = Tourney::new(n, &|a, b| by_m(&cps, a, b));
    while let Some(first) = alive.first() {
        // Python's `max`/`min` keep a NaN first element (nothing compares past it).
        let mut weakest = match cps[first].stats.p_value.is_nan() {
            true => first,
            false => tp.best().unwrap_or(first),
        };
        if cps[weakest].stats.p_value < max_pvalue {
            weakest = match cps[first].stats.magnitude().is_nan() {
                true => first,
                false => tm.best().unwrap_or(first),
            };
            if cps[weakest].stats.magnitude() > min_magnitude {
                break;
            }
        }
        let next = alive.remove(weakest);
        tp.update(weakest, false, &|a, b| by_p(&cps, a, b));
        tm.update(weakest, false, &|a, b| by_m(&cps, a, b));
        let after_next = next.and_then(|i| alive.after(i));
        for i in [next, after_next].into_iter().flatten() {
            cps[i].stats = retest_alive(z, &cps, &alive, i);
            tp.update(i, true, &|a, b| by_p(&cps, a, b));
            tm.update(i, true, &|a, b| by_m(&cps, a, b));
        }
    }
    alive.iter().map(|i| cps[i]).collect()
}

/// Split then merge.
pub(super) fn compute(
    z: &[f64],
    window_len: usize,
    max_pvalue: f64,
    min_magnitude: f64,
) -> Vec<RawChangePoint> {
    let weak = split(z, window_len, first_pass_pvalue(max_pvalue));
    merge(z, weak, max_pvalue, min_magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Otava's merge as written (a linear scan per removal), the reference of [`merge`].
    fn merge_by_scan(
        z: &[f64],
        mut cps: Vec<RawChangePoint>,
        max_pvalue: f64,
        min_magnitude: f64,
    ) -> Vec<RawChangePoint> {
        while !cps.is_empty() {
            let mut weakest = cps[0];
            for cp in &cps[1..] {
                if cp.stats.p_value > weakest.stats.p_value {
                    weakest = *cp;
                }
            }
            if weakest.stats.p_value < max_pvalue {
                weakest = cps[0];
                for cp in &cps[1..] {
                    if cp.stats.magnitude() < weakest.stats.magnitude() {
                        weakest = *cp;
                    }
                }
                if weakest.stats.magnitude() > min_magnitude {
                    return cps;
                }
            }
            let pos = cps.iter().position(|cp| cp.index == weakest.index).unwrap();
            cps.remove(pos);
            for p in [pos, pos + 1] {
                if p < cps.len() {
                    cps[p].stats = retest(z, &cps, p);
                }
            }
        }
        cps
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn merge_removes_exactly_what_the_linear_scan_removes(
            levels in prop::collection::vec(0u8..4, 20..300),
            window in 4usize..40,
            p in prop::sample::select(vec![0.001, 0.01, 0.05, 0.2, 0.6]),
            min_magnitude in prop::sample::select(vec![0.0, 0.05, 0.5]),
        ) {
            // Small integer levels: plenty of ties, constant runs (NaN p-values) and steps.
            let z: Vec<f64> = levels.iter().map(|&l| f64::from(l)).collect();
            let weak = split(&z, window, first_pass_pvalue(p));
            let fast = merge(&z, weak.clone(), p, min_magnitude);
            let slow = merge_by_scan(&z, weak, p, min_magnitude);
            prop_assert_eq!(fast.len(), slow.len());
            for (a, b) in fast.iter().zip(&slow) {
                prop_assert_eq!(a.index, b.index);
                prop_assert!(a.stats.p_value.to_bits() == b.stats.p_value.to_bits()
                    || (a.stats.p_value.is_nan() && b.stats.p_value.is_nan()));
                prop_assert_eq!(a.stats.mean_before.to_bits(), b.stats.mean_before.to_bits());
            }
        }
    }

    #[test]
    fn relaxed_threshold_rule() {
        assert!((first_pass_pvalue(0.001) - 0.01).abs() < 1e-15);
        assert!((first_pass_pvalue(0.1) - 0.2).abs() < 1e-15);
        assert_eq!(first_pass_pvalue(0.7), 0.7);
    }
}
