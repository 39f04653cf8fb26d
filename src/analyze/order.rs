//! Order statistics of finite `f64` series: full sorting and multi-rank selection.
//!
//! The k-th order statistic `x₍ₖ₎` (0-based here) is the value at index `k` once the series is
//! sorted ascending. Several of them can be found without sorting: selecting rank `k` with
//! `select_nth_unstable` (introselect, expected O(n)) leaves every smaller value left of `k` and
//! every larger one right of it, so the ranks below `k` are then selected in the left part only
//! and those above in the right part (Hoare's multi-select by divide and conquer): `m` ranks cost
//! O(n·log m). A full sort costs O(n log n) but serves any number of ranks.
//! [`OrderStrategy::Auto`] picks between them by size (thresholds measured by
//! `benches/analysis.rs`, group `quantiles_select_vs_sort`).
//!
//! Values are ordered with `f64::total_cmp`; callers validate that every value is finite first,
//! so the order is the numeric one (`-0.0` sorts before `0.0`, which are equal numerically).

use serde::{Deserialize, Serialize};

use super::error::{ensure_series, StatsError};

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
    /// The concrete strategy for `len` values and `ranks` distinct ranks: `Auto` selects when
    /// the series holds at least 64 values and `ranks³ ≤ len` (1 rank from 64 values on, 10 from
    /// 1000, 100 from a million), and sorts otherwise — the crossover measured by the
    /// `quantiles_select_vs_sort` bench group.
    pub fn resolve(self, len: usize, ranks: usize) -> OrderStrategy {
        match self {
            OrderStrategy::Auto => {
                let few = ranks.checked_pow(3).is_some_and(|cube| cube <= len);
                if len >= SORT_BELOW_LEN && few {
                    OrderStrategy::Select
                } else {
                    OrderStrategy::Sort
                }
            }
            fixed => fixed,
        }
    }
}

/// An ascending copy of finite values (see [`sort`]).
pub(crate) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut copy = values.to_vec();
    sort(&mut copy);
    copy
}

/// Sorts finite values ascending.
///
/// Sorting integers is much faster than sorting with a float comparator, so each value is first
/// replaced, in place, by the bits of its order-preserving integer key (sign bit set for
/// non-negative values, all bits flipped for negative ones: `f64::total_cmp`'s order), the keys
/// are sorted as `u64`, and the values are restored.
pub(crate) fn sort(values: &mut [f64]) {
    for v in values.iter_mut() {
        *v = f64::from_bits(order_key(*v));
    }
    values.sort_unstable_by_key(|v| v.to_bits());
    for v in values.iter_mut() {
        *v = from_order_key(v.to_bits());
    }
}

const SIGN: u64 = 1 << 63;

fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits & SIGN != 0 {
        !bits
    } else {
        bits | SIGN
    }
}

fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key & SIGN != 0 { key & !SIGN } else { !key })
}

/// Rearranges `values` so that for every rank `k` in `ranks` (ascending, distinct, each `< len`)
/// `values[k]` holds the k-th smallest value, as it would after sorting.
///
/// Divide and conquer: the middle rank is selected first, which splits the slice in two
/// independent halves for the ranks below and above it, so `m` ranks cost `O(n·log m)`.
pub(crate) fn select(values: &mut [f64], ranks: &[usize]) {
    select_from(values, ranks, 0);
}

/// [`select`] on a sub-slice starting at absolute position `offset`.
fn select_from(values: &mut [f64], ranks: &[usize], offset: usize) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - offset;
    values.select_nth_unstable_by(k, f64::total_cmp);
    let (below, rest) = values.split_at_mut(k);
    select_from(below, &ranks[..mid], offset);
    select_from(&mut rest[1..], &ranks[mid + 1..], offset + k + 1);
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

/// The order statistics of the given 0-based ranks (`values[k]` after sorting ascending), in the
/// order of `ranks`, found by selection on a copy. For example Framework0's IQR detector's
/// `q1 = sorted[n/4]` and `q3 = sorted[3n/4]` are `order_statistics(x, &[n / 4, 3 * n / 4])`.
///
/// Errors: [`StatsError::Empty`], [`StatsError::NonFinite`], and
/// [`StatsError::InvalidParameter`] for a rank `≥ len`.
pub fn order_statistics(values: &[f64], ranks: &[usize]) -> Result<Vec<f64>, StatsError> {
    ensure_series(values, 1)?;
    if let Some(&bad) = ranks.iter().find(|&&k| k >= values.len()) {
        return Err(StatsError::invalid_at(
            "rank",
            bad,
            format!("a 0-based rank below the series length {}", values.len()),
        ));
    }
    let mut arranged = values.to_vec();
    let mut distinct = ranks.to_vec();
    arrange(&mut arranged, &mut distinct, OrderStrategy::Auto);
    Ok(ranks.iter().map(|&k| arranged[k]).collect())
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
        let auto = |len, ranks| OrderStrategy::Auto.resolve(len, ranks);
        assert_eq!(auto(10, 1), OrderStrategy::Sort);
        assert_eq!(auto(64, 1), OrderStrategy::Select);
        assert_eq!(auto(1000, 10), OrderStrategy::Select);
        assert_eq!(auto(1000, 11), OrderStrategy::Sort);
        assert_eq!(auto(1 << 20, 100), OrderStrategy::Select);
        assert_eq!(auto(1 << 20, 102), OrderStrategy::Sort);
        assert_eq!(auto(usize::MAX, 1 << 30), OrderStrategy::Sort);
        assert_eq!(OrderStrategy::Select.resolve(3, 3), OrderStrategy::Select);
    }

    #[test]
    fn sort_orders_signs_zeros_and_extremes() {
        let mut v = vec![
            3.5,
            -0.0,
            f64::MAX,
            -2.0,
            0.0,
            f64::MIN,
            1e-310,
            -1e-310,
            -2.0,
        ];
        let mut expected = v.clone();
        expected.sort_by(f64::total_cmp);
        sort(&mut v);
        assert_eq!(
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(v[0], f64::MIN);
        assert!(v[4].is_sign_negative() && v[4] == 0.0 && v[5].is_sign_positive());
    }

    #[test]
    fn order_statistics_by_rank() {
        let x = [10.0, 11.0, 9.5, 10.5, 10.2, 9.8, 10.1, 9.9, 10.0, 50.0];
        // Framework0's IQR quartiles of this series: sorted[2] = 9.9, sorted[7] = 10.5.
        assert_eq!(order_statistics(&x, &[7, 2]).unwrap(), vec![10.5, 9.9]);
        assert!(order_statistics(&x, &[10]).is_err());
        assert_eq!(order_statistics(&[], &[0]), Err(StatsError::Empty));
    }

    #[test]
    fn descent_is_found() {
        assert_eq!(first_descent(&[1.0, 2.0, 2.0, 3.0]), None);
        assert_eq!(first_descent(&[1.0, 3.0, 2.0]), Some(2));
    }
}
