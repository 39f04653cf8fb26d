//! Holt's linear (double exponential) smoothing, i.e. ETS(A,A,N), with fitted smoothing
//! parameters and prediction intervals.
//!
//! Component form (Holt 1957; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
//! 3rd ed., §8.2), for equally spaced observations y₀ … y_{n−1}:
//!
//! ```text
//! ŷ_t = ℓ_{t−1} + b_{t−1}            e_t = y_t − ŷ_t
//! ℓ_t = ℓ_{t−1} + b_{t−1} + α e_t     b_t = β* (ℓ_t − ℓ_{t−1}) + (1 − β*) b_{t−1}
//! ```
//!
//! initialised with ℓ₀ = y₀, b₀ = y₁ − y₀ (so e₁ = 0 and the m = n − 2 one-step errors
//! e₂ … e_{n−1} carry the information). α ∈ [0.0001, 1] and β* ∈ [0, 1] minimise
//! SSE = Σ e_t²: a 20 × 21 grid (step 0.05) picks the start, a box-constrained Nelder–Mead
//! refines it. Either parameter can be fixed instead.
//!
//! Forecasts ŷ_{n−1+h} = ℓ + h b with the ETS(A,A,N) forecast variance (Hyndman, Koehler, Ord &
//! Snyder, *Forecasting with Exponential Smoothing*, 2008, Table 6.1; FPP3 Table 8.8)
//!
//! ```text
//! σ_h² = σ² [1 + (h − 1){α² + α β h + β² h (2h − 1) / 6}],   β = α β*
//! ```
//!
//! (β is the error-correction-form trend parameter), σ̂² = SSE / (m − k) with k the number of
//! fitted parameters, and the interval ŷ ± z_{(1+level)/2} σ_h under normal errors.

use serde::{Deserialize, Serialize};

use super::check_level;
use super::nelder_mead::minimize;
use crate::analyze::basic::{json_clean, validate_min, Scale};
use crate::analyze::error::StatsError;
use crate::analyze::special::normal_quantile;

/// Minimum series length for Holt's method.
pub const HOLT_MIN_POINTS: usize = 5;
const ALPHA_MIN: f64 = 1e-4;

/// Which smoothing parameters to fix; `None` means "fit it".
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct HoltParams {
    /// Level smoothing α in [0.0001, 1].
    pub alpha: Option<f64>,
    /// Trend smoothing β* in [0, 1] (component form).
    pub beta: Option<f64>,
}

/// A fitted Holt model: its parameters and final state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HoltModel {
    /// Level smoothing α.
    pub alpha: f64,
    /// Trend smoothing β* (component form).
    pub beta: f64,
    /// Final level ℓ_{n−1}.
    pub level: f64,
    /// Final trend b_{n−1} (per observation step).
    pub trend: f64,
    /// Sum of squared one-step errors.
    pub sse: f64,
    /// Residual standard deviation σ̂.
    pub sigma: f64,
    /// Number of observations fitted.
    pub n: usize,
}

/// One forecast step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HoltForecast {
    /// Steps ahead of the last observation (1-based).
    pub step: usize,
    /// Point forecast ℓ + h b.
    pub value: f64,
    /// Forecast standard deviation σ_h.
    pub std_error: f64,
    /// Lower prediction bound.
    pub lower: f64,
    /// Upper prediction bound.
    pub upper: f64,
}

/// (SSE over e₂…e_{n−1}, final level, final trend).
fn smooth(y: &[f64], alpha: f64, beta: f64) -> (f64, f64, f64) {
    let (mut level, mut trend) = (y[0], y[1] - y[0]);
    let mut sse = 0.0;
    for (t, &obs) in y.iter().enumerate().skip(1) {
        let forecast = level + trend;
        let e = obs - forecast;
        if t >= 2 {
            sse += e * e;
        }
        let new_level = forecast + alpha * e;
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        level = new_level;
    }
    (sse, level, trend)
}

fn check_param(name: &'static str, v: Option<f64>, lo: f64) -> Result<(), StatsError> {
    match v {
        Some(x) if !(lo..=1.0).contains(&x) => Err(StatsError::invalid(
            name,
            x,
            "a number in [0.0001, 1] for alpha, [0, 1] for beta",
        )),
        _ => Ok(()),
    }
}

