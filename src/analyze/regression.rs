//! Ordinary least squares for one predictor: `y = a + b·x` and the no-intercept `y = b·x`.
//!
//! With intercept (n ≥ 3), on data centred at the compensated means `x̄`, `ȳ`
//! (`dxᵢ = xᵢ − x̄`, `dyᵢ = yᵢ − ȳ`, sums compensated and corrected for the rounding of the means
//! as in [`super::descriptive`]):
//!
//! ```text
//! Sxx = Σdx² − (Σdx)²/n    Sxy = Σdx·dy − Σdx·Σdy/n    Syy = Σdy² − (Σdy)²/n
//! b = Sxy / Sxx            a = ȳ − b·x̄
//! RSS = Σ(yᵢ − a − b·xᵢ)²  (summed from the residuals, not as Syy − b·Sxy)
//! s = √(RSS / (n − 2))     se(b) = s / √Sxx     se(a) = s·√(1/n + x̄²/Sxx)
//! R² = 1 − RSS / Syy
//! ```
//!
//! Through the origin (n ≥ 2): `b = Σxy / Σx²`, `s = √(RSS / (n − 1))`, `se(b) = s / √Σx²`, and
//! R² is the *uncentred* `1 − RSS / Σy²`, as NIST StRD certifies for its NoInt datasets.
//!
//! A constant response (`Syy = 0`, or `Σy² = 0` without intercept) has `R² = 0`, as Framework0's
//! trend analysis and scipy's `linregress` report it. A constant predictor has no slope:
//! [`StatsError::InvalidParameter`].
//!
//! Reference: N. R. Draper and H. Smith, *Applied Regression Analysis*, 3rd ed., ch. 1 and §2.12;
//! NIST StRD linear regression datasets (Norris, NoInt1, NoInt2), tested in `tests/analyze_nist.rs`.

use serde::{Deserialize, Serialize};

use super::error::{ensure_series, StatsError};
use super::summation::{pair_sums_by, sqrt_ratio, sum, sum_by};

/// An estimated coefficient and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// The least-squares estimate.
    pub estimate: f64,
    /// Its estimated standard deviation.
    pub std_error: f64,
}

/// A fitted straight line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OlsFit {
    /// The intercept `a`; `None` for a fit through the origin.
    pub intercept: Option<Coefficient>,
    /// The slope `b`.
    pub slope: Coefficient,
    /// Coefficient of determination (uncentred for a fit through the origin).
    pub r_squared: f64,
    /// Residual standard deviation `√(RSS / (n − p))`, `p` the number of coefficients.
    pub residual_std_dev: f64,
    /// Number of observations.
    pub n: usize,
}

impl OlsFit {
    /// The fitted value `a + b·x` (`b·x` through the origin).
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept.map_or(0.0, |a| a.estimate) + self.slope.estimate * x
    }
}

/// Checks a pair of series: same length, at least `needed` points, all finite.
fn ensure_pairs(x: &[f64], y: &[f64], needed: usize) -> Result<(), StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::invalid_at(
            "y",
            format!("{} values", y.len()),
            format!("as many values as x ({})", x.len()),
        ));
    }
    ensure_series(x, needed)?;
    ensure_series(y, needed)
}

fn constant_x() -> StatsError {
    StatsError::invalid("x", "a constant series", "at least two distinct x values")
}

/// `1 − rss / total`, or 0 when the response does not vary at all.
fn r_squared(rss: f64, total: f64) -> f64 {
    if total > 0.0 {
        1.0 - rss / total
    } else {
        0.0
    }
}

/// The sums behind a least-squares line with intercept, before any standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineSums {
    /// Slope `b`.
    pub slope: f64,
    /// Intercept `a`.
    pub intercept: f64,
    /// Mean of x, corrected for its own rounding.
    pub x_mean: f64,
    /// `Sxx = Σ(xᵢ − x̄)²`.
    pub sxx: f64,
    /// `Syy = Σ(yᵢ − ȳ)²`.
    pub syy: f64,
    /// Residual sum of squares.
    pub rss: f64,
}

impl LineSums {
    /// `R² = 1 − RSS / Syy` (0 for a constant response).
    pub(crate) fn r_squared(&self) -> f64 {
        r_squared(self.rss, self.syy)
    }
}

