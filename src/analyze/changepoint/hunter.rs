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
//! Comparisons follow Python semantics, so a NaN p-value is never "larger" than a number.

use super::edivisive::{detect, intervals, RawChangePoint};
use super::segment::SegmentStats;

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
    while start < z.len() {
        let end = (start + window_len).min(z.len());
        let found = detect(&z[start..end], max_pvalue);
        let last = found.last().map_or(0, |cp| cp.index + start);
        for cp in found {
            let index = cp.index + start;
            if !weak.iter().any(|w| w.index == index) {
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

/// Merge step: drops weak points until every remaining one is significant or large enough.
pub(super) fn merge(
    z: &[f64],
    mut cps: Vec<RawChangePoint>,
    max_pvalue: f64,
    min_magnitude: f64,
) -> Vec<RawChangePoint> {
    while !cps.is_empty() {
        // Python `max(key=pvalue)`: replace only on a strictly larger value.
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
        let pos = cps
            .iter()
            .position(|cp| cp.index == weakest.index)
            .unwrap_or(0);
        cps.remove(pos);
        for p in [pos, pos + 1] {
            if p < cps.len() {
                cps[p].stats = retest(z, &cps, p);
            }
        }
    }
    cps
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

    #[test]
    fn relaxed_threshold_rule() {
        assert!((first_pass_pvalue(0.001) - 0.01).abs() < 1e-15);
        assert!((first_pass_pvalue(0.1) - 0.2).abs() < 1e-15);
        assert_eq!(first_pass_pvalue(0.7), 0.7);
    }
}
