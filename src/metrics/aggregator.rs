//! Streaming aggregation of one series into a [`MetricAggregation`], for values that arrive
//! as `f64` through the slow path (failed calls, trackers, custom metrics, gauges). Hot-path
//! timers and histograms are aggregated per thread instead (`local_agg`).
//!
//! Count, mean, variance, min and max are exact: Welford's online update
//! (`δ = x − mean; mean += δ/n; M2 += δ·(x − mean)`) and, to combine two partial aggregates,
//! Chan, Golub & LeVeque (1979): `n = nₐ + n_b`, `δ = mean_b − meanₐ`,
//! `mean = meanₐ + δ·n_b/n`, `M2 = M2ₐ + M2_b + δ²·nₐ·n_b/n`. The standard deviation is the
//! sample one, `sqrt(M2 / (n − 1))` (Python `statistics.stdev`), 0 below two samples.
//! Median and percentiles come from an HdrHistogram (Tene) of the values rounded to integers
//! of the unit, with a configurable number of significant digits `d`: a reported percentile is
//! within a relative error of `10^−d` of a sample at that rank, clamped into `[min, max]`.

use std::sync::atomic::{AtomicU8, Ordering};

use hdrhistogram::Histogram;

use super::types::{percentile_key, MetricAggregation};

/// Significant digits for histograms created from now on (set by `install`, 1..=5).
pub(crate) static SIGNIFICANT_DIGITS: AtomicU8 = AtomicU8::new(3);

/// The running aggregate of one series.
#[derive(Debug, Clone)]
pub struct Aggregator {
    hist: Histogram<u64>,
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    first_ts: i64,
    last_ts: i64,
}

impl Aggregator {
    /// An empty aggregate with `significant_digits` (clamped to 1..=5) of histogram precision.
    pub fn new(significant_digits: u8) -> Aggregator {
        let hist =
            Histogram::new(significant_digits.clamp(1, 5)).expect("sigfig in 1..=5 is valid");
        Aggregator {
            hist,
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            first_ts: i64::MAX,
            last_ts: i64::MIN,
        }
    }

    /// An empty aggregate with the precision configured at install time.
    pub fn with_configured_precision() -> Aggregator {
        Aggregator::new(SIGNIFICANT_DIGITS.load(Ordering::Relaxed))
    }

    /// Adds one sample taken at `ts` (epoch ns). Non-finite values are ignored (the recording
    /// API never produces them).
    pub fn record(&mut self, value: f64, ts: i64) {
        if !value.is_finite() {
            return;
        }
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (value - self.mean);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.first_ts = self.first_ts.min(ts);
        self.last_ts = self.last_ts.max(ts);
        // Histogram of non-negative integers; auto-resizes, so recording cannot fail.
        let _ = self.hist.record(value.max(0.0).round() as u64);
    }

    /// Folds `other` into `self`.
    pub fn merge(&mut self, other: &Aggregator) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * nb / n;
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.first_ts = self.first_ts.min(other.first_ts);
        self.last_ts = self.last_ts.max(other.last_ts);
        let _ = self.hist.add(&other.hist);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The summary, with the given percentiles (each in (0, 100]); None when empty.
    pub fn summary(&self, metric_name: &str, percentiles: &[f64]) -> Option<MetricAggregation> {
        if self.count == 0 {
            return None;
        }
        let q = |p: f64| (self.hist.value_at_quantile(p / 100.0) as f64).clamp(self.min, self.max);
        let std_dev = if self.count > 1 {
            (self.m2.max(0.0) / (self.count - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(MetricAggregation {
            metric_name: metric_name.to_string(),
            count: self.count,
            mean: self.mean,
            median: q(50.0),
            std_dev,
            min_value: self.min,
            max_value: self.max,
            percentiles: percentiles
                .iter()
                .map(|&p| (percentile_key(p), q(p)))
                .collect(),
            time_range: (self.first_ts, self.last_ts),
        })
    }
}
