//! Trend analysis: a linear trend over time (Framework0's `TrendAnalysis`) and Holt's double
//! exponential smoothing with fitted parameters and prediction intervals ([`holt`]).
//!
//! **Linear trend.** Ordinary least squares of the values on x = seconds since the first sample
//! (timestamps in epoch ns), fitted by [`super::regression`]'s compensated sums: slope b
//! (unit/s), intercept a (value at the first sample) and r² = 1 − RSS/S_yy (0 for a constant
//! series, as SciPy's `linregress`). Prediction at x₀
//! with n ≥ 3: ŷ ± t_{n−2, (1+level)/2} · s_e √(1 + 1/n + (x₀ − x̄)² / S_xx), s_e² = SSE/(n−2)
//! (Montgomery & Runger, *Applied Statistics*, §11-6).
//!
//! **Framework0 rules** (COMPAT §5): direction `stable` when |slope| < 0.001 per second, else
//! `increasing`/`decreasing` by its sign; `forecast_next_hour` is the line at 3600 s after the
//! last sample; `forecast_confidence` = min(r², 1). `change_points` lists the 0-based indexes of
//! the first point after each change found by [`compute_change_points`].

mod holt;
mod nelder_mead;

pub use holt::{holt, HoltForecast, HoltModel, HoltParams};

use serde::{Deserialize, Serialize};

use super::basic::{check_open_unit, json_clean, validate_min, validate_timestamps, Scale};
use super::changepoint::{compute_change_points, ChangePoint, HunterParams};
use super::error::StatsError;
use super::regression::line_sums;
use super::special::student_t_quantile;
use super::summation::sqrt_ratio;

/// Framework0's "stable" band for the slope (units per second).
pub const STABLE_SLOPE: f64 = 0.001;
/// Framework0's forecast horizon after the last sample, in seconds.
pub const FORECAST_HORIZON_S: f64 = 3600.0;

/// Direction of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    /// Slope ≥ 0.001 per second.
    Increasing,
    /// Slope ≤ −0.001 per second.
    Decreasing,
    /// |slope| < 0.001 per second.
    Stable,
}

/// Framework0's `TrendAnalysis` JSON shape (COMPAT §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendAnalysis {
    /// Metric the series belongs to.
    pub metric_name: String,
    /// Direction by the Framework0 rule.
    pub trend_direction: TrendDirection,
    /// OLS slope in value units per second.
    pub slope: f64,
    /// Coefficient of determination of the line.
    pub r_squared: f64,
    /// 0-based indexes of the first point after each detected change.
    pub change_points: Vec<usize>,
    /// The line evaluated 3600 s after the last sample.
    pub forecast_next_hour: f64,
    /// min(r², 1).
    pub forecast_confidence: f64,
}

/// A fitted straight line over seconds since the first sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearTrend {
    /// Value units per second.
    pub slope: f64,
    /// Fitted value at the first sample (x = 0).
    pub intercept: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// Number of points.
    pub n: usize,
    /// Residual standard error s_e = √(SSE/(n−2)); 0 when n = 2.
    pub residual_std: f64,
    /// Seconds from the first to the last sample.
    pub span_seconds: f64,
    x_mean: f64,
    sxx: f64,
}

/// A point forecast with its prediction interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Seconds since the first sample.
    pub at_seconds: f64,
    /// Point forecast.
    pub value: f64,
    /// Lower prediction bound (`None` with fewer than 3 points).
    pub lower: Option<f64>,
    /// Upper prediction bound.
    pub upper: Option<f64>,
}

/// Seconds since the first timestamp.
fn seconds_since_first(timestamps: &[i64]) -> Vec<f64> {
    let t0 = timestamps[0] as i128;
    timestamps
        .iter()
        .map(|&t| (t as i128 - t0) as f64 / 1e9)
        .collect()
}

fn check_level(level: f64) -> Result<(), StatsError> {
    check_open_unit("level", level, "a coverage in (0, 1), e.g. 0.95")
}

