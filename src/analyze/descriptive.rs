//! Descriptive statistics of a finite series: location, spread and shape.
//!
//! With `n` values `xᵢ`:
//!
//! - mean `x̄ = Σxᵢ / n`, the sum taken with Neumaier compensation ([`super::summation`]), so it is
//!   as accurate as the exactly rounded sum for same-sign data;
//! - central sums by the *corrected two-pass* algorithm: with `dᵢ = xᵢ − x̄` (x̄ rounded) and
//!   `δ = −Σdᵢ/n` (the rounding error of x̄), `M₂ = Σ(xᵢ − μ)² = Σdᵢ² − (Σdᵢ)²/n`, and likewise
//!   `M₃ = Σdᵢ³ + 3δΣdᵢ² − 2nδ³`, `M₄ = Σdᵢ⁴ + 4δΣdᵢ³ + 6δ²Σdᵢ² − 3nδ⁴`
//!   (Chan, Golub & LeVeque, "Algorithms for computing the sample variance", *Am. Stat.* 37 (1983));
//!   `Σdᵢ` and `Σdᵢ²` are compensated sums;
//! - sample variance `s² = M₂ / (n − 1)` and standard deviation `s` (Bessel-corrected, n ≥ 2),
//!   as Python's `statistics.stdev`, numpy's `std(ddof=1)` and NIST StRD's certified `s`;
//! - skewness: the adjusted Fisher–Pearson coefficient
//!   `G₁ = √(n(n−1)) / (n−2) · m₃ / m₂^{3/2}` with `m_k = M_k / n` (n ≥ 3) — scipy
//!   `skew(bias=False)`, Excel `SKEW`, pandas `skew`;
//! - kurtosis: the sample-adjusted *excess* kurtosis
//!   `G₂ = ((n²−1)·m₄/m₂² − 3(n−1)²) / ((n−2)(n−3))` (n ≥ 4; 0 for a normal population) —
//!   scipy `kurtosis(fisher=True, bias=False)`, Excel `KURT`, pandas `kurt`.
//!   Framework0 declared both fields but never computed them (always `null`).
//!   Reference: D. N. Joanes and C. A. Gill, "Comparing measures of sample skewness and
//!   kurtosis", *The Statistician* 47 (1998) 183–189.
//!   A constant series has no defined shape: skewness and kurtosis are then `None`;
//! - median: the middle order statistic, or the mean `(a + b)/2` of the two middle ones
//!   (Python `statistics.median`, numpy `median`);
//! - mode: the most frequent value, the smallest one on a tie (scipy `stats.mode`); `None` when no
//!   value occurs twice (as for most continuous data), where Python's `statistics.mode` would
//!   return an arbitrary first value;
//! - min, max and range `max − min`.
//!
//! Every function rejects an empty series, NaN and ±infinity with a [`StatsError`].
//!
//! **Extreme magnitudes.** When the largest |xᵢ| lies outside [2⁻¹⁰⁰, 2¹⁰⁰] the central sums are
//! taken over the values scaled by a power of two `2⁻ᵉ` (exact) that brings them near 1, and kept
//! in that scaled form ([`Moments::scale_exponent`]): no deviation, square or fourth power can overflow or
//! underflow whatever the finite input (near `f64::MAX`, near 1e-308, subnormal). The standard
//! deviation is unscaled once at the end, so it is right wherever it is representable; the
//! variance overflows to `+∞` (or underflows to 0) only when its true value is outside the `f64`
//! range; skewness and kurtosis are scale-free and defined for every non-constant series.
//! Inside that range the scale is 1 and the arithmetic is exactly the unscaled one.

use super::basic::ldexp;
use super::error::{ensure_series, StatsError};
use super::order;
use super::summation::{sqrt_ratio, sum, sum_by, NeumaierSum};

/// Mean, extremes and central sums of a series, from which the spread and shape statistics follow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// The central sums are in units of `2^scale_exponent`: `M₂ = 2^(2·scale_exponent) · m2`
    /// and so on (0 unless the values are extreme; see the module docs).
    pub scale_exponent: i32,
    /// `M₂ / scale² = Σ((xᵢ − x̄)/scale)²` with `scale = 2^scale_exponent`.
    pub m2: f64,
    /// `M₃ / scale³`.
    pub m3: f64,
    /// `M₄ / scale⁴`.
    pub m4: f64,
}

/// Values with max |x| inside [2⁻¹⁰⁰, 2¹⁰⁰] need no scaling: the dominant deviations are then at
/// least 2⁻¹⁵⁴ and at most 2¹⁰¹, so their fourth powers stay normal and finite.
const UNSCALED_EXPONENTS: std::ops::RangeInclusive<i32> = -100..=100;

/// The binary exponent `e` with `2ᵉ ≤ max(|lo|, |hi|) < 2ᵉ⁺¹` (subnormals included, up to
/// rounding of the logarithm, which only moves the scale by one); 0 when both are 0.
fn magnitude_exponent(lo: f64, hi: f64) -> i32 {
    let m = lo.abs().max(hi.abs());
    if m == 0.0 {
        0
    } else {
        m.log2().floor() as i32
    }
}

