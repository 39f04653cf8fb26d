//! Sample quantiles: the nine Hyndman–Fan definitions (named as numpy names them) and
//! Framework0's extrapolating `exclusive` method.
//!
//! For a sorted sample `x₀ ≤ … ≤ xₙ₋₁` and probability `p ∈ [0, 1]`, every continuous method
//! computes a 0-based *virtual index*
//!
//! ```text
//! v = n·p + (α + p·(1 − α − β)) − 1        (linear: v = (n − 1)·p)
//! ```
//!
//! and interpolates `Q(p) = x_⌊v⌋ + γ·(x_⌊v⌋+1 − x_⌊v⌋)` with `γ = v − ⌊v⌋`, clamped to `x₀` below
//! index 0 and to `xₙ₋₁` from index `n − 1` on. The `(α, β)` pairs and H&F types:
//!
//! | method | H&F type | rule |
//! |---|---|---|
//! | `inverted_cdf` | 1 | `v = n·p − 1`; `x_⌊v⌋` if `γ = 0`, else `x_⌊v⌋+1` |
//! | `averaged_inverted_cdf` | 2 | `v = n·p − 1`; the mean of both neighbours if `γ = 0`, else `x_⌊v⌋+1` |
//! | `closest_observation` | 3 | `v = n·p − 1.5`; the nearest order statistic, the even (1-based) one on a tie |
//! | `interpolated_inverted_cdf` | 4 | `α = 0, β = 1` |
//! | `hazen` | 5 | `α = β = ½` |
//! | `weibull` | 6 | `α = β = 0` (position `p·(n+1)`, 1-based) |
//! | `linear` (default; alias `inclusive`) | 7 | `α = β = 1` |
//! | `median_unbiased` | 8 | `α = β = ⅓` |
//! | `normal_unbiased` | 9 | `α = β = ⅜` |
//! | `exclusive` | 6, extrapolated | as `weibull`, but with `⌊v⌋` clamped to `[0, n−2]` and `γ` unclamped |
//!
//! The floating-point expressions (the virtual index, `γ` and the interpolation
//! `b − (b − a)·(1 − γ)` for `γ ≥ ½`, `a + (b − a)·γ` otherwise) mirror numpy's
//! `numpy.quantile` term by term, so results agree with numpy ≥ 1.22 to the last bit or so
//! (checked against `tests/fixtures/percentiles/`).
//!
//! `exclusive` is Python's `statistics.quantiles(method="exclusive")`, which Framework0 used: it
//! has the same position as `weibull` but extrapolates linearly past the two outermost points
//! instead of clamping (p99 of `0, 10, …, 90` is `98.9`, where `weibull` gives `90`), so unlike the
//! nine H&F methods it can leave `[min, max]`. `inclusive` (Python's other method) is `linear`.
//!
//! References: R. J. Hyndman and Y. Fan, "Sample Quantiles in Statistical Packages", *The
//! American Statistician* 50(4) (1996) 361–365; numpy `quantile` documentation; Python
//! `statistics.quantiles` source.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{ensure_probability, ensure_series, StatsError};
use super::order::{self, OrderStrategy};

/// A sample-quantile definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PercentileMethod {
    /// H&F type 1: the inverse of the empirical CDF.
    InvertedCdf,
    /// H&F type 2: type 1 with averaging at discontinuities.
    AveragedInvertedCdf,
    /// H&F type 3: the nearest order statistic (SAS definition 2).
    ClosestObservation,
    /// H&F type 4: linear interpolation of the empirical CDF.
    InterpolatedInvertedCdf,
    /// H&F type 5: piecewise linear with knots at the midpoints (Hazen).
    Hazen,
    /// H&F type 6: position `p·(n+1)`, clamped to the sample's range (Weibull).
    Weibull,
    /// H&F type 7: position `1 + p·(n−1)` (numpy's, R's and Excel's default); alias `inclusive`.
    #[default]
    Linear,
    /// H&F type 8: approximately median-unbiased whatever the distribution.
    MedianUnbiased,
    /// H&F type 9: approximately unbiased for normally distributed data.
    NormalUnbiased,
    /// Python's `statistics.quantiles(method="exclusive")`: type 6 extrapolated past the ends.
    Exclusive,
}

impl PercentileMethod {
    /// Every method, in H&F order then `exclusive`.
    pub const ALL: [PercentileMethod; 10] = [
        PercentileMethod::InvertedCdf,
        PercentileMethod::AveragedInvertedCdf,
        PercentileMethod::ClosestObservation,
        PercentileMethod::InterpolatedInvertedCdf,
        PercentileMethod::Hazen,
        PercentileMethod::Weibull,
        PercentileMethod::Linear,
        PercentileMethod::MedianUnbiased,
        PercentileMethod::NormalUnbiased,
        PercentileMethod::Exclusive,
    ];

