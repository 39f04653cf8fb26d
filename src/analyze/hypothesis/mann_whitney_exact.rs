//! The exact null distribution of the Mann–Whitney U statistic for samples without ties.
//!
//! Under the null every choice of which `m` of the `m + n` ranks belong to the first sample is
//! equally likely; the number of choices with `U = u` is the coefficient of `q^u` in the
//! Gaussian binomial coefficient
//!
//! ```text
//! [m+n choose m]_q = Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i)
//! ```
//!
//! (Mann & Whitney 1947; Andrews, *The Theory of Partitions*, §3.3). It is built one factor at
//! a time — multiply by `1 − q^{n+i}`, then divide by `1 − q^i` (a running sum with stride `i`)
//! — in exact 128-bit integers, truncated at the degree the tail needs: the distribution is
//! symmetric about `mn/2`, so `P(U ≥ u) = P(U ≤ mn − u)` and only degrees up to `mn − u` are
//! ever computed. With `m = min(n_x, n_y) ≤ 8` and `m·n ≤ 10⁶` every count is below
//! `C(m+n, m) < 2¹²⁵` and the work is at most `m · mn/2` additions.

/// The exact distribution is used when the smaller sample has at most this many points
/// (SciPy's `mannwhitneyu(method="auto")` threshold).
pub const EXACT_MAX_SMALLER: usize = 8;
/// … and the two sizes multiply to at most this (bounds time, memory and the 128-bit counts).
pub const EXACT_MAX_PRODUCT: usize = 1_000_000;

/// True when samples of these sizes (without ties) get the exact p-value.
pub fn exact_applies(nx: usize, ny: usize) -> bool {
    let (m, n) = (nx.min(ny), nx.max(ny));
    (1..=EXACT_MAX_SMALLER).contains(&m) && m.saturating_mul(n) <= EXACT_MAX_PRODUCT
}

/// Number of rank splits with `U ≤ k`, for samples of sizes `m ≤ n` (`m ≤ 8`, `mn ≤ 10⁶`).
fn lower_tail_count(m: usize, n: usize, k: usize) -> i128 {
    let mut c = vec![0i128; k + 1];
    c[0] = 1;
    for i in 1..=m {
        // × (1 − q^{n+i})
        for d in (n + i..=k).rev() {
            c[d] -= c[d - n - i];
        }
        // ÷ (1 − q^i): the quotient is a polynomial, its coefficients running sums.
        for d in i..=k {
            c[d] += c[d - i];
        }
    }
    c.iter().sum()
}

/// `C(m+n, m)` in floating point (relative error ~1e-15).
fn splits(m: usize, n: usize) -> f64 {
    (1..=m).fold(1.0, |acc, i| acc * (n + i) as f64 / i as f64)
}

/// Two-sided exact p-value `min(2·P(U' ≥ u), 1)` for `u = max(U_x, U_y) ≥ nx·ny/2`.
pub fn exact_two_sided_p(nx: usize, ny: usize, u: u64) -> f64 {
    let (m, n) = (nx.min(ny), nx.max(ny));
    let cells = (m * n) as u64;
    let below = cells.saturating_sub(u) as usize; // P(U ≥ u) = P(U ≤ mn − u)
    let tail = lower_tail_count(m, n, below) as f64 / splits(m, n);
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_the_gaussian_binomial_coefficients() {
        // [4 choose 2]_q = 1 + q + 2q² + q³ + q⁴.
        let cumulative: Vec<i128> = (0..=4).map(|k| lower_tail_count(2, 2, k)).collect();
        assert_eq!(cumulative, [1, 2, 4, 5, 6]);
        assert_eq!(lower_tail_count(7, 7, 49), 3432);
        assert_eq!(splits(7, 7), 3432.0);
    }

    #[test]
    fn fully_separated_samples_of_seven() {
        // U = 49 of 49: one split in C(14, 7) = 3432 on each side.
        assert_eq!(exact_two_sided_p(7, 7, 49), 2.0 / 3432.0);
        assert_eq!(exact_two_sided_p(7, 7, 25), 1.0);
    }

    #[test]
    fn applies_like_scipy_auto() {
        assert!(exact_applies(8, 100) && exact_applies(1, 1) && exact_applies(3, 8));
        assert!(!exact_applies(9, 9) && !exact_applies(8, 200_000) && !exact_applies(0, 5));
    }
}
