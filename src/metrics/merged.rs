//! [`Merged`]: a plain (non-atomic) aggregate — thread snapshots of `local_agg` merged by
//! Chan, Golub & LeVeque for the moments and bucket-wise for the histogram — and the
//! Framework0 summary computed from it.

use super::local_agg::{bucket_high, bucket_of, row_len, ROWS};
use super::types::{percentile_key, MetricAggregation};

/// A plain (non-atomic) aggregate: the merge of thread snapshots.
#[derive(Debug, Clone)]
pub(crate) struct Merged {
    /// Sub-bucket bits of `rows`.
    pub(super) s: u32,
    /// Number of values.
    pub(crate) count: u64,
    /// Their mean.
    pub(super) mean: f64,
    /// Sum of squared deviations from the mean.
    pub(super) m2: f64,
    /// Smallest value.
    pub(super) min: u64,
    /// Largest value.
    pub(super) max: u64,
    /// Raw time of the first value.
    pub(super) first: u64,
    /// Raw time of the last value.
    pub(super) last: u64,
    /// Bucket counts by row (see `local_agg`).
    pub(super) rows: Vec<Vec<u64>>,
}

impl Merged {
    pub(crate) fn empty(s: u32) -> Merged {
        Merged {
            s,
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: u64::MAX,
            max: 0,
            first: u64::MAX,
            last: 0,
            rows: vec![Vec::new(); ROWS],
        }
    }

    /// Folds `o` in (Chan et al. for the moments; bucket-wise sums).
    pub(crate) fn merge(&mut self, o: &Merged) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = o.clone();
            return;
        }
        let (na, nb) = (self.count as f64, o.count as f64);
        let delta = o.mean - self.mean;
        self.mean += delta * nb / (na + nb);
        self.m2 += o.m2 + delta * delta * na * nb / (na + nb);
        self.count += o.count;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if self.s == o.s {
            for (a, b) in self.rows.iter_mut().zip(&o.rows) {
                if a.len() < b.len() {
                    a.resize(b.len(), 0);
                }
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
            }
            return;
        }
        // Different precision (configured by another install): re-bucket by upper bounds.
        for (r, row) in o.rows.iter().enumerate() {
            for (i, &c) in row.iter().enumerate().filter(|(_, c)| **c > 0) {
                let (rr, ii) = bucket_of(bucket_high(r, i, o.s), self.s);
                let dst = &mut self.rows[rr];
                if dst.len() <= ii {
                    dst.resize(row_len(rr, self.s), 0);
                }
                dst[ii] += c;
            }
        }
    }

    /// The Framework0 summary; values are multiplied by `scale` (ns per tick for timers) and
    /// raw times converted by `epoch`. None when empty.
    pub(crate) fn summary(
        &self,
        metric_name: &str,
        percentiles: &[f64],
        scale: f64,
        epoch: impl Fn(u64) -> i64,
    ) -> Option<MetricAggregation> {
        if self.count == 0 {
            return None;
        }
        let (mean, std_dev, min_value, max_value) = self.moments(scale);
        Some(MetricAggregation {
            metric_name: metric_name.to_string(),
            count: self.count,
            mean,
            median: self.percentile(50.0) as f64 * scale,
            std_dev,
            min_value,
            max_value,
            percentiles: percentiles
                .iter()
                .map(|&p| (percentile_key(p), self.percentile(p) as f64 * scale))
                .collect(),
            time_range: (epoch(self.first), epoch(self.last)),
        })
    }

    /// `(mean, sample sd, min, max)` scaled by `scale`.
    fn moments(&self, scale: f64) -> (f64, f64, f64, f64) {
        let sd = if self.count > 1 {
            (self.m2 / (self.count - 1) as f64).sqrt()
        } else {
            0.0
        };
        (
            self.mean * scale,
            sd * scale,
            self.min as f64 * scale,
            self.max as f64 * scale,
        )
    }

    /// Value at percentile `p` in (0, 100] by nearest rank over the buckets (the bucket's
    /// upper bound, clamped into [min, max]), unscaled.
    fn percentile(&self, p: f64) -> u64 {
        let total: u64 = self.rows.iter().flatten().sum();
        if total == 0 {
            return 0;
        }
        let rank = ((p / 100.0 * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0u64;
        for (r, row) in self.rows.iter().enumerate() {
            for (i, &c) in row.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    return bucket_high(r, i, self.s).clamp(self.min, self.max);
                }
            }
        }
        self.max
    }
}