    /// The method's name (numpy's spelling, or `exclusive`).
    pub fn name(self) -> &'static str {
        match self {
            PercentileMethod::InvertedCdf => "inverted_cdf",
            PercentileMethod::AveragedInvertedCdf => "averaged_inverted_cdf",
            PercentileMethod::ClosestObservation => "closest_observation",
            PercentileMethod::InterpolatedInvertedCdf => "interpolated_inverted_cdf",
            PercentileMethod::Hazen => "hazen",
            PercentileMethod::Weibull => "weibull",
            PercentileMethod::Linear => "linear",
            PercentileMethod::MedianUnbiased => "median_unbiased",
            PercentileMethod::NormalUnbiased => "normal_unbiased",
            PercentileMethod::Exclusive => "exclusive",
        }
    }

    /// The Hyndman–Fan type number (1–9); `exclusive` is a variant of type 6.
    pub fn hyndman_fan_type(self) -> u8 {
        match self {
            PercentileMethod::InvertedCdf => 1,
            PercentileMethod::AveragedInvertedCdf => 2,
            PercentileMethod::ClosestObservation => 3,
            PercentileMethod::InterpolatedInvertedCdf => 4,
            PercentileMethod::Hazen => 5,
            PercentileMethod::Weibull | PercentileMethod::Exclusive => 6,
            PercentileMethod::Linear => 7,
            PercentileMethod::MedianUnbiased => 8,
            PercentileMethod::NormalUnbiased => 9,
        }
    }

    /// Where `Q(p)` is found in a sorted sample of `n ≥ 1` values.
    fn position(self, n: usize, p: f64) -> Position {
        let nf = n as f64;
        match self {
            PercentileMethod::InvertedCdf => {
                Position::discrete(n, nf * p - 1.0, |gamma, _| gamma == 0.0)
            }
            PercentileMethod::ClosestObservation => {
                Position::discrete(n, nf * p - 1.0 - 0.5, |gamma, below| {
                    gamma == 0.0 && below.rem_euclid(2.0) == 1.0
                })
            }
            PercentileMethod::AveragedInvertedCdf => {
                Position::clamped(
                    n,
                    nf * p - 1.0,
                    |gamma| {
                        if gamma == 0.0 {
                            0.5
                        } else {
                            1.0
                        }
                    },
                )
            }
            PercentileMethod::InterpolatedInvertedCdf => Position::continuous(n, p, 0.0, 1.0),
            PercentileMethod::Hazen => Position::continuous(n, p, 0.5, 0.5),
            PercentileMethod::Weibull => Position::continuous(n, p, 0.0, 0.0),
            PercentileMethod::Linear => Position::clamped(n, (nf - 1.0) * p, |gamma| gamma),
            PercentileMethod::MedianUnbiased => Position::continuous(n, p, 1.0 / 3.0, 1.0 / 3.0),
            PercentileMethod::NormalUnbiased => Position::continuous(n, p, 3.0 / 8.0, 3.0 / 8.0),
            PercentileMethod::Exclusive => {
                Position::extrapolated(n, virtual_index(nf, p, 0.0, 0.0))
            }
        }
    }
}

impl fmt::Display for PercentileMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PercentileMethod {
    type Err = StatsError;

    /// Parses a method name, or the alias `inclusive` (= `linear`).
    fn from_str(s: &str) -> Result<Self, StatsError> {
        if s == "inclusive" {
            return Ok(PercentileMethod::Linear);
        }
        PercentileMethod::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = PercentileMethod::ALL.iter().map(|m| m.name()).collect();
                StatsError::invalid_at(
                    "percentile method",
                    s,
                    format!("one of {}, inclusive (= linear)", names.join(", ")),
                )
            })
    }
}

impl Serialize for PercentileMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for PercentileMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// numpy's `_compute_virtual_index`: `n·p + (α + p·(1 − α − β)) − 1`.
fn virtual_index(n: f64, p: f64, alpha: f64, beta: f64) -> f64 {
    n * p + (alpha + p * (1.0 - alpha - beta)) - 1.0
}

/// numpy's `_lerp`: `a + (b − a)·t`, computed from `b` when `t ≥ ½` so that `t = 1` gives `b`;
/// `a·(1 − t) + b·t` when `b − a` overflows (opposite values near ±`f64::MAX`).
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if diff.is_infinite() {
        a * (1.0 - t) + b * t
    } else if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// `Q(p) = lerp(x[lo], x[hi], t)` in the sorted sample.
#[derive(Debug, Clone, Copy)]
struct Position {
    lo: usize,
    hi: usize,
    t: f64,
}

impl Position {
    fn at(k: usize) -> Position {
        Position {
            lo: k,
            hi: k,
            t: 0.0,
        }
    }