/// Fits the OLS line of `values` on seconds since the first of `timestamps` (epoch ns).
/// Needs ≥ 2 points and at least two distinct timestamps.
pub fn linear_trend(values: &[f64], timestamps: &[i64]) -> Result<LinearTrend, StatsError> {
    validate_min(values, 2)?;
    validate_timestamps(values.len(), timestamps)?;
    let x = seconds_since_first(timestamps);
    let scale = Scale::for_values(values);
    let y = scale.apply(values);
    let fit = line_sums(&x, &y).ok_or(StatsError::Undefined {
        what: "linear trend",
        why: "all timestamps are equal",
    })?;
    let n = values.len();
    let residual_std = if n > 2 {
        sqrt_ratio(fit.rss, (n - 2) as f64)
    } else {
        0.0
    };
    Ok(LinearTrend {
        slope: scale.restore(fit.slope),
        intercept: scale.restore(fit.intercept),
        r_squared: fit.r_squared().clamp(0.0, 1.0),
        n,
        residual_std: scale.restore(residual_std),
        span_seconds: x[n - 1],
        x_mean: fit.x_mean,
        sxx: fit.sxx,
    })
}

impl LinearTrend {
    /// Direction by the Framework0 rule.
    pub fn direction(&self) -> TrendDirection {
        if self.slope.abs() < STABLE_SLOPE {
            TrendDirection::Stable
        } else if self.slope > 0.0 {
            TrendDirection::Increasing
        } else {
            TrendDirection::Decreasing
        }
    }

    /// Forecast at `at_seconds` since the first sample with a `level` prediction interval
    /// (values saturate at ±f64::MAX instead of overflowing).
    pub fn predict(&self, at_seconds: f64, level: f64) -> Result<Prediction, StatsError> {
        check_level(level)?;
        // Saturating arithmetic: extreme fits stay finite (±f64::MAX) and ordered.
        let value = json_clean(self.intercept + self.slope * at_seconds);
        let (lower, upper) = if self.n > 2 {
            let df = (self.n - 2) as f64;
            let t = student_t_quantile(0.5 + level / 2.0, df);
            let lever = 1.0 + 1.0 / self.n as f64 + (at_seconds - self.x_mean).powi(2) / self.sxx;
            let half = json_clean(t * self.residual_std * lever.sqrt());
            (
                Some(json_clean(value - half)),
                Some(json_clean(value + half)),
            )
        } else {
            (None, None)
        };
        Ok(Prediction {
            at_seconds,
            value,
            lower,
            upper,
        })
    }
}

/// Framework0's `TrendAnalysis` of one metric: the OLS line, its direction, the forecast one
/// hour after the last sample and the change points of the series under `change_points`.
pub fn analyze_trend(
    metric_name: &str,
    values: &[f64],
    timestamps: &[i64],
    change_points: &HunterParams,
) -> Result<TrendAnalysis, StatsError> {
    let cps = compute_change_points(values, Some(timestamps), change_points)?;
    trend_analysis(metric_name, values, timestamps, &cps)
}

/// [`analyze_trend`] with change points already computed (by [`compute_change_points`] over the
/// same series), so a caller that reports them too detects them once.
pub fn trend_analysis(
    metric_name: &str,
    values: &[f64],
    timestamps: &[i64],
    cps: &[ChangePoint],
) -> Result<TrendAnalysis, StatsError> {
    let line = linear_trend(values, timestamps)?;
    let forecast = line.intercept + line.slope * (line.span_seconds + FORECAST_HORIZON_S);
    Ok(TrendAnalysis {
        metric_name: metric_name.to_string(),
        trend_direction: line.direction(),
        slope: line.slope,
        r_squared: line.r_squared,
        change_points: cps.iter().map(|cp| cp.index).collect(),
        forecast_next_hour: json_clean(forecast),
        forecast_confidence: line.r_squared.min(1.0),
    })
}
