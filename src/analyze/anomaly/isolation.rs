//! Learned detector: an isolation forest (see [`super::forest`]) over windowed features of each
//! point t:
//!
//! 1. the value x_t,
//! 2. the difference from the previous value x_t − x_{t−1} (0 for the first point),
//! 3. the deviation from the mean of the previous `window` values (fewer at the start; 0 for the
//!    first point).
//!
//! Decision: with `contamination = Some(f)` the ⌊f·n⌉ highest-scoring points are flagged (points
//! tied with the last one are flagged too); otherwise every point whose score exceeds
//! `score_threshold` (0.6 by default: the paper reads ≈ 0.5 as "no distinct anomaly" and scores
//! near 1 as isolated). Confidence is clamp((s − 0.5)/0.5, 0, 1), `deviation_magnitude` the score
//! itself and `baseline_value` the median. Because of the difference feature the point right
//! after a spike also stands out (its difference is the spike's mirror image), so a spike often
//! flags its successor as well. Needs ≥ 10 points; the result depends only on the data and the
//! seed. A zero-spread series (every value equal) has nothing to isolate: no point is flagged,
//! with or without `contamination`, and every score is 0.5, the score of a point no tree can
//! split off (rounding in the rolling mean would otherwise make some points look isolated).

use serde::{Deserialize, Serialize};

use super::forest::{scores, Row};
use super::{AnomalyMethod, AnomalyPoint};
use crate::analyze::basic::{check_open_unit, validate_min, Scale};
use crate::analyze::descriptive::median_of_checked;
use crate::analyze::error::StatsError;

/// Isolation-forest settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IsolationForestParams {
    /// Number of trees (≥ 1); 100 as in the paper.
    pub trees: usize,
    /// Points per tree ψ (≥ 2, capped at n); 256 as in the paper.
    pub subsample: usize,
    /// Trailing window of the rolling-mean feature (≥ 1).
    pub window: usize,
    /// Seed of the xoshiro256** stream that grows the forest.
    pub seed: u64,
    /// Expected fraction of anomalies in [0, 0.5]; when set it replaces `score_threshold`.
    pub contamination: Option<f64>,
    /// Score above which a point is anomalous when `contamination` is unset, in (0, 1).
    pub score_threshold: f64,
}

impl Default for IsolationForestParams {
    fn default() -> Self {
        IsolationForestParams {
            trees: 100,
            subsample: 256,
            window: 10,
            seed: 0x5EED_F0F0,
            contamination: None,
            score_threshold: 0.6,
        }
    }
}

/// Score 2^(−c(ψ)/c(ψ)) of a point that no tree can split from the others.
const UNSPLITTABLE_SCORE: f64 = 0.5;

/// Minimum series length of the isolation forest.
pub const ISOLATION_MIN_POINTS: usize = 10;

impl IsolationForestParams {
    fn validate(&self) -> Result<(), StatsError> {
        if self.trees == 0 {
            return Err(StatsError::invalid("trees", self.trees, "an integer ≥ 1"));
        }
        if self.subsample < 2 {
            return Err(StatsError::invalid(
                "subsample",
                self.subsample,
                "an integer ≥ 2",
            ));
        }
        if self.window == 0 {
            return Err(StatsError::invalid("window", self.window, "an integer ≥ 1"));
        }
        if let Some(c) = self.contamination {
            if !(0.0..=0.5).contains(&c) {
                return Err(StatsError::invalid(
                    "contamination",
                    c,
                    "a fraction in [0, 0.5]",
                ));
            }
        }
        check_open_unit(
            "score_threshold",
            self.score_threshold,
            "a number in (0, 1)",
        )
    }
}

/// (value, diff from previous, deviation from trailing mean) per point.
fn features(x: &[f64], window: usize) -> Vec<Row> {
    let mut rolling = 0.0;
    x.iter()
        .enumerate()
        .map(|(t, &v)| {
            if t == 0 {
                rolling += v;
                return [v, 0.0, 0.0];
            }
            let k = t.min(window);
            let row = [v, v - x[t - 1], v - rolling / k as f64];
            rolling += v;
            if t >= window {
                rolling -= x[t - window];
            }
            row
        })
        .collect()
}

/// Score threshold that flags the top ⌊f·n⌉ scores (∞ when none is to be flagged).
fn contamination_threshold(scores: &[f64], fraction: f64) -> f64 {
    let k = (fraction * scores.len() as f64).round() as usize;
    if k == 0 {
        return f64::INFINITY;
    }
    let mut desc = scores.to_vec();
    desc.sort_by(|a, b| b.total_cmp(a));
    desc[k - 1]
}

/// Isolation-forest detector; see the module docs.
pub fn isolation_forest(
    values: &[f64],
    params: &IsolationForestParams,
) -> Result<Vec<AnomalyPoint>, StatsError> {
    params.validate()?;
    validate_min(values, ISOLATION_MIN_POINTS)?;
    let scale = Scale::for_values(values);
    let x = scale.apply(values);
    let zero_spread = values.iter().all(|&v| v == values[0]);
    let s = if zero_spread {
        vec![UNSPLITTABLE_SCORE; values.len()]
    } else {
        let rows = features(&x, params.window);
        scores(&rows, params.trees, params.subsample, params.seed)
    };
    let median = scale.restore(median_of_checked(&x));
    let cut = params.contamination.map(|f| contamination_threshold(&s, f));
    Ok(values
        .iter()
        .zip(&s)
        .enumerate()
        .map(|(i, (&v, &score))| {
            let is_anomaly = !zero_spread
                && match cut {
                    Some(c) => score >= c,
                    None => score > params.score_threshold,
                };
            let confidence = ((score - 0.5) / 0.5).clamp(0.0, 1.0);
            AnomalyPoint::new(
                i,
                v,
                is_anomaly,
                confidence,
                AnomalyMethod::IsolationForest,
                median,
                score,
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_use_previous_window_only() {
        let rows = features(&[1.0, 3.0, 5.0, 7.0], 2);
        assert_eq!(rows[0], [1.0, 0.0, 0.0]);
        assert_eq!(rows[1], [3.0, 2.0, 2.0]); // mean of [1]
        assert_eq!(rows[2], [5.0, 2.0, 3.0]); // mean of [1, 3]
        assert_eq!(rows[3], [7.0, 2.0, 3.0]); // mean of [3, 5]
    }

    #[test]
    fn contamination_picks_the_top_scores() {
        let s = [0.4, 0.9, 0.5, 0.8, 0.45];
        assert_eq!(contamination_threshold(&s, 0.4), 0.8);
        assert_eq!(contamination_threshold(&s, 0.0), f64::INFINITY);
    }
}
