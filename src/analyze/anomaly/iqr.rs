//! Interquartile-range fences (Tukey 1977, *Exploratory Data Analysis*).
//!
//! Both variants need ≥ 4 points and use the fence factor k = 1.5 · sensitivity (sensitivity 1
//! gives Tukey's inner fence 1.5, the default 2.0 his far-out fence 3.0). A point is flagged when
//! it lies below Q1 − k·IQR or above Q3 + k·IQR; `deviation_magnitude` is its distance beyond
//! the fence it crossed (0 inside), `baseline_value` the type-7 median.
//!
//! * [`iqr`]: quartiles by linear interpolation (Hyndman–Fan type 7, numpy's default);
//!   confidence min(u / (2k), 1) with u = distance beyond Q1/Q3 in IQR units, so flagged points
//!   have confidence ≥ 0.5. With IQR = 0 every point off the quartiles is flagged at confidence 1.
//! * [`iqr_nearest_rank`]: Framework0's parity variant, Q1 = sorted\[⌊n/4⌋\],
//!   Q3 = sorted\[⌊3n/4⌋\] (0-based, no interpolation); confidence min(distance / (IQR + 1), 1)
//!   exactly as the Python code computed it.

use super::{check_sensitivity, half_scaled_confidence, AnomalyMethod, AnomalyPoint};
use crate::analyze::basic::{validate_min, Scale};
use crate::analyze::descriptive::median_of_arranged;
use crate::analyze::error::StatsError;
use crate::analyze::order::sorted;
use crate::analyze::quantile::{quantile_of_sorted, PercentileMethod};

/// Minimum series length of both IQR variants.
pub const IQR_MIN_POINTS: usize = 4;

/// Quartiles plus how a point's confidence is derived from its position.
struct Fences {
    q1: f64,
    q3: f64,
    k: f64,
    nearest_rank: bool,
}

impl Fences {
    /// (is_anomaly, confidence, distance beyond the fence) for a scaled value.
    fn judge(&self, x: f64) -> (bool, f64, f64) {
        let iqr = self.q3 - self.q1;
        if self.nearest_rank {
            // Framework0's arithmetic: fences first, then the distance past them.
            let (lower, upper) = (self.q1 - self.k * iqr, self.q3 + self.k * iqr);
            let distance = if x > upper {
                x - upper
            } else if x < lower {
                lower - x
            } else {
                0.0
            };
            // "+ 1" is in original units; `Scale` is the identity unless |x| lies beyond
            // 2^±500, so ordinary data gets exactly the Python number.
            return (distance > 0.0, (distance / (iqr + 1.0)).min(1.0), distance);
        }
        let excess = if x > self.q3 {
            x - self.q3
        } else if x < self.q1 {
            self.q1 - x
        } else {
            0.0
        };
        // Decision and confidence both from u = excess / IQR (∞ off a zero-width box).
        let u = if excess == 0.0 {
            0.0
        } else if iqr > 0.0 {
            excess / iqr
        } else {
            f64::INFINITY
        };
        let beyond = if u > self.k {
            excess - self.k * iqr
        } else {
            0.0
        };
        (
            u > self.k,
            half_scaled_confidence(u, self.k),
            beyond.max(0.0),
        )
    }
}

fn run(
    values: &[f64],
    sensitivity: f64,
    nearest_rank: bool,
) -> Result<Vec<AnomalyPoint>, StatsError> {
    check_sensitivity(sensitivity)?;
    validate_min(values, IQR_MIN_POINTS)?;
    let scale = Scale::for_values(values);
    let z = scale.apply(values);
    let s = sorted(&z);
    let n = s.len();
    let (q1, q3, method) = if nearest_rank {
        (s[n / 4], s[3 * n / 4], AnomalyMethod::IqrNearestRank)
    } else {
        (
            quantile_of_sorted(&s, 0.25, PercentileMethod::Linear),
            quantile_of_sorted(&s, 0.75, PercentileMethod::Linear),
            AnomalyMethod::Iqr,
        )
    };
    let fences = Fences {
        q1,
        q3,
        k: 1.5 * sensitivity,
        nearest_rank,
    };
    let median = scale.restore(median_of_arranged(&s));
    Ok(values
        .iter()
        .zip(&z)
        .enumerate()
        .map(|(i, (&v, &x))| {
            let (flagged, confidence, beyond) = fences.judge(x);
            AnomalyPoint::new(
                i,
                v,
                flagged,
                confidence,
                method,
                median,
                scale.restore(beyond),
            )
        })
        .collect())
}

/// Tukey fences on interpolated quartiles; see the module docs.
pub fn iqr(values: &[f64], sensitivity: f64) -> Result<Vec<AnomalyPoint>, StatsError> {
    run(values, sensitivity, false)
}

/// Framework0's nearest-rank IQR detector (parity mode); see the module docs.
pub fn iqr_nearest_rank(values: &[f64], sensitivity: f64) -> Result<Vec<AnomalyPoint>, StatsError> {
    run(values, sensitivity, true)
}
