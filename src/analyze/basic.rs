//! Private helpers shared by the detectors: input validation into [`StatsError`]s, JSON
//! cleaning, and the exact power-of-two [`Scale`] that keeps every intermediate finite for any
//! finite input.
//!
//! The statistics themselves (mean, variance, median, quantiles, MAD, least squares) are the one
//! implementation in [`super::descriptive`], [`super::quantile`] and [`super::regression`]; the
//! detectors validate first and then call their `*_of_checked` forms on scaled data.

use super::error::StatsError;

/// Rejects an empty series or one holding NaN/±inf.
pub(crate) fn validate(values: &[f64]) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty);
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// [`validate`] plus a minimum length.
pub(crate) fn validate_min(values: &[f64], needed: usize) -> Result<(), StatsError> {
    validate(values)?;
    if values.len() < needed {
        return Err(StatsError::TooFew {
            needed,
            got: values.len(),
        });
    }
    Ok(())
}

/// Checks one non-decreasing timestamp per value.
pub(crate) fn validate_timestamps(values: usize, timestamps: &[i64]) -> Result<(), StatsError> {
    if timestamps.len() != values {
        return Err(StatsError::LengthMismatch {
            values,
            timestamps: timestamps.len(),
        });
    }
    match timestamps.windows(2).position(|w| w[1] < w[0]) {
        Some(i) => Err(StatsError::UnsortedTimestamps {
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
) -> Result<(), StatsError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(name, value, accepted))
    }
}

/// Multiplies by 2^k exactly (no intermediate overflow for any k in the f64 range).
pub(crate) fn ldexp(mut x: f64, mut k: i32) -> f64 {
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
