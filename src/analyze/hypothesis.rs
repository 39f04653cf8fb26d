//! Two-sample and trend hypothesis tests with two-sided p-values.
//!
//! * **Welch's t-test** (Welch 1947): t = (x̄ − ȳ) / √(s_x²/n_x + s_y²/n_y) with sample variances,
//!   Welch–Satterthwaite df = (s_x²/n_x + s_y²/n_y)² / ((s_x²/n_x)²/(n_x−1) + (s_y²/n_y)²/(n_y−1)),
//!   p = P(|T_df| ≥ |t|). Needs ≥ 2 points per sample. When both samples are constant the
//!   statistic is undefined: equal means give t = 0, p = 1; different means t = ±∞, p = 0
//!   (df then falls back to n_x + n_y − 2). Matches SciPy `ttest_ind(equal_var=False)` otherwise.
//! * **Mann–Whitney U**, method chosen as SciPy's `mannwhitneyu(method="auto")` does:
//!   U_x = R_x − n_x(n_x+1)/2 from mid-ranks of the pooled sample; U = max(U_x, n_x n_y − U_x).
//!   *Exact* ([`MannWhitneyMethod::Exact`]) when the smaller sample has ≤ 8 points and no value
//!   is tied: p = min(2·P(U' ≥ U), 1) under the exact null distribution of U' (every split of
//!   the ranks equally likely; see [`mann_whitney_exact`]), limited here to
//!   n_x·n_y ≤ 10⁶ (beyond it the normal approximation is used, and said).
//!   *Asymptotic* otherwise: σ_U² = n_x n_y/12 · ((n+1) − Σ(t³−t)/(n(n−1))) (tie correction over
//!   tie groups of size t), z = (U − n_x n_y/2 − ½)/σ_U (continuity correction),
//!   p = min(2·(1 − Φ(z)), 1); p = 1 when every value is tied. z is reported for both methods.
//! * **Mann–Kendall trend test** (Mann 1945; Kendall 1975) over a sequence in time order:
//!   S = Σ_{i<j} sign(x_j − x_i), Var S = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18,
//!   z = (S − sign S)/√Var S, p = 2·(1 − Φ(|z|)); Kendall's τ = S / (n(n−1)/2); Sen's slope is the
//!   median of (x_j − x_i)/(j − i) over i < j (Sen 1968). Needs ≥ 3 points.

pub mod mann_whitney_exact;

use serde::{Deserialize, Serialize};

use mann_whitney_exact::{exact_applies, exact_two_sided_p};

use super::basic::{validate_min, Scale};
use super::descriptive::{median_of_checked, Moments};
use super::error::StatsError;
use super::order::sorted;
use super::special::{erfc, student_t_two_sided_p};

/// Result of [`welch_t_test`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TTest {
    /// t statistic (sign of x̄ − ȳ); ±f64::MAX stands for ±∞.
    pub statistic: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// x̄ − ȳ.
    pub mean_difference: f64,
}

/// Result of [`mann_whitney_u`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U statistic of the first sample.
    pub u: f64,
    /// Continuity-corrected z of max(U_x, U_y).
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// How `p_value` was computed.
    pub method: MannWhitneyMethod,
}

/// How a Mann–Whitney p-value was computed (SciPy's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MannWhitneyMethod {
    /// From the exact null distribution of U (small samples without ties).
    Exact,
    /// From the tie-corrected normal approximation with continuity correction.
    Asymptotic,
}

/// Result of [`mann_kendall`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannKendall {
    /// Kendall's S.
    pub s: i64,
    /// Tie-corrected variance of S.
    pub variance: f64,
    /// Continuity-corrected z.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Kendall's τ = S / (n(n−1)/2).
    pub tau: f64,
    /// Sen's slope per step (median pairwise slope).
    pub sen_slope: f64,
}

/// Welch's unequal-variance t-test of `x` against `y`.
pub fn welch_t_test(x: &[f64], y: &[f64]) -> Result<TTest, StatsError> {
    validate_min(x, 2)?;
    validate_min(y, 2)?;
    let scale = Scale::for_samples(&[x, y]);
    let (x, y) = (scale.apply(x), scale.apply(y));
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (mx, my) = (Moments::of_checked(&x), Moments::of_checked(&y));
    let diff = mx.mean - my.mean;
    let variance = |m: &Moments| m.variance().unwrap_or_default();
    let (vx, vy) = (variance(&mx) / nx, variance(&my) / ny);
    let se2 = vx + vy;
    let (statistic, df, p_value) = if se2 > 0.0 {
        // Welch–Satterthwaite with the variance shares w = v/se², so nothing is raised to the
        // fourth power (no overflow): df = 1 / (w_x²/(n_x−1) + w_y²/(n_y−1)).
        let (wx, wy) = (vx / se2, vy / se2);
        let df = 1.0 / (wx * wx / (nx - 1.0) + wy * wy / (ny - 1.0));
        let t = diff / se2.sqrt();
        (t, df, student_t_two_sided_p(t, df))
    } else if diff == 0.0 {
        (0.0, nx + ny - 2.0, 1.0)
    } else {
        (f64::MAX.copysign(diff), nx + ny - 2.0, 0.0)
    };
    Ok(TTest {
        statistic,
        df,
        p_value,
        mean_difference: scale.restore(diff),
    })
}

