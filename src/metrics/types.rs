//! Metric data model in Framework0's exact JSON shapes (COMPAT.md §4).
//!
//! Enum strings are fixed: `MetricType` serializes as `timing`, `throughput`, `resource`,
//! `counter`, `gauge`, `histogram`; `MetricUnit` as `ns`, `μs` (U+03BC GREEK SMALL LETTER MU),
//! `ms`, `s`, `bytes`, `KB`, `MB`, `%`, `count`, `ops/s`. A [`PerformanceMetric`] serializes its
//! fields in Framework0's order: `name, value, metric_type, unit, timestamp, tags, source, context`,
//! with `timestamp` an `i64` of nanoseconds since the Unix epoch.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Errors raised when building metric values from untrusted input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// A metric name was empty.
    #[error("metric name must not be empty")]
    EmptyName,
    /// A value was NaN or infinite.
    #[error("metric `{name}` has non-finite value {value}; a finite number is required")]
    NonFinite {
        /// The metric's name.
        name: String,
        /// The rejected value.
        value: f64,
    },
    /// A metric name, tag key or tag value longer than [`MAX_IDENTITY_BYTES`].
    #[error(
        "metric {what} of {len} bytes is longer than the {MAX_IDENTITY_BYTES}-byte limit: {start}…"
    )]
    TooLong {
        /// `name`, `tag key` or `tag value`.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// Its first 60 characters.
        start: String,
    },
    /// A string did not name a known metric type.
    #[error("unknown metric type `{0}`; expected one of timing, throughput, resource, counter, gauge, histogram")]
    UnknownType(String),
    /// A string did not name a known metric unit.
    #[error(
        "unknown metric unit `{0}`; expected one of ns, μs, ms, s, bytes, KB, MB, %, count, ops/s"
    )]
    UnknownUnit(String),
}

/// The longest metric name, tag key or tag value accepted, in bytes (1 KiB): a series'
/// identity is printed in every report and log line, and stored with every sample.
pub const MAX_IDENTITY_BYTES: usize = 1024;

/// Checks a series' identity: a non-empty name, and name, tag keys and tag values within
/// [`MAX_IDENTITY_BYTES`].
pub fn check_identity(name: &str, tags: &BTreeMap<String, String>) -> Result<(), MetricError> {
    if name.is_empty() {
        return Err(MetricError::EmptyName);
    }
    let too_long = |what, s: &str| MetricError::TooLong {
        what,
        len: s.len(),
        start: s.chars().take(60).collect(),
    };
    if name.len() > MAX_IDENTITY_BYTES {
        return Err(too_long("name", name));
    }
    for (k, v) in tags {
        if k.len() > MAX_IDENTITY_BYTES {
            return Err(too_long("tag key", k));
        }
        if v.len() > MAX_IDENTITY_BYTES {
            return Err(too_long("tag value", v));
        }
    }
    Ok(())
}

/// What a metric measures (Framework0 `MetricType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    /// A duration.
    Timing,
    /// A rate of work.
    Throughput,
    /// A resource level (CPU, memory, disk).
    Resource,
    /// A monotonically growing total.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// A distribution sample.
    Histogram,
}

impl MetricType {
    /// All variants, in declaration order.
    pub const ALL: [MetricType; 6] = [
        MetricType::Timing,
        MetricType::Throughput,
        MetricType::Resource,
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
    ];

    /// The Framework0 string for this type.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Timing => "timing",
            MetricType::Throughput => "throughput",
            MetricType::Resource => "resource",
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
        }
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MetricType {
    type Err = MetricError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| MetricError::UnknownType(s.to_string()))
    }
}

/// The unit of a metric value (Framework0 `MetricUnit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MetricUnit {
    /// Nanoseconds, `ns`.
    #[serde(rename = "ns")]
    Nanoseconds,
    /// Microseconds, `μs` (U+03BC).
    #[serde(rename = "\u{03bc}s")]
    Microseconds,
    /// Milliseconds, `ms`.
    #[serde(rename = "ms")]
    Milliseconds,
    /// Seconds, `s`.
    #[serde(rename = "s")]
    Seconds,
    /// Bytes, `bytes`.
    #[serde(rename = "bytes")]
    Bytes,
    /// Kilobytes, `KB`.
    #[serde(rename = "KB")]
    Kilobytes,
    /// Megabytes, `MB`.
    #[serde(rename = "MB")]
    Megabytes,
    /// Percent, `%`.
    #[serde(rename = "%")]
    Percent,
    /// A plain count, `count`.
    #[serde(rename = "count")]
    Count,
    /// Operations per second, `ops/s`.
    #[serde(rename = "ops/s")]
    OpsPerSecond,
}

