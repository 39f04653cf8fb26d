//! Z-score detectors.
//!
//! * Classic (Framework0 parity, COMPAT §5): needs ≥ 10 points; z = |x − x̄| / s with the
//!   sample standard deviation s (n − 1); flagged when z > sensitivity; confidence
//!   min(z / (2·sensitivity), 1). A constant series (s = 0) has z = 0 everywhere.
//! * Modified (Iglewicz & Hoaglin 1993, *How to Detect and Handle Outliers*): needs ≥ 3 points;
//!   M = 0.6745 (x − x̃) / MAD with the median x̃ and MAD = median |x − x̃|; flagged when
//!   |M| > 3.5 · sensitivity / 2, so the default sensitivity 2.0 gives their recommended 3.5.
//!   When MAD = 0 (more than half the points equal) the mean absolute deviation takes its place:
//!   M = (x − x̃) / (1.253314 · MeanAD), 1.253314 ≈ √(π/2) making MeanAD consistent with σ under
//!   normality. If MeanAD is also 0 every point equals the median and M = 0.

use super::{check_sensitivity, half_scaled_confidence, AnomalyMethod, AnomalyPoint};
use crate::analyze::basic::{validate_min, Scale};
use crate::analyze::descriptive::{mad_of_checked, median_of_checked, Moments};
use crate::analyze::error::StatsError;

/// Minimum series length of the classic z-score (Framework0's `min_samples`).
pub const ZSCORE_MIN_POINTS: usize = 10;

/// Classic z-score; see the module docs.
pub fn zscore(values: &[f64], sensitivity: f64) -> Result<Vec<AnomalyPoint>, StatsError> {
    check_sensitivity(sensitivity)?;
    validate_min(values, ZSCORE_MIN_POINTS)?;
    let scale = Scale::for_values(values);
    let z = scale.apply(values);
    let moments = Moments::of_checked(&z);
    let (m, s) = (moments.mean, moments.std_dev().unwrap_or_default());
    Ok(values
        .iter()
        .zip(&z)
        .enumerate()
        .map(|(i, (&v, &x))| {
            let score = if s > 0.0 { (x - m).abs() / s } else { 0.0 };
            AnomalyPoint::new(
                i,
                v,
                score > sensitivity,
                half_scaled_confidence(score, sensitivity),
                AnomalyMethod::Zscore,
                scale.restore(m),
                score,
            )
        })
        .collect())
}

/// Iglewicz–Hoaglin's 0.6745 ≈ Φ⁻¹(0.75), making MAD consistent with σ under normality.
const IGLEWICZ_HOAGLIN: f64 = 0.6745;
/// √(π/2): mean absolute deviation → σ under normality.
const MEAN_AD_FACTOR: f64 = 1.253314;

/// Modified z-score; see the module docs.
pub fn modified_zscore(values: &[f64], sensitivity: f64) -> Result<Vec<AnomalyPoint>, StatsError> {
    check_sensitivity(sensitivity)?;
    validate_min(values, 3)?;
    let scale = Scale::for_values(values);
    let z = scale.apply(values);
    let median = median_of_checked(&z);
    let mad = mad_of_checked(&z, median);
    let mean_ad = z.iter().map(|x| (x - median).abs()).sum::<f64>() / z.len() as f64;
    let threshold = 3.5 * sensitivity / 2.0;
    Ok(values
        .iter()
        .zip(&z)
        .enumerate()
        .map(|(i, (&v, &x))| {
            let dev = (x - median).abs();
            let score = if mad > 0.0 {
                IGLEWICZ_HOAGLIN * dev / mad
            } else if mean_ad > 0.0 {
                dev / (MEAN_AD_FACTOR * mean_ad)
            } else {
                0.0
            };
            AnomalyPoint::new(
                i,
                v,
                score > threshold,
                half_scaled_confidence(score, threshold),
                AnomalyMethod::ModifiedZscore,
                scale.restore(median),
                score,
            )
        })
        .collect())
}
