//! Baseline comparison: did a candidate run regress, improve or stay unchanged against a
//! baseline, and is a metric drifting across run history?
//!
//! **Relative change** Δ = (x̄_c − x̄_b) / |x̄_b| (candidate vs baseline means; undefined when the
//! baseline mean is 0). Its **bootstrap interval** (Efron & Tibshirani 1993, percentile method):
//! each of `resamples` replicates draws both samples with replacement (seeded xoshiro256**) and
//! recomputes Δ*; the interval is the type-7 (α/2, 1 − α/2) quantiles of the Δ* (replicates whose
//! baseline mean is exactly 0 are skipped).
//!
//! **Verdict** of [`compare`] — all three conditions must hold to call a change, otherwise the
//! verdict is `unchanged`:
//! 1. significance: the two-sided p of the chosen test (Welch by default, or Mann–Whitney) is
//!    below `alpha`;
//! 2. the (1 − alpha) bootstrap interval of Δ excludes 0, on the side of the point estimate;
//! 3. practical size: |Δ| ≥ `regression_threshold` (default 0.2, Framework0's health setting).
//!
//! Requiring (1) bounds the false-positive rate by alpha whatever the threshold; (2) guards the
//! relative-change estimate itself; (3) is the noise threshold that keeps small but significant
//! differences from raising alarms. The direction comes from the sign of Δ and
//! `higher_is_better` (false for timings, where an increase is a regression).
//!
//! **Drift** ([`drift`]): Mann–Kendall trend test over the per-run means in run order (see
//! [`super::hypothesis`]), with Sen's slope as the size; p < alpha calls a drift whose direction
//! follows the sign of S and `higher_is_better`. The test is rank-based, so one outlying run
//! cannot fake a drift, and it needs no model of the run-to-run noise.
//!
//! **One observation** ([`compare_samples`]): when one side holds a single point (a step's wall
//! time in one run), significance comes from the prediction-interval t-test of that point
//! against the other side (≥ 2 points): t = (x − x̄)/(s·√(1 + 1/n)) with n − 1 degrees of
//! freedom, the statistic whose two-sided p is below alpha exactly when x falls outside the
//! (1 − alpha) prediction interval of one new observation from the other side's normal
//! population (Montgomery & Runger, *Applied Statistics*, §8-7). The bootstrap interval and
//! the threshold apply unchanged.
//!
//! **Framework0 parity** ([`framework0_change`]): change% = (recent − base)/base · 100; |change|
//! < 5 is `stable`, > 25 `high`, otherwise `medium`.

use serde::{Deserialize, Serialize};

use super::basic::{check_open_unit, json_clean, validate_min, Scale};
use super::descriptive::mean_of_checked as mean;
use super::descriptive::Moments;
use super::error::StatsError;
use super::hypothesis::{mann_kendall, mann_whitney_u, welch_t_test, MannKendall, TTest};
use super::order;
use super::quantile::{quantile_of_sorted, PercentileMethod};
use super::rng::Xoshiro256;
use super::special::student_t_two_sided_p;

/// Outcome of a comparison or drift analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly and materially worse.
    Regressed,
    /// Significantly and materially better.
    Improved,
    /// No change that passes all criteria.
    Unchanged,
}

/// Significance test used by [`compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignificanceTest {
    /// Welch's unequal-variance t-test on the means.
    Welch,
    /// Mann–Whitney U (rank based, robust to outliers).
    MannWhitney,
    /// The prediction-interval t-test of one new observation against a sample
    /// ([`prediction_t_test`]); chosen by [`compare_samples`] when one side has one point.
    PredictionInterval,
}

/// Parameters of [`compare`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareParams {
    /// Whether larger values are better (throughput) or worse (timings; the default).
    pub higher_is_better: bool,
    /// Significance level in (0, 1); the bootstrap interval has coverage 1 − alpha.
    pub alpha: f64,
    /// Minimum |relative change| to call a regression or improvement (≥ 0).
    pub regression_threshold: f64,
    /// Which test supplies the p-value.
    pub test: SignificanceTest,
    /// Bootstrap replicates (≥ 100).
    pub resamples: usize,
    /// Seed of the bootstrap stream.
    pub seed: u64,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            higher_is_better: false,
            alpha: 0.05,
            regression_threshold: 0.2,
            test: SignificanceTest::Welch,
            resamples: 2000,
            seed: 0xB007_5712,
        }
    }
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Nominal coverage, e.g. 0.95.
    pub level: f64,
}