    /// Discrete methods: one order statistic, `⌊v⌋` when `keep_below(γ, ⌊v⌋)`, else `⌊v⌋ + 1`.
    fn discrete(n: usize, v: f64, keep_below: impl Fn(f64, f64) -> bool) -> Position {
        let below = v.floor();
        let k = if keep_below(v - below, below) {
            below
        } else {
            below + 1.0
        };
        Position::at((k.max(0.0) as usize).min(n - 1))
    }

    /// Interpolating methods, clamped to the first and last value.
    fn clamped(n: usize, v: f64, fix_gamma: impl Fn(f64) -> f64) -> Position {
        if v >= (n - 1) as f64 {
            Position::at(n - 1)
        } else if v < 0.0 {
            Position::at(0)
        } else {
            let below = v.floor();
            let k = below as usize;
            Position {
                lo: k,
                hi: k + 1,
                t: fix_gamma(v - below),
            }
        }
    }

    fn continuous(n: usize, p: f64, alpha: f64, beta: f64) -> Position {
        Position::clamped(n, virtual_index(n as f64, p, alpha, beta), |gamma| gamma)
    }

    /// The outermost pair of values carries the line on past the sample's ends.
    fn extrapolated(n: usize, v: f64) -> Position {
        if n == 1 {
            return Position::at(0);
        }
        let below = v.floor().clamp(0.0, (n - 2) as f64);
        let k = below as usize;
        Position {
            lo: k,
            hi: k + 1,
            t: v - below,
        }
    }

    fn value(self, arranged: &[f64]) -> f64 {
        if self.lo == self.hi {
            arranged[self.lo]
        } else {
            lerp(arranged[self.lo], arranged[self.hi], self.t)
        }
    }
}

fn positions(n: usize, ps: &[f64], method: PercentileMethod) -> Result<Vec<Position>, StatsError> {
    ps.iter()
        .map(|&p| {
            ensure_probability(p)?;
            Ok(method.position(n, p))
        })
        .collect()
}

/// The `p`-quantile of `values` (`p ∈ [0, 1]`) by `method`.
///
/// Errors: [`StatsError::Empty`], [`StatsError::NonFinite`], or [`StatsError::InvalidParameter`]
/// for `p` outside `[0, 1]`.
pub fn quantile(values: &[f64], p: f64, method: PercentileMethod) -> Result<f64, StatsError> {
    Ok(quantiles(values, &[p], method)?[0])
}

/// Several quantiles of `values` at once, in the order of `ps`, choosing sort or selection by
/// size ([`OrderStrategy::Auto`]). The input is not modified (one copy is made).
pub fn quantiles(
    values: &[f64],
    ps: &[f64],
    method: PercentileMethod,
) -> Result<Vec<f64>, StatsError> {
    quantiles_with(values, ps, method, OrderStrategy::Auto)
}

/// [`quantiles`] with an explicit [`OrderStrategy`]; every strategy gives the same result.
pub fn quantiles_with(
    values: &[f64],
    ps: &[f64],
    method: PercentileMethod,
    strategy: OrderStrategy,
) -> Result<Vec<f64>, StatsError> {
    ensure_series(values, 1)?;
    let positions = positions(values.len(), ps, method)?;
    let mut ranks: Vec<usize> = positions.iter().flat_map(|q| [q.lo, q.hi]).collect();
    let mut arranged = values.to_vec();
    order::arrange(&mut arranged, &mut ranks, strategy);
    Ok(positions.into_iter().map(|q| q.value(&arranged)).collect())
}

/// Quantiles of a series already sorted ascending (no copy, O(1) per quantile).
///
/// Errors as [`quantiles`], plus [`StatsError::InvalidParameter`] naming the first index where
/// `sorted` descends.
pub fn quantiles_sorted(
    sorted: &[f64],
    ps: &[f64],
    method: PercentileMethod,
) -> Result<Vec<f64>, StatsError> {
    ensure_series(sorted, 1)?;
    if let Some(i) = order::first_descent(sorted) {
        return Err(StatsError::invalid(
            "sorted",
            format!("values descending at index {i}"),
            "values in ascending order",
        ));
    }
    quantiles_of_sorted(sorted, ps, method)
}

/// [`quantiles_sorted`] without the input checks, for callers that validated and sorted.
pub(crate) fn quantiles_of_sorted(
    sorted: &[f64],
    ps: &[f64],
    method: PercentileMethod,
) -> Result<Vec<f64>, StatsError> {
    let positions = positions(sorted.len(), ps, method)?;
    Ok(positions.into_iter().map(|q| q.value(sorted)).collect())
}

/// One quantile of a checked, ascending, non-empty series at a probability the caller knows to
/// lie in `[0, 1]` (constants and coverages of the detectors).
pub(crate) fn quantile_of_sorted(sorted: &[f64], p: f64, method: PercentileMethod) -> f64 {
    debug_assert!((0.0..=1.0).contains(&p), "probability {p} outside [0, 1]");
    method.position(sorted.len(), p).value(sorted)
}
