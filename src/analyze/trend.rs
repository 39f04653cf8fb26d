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
//!
//! **Forecasts that stay in range** ([`forecast`]): the analyze action forecasts one span of the
//! data ahead (the time from the first to the last sample) unless told otherwise, with the
//! 95 % prediction interval, and names the horizon. A forecast from fewer than
//! [`MIN_FORECAST_POINTS`] points, or from a line with r² below [`MIN_FORECAST_R2`], is not
//! meaningful and is reported with the reason instead of a number: a trend over a handful of
//! step timings must not become a prediction an hour out. Framework0's `forecast_next_hour`
//! (3600 s ahead, whatever the data) remains for its parity mode.

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

/// The fewest points a forecast is reported from.
pub const MIN_FORECAST_POINTS: usize = 3;
/// The smallest r² a forecast is reported at.
pub const MIN_FORECAST_R2: f64 = 0.3;

/// A forecast of the linear trend, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Seconds after the last sample the forecast is for.
    pub horizon_seconds: f64,
    /// How the horizon was chosen: `span` (one span of the data ahead) or `given`.
    pub horizon_basis: String,
    /// The forecast instant, epoch ns.
    pub at: i64,
    /// Whether the line supports a forecast (enough points, r² high enough).
    pub meaningful: bool,
    /// The point forecast (only when meaningful).
    pub value: Option<f64>,
    /// Lower bound of the prediction interval (only when meaningful).
    pub lower: Option<f64>,
    /// Upper bound of the prediction interval (only when meaningful).
    pub upper: Option<f64>,
    /// Coverage of the prediction interval.
    pub level: f64,
    /// Why the forecast is not meaningful.
    pub reason: Option<String>,
}

/// The forecast of `line` (fitted to samples whose last is at `last_ns`, epoch ns)
/// `horizon_seconds` after the last sample (default: the span of the data), with a
/// `level` prediction interval; not meaningful below [`MIN_FORECAST_POINTS`] points or
/// [`MIN_FORECAST_R2`].
pub fn forecast(
    line: &LinearTrend,
    last_ns: i64,
    horizon_seconds: Option<f64>,
    level: f64,
) -> Result<Forecast, StatsError> {
    check_level(level)?;
    let (horizon, basis) = match horizon_seconds {
        Some(h) if h.is_finite() && h > 0.0 => (h, "given"),
        Some(h) => {
            return Err(StatsError::invalid(
                "horizon",
                h,
                "a finite number of seconds > 0",
            ))
        }
        None => (line.span_seconds, "span"),
    };
    let at = (last_ns as f64 + horizon * 1e9).clamp(i64::MIN as f64, i64::MAX as f64) as i64;
    let reason = if line.n < MIN_FORECAST_POINTS {
        Some(format!(
            "{} points; a forecast needs at least {MIN_FORECAST_POINTS}",
            line.n
        ))
    } else if line.r_squared < MIN_FORECAST_R2 {
        Some(format!(
            "r² {:.3} is below {MIN_FORECAST_R2}: the line explains too little of the variation",
            line.r_squared
        ))
    } else {
        None
    };
    let mut out = Forecast {
        horizon_seconds: json_clean(horizon),
        horizon_basis: basis.to_owned(),
        at,
        meaningful: reason.is_none(),
        value: None,
        lower: None,
        upper: None,
        level,
        reason,
    };
    if out.meaningful {
        let p = line.predict(line.span_seconds + horizon, level)?;
        (out.value, out.lower, out.upper) = (Some(p.value), p.lower, p.upper);
    }
    Ok(out)
}

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
    Ok(framework0_trend(
        &linear_trend(values, timestamps)?,
        metric_name,
        cps,
    ))
}

/// [`trend_analysis`] and the [`forecast`] of the same line (`horizon_seconds` as there; 95 %
/// interval).
pub fn trend_with_forecast(
    metric_name: &str,
    values: &[f64],
    timestamps: &[i64],
    cps: &[ChangePoint],
    horizon_seconds: Option<f64>,
) -> Result<(TrendAnalysis, Forecast), StatsError> {
    let line = linear_trend(values, timestamps)?;
    let last = *timestamps.last().ok_or(StatsError::Empty)?;
    let f = forecast(&line, last, horizon_seconds, 0.95)?;
    Ok((framework0_trend(&line, metric_name, cps), f))
}

fn framework0_trend(line: &LinearTrend, metric_name: &str, cps: &[ChangePoint]) -> TrendAnalysis {
    let forecast = line.intercept + line.slope * (line.span_seconds + FORECAST_HORIZON_S);
    TrendAnalysis {
        metric_name: metric_name.to_string(),
        trend_direction: line.direction(),
        slope: line.slope,
        r_squared: line.r_squared,
        change_points: cps.iter().map(|cp| cp.index).collect(),
        forecast_next_hour: json_clean(forecast),
        forecast_confidence: line.r_squared.min(1.0),
    }
}
