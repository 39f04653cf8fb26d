//! EWMA control chart (Roberts 1959; Montgomery, *Introduction to Statistical Quality Control*,
//! §9.2) with exact time-varying limits.
//!
//! z₀ = μ₀, z_t = λ x_t + (1 − λ) z_{t−1}; the chart signals at t (1-based) when
//! |z_t − μ₀| > L σ_{z,t} with σ_{z,t} = σ √(λ/(2−λ) · (1 − (1−λ)^{2t})).
//! The statistic is kept as its deviation e_t = z_t − μ₀ = λ (x_t − μ₀) + (1 − λ) e_{t−1}
//! (e₀ = 0), so a point equal to μ₀ contributes exactly nothing: a constant series stays at
//! e_t = 0 and is never flagged, where z_t itself would drift off μ₀ by rounding (3.14, 0.1).
//!
//! The in-control centre μ₀ and σ are estimated robustly from a reference stretch: the first
//! `reference_len` points when given (the textbook phase I / phase II split), else the whole
//! series. μ₀ = median, σ = 1.4826 · MAD (consistent with σ under normality), falling back to the
//! sample standard deviation when MAD = 0, so spikes do not inflate the limits. Estimating from
//! the whole series lets a long shifted stretch pull the centre towards itself: give a reference
//! stretch to monitor small shifts.
//! L = 1.5 · sensitivity (the default 2.0 gives the usual L = 3) unless `limit` sets it. With σ = 0 any z_t off μ₀
//! signals. `deviation_magnitude` is |z_t − μ₀| / σ_{z,t}; confidence min(ratio / (2L), 1).
//!
//! EWMA is built to catch small sustained shifts; after a single large spike the statistic
//! decays geometrically, so the points right after it may stay above the limit too.

use serde::{Deserialize, Serialize};

use super::{check_sensitivity, half_scaled_confidence, AnomalyMethod, AnomalyPoint};
use crate::analyze::basic::{validate_min, Scale};
use crate::analyze::descriptive::{mad_of_checked, median_of_checked, Moments};
use crate::analyze::error::StatsError;

/// MAD → σ under normality (1/Φ⁻¹(0.75)).
const MAD_TO_SIGMA: f64 = 1.4826;

/// EWMA chart parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EwmaParams {
    /// Smoothing weight λ in (0, 1]; 0.2 by default (λ = 1 is a Shewhart chart).
    pub lambda: f64,
    /// Number of leading points that estimate μ₀ and σ (≥ 3); `None` uses the whole series.
    pub reference_len: Option<usize>,
    /// Control-limit width L in σ_z units (> 0); `None` derives it as 1.5 · sensitivity.
    pub limit: Option<f64>,
}

impl Default for EwmaParams {
    fn default() -> Self {
        EwmaParams {
            lambda: 0.2,
            reference_len: None,
            limit: None,
        }
    }
}

/// EWMA control chart; see the module docs. Needs ≥ 3 points.
pub fn ewma(
    values: &[f64],
    sensitivity: f64,
    params: &EwmaParams,
) -> Result<Vec<AnomalyPoint>, StatsError> {
    check_sensitivity(sensitivity)?;
    let lambda = params.lambda;
    if !(lambda > 0.0 && lambda <= 1.0) {
        return Err(StatsError::invalid("lambda", lambda, "a number in (0, 1]"));
    }
    validate_min(values, 3)?;
    let reference = params.reference_len.unwrap_or(values.len());
    if reference < 3 || reference > values.len() {
        return Err(StatsError::invalid(
            "reference_len",
            reference,
            "an integer from 3 up to the series length",
        ));
    }
    let scale = Scale::for_values(values);
    let x = scale.apply(values);
    let phase1 = &x[..reference];
    let center = median_of_checked(phase1);
    let robust = MAD_TO_SIGMA * mad_of_checked(phase1, center);
    let sigma = if robust > 0.0 {
        robust
    } else {
        Moments::of_checked(phase1).std_dev().unwrap_or_default()
    };
    let limit = params.limit.unwrap_or(1.5 * sensitivity);
    if !(limit > 0.0 && limit.is_finite()) {
        return Err(StatsError::invalid(
            "limit",
            limit,
            "a finite number > 0 (e.g. 3)",
        ));
    }
    let asymptotic = lambda / (2.0 - lambda);
    let mut e = 0.0; // z_t − μ₀
    let mut decay = 1.0; // (1 − λ)^{2t}
    Ok(values
        .iter()
        .zip(&x)
        .enumerate()
        .map(|(i, (&v, &xi))| {
            e = lambda * (xi - center) + (1.0 - lambda) * e;
            decay *= (1.0 - lambda) * (1.0 - lambda);
            let sd = sigma * (asymptotic * (1.0 - decay)).sqrt();
            let dev = e.abs();
            let ratio = if sd > 0.0 {
                dev / sd
            } else if dev > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            AnomalyPoint::new(
                i,
                v,
                ratio > limit,
                half_scaled_confidence(ratio, limit),
                AnomalyMethod::Ewma,
                scale.restore(center),
                ratio,
            )
        })
        .collect())
}