impl MetricUnit {
    /// All variants, in declaration order.
    pub const ALL: [MetricUnit; 10] = [
        MetricUnit::Nanoseconds,
        MetricUnit::Microseconds,
        MetricUnit::Milliseconds,
        MetricUnit::Seconds,
        MetricUnit::Bytes,
        MetricUnit::Kilobytes,
        MetricUnit::Megabytes,
        MetricUnit::Percent,
        MetricUnit::Count,
        MetricUnit::OpsPerSecond,
    ];

    /// The Framework0 string for this unit.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricUnit::Nanoseconds => "ns",
            MetricUnit::Microseconds => "\u{03bc}s",
            MetricUnit::Milliseconds => "ms",
            MetricUnit::Seconds => "s",
            MetricUnit::Bytes => "bytes",
            MetricUnit::Kilobytes => "KB",
            MetricUnit::Megabytes => "MB",
            MetricUnit::Percent => "%",
            MetricUnit::Count => "count",
            MetricUnit::OpsPerSecond => "ops/s",
        }
    }
}

impl fmt::Display for MetricUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MetricUnit {
    type Err = MetricError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricUnit::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| MetricError::UnknownUnit(s.to_string()))
    }
}

/// Tags attached to a metric: string keys to string values, ordered for stable output.
pub type Tags = BTreeMap<String, String>;

/// One measurement (Framework0 `PerformanceMetric`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceMetric {
    /// Metric name.
    pub name: String,
    /// The measured value, always finite.
    pub value: f64,
    /// What kind of measurement this is.
    pub metric_type: MetricType,
    /// The unit of `value`.
    pub unit: MetricUnit,
    /// When it was measured, nanoseconds since the Unix epoch.
    pub timestamp: i64,
    /// Dimensions of the measurement.
    #[serde(default)]
    pub tags: Tags,
    /// The collector that produced it (`system_collector`, `application_collector`,
    /// `custom_collector`), if known.
    #[serde(default)]
    pub source: Option<String>,
    /// Free-form context (e.g. `{"error", "error_type"}` on failures, span ids on timers).
    #[serde(default)]
    pub context: serde_json::Map<String, serde_json::Value>,
}

impl PerformanceMetric {
    /// Builds a metric stamped with the current wall-clock time, rejecting empty names and
    /// non-finite values.
    pub fn new(
        name: impl Into<String>,
        value: f64,
        metric_type: MetricType,
        unit: MetricUnit,
    ) -> Result<Self, MetricError> {
        let name = name.into();
        check_identity(&name, &Tags::new())?;
        if !value.is_finite() {
            return Err(MetricError::NonFinite { name, value });
        }
        Ok(PerformanceMetric {
            name,
            value,
            metric_type,
            unit,
            timestamp: super::clock::epoch_now_ns(),
            tags: Tags::new(),
            source: None,
            context: serde_json::Map::new(),
        })
    }

    /// Sets the timestamp (epoch nanoseconds).
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// Adds one tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Sets the source.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// Summary of one metric's samples (Framework0 `MetricAggregation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAggregation {
    /// The metric the samples belong to.
    pub metric_name: String,
    /// Number of samples.
    pub count: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (the 50th percentile).
    pub median: f64,
    /// Sample standard deviation (n−1 denominator); 0 for fewer than two samples.
    pub std_dev: f64,
    /// Smallest sample.
    pub min_value: f64,
    /// Largest sample.
    pub max_value: f64,
    /// Percentiles keyed by their Python string form (`"50"`, `"99.9"`).
    pub percentiles: BTreeMap<String, f64>,
    /// First and last sample timestamps, epoch nanoseconds.
    pub time_range: (i64, i64),
}

/// The key Framework0 uses for a percentile: Python's `str()` of the number (`50`, `99.9`).
pub fn percentile_key(p: f64) -> String {
    format!("{p}")
}