/// The line `y = a + b·x` of two checked (finite, equal-length, n ≥ 2) series; `None` when every
/// x is equal. The one implementation behind [`ols`] and the trend analysis (which accepts two
/// points, where [`ols`] needs three for its standard errors).
pub(crate) fn line_sums(x: &[f64], y: &[f64]) -> Option<LineSums> {
    if x.iter().all(|&v| v == x[0]) {
        return None;
    }
    let n = x.len() as f64;
    let (x_mean, y_mean) = (sum(x) / n, sum(y) / n);
    let [sdx, sdy, sxx, syy, sxy] = pair_sums_by(x, y, |xi, yi| {
        let (dx, dy) = (xi - x_mean, yi - y_mean);
        [dx, dy, dx * dx, dy * dy, dx * dy]
    });
    let sxx = sxx - sdx * sdx / n;
    let syy = syy - sdy * sdy / n;
    let sxy = sxy - sdx * sdy / n;
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    // Means corrected for their own rounding (δ = Σd/n), then the residuals from centred data.
    let (x_bar, y_bar) = (x_mean + sdx / n, y_mean + sdy / n);
    let shift = slope * (sdx / n) - sdy / n;
    let rss = sum_by_pairs(x, y, |xi, yi| {
        let e = (yi - y_mean) - slope * (xi - x_mean) + shift;
        e * e
    });
    Some(LineSums {
        slope,
        intercept: y_bar - slope * x_bar,
        x_mean: x_bar,
        sxx,
        syy,
        rss,
    })
}

/// Least-squares line `y = a + b·x` with intercept (at least 3 points).
///
/// Errors: [`StatsError::InvalidParameter`] for series of different lengths or a constant `x`,
/// [`StatsError::Empty`], [`StatsError::TooFew`], [`StatsError::NonFinite`] (checking `x` first).
pub fn ols(x: &[f64], y: &[f64]) -> Result<OlsFit, StatsError> {
    ensure_pairs(x, y, 3)?;
    let line = line_sums(x, y).ok_or_else(constant_x)?;
    let leverage = 1.0 / x.len() as f64 + line.x_mean * line.x_mean / line.sxx;
    Ok(fitted(
        x.len(),
        line.slope,
        line.sxx,
        line.rss,
        line.syy,
        Some((line.intercept, leverage)),
    ))
}

/// Least-squares line through the origin `y = b·x` (at least 2 points).
///
/// Errors as [`ols`]; `x` must not be all zeros.
pub fn ols_through_origin(x: &[f64], y: &[f64]) -> Result<OlsFit, StatsError> {
    ensure_pairs(x, y, 2)?;
    let sxx = sum_by(x, |v| v * v);
    if sxx <= 0.0 {
        return Err(StatsError::invalid(
            "x",
            "all zeros",
            "at least one non-zero x value",
        ));
    }
    let sxy = sum_by_pairs(x, y, |xi, yi| xi * yi);
    let syy = sum_by(y, |v| v * v);
    let slope = sxy / sxx;
    let rss = sum_by_pairs(x, y, |xi, yi| {
        let e = yi - slope * xi;
        e * e
    });
    Ok(fitted(x.len(), slope, sxx, rss, syy, None))
}

/// Assembles a fit from its sums: `s = √(RSS/(n − p))`, `se(b) = s/√Sxx`, `R² = 1 − RSS/total`,
/// and with an intercept `(a, h)`, `se(a) = s·√h`.
fn fitted(
    n: usize,
    slope: f64,
    sxx: f64,
    rss: f64,
    total: f64,
    intercept: Option<(f64, f64)>,
) -> OlsFit {
    let params = 1 + usize::from(intercept.is_some());
    let s = sqrt_ratio(rss, (n - params) as f64);
    OlsFit {
        intercept: intercept.map(|(estimate, h)| Coefficient {
            estimate,
            std_error: s * h.sqrt(),
        }),
        slope: Coefficient {
            estimate: slope,
            std_error: s / sxx.sqrt(),
        },
        r_squared: r_squared(rss, total),
        residual_std_dev: s,
        n,
    }
}

/// Compensated `Σ f(xᵢ, yᵢ)`.
fn sum_by_pairs(x: &[f64], y: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let [total] = pair_sums_by(x, y, |a, b| [f(a, b)]);
    total
}
