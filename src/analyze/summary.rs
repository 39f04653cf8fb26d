//! The statistical summary of one metric series, in Framework0's `StatisticalSummary` shape
//! (COMPAT §4):
//!
//! ```json
//! {"metric_name": "latency", "sample_count": 10, "time_range": [t0, t1], "mean": 45.0,
//!  "median": 45.0, "mode": null, "std_dev": 30.28, "variance": 916.67, "range_span": 90.0,
//!  "min_value": 0.0, "max_value": 90.0, "percentiles": {"50": 45.0, "99.9": 89.91},
//!  "skewness": 0.0, "kurtosis": -1.2}
//! ```
//!
//! Definitions are those of [`super::descriptive`] (sample statistics, denominator `n − 1`) and
//! [`super::quantile`]. Percentile keys are the requested percents printed in shortest form
//! (`50`, `99.9`), in ascending order. A summary needs at least two values, as Framework0's did
//! (the sample standard deviation of one value is undefined): one value is
//! [`StatsError::TooFew`]. `mode`, `skewness` and `kurtosis` are `null` where undefined (see
//! [`super::descriptive`]). The percentile method is not part of this shape; callers that
//! report it name it beside the summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::basic::json_clean;
use super::descriptive::{median_of_arranged, mode_of_sorted, Moments};
use super::error::{ensure_series, StatsError};
use super::order;
use super::quantile::{quantiles_of_sorted, PercentileMethod};

/// Framework0's default percentiles: p50, p90, p95, p99 and p99.9.
pub const DEFAULT_PERCENTILES: [f64; 5] = [50.0, 90.0, 95.0, 99.0, 99.9];

/// Percentile values keyed by percent, ascending; serialized as a JSON object `{"50": v, …}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Percentiles(Vec<(f64, f64)>);

impl Percentiles {
    /// The value at `percent` (as requested, e.g. `99.9`), if it was computed.
    pub fn get(&self, percent: f64) -> Option<f64> {
        self.0.iter().find(|(p, _)| *p == percent).map(|&(_, v)| v)
    }

    /// `(percent, value)` pairs in ascending percent order.
    pub fn iter(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.0.iter().copied()
    }

    /// Number of percentiles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no percentile was computed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON key of a percent: its shortest decimal form (`50`, `99.9`).
    pub fn key(percent: f64) -> String {
        format!("{percent}")
    }
}

impl Serialize for Percentiles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|&(p, v)| (Percentiles::key(p), v)))
    }
}

impl<'de> Deserialize<'de> for Percentiles {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, f64>::deserialize(deserializer)?;
        let mut pairs = raw
            .into_iter()
            .map(|(key, value)| {
                key.parse::<f64>().map(|p| (p, value)).map_err(|_| {
                    serde::de::Error::custom(format!("percentile key `{key}` is not a number"))
                })
            })
            .collect::<Result<Vec<_>, D::Error>>()?;
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Percentiles(pairs))
    }
}

/// Framework0's `StatisticalSummary` (COMPAT §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatisticalSummary {
    /// The metric's name.
    pub metric_name: String,
    /// Number of samples.
    pub sample_count: usize,
    /// `[first, last]` sample timestamps (epoch ns), when known.
    pub time_range: Option<(i64, i64)>,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// Most frequent value (smallest on a tie); `null` when no value repeats.
    pub mode: Option<f64>,
    /// Sample standard deviation (denominator `n − 1`).
    pub std_dev: f64,
    /// Sample variance (denominator `n − 1`).
    pub variance: f64,
    /// `max_value − min_value`.
    pub range_span: f64,
    /// Smallest sample.
    pub min_value: f64,
    /// Largest sample.
    pub max_value: f64,
    /// Requested percentiles by the chosen method.
    pub percentiles: Percentiles,
    /// Adjusted Fisher–Pearson skewness `G₁`; `null` below 3 samples or for a constant series.
    pub skewness: Option<f64>,
    /// Sample-adjusted excess kurtosis `G₂`; `null` below 4 samples or for a constant series.
    pub kurtosis: Option<f64>,
}

/// What [`summarize`] labels and computes besides the fixed statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Copied into [`StatisticalSummary::metric_name`].
    pub metric_name: String,
    /// Copied into [`StatisticalSummary::time_range`].
    pub time_range: Option<(i64, i64)>,
    /// Percents in `[0, 100]`; duplicates are dropped. Default [`DEFAULT_PERCENTILES`].
    pub percentiles: Vec<f64>,
    /// Quantile definition. Default `linear`; Framework0's own was `exclusive`.
    pub method: PercentileMethod,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            metric_name: String::new(),
            time_range: None,
            percentiles: DEFAULT_PERCENTILES.to_vec(),
            method: PercentileMethod::default(),
        }
    }
}

/// Summarizes a series of at least two finite values.
///
/// One sort of a copy serves median, mode and percentiles; moments take three linear passes.
/// Errors: [`StatsError::Empty`], [`StatsError::TooFew`] for one value, [`StatsError::NonFinite`]
/// naming the first NaN/inf index, [`StatsError::InvalidParameter`] for a percent outside
/// `[0, 100]`.
pub fn summarize(
    values: &[f64],
    options: &SummaryOptions,
) -> Result<StatisticalSummary, StatsError> {
    ensure_series(values, 2)?;
    let mut percents = options.percentiles.clone();
    if let Some(&bad) = percents.iter().find(|p| !(0.0..=100.0).contains(*p)) {
        return Err(StatsError::invalid(
            "percentile",
            bad,
            "a percent in [0, 100]",
        ));
    }
    percents.sort_by(f64::total_cmp);
    percents.dedup();
    let probabilities: Vec<f64> = percents.iter().map(|p| p / 100.0).collect();

    let moments = Moments::of_checked(values);
    let mut sorted = values.to_vec();
    order::sort(&mut sorted);
    let levels = quantiles_of_sorted(&sorted, &probabilities, options.method)?;
    let variance = moments.variance().unwrap_or_default();
    Ok(StatisticalSummary {
        metric_name: options.metric_name.clone(),
        sample_count: values.len(),
        time_range: options.time_range,
        mean: moments.mean,
        median: median_of_arranged(&sorted),
        mode: mode_of_sorted(&sorted),
        std_dev: moments.std_dev().unwrap_or_default(),
        variance,
        range_span: moments.max - moments.min,
        min_value: moments.min,
        max_value: moments.max,
        percentiles: Percentiles(percents.into_iter().zip(levels).collect()),
        skewness: moments.skewness(),
        kurtosis: moments.kurtosis(),
    })
}

impl StatisticalSummary {
    /// The summary with every statistic saturated at ±`f64::MAX` (a variance or range of values
    /// beyond ~1e154 overflows to infinity, which JSON cannot hold), for JSON output.
    pub fn saturated(mut self) -> StatisticalSummary {
        for v in [
            &mut self.mean,
            &mut self.median,
            &mut self.std_dev,
            &mut self.variance,
            &mut self.range_span,
            &mut self.min_value,
            &mut self.max_value,
        ] {
            *v = json_clean(*v);
        }
        for v in [&mut self.mode, &mut self.skewness, &mut self.kurtosis]
            .into_iter()
            .flatten()
        {
            *v = json_clean(*v);
        }
        for (_, v) in &mut self.percentiles.0 {
            *v = json_clean(*v);
        }
        self
    }
}
