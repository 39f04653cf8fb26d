//! Moving averages over a series, both O(n).
//!
//! - Simple moving average over a window of `w` values, one output per full window
//!   (`n − w + 1` outputs, pandas `rolling(w).mean()` without the leading NaNs):
//!   `SMAᵢ = (1/w)·Σ_{j=i}^{i+w−1} xⱼ`.
//!   The window sum is kept as a running Neumaier-compensated sum ([`super::summation`]) of
//!   `xⱼ − x₀` — each step adds the entering value and subtracts the leaving one — so the
//!   rounding error does not drift with the series' length, and a constant series gives back
//!   exactly that constant.
//! - Exponential moving average with smoothing factor `α ∈ (0, 1]`, seeded with the first value:
//!   `EMA₀ = x₀`, `EMAᵢ = EMAᵢ₋₁ + α·(xᵢ − EMAᵢ₋₁)` (pandas `ewm(alpha=α, adjust=False).mean()`);
//!   `α = 2/(span + 1)` for a span (see [`ema_alpha_for_span`]).
//!
//! Reference: NIST/SEMATECH e-Handbook of Statistical Methods, §6.4.2 (averaging methods) and
//! §6.4.3.1 (single exponential smoothing).

use super::error::{ensure_series, StatsError};
use super::summation::NeumaierSum;

/// Simple moving average over windows of `window` values; `values.len() − window + 1` outputs.
///
/// Errors: [`StatsError::InvalidParameter`] for a zero window, [`StatsError::Empty`],
/// [`StatsError::TooFew`] when the series is shorter than the window, [`StatsError::NonFinite`].
pub fn sma(values: &[f64], window: usize) -> Result<Vec<f64>, StatsError> {
    if window == 0 {
        return Err(StatsError::invalid(
            "window",
            window,
            "a window of at least 1 value",
        ));
    }
    ensure_series(values, window)?;
    let origin = values[0];
    let w = window as f64;
    let mut running = NeumaierSum::new();
    for &x in &values[..window] {
        running.add(x - origin);
    }
    let mut out = Vec::with_capacity(values.len() - window + 1);
    out.push(origin + running.value() / w);
    for (&entering, &leaving) in values[window..].iter().zip(values) {
        running.add(entering - origin);
        running.add(origin - leaving);
        out.push(origin + running.value() / w);
    }
    Ok(out)
}

/// Exponential moving average with smoothing factor `alpha ∈ (0, 1]`, one output per value.
///
/// Errors: [`StatsError::InvalidParameter`] for `alpha` outside `(0, 1]`, [`StatsError::Empty`],
/// [`StatsError::NonFinite`].
pub fn ema(values: &[f64], alpha: f64) -> Result<Vec<f64>, StatsError> {
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(StatsError::invalid(
            "alpha",
            alpha,
            "a smoothing factor in (0, 1]",
        ));
    }
    ensure_series(values, 1)?;
    let mut level = values[0];
    Ok(values
        .iter()
        .map(|&x| {
            level += alpha * (x - level);
            level
        })
        .collect())
}

/// The smoothing factor `2/(span + 1)` of an EMA over a span of `span ≥ 1` values.
pub fn ema_alpha_for_span(span: f64) -> Result<f64, StatsError> {
    if span >= 1.0 && span.is_finite() {
        Ok(2.0 / (span + 1.0))
    } else {
        Err(StatsError::invalid(
            "span",
            span,
            "a finite span of at least 1",
        ))
    }
}
