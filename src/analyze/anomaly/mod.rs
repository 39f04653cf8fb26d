//! Anomaly detectors over a series of values. Each returns one [`AnomalyPoint`] per evaluated
//! point with a decision, a confidence in [0, 1], the baseline it was compared with and the size
//! of the deviation, all JSON-clean (never NaN or infinite).
//!
//! | method | baseline | deviation_magnitude | flagged when | confidence |
//! |---|---|---|---|---|
//! | [`zscore`] | mean | z = \|x−x̄\|/s | z > sens | min(z/(2·sens), 1) |
//! | [`modified_zscore`] | median | M = 0.6745\|x−x̃\|/MAD | M > 1.75·sens | min(M/(3.5·sens), 1) |
//! | [`iqr`] (type-7 quartiles) | median | distance beyond the fence | outside Q1−k·IQR, Q3+k·IQR, k = 1.5·sens | min(u/(2k), 1), u = excess/IQR |
//! | [`iqr_nearest_rank`] (Framework0) | median | distance beyond the fence | as above with sorted\[n/4\], sorted\[3n/4\] | min(distance/(IQR+1), 1) |
//! | [`baseline_deviation`] (last 10 points) | median | \|x−x̃\| | \|x−x̃\| > sens·s | min(\|x−x̃\|/(2·sens·s), 1) |
//! | [`ewma`] | μ₀ (robust centre) | \|z_t−μ₀\|/σ_{z,t} | > L = 1.5·sens (or `limit`) | min(ratio/(2L), 1) |
//! | [`isolation_forest`] | median | anomaly score s | s > 0.6 or top contamination·n | clamp((s−0.5)/0.5, 0, 1) |
//!
//! `sens` is the common sensitivity (Framework0's `anomaly_sensitivity`, default 2.0; larger is
//! *less* sensitive). Every method except the forest and Framework0's IQR is scaled so that a
//! flagged point has confidence ≥ 0.5 and an unflagged one ≤ 0.5; the defaults give the textbook constants
//! (z > 2, Iglewicz–Hoaglin M > 3.5, Tukey's far-out fence k = 3, EWMA L = 3).

mod baseline_window;
mod ewma;
mod forest;
mod iqr;
mod isolation;
mod zscore;

use serde::{Deserialize, Serialize};

use super::basic::json_clean;
use super::error::StatsError;

pub use baseline_window::{baseline_deviation, BASELINE_TAIL};
pub use ewma::{ewma, EwmaParams};
pub use iqr::{iqr, iqr_nearest_rank};
pub use isolation::{isolation_forest, IsolationForestParams};
pub use zscore::{modified_zscore, zscore};

/// Framework0's default anomaly sensitivity.
pub const DEFAULT_SENSITIVITY: f64 = 2.0;

/// Which detector produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyMethod {
    /// Classic z-score against mean and sample standard deviation.
    Zscore,
    /// Iglewicz–Hoaglin modified z-score (median / MAD).
    ModifiedZscore,
    /// Tukey fences on interpolated (type-7) quartiles.
    Iqr,
    /// Framework0's nearest-rank quartile fences (parity mode).
    IqrNearestRank,
    /// Framework0's deviation from the window median, last 10 samples.
    Baseline,
    /// EWMA control chart with time-varying limits.
    Ewma,
    /// Isolation forest over windowed features.
    IsolationForest,
}

impl AnomalyMethod {
    /// Every method, in declaration order.
    pub const ALL: [AnomalyMethod; 7] = [
        AnomalyMethod::Zscore,
        AnomalyMethod::ModifiedZscore,
        AnomalyMethod::Iqr,
        AnomalyMethod::IqrNearestRank,
        AnomalyMethod::Baseline,
        AnomalyMethod::Ewma,
        AnomalyMethod::IsolationForest,
    ];

    /// The method's name, as serialized (`zscore`, `modified_zscore`, …).
    pub fn name(self) -> &'static str {
        match self {
            AnomalyMethod::Zscore => "zscore",
            AnomalyMethod::ModifiedZscore => "modified_zscore",
            AnomalyMethod::Iqr => "iqr",
            AnomalyMethod::IqrNearestRank => "iqr_nearest_rank",
            AnomalyMethod::Baseline => "baseline",
            AnomalyMethod::Ewma => "ewma",
            AnomalyMethod::IsolationForest => "isolation_forest",
        }
    }

    /// Every name, comma-separated, for messages.
    pub fn names() -> String {
        AnomalyMethod::ALL.map(AnomalyMethod::name).join(", ")
    }
}

