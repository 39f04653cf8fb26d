//! Statistics of the two segments around a change point and their Student t-test, as Apache
//! Otava's `TTestSignificanceTester` computes them.
//!
//! * means m₁, m₂ and **population** standard deviations σ₁, σ₂ (numpy `np.std`, ddof = 0; a
//!   one-point segment has σ = 0);
//! * pooled two-sample t-test from those statistics (SciPy `ttest_ind_from_stats`,
//!   `equal_var=True`): df = n₁+n₂−2, s_p² = ((n₁−1)σ₁² + (n₂−1)σ₂²)/df,
//!   t = (m₁−m₂) / √(s_p² (1/n₁ + 1/n₂)), p = P(|T_df| ≥ |t|); p = 1 when df = 0 (two points);
//!   0/0 gives t = NaN and p = NaN exactly as SciPy does (never significant);
//! * magnitude = max(|m₂/m₁ − 1|, |m₁/m₂ − 1|), each ratio taken as 0 when its denominator is 0.

use crate::analyze::descriptive::Moments;
use crate::analyze::hypothesis::pooled_t_test_from_stats;

/// Means, spreads and t-test of `left` vs `right`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SegmentStats {
    pub mean_before: f64,
    pub mean_after: f64,
    pub std_before: f64,
    pub std_after: f64,
    /// Two-sided p-value; may be NaN when the t statistic is 0/0.
    pub p_value: f64,
}

impl SegmentStats {
    /// Compares two non-empty segments.
    pub(super) fn compare(left: &[f64], right: &[f64]) -> Self {
        let (l, r) = (Moments::of_checked(left), Moments::of_checked(right));
        let (m1, m2) = (l.mean, r.mean);
        let (s1, s2) = (l.population_std_dev(), r.population_std_dev());
        let p_value = if left.len() + right.len() > 2 {
            pooled_t_test_from_stats(m1, s1, left.len(), m2, s2, right.len()).p_value
        } else {
            1.0
        };
        SegmentStats {
            mean_before: m1,
            mean_after: m2,
            std_before: s1,
            std_after: s2,
            p_value,
        }
    }

    /// (m₂/m₁ − 1): relative change from before to after, 0 when m₁ = 0.
    pub(super) fn forward_change(&self) -> f64 {
        if self.mean_before == 0.0 {
            0.0
        } else {
            self.mean_after / self.mean_before - 1.0
        }
    }

    /// (m₁/m₂ − 1): relative change from after to before, 0 when m₂ = 0.
    fn backward_change(&self) -> f64 {
        if self.mean_after == 0.0 {
            0.0
        } else {
            self.mean_before / self.mean_after - 1.0
        }
    }

    /// Otava's change magnitude: the larger of the two relative changes in absolute value.
    pub(super) fn magnitude(&self) -> f64 {
        let (f, b) = (self.forward_change().abs(), self.backward_change().abs());
        if b > f {
            b
        } else {
            f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_points_give_p_one_and_constant_equal_segments_give_nan() {
        let s = SegmentStats::compare(&[1.0], &[5.0]);
        assert_eq!(s.p_value, 1.0);
        assert_eq!(s.magnitude(), 4.0);
        let flat = SegmentStats::compare(&[2.0, 2.0], &[2.0, 2.0]);
        assert!(flat.p_value.is_nan());
        let step = SegmentStats::compare(&[2.0, 2.0], &[3.0, 3.0]);
        assert_eq!(step.p_value, 0.0);
    }

    #[test]
    fn zero_mean_sides_do_not_divide_by_zero() {
        let s = SegmentStats::compare(&[0.0, 0.0, 0.0], &[1.0, 1.1, 0.9]);
        assert_eq!(s.forward_change(), 0.0);
        assert_eq!(s.magnitude(), 1.0);
    }
}