impl Moments {
    /// Computes the moments of a non-empty, finite series in three passes (extremes, mean,
    /// central sums).
    pub fn new(values: &[f64]) -> Result<Moments, StatsError> {
        ensure_series(values, 1)?;
        Ok(Moments::of_checked(values))
    }

    /// [`Moments::new`] for a series already checked non-empty and finite.
    pub(crate) fn of_checked(values: &[f64]) -> Moments {
        let n = values.len();
        let (min, max, mean) = location(values);
        let exponent = magnitude_exponent(min, max);
        if min == max {
            // A constant series: every deviation is exactly zero.
            return Moments {
                n,
                mean,
                min,
                max,
                scale_exponent: 0,
                m2: 0.0,
                m3: 0.0,
                m4: 0.0,
            };
        }
        let (scale_exponent, [s1, s2, s3, s4]) = if UNSCALED_EXPONENTS.contains(&exponent) {
            (0, deviation_sums(values, mean))
        } else {
            let scaled: Vec<f64> = values.iter().map(|&x| ldexp(x, -exponent)).collect();
            let (lo, hi) = (ldexp(min, -exponent), ldexp(max, -exponent));
            let center = mean_of_finite(&scaled).clamp(lo, hi);
            (exponent, deviation_sums(&scaled, center))
        };
        let nf = n as f64;
        let delta = -s1 / nf;
        let m2 = (s2 - s1 * s1 / nf).max(0.0);
        let m3 = s3 + 3.0 * delta * s2 - 2.0 * nf * delta.powi(3);
        let m4 =
            (s4 + 4.0 * delta * s3 + 6.0 * delta * delta * s2 - 3.0 * nf * delta.powi(4)).max(0.0);
        Moments {
            n,
            mean,
            min,
            max,
            scale_exponent,
            m2,
            m3,
            m4,
        }
    }

    /// `x · scale^power`, rounded once where the result is representable.
    fn unscale(&self, x: f64, power: i32) -> f64 {
        if self.scale_exponent == 0 {
            x
        } else {
            ldexp(x, power * self.scale_exponent)
        }
    }

    /// Sample variance `M₂ / (n − 1)`; `None` for a single value. `+∞` when the true variance
    /// exceeds `f64::MAX` (deviations beyond ~1e154).
    pub fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| self.unscale(self.m2 / (self.n - 1) as f64, 2))
    }

    /// Sample standard deviation `√(M₂ / (n − 1))`, rounded once ([`sqrt_ratio`]); `None` for a
    /// single value.
    pub fn std_dev(&self) -> Option<f64> {
        (self.n >= 2).then(|| self.unscale(sqrt_ratio(self.m2, (self.n - 1) as f64), 1))
    }

    /// Population standard deviation `√(M₂ / n)` (numpy's `np.std`, ddof = 0); 0 for a single
    /// value.
    pub fn population_std_dev(&self) -> f64 {
        self.unscale(sqrt_ratio(self.m2, self.n as f64), 1)
    }

    /// Adjusted Fisher–Pearson skewness `G₁`; `None` below 3 values or for a constant series.
    pub fn skewness(&self) -> Option<f64> {
        if self.n < 3 || !(self.m2 > 0.0 && self.m2.is_finite()) {
            return None;
        }
        let n = self.n as f64;
        let (m2, m3) = (self.m2 / n, self.m3 / n);
        Some((n * (n - 1.0)).sqrt() / (n - 2.0) * m3 / (m2 * m2.sqrt())).filter(|g| g.is_finite())
    }

    /// Sample-adjusted excess kurtosis `G₂`; `None` below 4 values or for a constant series.
    pub fn kurtosis(&self) -> Option<f64> {
        if self.n < 4 || !(self.m2 > 0.0 && self.m2.is_finite()) {
            return None;
        }
        let n = self.n as f64;
        let (m2, m4) = (self.m2 / n, self.m4 / n);
        Some(
            1.0 / (n - 2.0) / (n - 3.0)
                * ((n * n - 1.0) * m4 / (m2 * m2) - 3.0 * (n - 1.0).powi(2)),
        )
        .filter(|g| g.is_finite())
    }
}

