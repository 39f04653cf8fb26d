//! Framework0's baseline-deviation detector (COMPAT §5): the baseline is the median of the whole
//! window, the spread its sample standard deviation s (n − 1); each of the last
//! [`BASELINE_TAIL`] samples is flagged when |x − median| > sensitivity · s.
//!
//! Only those tail samples are evaluated, so only they appear in the result (their `index`
//! still points into the full series). `deviation_magnitude` is |x − median| in the metric's
//! unit; confidence is min(|x − median| / (2·sensitivity·s), 1), above 0.5 exactly for flagged
//! points. Needs ≥ 2 points. A constant window (s = 0) flags any tail sample off the median.

use super::{check_sensitivity, half_scaled_confidence, AnomalyMethod, AnomalyPoint};
use crate::analyze::basic::{validate_min, Scale};
use crate::analyze::descriptive::{median_of_checked, Moments};
use crate::analyze::error::StatsError;

/// Number of most recent samples the baseline detector evaluates.
pub const BASELINE_TAIL: usize = 10;

/// Deviation of the last samples from the window median; see the module docs.
pub fn baseline_deviation(
    values: &[f64],
    sensitivity: f64,
) -> Result<Vec<AnomalyPoint>, StatsError> {
    check_sensitivity(sensitivity)?;
    validate_min(values, 2)?;
    let scale = Scale::for_values(values);
    let z = scale.apply(values);
    let median = median_of_checked(&z);
    let threshold = sensitivity * Moments::of_checked(&z).std_dev().unwrap_or_default();
    let start = values.len().saturating_sub(BASELINE_TAIL);
    Ok((start..values.len())
        .map(|i| {
            let dev = (z[i] - median).abs();
            AnomalyPoint::new(
                i,
                values[i],
                dev > threshold,
                half_scaled_confidence(dev, threshold),
                AnomalyMethod::Baseline,
                scale.restore(median),
                scale.restore(dev),
            )
        })
        .collect())
}