/// (α, β*) minimising the SSE over the free parameters.
fn fit(y: &[f64], params: &HoltParams) -> (f64, f64) {
    let sse = |a: f64, b: f64| smooth(y, a, b).0;
    let grid = |lo: f64, fixed: Option<f64>| -> Vec<f64> {
        match fixed {
            Some(v) => vec![v],
            None => (0..=20).map(|i| (i as f64 * 0.05).max(lo)).collect(),
        }
    };
    let (alphas, betas) = (grid(ALPHA_MIN, params.alpha), grid(0.0, params.beta));
    let mut best = (alphas[0], betas[0], f64::INFINITY);
    for &a in &alphas {
        for &b in &betas {
            let v = sse(a, b);
            if v < best.2 {
                best = (a, b, v);
            }
        }
    }
    match (params.alpha, params.beta) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => {
            let f = |p: &[f64; 2]| sse(p[0], p[1]);
            let (p, v) = minimize(f, [best.0, best.1], 0.05, [ALPHA_MIN, 0.0], [1.0, 1.0], 400);
            if v <= best.2 {
                (p[0], p[1])
            } else {
                (best.0, best.1)
            }
        }
        (None, Some(b)) => {
            let (p, v) = minimize(
                |p: &[f64; 1]| sse(p[0], b),
                [best.0],
                0.05,
                [ALPHA_MIN],
                [1.0],
                200,
            );
            if v <= best.2 {
                (p[0], b)
            } else {
                (best.0, b)
            }
        }
        (Some(a), None) => {
            let (p, v) = minimize(
                |p: &[f64; 1]| sse(a, p[0]),
                [best.1],
                0.05,
                [0.0],
                [1.0],
                200,
            );
            if v <= best.2 {
                (a, p[0])
            } else {
                (a, best.1)
            }
        }
    }
}

/// Fits Holt's method to `values` (equally spaced; needs ≥ 5 points).
pub fn holt(values: &[f64], params: &HoltParams) -> Result<HoltModel, StatsError> {
    check_param("alpha", params.alpha, ALPHA_MIN)?;
    check_param("beta", params.beta, 0.0)?;
    validate_min(values, HOLT_MIN_POINTS)?;
    let scale = Scale::for_values(values);
    // Halve once more so level + trend cannot overflow near f64::MAX.
    let y: Vec<f64> = scale.apply(values).iter().map(|v| v / 4.0).collect();
    let (alpha, beta) = fit(&y, params);
    let (sse, level, trend) = smooth(&y, alpha, beta);
    let fitted = usize::from(params.alpha.is_none()) + usize::from(params.beta.is_none());
    let dof = (values.len() - 2 - fitted) as f64;
    let sigma = (sse / dof).sqrt();
    let restore = |v: f64| scale.restore(v * 4.0);
    Ok(HoltModel {
        alpha,
        beta,
        level: restore(level),
        trend: restore(trend),
        sse: scale.restore(scale.restore(sse * 4.0) * 4.0),
        sigma: restore(sigma),
        n: values.len(),
    })
}

impl HoltModel {
    /// Forecasts 1 … `horizon` steps ahead with `level` prediction intervals (e.g. 0.95).
    pub fn forecast(&self, horizon: usize, level: f64) -> Result<Vec<HoltForecast>, StatsError> {
        check_level(level)?;
        let z = normal_quantile(0.5 + level / 2.0);
        let (a, b) = (self.alpha, self.alpha * self.beta);
        Ok((1..=horizon)
            .map(|step| {
                let h = step as f64;
                let factor =
                    1.0 + (h - 1.0) * (a * a + a * b * h + b * b * h * (2.0 * h - 1.0) / 6.0);
                let std_error = json_clean(self.sigma * factor.sqrt());
                let value = json_clean(self.level + h * self.trend);
                HoltForecast {
                    step,
                    value,
                    std_error,
                    lower: json_clean(value - z * std_error),
                    upper: json_clean(value + z * std_error),
                }
            })
            .collect())
    }
}
