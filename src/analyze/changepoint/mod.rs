//! Change-point detection: E-divisive means with Student t significance, exactly as Apache Otava
//! (formerly DataStax Hunter) computes it.
//!
//! * [`compute_change_points`] — the Hunter method (Fleming et al., ICPE 2023). Split: windows
//!   of `window_len` points advancing by ⌊window_len/2⌋ (the next window starts at
//!   max(last new point, start + step)) run E-divisive with the relaxed threshold 10·p
//!   (p < 0.05), 2·p (p < 0.5) or p. Merge: repeatedly remove the weakest point — the largest
//!   p-value when it is ≥ max_pvalue, else the smallest magnitude when it is ≤ min_magnitude —
//!   and re-test the points now at its position and the next one. Defaults as Otava's
//!   `AnalysisOptions`: window 50, max p 0.001, min magnitude 0.
//!
//! Significance everywhere is the pooled two-sample t-test on the two segments' means and
//! population standard deviations (SciPy `ttest_ind_from_stats`, equal variances); a pair of
//! one-point segments has p = 1.
//! * [`divisive_ttest`] — one E-divisive detector over the whole series (Matteson & James 2014,
//!   with Otava's t-test instead of the permutation test), no windows and no merge.
//!
//! A change point's `index` is 0-based and names the **first point after the change**: the
//! segment before is `values[prev..index]`, the one after `values[index..next]`. Results are
//! sorted by index. Both functions reproduce every expectation of Otava's own test-suite
//! (`tests/changepoint_otava.rs` reads `shared/data/changepoint/*_expected.json`).
//!
//! Inputs are rescaled by an exact power of two when their magnitude is extreme, so any finite
//! series works; p-values, indexes and magnitudes are unaffected by that scaling.

mod edivisive;
mod hunter;
mod segment;
mod weakest;

use serde::{Deserialize, Serialize};

use super::basic::{json_clean, validate, validate_timestamps, Scale};
use super::error::StatsError;
use edivisive::RawChangePoint;

/// One detected change point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePoint {
    /// 0-based index of the first point after the change.
    pub index: usize,
    /// Timestamp (epoch ns) of that point, when timestamps were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// Mean of the segment before (from the previous change point or the start), as of the
    /// point's last significance test (see the merge rule in `hunter`).
    pub mean_before: f64,
    /// Mean of the segment after (up to the next change point or the end), as of the point's
    /// last significance test: a neighbour merged away later does not refresh it (Otava's rule).
    pub mean_after: f64,
    /// Population standard deviation of the segment before.
    pub stddev_before: f64,
    /// Population standard deviation of the segment after.
    pub stddev_after: f64,
    /// (mean_after / mean_before − 1)·100; 0 when mean_before is 0.
    pub forward_change_percent: f64,
    /// max(|m₂/m₁ − 1|, |m₁/m₂ − 1|) (Otava's magnitude).
    pub magnitude: f64,
    /// Two-sided pooled t-test p-value of the two segments; 1 when undefined (both segments
    /// constant and equal).
    pub p_value: f64,
}

/// Parameters of [`compute_change_points`] (missing fields take the defaults when parsed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HunterParams {
    /// Sliding window length (≥ 2); windows advance by ⌊window_len/2⌋.
    pub window_len: usize,
    /// Significance level a change point must reach in the merge step, in (0, 1].
    pub max_pvalue: f64,
    /// Change points whose magnitude is ≤ this are dropped even when significant (≥ 0).
    pub min_magnitude: f64,
}

impl Default for HunterParams {
    fn default() -> Self {
        HunterParams {
            window_len: 50,
            max_pvalue: 0.001,
            min_magnitude: 0.0,
        }
    }
}

fn check_pvalue(max_pvalue: f64) -> Result<(), StatsError> {
    if max_pvalue > 0.0 && max_pvalue <= 1.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "max_pvalue",
            max_pvalue,
            "a number in (0, 1]",
        ))
    }
}

impl HunterParams {
    /// Checks every parameter's range (window ≥ 2, p in (0, 1], magnitude finite and ≥ 0).
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.window_len < 2 {
            return Err(StatsError::invalid(
                "window_len",
                self.window_len,
                "an integer ≥ 2",
            ));
        }
        check_pvalue(self.max_pvalue)?;
        if !(self.min_magnitude >= 0.0 && self.min_magnitude.is_finite()) {
            return Err(StatsError::invalid(
                "min_magnitude",
                self.min_magnitude,
                "a finite number ≥ 0",
            ));
        }
        Ok(())
    }
}

/// Validates, rescales, runs `run` on the scaled series and converts the result.
fn run_detector(
    values: &[f64],
    timestamps: Option<&[i64]>,
    run: impl FnOnce(&[f64]) -> Vec<RawChangePoint>,
) -> Result<Vec<ChangePoint>, StatsError> {
    validate(values)?;
    if let Some(ts) = timestamps {
        validate_timestamps(values.len(), ts)?;
    }
    let scale = Scale::for_values(values);
    let z = scale.apply(values);
    Ok(run(&z)
        .into_iter()
        .map(|cp| {
            let s = cp.stats;
            ChangePoint {
                index: cp.index,
                time: timestamps.map(|ts| ts[cp.index]),
                mean_before: scale.restore(s.mean_before),
                mean_after: scale.restore(s.mean_after),
                stddev_before: scale.restore(s.std_before),
                stddev_after: scale.restore(s.std_after),
                forward_change_percent: json_clean(s.forward_change() * 100.0),
                magnitude: json_clean(s.magnitude()),
                p_value: if s.p_value.is_nan() { 1.0 } else { s.p_value },
            }
        })
        .collect())
}

/// Hunter / Otava change points of `values` (optionally with one epoch-ns timestamp per value).
///
/// Errors: empty or non-finite input, mismatched or decreasing timestamps, parameters out of
/// range. A one-point series has no change point.
pub fn compute_change_points(
    values: &[f64],
    timestamps: Option<&[i64]>,
    params: &HunterParams,
) -> Result<Vec<ChangePoint>, StatsError> {
    params.validate()?;
    run_detector(values, timestamps, |z| {
        hunter::compute(
            z,
            params.window_len,
            params.max_pvalue,
            params.min_magnitude,
        )
    })
}

/// A single E-divisive detector with t-test significance `max_pvalue` over the whole series
/// (Otava's `ChangePointDetector(TTestSignificanceTester(max_pvalue), PairDistanceCalculator)`):
/// no windows, no merge step, no magnitude filter. Cost O(n²) per interval examined.
pub fn divisive_ttest(
    values: &[f64],
    timestamps: Option<&[i64]>,
    max_pvalue: f64,
) -> Result<Vec<ChangePoint>, StatsError> {
    check_pvalue(max_pvalue)?;
    run_detector(values, timestamps, |z| {
        edivisive::detect(z, max_pvalue, &edivisive::Weights::new(z.len().min(64)))
    })
}
