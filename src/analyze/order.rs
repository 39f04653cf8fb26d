//! Order statistics of finite `f64` series: full sorting and multi-rank selection.
//!
//! The k-th order statistic `x₍ₖ₎` (0-based here) is the value at index `k` once the series is
//! sorted ascending. Several of them can be found without sorting: selecting rank `k₁` with
//! `select_nth_unstable` (introselect, expected O(n)) leaves every smaller value left of `k₁` and
//! every larger one right of it, so the next rank `k₂ > k₁` is selected within the sub-slice
//! `[k₁+1, n)` only, and so on. For `m` ranks the work is at most `m` linear passes over
//! shrinking slices; a full sort costs O(n log n) but serves any number of ranks.
//! [`OrderStrategy::Auto`] picks between them by size (thresholds measured by
//! `benches/analysis.rs`, group `quantiles_select_vs_sort`).
//!
//! Values are ordered with `f64::total_cmp`; callers validate that every value is finite first,
//! so the order is the numeric one (`-0.0` sorts before `0.0`, which are equal numerically).

use serde::{Deserialize, Serialize};

/// How several order statistics are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStrategy {
    /// Sort for short series or many ranks, select otherwise (see [`OrderStrategy::resolve`]).
    #[default]
    Auto,
    /// Sort the whole series (O(n log n)).
    Sort,
    /// Select each rank on a shrinking sub-slice (O(n) per rank, expected).
    Select,
}

/// Below this length a sort is as fast as selection for any number of ranks.
const SORT_BELOW_LEN: usize = 64;

impl OrderStrategy {
    /// The concrete strategy for `len` values and `ranks` distinct ranks: `Auto` sorts when the
    /// series is shorter than 64 values or more ranks are wanted than `log₂(len)`, and selects
    /// otherwise.
    pub fn resolve(self, len: usize, ranks: usize) -> OrderStrategy {
        match self {
            OrderStrategy::Auto => {
                let log2 = usize::BITS - len.leading_zeros();
                if len < SORT_BELOW_LEN || ranks > log2 as usize {
                    OrderStrategy::Sort
                } else {
                    OrderStrategy::Select
                }
            }
            fixed => fixed,
        }
    }
}

/// Sorts finite values ascending.
pub(crate) fn sort(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

/// Rearranges `values` so that for every rank `k` in `ranks` (ascending, distinct, each `< len`)
/// `values[k]` holds the k-th smallest value, as it would after sorting.
pub(crate) fn select(values: &mut [f64], ranks: &[usize]) {
    let mut start = 0;
    for &k in ranks {
        debug_assert!(k >= start && k < values.len(), "ranks must ascend");
        values[start..].select_nth_unstable_by(k - start, f64::total_cmp);
        start = k + 1;
    }
}

/// Puts the order statistics of the given ranks in place, by `strategy`.
///
/// `ranks` may be unsorted and hold duplicates.
pub(crate) fn arrange(values: &mut [f64], ranks: &mut Vec<usize>, strategy: OrderStrategy) {
    ranks.sort_unstable();
    ranks.dedup();
    match strategy.resolve(values.len(), ranks.len()) {
        OrderStrategy::Select => select(values, ranks),
        _ => sort(values),
    }
}

/// Checks that `values` ascend; returns the first index `i` with `values[i] < values[i-1]`.
pub(crate) fn first_descent(values: &[f64]) -> Option<usize> {
    values.windows(2).position(|w| w[1] < w[0]).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_places_each_rank_like_a_sort() {
        let data: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 - 300.5)
            .collect();
        let mut sorted = data.clone();
        sort(&mut sorted);
        let mut picked = data.clone();
        let ranks = [0, 1, 499, 500, 900, 998, 999];
        select(&mut picked, &ranks);
        for k in ranks {
            assert_eq!(picked[k], sorted[k], "rank {k}");
        }
    }

    #[test]
    fn auto_sorts_small_or_many_and_selects_large_few() {
        assert_eq!(OrderStrategy::Auto.resolve(10, 1), OrderStrategy::Sort);
        assert_eq!(
            OrderStrategy::Auto.resolve(1 << 20, 10),
            OrderStrategy::Select
        );
        assert_eq!(
            OrderStrategy::Auto.resolve(1 << 20, 100),
            OrderStrategy::Sort
        );
        assert_eq!(OrderStrategy::Select.resolve(3, 3), OrderStrategy::Select);
    }

    #[test]
    fn descent_is_found() {
        assert_eq!(first_descent(&[1.0, 2.0, 2.0, 3.0]), None);
        assert_eq!(first_descent(&[1.0, 3.0, 2.0]), Some(2));
    }
}