/// Result of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The decision.
    pub verdict: Verdict,
    /// Δ = (candidate mean − baseline mean) / |baseline mean|.
    pub relative_change: f64,
    /// Bootstrap percentile interval of Δ.
    pub interval: Interval,
    /// Two-sided p-value of `test`.
    pub p_value: f64,
    /// The test that produced `p_value`.
    pub test: SignificanceTest,
    /// Baseline mean.
    pub baseline_mean: f64,
    /// Candidate mean.
    pub candidate_mean: f64,
}

fn check_alpha(alpha: f64) -> Result<(), StatsError> {
    check_open_unit("alpha", alpha, "a significance level in (0, 1)")
}

fn relative(candidate_mean: f64, baseline_mean: f64) -> f64 {
    (candidate_mean - baseline_mean) / baseline_mean.abs()
}

/// Mean of one resample with replacement (a plain loop: this is the bootstrap's hot path).
fn resample_mean(v: &[f64], rng: &mut Xoshiro256) -> f64 {
    let mut sum = 0.0;
    for _ in 0..v.len() {
        sum += v[rng.below(v.len())];
    }
    sum / v.len() as f64
}

/// Percentile bootstrap interval of the relative change of means at coverage `level`.
pub fn bootstrap_relative_change(
    baseline: &[f64],
    candidate: &[f64],
    level: f64,
    resamples: usize,
    seed: u64,
) -> Result<Interval, StatsError> {
    validate_min(baseline, 1)?;
    validate_min(candidate, 1)?;
    check_alpha(1.0 - level)?;
    if resamples < 100 {
        return Err(StatsError::invalid(
            "resamples",
            resamples,
            "an integer ≥ 100",
        ));
    }
    let scale = Scale::for_samples(&[baseline, candidate]);
    let (baseline, candidate) = (&scale.apply(baseline)[..], &scale.apply(candidate)[..]);
    if mean(baseline) == 0.0 {
        return Err(StatsError::Undefined {
            what: "relative change",
            why: "the baseline mean is 0",
        });
    }
    let mut rng = Xoshiro256::seed_from_u64(seed);
    let mut replicates = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let b = resample_mean(baseline, &mut rng);
        let c = resample_mean(candidate, &mut rng);
        let r = relative(c, b);
        if b != 0.0 && r.is_finite() {
            replicates.push(r);
        }
    }
    if replicates.is_empty() {
        return Err(StatsError::Undefined {
            what: "bootstrap interval",
            why: "every resampled baseline mean was 0",
        });
    }
    order::sort(&mut replicates);
    Ok(Interval {
        lower: quantile_of_sorted(&replicates, (1.0 - level) / 2.0, PercentileMethod::Linear),
        upper: quantile_of_sorted(&replicates, (1.0 + level) / 2.0, PercentileMethod::Linear),
        level,
    })
}

/// Compares a candidate sample with a baseline sample (≥ 2 points each); see the module docs.
pub fn compare(
    baseline: &[f64],
    candidate: &[f64],
    params: &CompareParams,
) -> Result<Comparison, StatsError> {
    check_params(params)?;
    let p_value = match params.test {
        SignificanceTest::Welch => welch_t_test(candidate, baseline)?.p_value,
        SignificanceTest::MannWhitney => mann_whitney_u(candidate, baseline)?.p_value,
        SignificanceTest::PredictionInterval => {
            return compare_samples(baseline, candidate, params);
        }
    };
    judge(baseline, candidate, params, p_value, params.test)
}

fn check_params(params: &CompareParams) -> Result<(), StatsError> {
    check_alpha(params.alpha)?;
    let t = params.regression_threshold;
    if !(t >= 0.0 && t.is_finite()) {
        return Err(StatsError::invalid(
            "regression_threshold",
            t,
            "a finite number ≥ 0",
        ));
    }
    Ok(())
}

/// The verdict of [`compare`] once the p-value of `test` is known.
fn judge(
    baseline: &[f64],
    candidate: &[f64],
    params: &CompareParams,
    p_value: f64,
    test: SignificanceTest,
) -> Result<Comparison, StatsError> {
    let t = params.regression_threshold;
    let interval = bootstrap_relative_change(
        baseline,
        candidate,
        1.0 - params.alpha,
        params.resamples,
        params.seed,
    )?;
    let scale = Scale::for_samples(&[baseline, candidate]);
    let (b, c) = (mean(&scale.apply(baseline)), mean(&scale.apply(candidate)));
    let relative_change = json_clean(relative(c, b));
    let excludes_zero = (relative_change > 0.0 && interval.lower > 0.0)
        || (relative_change < 0.0 && interval.upper < 0.0);
    let verdict = if p_value < params.alpha && excludes_zero && relative_change.abs() >= t {
        direction(relative_change > 0.0, params.higher_is_better)
    } else {
        Verdict::Unchanged
    };
    Ok(Comparison {
        verdict,
        relative_change,
        interval,
        p_value,
        test,
        baseline_mean: scale.restore(b),
        candidate_mean: scale.restore(c),
    })
}

