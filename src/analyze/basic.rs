//! Minimal private numeric helpers for the detectors: validation, overflow-safe scaling, mean,
//! variance, median, type-7 quantile, MAD and ordinary least squares.
//!
//! Kept tiny on purpose: the descriptive-statistics module owns the full-featured versions;
//! these exist so the detectors do not depend on it.
//!
//! * mean x̄ = Σx/n; sample variance s² = Σ(x−x̄)²/(n−1) (two-pass); population σ² = Σ(x−x̄)²/n.
//! * type-7 quantile (Hyndman & Fan 1996): h = (n−1)p, Q = x₍⌊h⌋₎ + (h−⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
//! * OLS: b = Sxy/Sxx, a = ȳ − b x̄, r² = Sxy²/(Sxx Syy) (0 when Sxx or Syy is 0, as scipy's
//!   `linregress` does).

use super::detect_error::DetectError;

/// Rejects an empty series or one holding NaN/±inf.
pub(crate) fn validate(values: &[f64]) -> Result<(), DetectError> {
    if values.is_empty() {
        return Err(DetectError::Empty);
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(DetectError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// [`validate`] plus a minimum length.
pub(crate) fn validate_min(values: &[f64], needed: usize) -> Result<(), DetectError> {
    validate(values)?;
    if values.len() < needed {
        return Err(DetectError::TooFew {
            needed,
            got: values.len(),
        });
    }
    Ok(())
}

/// Checks one non-decreasing timestamp per value.
pub(crate) fn validate_timestamps(values: usize, timestamps: &[i64]) -> Result<(), DetectError> {
    if timestamps.len() != values {
        return Err(DetectError::LengthMismatch {
            values,
            timestamps: timestamps.len(),
        });
    }
    match timestamps.windows(2).position(|w| w[1] < w[0]) {
        Some(i) => Err(DetectError::UnsortedTimestamps {
            index: i + 1,
            previous: timestamps[i],
            next: timestamps[i + 1],
        }),
        None => Ok(()),
    }
}

/// Makes a result JSON-clean: NaN becomes 0 and ±∞ saturates at ±f64::MAX.
pub(crate) fn json_clean(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-f64::MAX, f64::MAX)
    }
}

/// Accepts a number strictly between 0 and 1 (significance levels, coverages, thresholds).
pub(crate) fn check_open_unit(
    name: &'static str,
    value: f64,
    accepted: &'static str,
) -> Result<(), DetectError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(DetectError::invalid(name, value, accepted))
    }
}

/// Multiplies by 2^k exactly (no intermediate overflow for any k in the f64 range).
fn ldexp(mut x: f64, mut k: i32) -> f64 {
    const STEP: i32 = 1000;
    while k > STEP {
        x *= 2f64.powi(STEP);
        k -= STEP;
    }
    while k < -STEP {
        x *= 2f64.powi(-STEP);
        k += STEP;
    }
    x * 2f64.powi(k)
}

/// A power-of-two rescaling that keeps every intermediate (sums of squares, pairwise distances)
/// finite and normal for any finite input. Scaling by 2^k is exact, and every statistic the
/// detectors use is either scale-invariant or rescaled back with [`Scale::restore`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    exponent: i32,
}

impl Scale {
    /// Chooses 2^-e with e the binary exponent of max|x| when that lies outside [2^-500, 2^500];
    /// otherwise the identity (so ordinary data is never touched).
    pub(crate) fn for_values(values: &[f64]) -> Self {
        let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let exponent = if max == 0.0 || (2f64.powi(-500)..=2f64.powi(500)).contains(&max) {
            0
        } else {
            max.log2().floor() as i32
        };
        Scale { exponent }
    }

    /// One scale for several samples that must stay comparable (e.g. the two sides of a test).
    pub(crate) fn for_samples(samples: &[&[f64]]) -> Self {
        let max = samples
            .iter()
            .flat_map(|s| s.iter())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        Scale::for_values(&[max])
    }

    /// The scaled copy x·2^-e.
    pub(crate) fn apply(&self, values: &[f64]) -> Vec<f64> {
        values.iter().map(|&v| ldexp(v, -self.exponent)).collect()
    }

    /// Back to original units, saturating at ±f64::MAX so results stay JSON-clean.
    pub(crate) fn restore(&self, v: f64) -> f64 {
        json_clean(ldexp(v, self.exponent))
    }
}

/// Arithmetic mean.
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Σ(x−x̄)² around the given mean.
fn sum_sq_dev(xs: &[f64], m: f64) -> f64 {
    xs.iter().map(|x| (x - m) * (x - m)).sum()
}

/// Sample variance (n−1); 0 for fewer than two points.
pub(crate) fn sample_variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    sum_sq_dev(xs, mean(xs)) / (xs.len() - 1) as f64
}

/// Sample standard deviation (n−1).
pub(crate) fn sample_std(xs: &[f64]) -> f64 {
    sample_variance(xs).sqrt()
}

/// Population standard deviation (n), as numpy's `np.std`.
pub(crate) fn population_std(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    (sum_sq_dev(xs, mean(xs)) / xs.len() as f64).sqrt()
}

/// Ascending copy (total order; inputs are finite).
pub(crate) fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Type-7 (linear interpolation) quantile of an ascending, non-empty slice, p in [0, 1].
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median of an ascending, non-empty slice.
pub(crate) fn median_sorted(sorted: &[f64]) -> f64 {
    quantile_sorted(sorted, 0.5)
}

/// Median absolute deviation around `center` (unscaled).
pub(crate) fn mad(xs: &[f64], center: f64) -> f64 {
    let dev: Vec<f64> = xs.iter().map(|x| (x - center).abs()).collect();
    median_sorted(&sorted(&dev))
}

/// Ordinary least-squares line y = intercept + slope·x.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ols {
    pub slope: f64,
    pub intercept: f64,
    pub r_squared: f64,
    /// Residual sum of squares.
    pub sse: f64,
    /// Σ(x−x̄)².
    pub sxx: f64,
    /// x̄.
    pub x_mean: f64,
}

/// Fits y on x; `None` when every x is equal (slope undefined).
pub(crate) fn ols(x: &[f64], y: &[f64]) -> Option<Ols> {
    let (xm, ym) = (mean(x), mean(y));
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (xi, yi) in x.iter().zip(y) {
        let (dx, dy) = (xi - xm, yi - ym);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = ym - slope * xm;
    let r_squared = if syy == 0.0 {
        0.0
    } else {
        (sxy * sxy / (sxx * syy)).min(1.0)
    };
    let sse = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (yi - intercept - slope * xi).powi(2))
        .sum();
    Some(Ols {
        slope,
        intercept,
        r_squared,
        sse,
        sxx,
        x_mean: xm,
    })
}