impl std::str::FromStr for AnomalyMethod {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AnomalyMethod::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                StatsError::invalid(
                    "anomaly method",
                    s,
                    "zscore, modified_zscore, iqr, iqr_nearest_rank, baseline, ewma or isolation_forest",
                )
            })
    }
}

/// Per-point result of a detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyPoint {
    /// 0-based position in the input series.
    pub index: usize,
    /// The input value.
    pub value: f64,
    /// The detector's decision.
    pub is_anomaly: bool,
    /// Confidence in [0, 1] that the point is anomalous (see the module table).
    pub confidence: f64,
    /// The detector.
    pub method: AnomalyMethod,
    /// What the point was compared with (mean, median, control-chart centre).
    pub baseline_value: f64,
    /// Size of the deviation in the method's own unit (see the module table).
    pub deviation_magnitude: f64,
}

impl AnomalyPoint {
    /// Builds a JSON-clean point: NaN becomes 0, infinities saturate, confidence is clamped.
    pub(crate) fn new(
        index: usize,
        value: f64,
        is_anomaly: bool,
        confidence: f64,
        method: AnomalyMethod,
        baseline_value: f64,
        deviation_magnitude: f64,
    ) -> Self {
        AnomalyPoint {
            index,
            value,
            is_anomaly,
            confidence: json_clean(confidence).clamp(0.0, 1.0),
            method,
            baseline_value: json_clean(baseline_value),
            deviation_magnitude: json_clean(deviation_magnitude),
        }
    }
}

/// Rejects a sensitivity that is not a positive finite number.
pub(crate) fn check_sensitivity(sensitivity: f64) -> Result<(), StatsError> {
    if sensitivity > 0.0 && sensitivity.is_finite() {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "sensitivity",
            sensitivity,
            "a finite number > 0 (default 2.0)",
        ))
    }
}

/// `score / (2·threshold)` capped at 1: ≥ 0.5 when the score is above the threshold and ≤ 0.5
/// when it is not (rounding is monotone, so this holds exactly). A zero threshold (degenerate
/// spread) gives 1 for any positive score.
pub(crate) fn half_scaled_confidence(score: f64, threshold: f64) -> f64 {
    if score <= 0.0 {
        0.0
    } else if threshold <= 0.0 {
        1.0
    } else {
        (score / threshold).min(2.0) / 2.0
    }
}

/// Settings for [`detect`]: the common sensitivity plus the two parameterised models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnomalyConfig {
    /// Common sensitivity (> 0); see the module table for its effect on each method.
    pub sensitivity: f64,
    /// EWMA chart parameters (its L is derived from `sensitivity`).
    pub ewma: EwmaParams,
    /// Isolation-forest parameters.
    pub isolation_forest: IsolationForestParams,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        AnomalyConfig {
            sensitivity: DEFAULT_SENSITIVITY,
            ewma: EwmaParams::default(),
            isolation_forest: IsolationForestParams::default(),
        }
    }
}

/// Runs one detector by name.
pub fn detect(
    values: &[f64],
    method: AnomalyMethod,
    config: &AnomalyConfig,
) -> Result<Vec<AnomalyPoint>, StatsError> {
    let s = config.sensitivity;
    match method {
        AnomalyMethod::Zscore => zscore(values, s),
        AnomalyMethod::ModifiedZscore => modified_zscore(values, s),
        AnomalyMethod::Iqr => iqr(values, s),
        AnomalyMethod::IqrNearestRank => iqr_nearest_rank(values, s),
        AnomalyMethod::Baseline => baseline_deviation(values, s),
        AnomalyMethod::Ewma => ewma(values, s, &config.ewma),
        AnomalyMethod::IsolationForest => isolation_forest(values, &config.isolation_forest),
    }
}

#[cfg(test)]
mod tests {
    use super::AnomalyMethod;

    #[test]
    fn names_match_the_json_and_parse_back() {
        for m in AnomalyMethod::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.name());
            assert_eq!(m.name().parse::<AnomalyMethod>(), Ok(m));
        }
        let err = "zscores".parse::<AnomalyMethod>().unwrap_err().to_string();
        assert!(
            err.contains(&AnomalyMethod::names().replace(", isolation", " or isolation")),
            "{err}"
        );
    }
}