/// The prediction-interval t-test of one new observation `x` against `sample` (≥ 2 points):
/// t = (x − x̄)/(s·√(1 + 1/n)), n − 1 degrees of freedom, two-sided p. A constant sample gives
/// t = 0, p = 1 when x equals it and t = ±∞ (±f64::MAX), p = 0 otherwise.
pub fn prediction_t_test(sample: &[f64], x: f64) -> Result<TTest, StatsError> {
    validate_min(sample, 2)?;
    validate_min(&[x], 1)?;
    let scale = Scale::for_samples(&[sample, &[x]]);
    let scaled = scale.apply(sample);
    let xs = scale.apply(&[x])[0];
    let m = Moments::of_checked(&scaled);
    let n = scaled.len() as f64;
    let diff = xs - m.mean;
    let sd = m.std_dev().unwrap_or_default();
    let df = n - 1.0;
    let (statistic, p_value) = if sd > 0.0 {
        let t = diff / (sd * (1.0 + 1.0 / n).sqrt());
        (t, student_t_two_sided_p(t, df))
    } else if diff == 0.0 {
        (0.0, 1.0)
    } else {
        (f64::MAX.copysign(diff), 0.0)
    };
    Ok(TTest {
        statistic,
        df,
        p_value,
        mean_difference: scale.restore(diff),
    })
}

/// [`compare`], except that a side with one point is judged by the prediction-interval test
/// ([`prediction_t_test`]) against the other side (≥ 2 points), reported as
/// `prediction_interval`; two one-point sides are [`StatsError::TooFew`].
pub fn compare_samples(
    baseline: &[f64],
    candidate: &[f64],
    params: &CompareParams,
) -> Result<Comparison, StatsError> {
    let single = match (baseline, candidate) {
        (b, [x]) if b.len() >= 2 => Some(prediction_t_test(b, *x)?),
        ([x], c) if c.len() >= 2 => Some(prediction_t_test(c, *x)?),
        ([_], [_]) => return Err(StatsError::TooFew { needed: 2, got: 1 }),
        _ => None,
    };
    match single {
        Some(test) => {
            check_params(params)?;
            judge(
                baseline,
                candidate,
                params,
                test.p_value,
                SignificanceTest::PredictionInterval,
            )
        }
        None if params.test == SignificanceTest::PredictionInterval => compare(
            baseline,
            candidate,
            &CompareParams {
                test: SignificanceTest::Welch,
                ..*params
            },
        ),
        None => compare(baseline, candidate, params),
    }
}

/// Regressed when the metric moved the wrong way.
fn direction(increased: bool, higher_is_better: bool) -> Verdict {
    if increased == higher_is_better {
        Verdict::Improved
    } else {
        Verdict::Regressed
    }
}

/// Result of [`drift`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// `regressed` / `improved` when the trend is significant, else `unchanged`.
    pub verdict: Verdict,
    /// The Mann–Kendall test over the run means (its Sen slope is per run).
    pub test: MannKendall,
}

/// Mann–Kendall drift test over per-run means in run order (≥ 3 runs); see the module docs.
pub fn drift(run_means: &[f64], alpha: f64, higher_is_better: bool) -> Result<Drift, StatsError> {
    check_alpha(alpha)?;
    let test = mann_kendall(run_means)?;
    let verdict = if test.p_value < alpha && test.s != 0 {
        direction(test.s > 0, higher_is_better)
    } else {
        Verdict::Unchanged
    };
    Ok(Drift { verdict, test })
}

/// Framework0's regression severity bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSeverity {
    /// |change| < 5 %.
    Stable,
    /// 5 % ≤ |change| ≤ 25 %.
    Medium,
    /// |change| > 25 %.
    High,
}

/// Framework0's change of a recent value against a baseline value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Framework0Change {
    /// (recent − base) / base · 100.
    pub change_percent: f64,
    /// Severity band of |change_percent|.
    pub severity: ChangeSeverity,
}

/// Framework0 parity: change% and its severity band (errors when `base` is 0 or either value is
/// not finite).
pub fn framework0_change(recent: f64, base: f64) -> Result<Framework0Change, StatsError> {
    validate_min(&[recent, base], 2)?;
    if base == 0.0 {
        return Err(StatsError::Undefined {
            what: "change percent",
            why: "the baseline value is 0",
        });
    }
    let change_percent = json_clean((recent - base) / base * 100.0);
    let severity = if change_percent.abs() < 5.0 {
        ChangeSeverity::Stable
    } else if change_percent.abs() > 25.0 {
        ChangeSeverity::High
    } else {
        ChangeSeverity::Medium
    };
    Ok(Framework0Change {
        change_percent,
        severity,
    })
}