/// Smallest and largest value of a non-empty series.
fn extremes(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// `(min, max, mean)` of a non-empty finite series; the mean of a constant series is exactly
/// that constant, and any mean lies within `[min, max]` despite rounding.
fn location(values: &[f64]) -> (f64, f64, f64) {
    let (min, max) = extremes(values);
    let mean = if min == max {
        min
    } else {
        mean_of_finite(values).clamp(min, max)
    };
    (min, max, mean)
}

/// Compensated mean of a non-empty finite series. If `Σxᵢ` overflows, the terms are first
/// divided by the power of two `k ≥ n` (exact for values this large), so the mean is still
/// `(Σxᵢ/k)/n · k`, rounded once.
fn mean_of_finite(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let total = sum(values);
    if total.is_finite() {
        total / n
    } else {
        let k = values.len().next_power_of_two() as f64;
        sum_by(values, |x| x / k) / n * k
    }
}

/// `(Σd, Σd², Σd³, Σd⁴)` with `d = x − center`, the first two compensated.
///
/// One lane with two compensated and two plain accumulators measured fastest (more compensated
/// accumulators or lanes run out of registers); `Σd³` and `Σd⁴` only feed the shape statistics.
fn deviation_sums(values: &[f64], center: f64) -> [f64; 4] {
    let (mut s1, mut s2) = (NeumaierSum::new(), NeumaierSum::new());
    let (mut s3, mut s4) = (0.0, 0.0);
    for &x in values {
        let d = x - center;
        let d2 = d * d;
        s1.add(d);
        s2.add(d2);
        s3 += d2 * d;
        s4 += d2 * d2;
    }
    [s1.value(), s2.value(), s3, s4]
}

/// Arithmetic mean (compensated summation).
pub fn mean(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 1)?;
    Ok(mean_of_checked(values))
}

/// Sample variance (denominator `n − 1`); [`StatsError::TooFew`] below 2 values.
pub fn variance(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 2)?;
    Ok(Moments::of_checked(values).variance().unwrap_or_default())
}

/// Sample standard deviation (denominator `n − 1`); [`StatsError::TooFew`] below 2 values.
pub fn std_dev(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 2)?;
    Ok(Moments::of_checked(values).std_dev().unwrap_or_default())
}

/// Adjusted Fisher–Pearson skewness `G₁`: [`StatsError::TooFew`] below 3 values, `Ok(None)` for a
/// constant series.
pub fn skewness(values: &[f64]) -> Result<Option<f64>, StatsError> {
    ensure_series(values, 3)?;
    Ok(Moments::of_checked(values).skewness())
}

/// Sample-adjusted excess kurtosis `G₂`: [`StatsError::TooFew`] below 4 values, `Ok(None)` for a
/// constant series.
pub fn kurtosis(values: &[f64]) -> Result<Option<f64>, StatsError> {
    ensure_series(values, 4)?;
    Ok(Moments::of_checked(values).kurtosis())
}

/// Smallest value.
pub fn min(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 1)?;
    Ok(extremes(values).0)
}

/// Largest value.
pub fn max(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 1)?;
    Ok(extremes(values).1)
}

/// Range `max − min`.
pub fn range(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 1)?;
    let (lo, hi) = extremes(values);
    Ok(hi - lo)
}

/// Median (by selection, O(n) expected; the input is copied, not modified).
pub fn median(values: &[f64]) -> Result<f64, StatsError> {
    ensure_series(values, 1)?;
    Ok(median_of_checked(values))
}

/// [`mean`] of a series already checked non-empty and finite.
pub(crate) fn mean_of_checked(values: &[f64]) -> f64 {
    location(values).2
}

/// [`median`] of a series already checked non-empty and finite.
pub(crate) fn median_of_checked(values: &[f64]) -> f64 {
    let mut buf = values.to_vec();
    let n = buf.len();
    let mut ranks = vec![(n - 1) / 2, n / 2];
    order::arrange(&mut buf, &mut ranks, order::OrderStrategy::Select);
    median_of_arranged(&buf)
}

/// Unscaled median absolute deviation `median |xᵢ − center|` of a checked non-empty series.
pub(crate) fn mad_of_checked(values: &[f64], center: f64) -> f64 {
    let deviations: Vec<f64> = values.iter().map(|x| (x - center).abs()).collect();
    median_of_checked(&deviations)
}

/// Most frequent value, the smallest on a tie; `Ok(None)` when no value occurs twice.
pub fn mode(values: &[f64]) -> Result<Option<f64>, StatsError> {
    ensure_series(values, 1)?;
    let mut buf = values.to_vec();
    order::sort(&mut buf);
    Ok(mode_of_sorted(&buf))
}

/// Median of a series whose middle rank(s) are in place (sorted or selected).
pub(crate) fn median_of_arranged(arranged: &[f64]) -> f64 {
    let n = arranged.len();
    let (a, b) = (arranged[(n - 1) / 2], arranged[n / 2]);
    let mid = (a + b) / 2.0;
    if mid.is_finite() {
        mid
    } else {
        a / 2.0 + b / 2.0
    }
}

/// Mode of a sorted series (see [`mode`]).
pub(crate) fn mode_of_sorted(sorted: &[f64]) -> Option<f64> {
    let mut best: Option<(f64, usize)> = None;
    let mut start = 0;
    while start < sorted.len() {
        let value = sorted[start];
        let len = sorted[start..].iter().take_while(|&&x| x == value).count();
        let better = match best {
            None => len >= 2,
            Some((_, count)) => len > count,
        };
        if better {
            best = Some((value, len));
        }
        start += len;
    }
    best.map(|(value, _)| value)
}