/// Student's pooled-variance two-sample t-test from summary statistics, as SciPy's
/// `ttest_ind_from_stats(..., equal_var=True)`: df = n₁+n₂−2,
/// s_p² = ((n₁−1)s₁² + (n₂−1)s₂²)/df, t = (m₁−m₂)/√(s_p²(1/n₁+1/n₂)).
///
/// The spreads are used as given (Apache Otava passes population standard deviations). This is
/// the raw SciPy arithmetic: with df = 0, or with both spreads 0 and equal means, t and p are
/// NaN; with both spreads 0 and different means t = ±∞ and p = 0. Callers decide what NaN means.
pub fn pooled_t_test_from_stats(
    mean1: f64,
    std1: f64,
    n1: usize,
    mean2: f64,
    std2: f64,
    n2: usize,
) -> TTest {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let df = n1 + n2 - 2.0;
    let pooled = ((n1 - 1.0) * std1 * std1 + (n2 - 1.0) * std2 * std2) / df;
    let t = (mean1 - mean2) / (pooled * (1.0 / n1 + 1.0 / n2)).sqrt();
    TTest {
        statistic: t,
        df,
        p_value: student_t_two_sided_p(t, df),
        mean_difference: mean1 - mean2,
    }
}

/// Mid-ranks (1-based, ties averaged) of `values` and Σ(t³ − t) over tie groups.
fn mid_ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        let t = (end - start) as f64;
        ties += t * t * t - t;
        start = end;
    }
    (ranks, ties)
}

/// Mann–Whitney U test of `x` against `y` (exact or normal approximation, see the module docs;
/// ≥ 1 point each).
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<MannWhitney, StatsError> {
    validate_min(x, 1)?;
    validate_min(y, 1)?;
    let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = mid_ranks(&pooled);
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let n = nx + ny;
    let rank_sum: f64 = ranks[..x.len()].iter().sum();
    let u = rank_sum - nx * (nx + 1.0) / 2.0;
    let big_u = u.max(nx * ny - u);
    let sigma = (nx * ny / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    let (z, asymptotic_p) = if sigma > 0.0 && sigma.is_finite() {
        let z = (big_u - nx * ny / 2.0 - 0.5) / sigma;
        (z, erfc(z * std::f64::consts::FRAC_1_SQRT_2).min(1.0))
    } else {
        (0.0, 1.0)
    };
    let (p_value, method) = if ties == 0.0 && exact_applies(x.len(), y.len()) {
        // U is an integer without ties; the rank sum of exact halves is exact in f64.
        let p = exact_two_sided_p(x.len(), y.len(), big_u as u64);
        (p, MannWhitneyMethod::Exact)
    } else {
        (asymptotic_p, MannWhitneyMethod::Asymptotic)
    };
    Ok(MannWhitney {
        u,
        z,
        p_value,
        method,
    })
}

/// Mann–Kendall trend test and Sen's slope of `series` (in time order, ≥ 3 points).
pub fn mann_kendall(series: &[f64]) -> Result<MannKendall, StatsError> {
    validate_min(series, 3)?;
    let scale = Scale::for_values(series);
    let x = scale.apply(series);
    let n = x.len();
    let mut s: i64 = 0;
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            s += match x[j].total_cmp(&x[i]) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
            slopes.push((x[j] - x[i]) / (j - i) as f64);
        }
    }
    let nf = n as f64;
    let mut tie_term = 0.0;
    let sorted_x = sorted(&x);
    let mut start = 0;
    while start < n {
        let end = start
            + sorted_x[start..]
                .iter()
                .take_while(|&&v| v == sorted_x[start])
                .count();
        let t = (end - start) as f64;
        tie_term += t * (t - 1.0) * (2.0 * t + 5.0);
        start = end;
    }
    let variance = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0;
    let z = match s.signum() {
        0 => 0.0,
        sign if variance > 0.0 => (s - sign) as f64 / variance.sqrt(),
        _ => 0.0,
    };
    Ok(MannKendall {
        s,
        variance,
        z,
        p_value: erfc(z.abs() * std::f64::consts::FRAC_1_SQRT_2).min(1.0),
        tau: s as f64 / (nf * (nf - 1.0) / 2.0),
        sen_slope: scale.restore(median_of_checked(&slopes)),
    })
}
