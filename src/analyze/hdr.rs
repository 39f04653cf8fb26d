//! Streaming percentiles from an HDR histogram, for series too large to keep or sort.
//!
//! An HDR histogram ([`hdrhistogram`]) with `d` significant decimal digits (0–5) stores integer
//! values in buckets whose width never exceeds `1/2^⌈log₂(2·10^d)⌉−1 ≤ 10^−d` of the values
//! they hold (values below `2·10^d` are exact), in O(1) per record and a few tens of KiB whatever
//! the count. Quantiles use the inverted-CDF rank `⌈p·n⌉` (H&F type 1, at least rank 1) and
//! report the upper edge of the bucket (the lower edge for `p = 0`).
//!
//! Real values are recorded as `round(x·scale)`, so `scale` sets the absolute resolution
//! (`1.0` for integer nanoseconds, `1000.0` for milliseconds kept to the microsecond).
//! Guarantee: with `q` the exact `inverted_cdf` quantile of the recorded values,
//! `|Q̂(p) − q| ≤ 10^−d·|q| + 1/scale` ([`HdrQuantiles::error_bound`]); tested in
//! `tests/analyze_quantile.rs`.
//!
//! Reference: G. Tene, HdrHistogram (<http://hdrhistogram.org>); the `hdrhistogram` crate.

use hdrhistogram::Histogram;

use super::error::{ensure_finite, ensure_probability, StatsError};

/// A growing histogram of non-negative real values, queried for quantiles.
#[derive(Debug, Clone)]
pub struct HdrQuantiles {
    histogram: Histogram<u64>,
    scale: f64,
    digits: u8,
}

impl HdrQuantiles {
    /// An empty histogram keeping `significant_digits` (0–5) digits, recording `round(x·scale)`.
    pub fn new(significant_digits: u8, scale: f64) -> Result<HdrQuantiles, StatsError> {
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(StatsError::invalid(
                "scale",
                scale,
                "a finite scale factor above 0",
            ));
        }
        let histogram = Histogram::<u64>::new(significant_digits).map_err(|_| {
            StatsError::invalid("significant_digits", significant_digits, "0 to 5 digits")
        })?;
        Ok(HdrQuantiles {
            histogram,
            scale,
            digits: significant_digits,
        })
    }

    /// Builds a histogram of `values` (see [`HdrQuantiles::record`]). Errors name the first bad
    /// index: [`StatsError::NonFinite`], or [`StatsError::InvalidParameter`] for `values[i]`.
    pub fn from_values(
        values: &[f64],
        significant_digits: u8,
        scale: f64,
    ) -> Result<HdrQuantiles, StatsError> {
        ensure_finite(values)?;
        let mut hdr = HdrQuantiles::new(significant_digits, scale)?;
        for (index, &value) in values.iter().enumerate() {
            hdr.record(value).map_err(|err| match err {
                StatsError::Invalid {
                    value, accepted, ..
                } => StatsError::Invalid {
                    name: format!("values[{index}]"),
                    value,
                    accepted,
                },
                other => other,
            })?;
        }
        Ok(hdr)
    }

    /// Records one value: finite, `≥ 0`, with `x·scale` below `2^62`; otherwise
    /// [`StatsError::Invalid`].
    pub fn record(&mut self, value: f64) -> Result<(), StatsError> {
        let scaled = (value * self.scale).round();
        let accepted = || format!("a finite value in [0, 2^62 / {}]", self.scale);
        // NaN and ±inf fail the range test too.
        if !(0.0..4.611_686_018_427_388e18).contains(&scaled) {
            return Err(StatsError::invalid_at("value", value, accepted()));
        }
        self.histogram
            .record(scaled as u64)
            .map_err(|_| StatsError::invalid_at("value", value, accepted()))
    }

    /// Number of recorded values.
    pub fn len(&self) -> u64 {
        self.histogram.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.histogram.is_empty()
    }

    /// The underlying histogram (integer units of `1/scale`).
    pub fn histogram(&self) -> &Histogram<u64> {
        &self.histogram
    }

    /// The largest error of a reported quantile `q̂` for the exact quantile `q`:
    /// `10^−d·|q| + 1/scale`.
    pub fn error_bound(&self, q: f64) -> f64 {
        10f64.powi(-i32::from(self.digits)) * q.abs() + 1.0 / self.scale
    }

    /// Quantiles at probabilities `ps` (each in `[0, 1]`); [`StatsError::Empty`] if nothing was recorded.
    pub fn quantiles(&self, ps: &[f64]) -> Result<Vec<f64>, StatsError> {
        histogram_quantiles(&self.histogram, ps, self.scale)
    }
}

/// Quantiles at probabilities `ps` of any histogram whose unit is `1/scale`.
pub fn histogram_quantiles(
    histogram: &Histogram<u64>,
    ps: &[f64],
    scale: f64,
) -> Result<Vec<f64>, StatsError> {
    if histogram.is_empty() {
        return Err(StatsError::Empty);
    }
    ps.iter()
        .map(|&p| {
            ensure_probability(p)?;
            Ok(histogram.value_at_quantile(p) as f64 / scale)
        })
        .collect()
}
