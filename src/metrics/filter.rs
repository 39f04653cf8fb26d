//! `MetricFilter` (COMPAT.md §4): which records are kept on the recording path.
//!
//! A filter applies to every metric whose name matches its `name` (a glob: `*`, `?`, `[..]`;
//! a plain name matches only itself). For such a metric a record is kept only when **all** of:
//! its tags contain every `tag_filters` pair; its value lies in `value_range` `[min, max]`
//! (inclusive); it survives Bernoulli sampling at `sample_rate`; and fewer than `rate_limit`
//! records of that metric were already kept in the current one-second window. Several filters
//! matching one metric must all keep the record. A filter with `enabled: false` is ignored.
//! The runtime side (sampling, rate windows, counting what was dropped) is in
//! [`super::filter_runtime`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::Tags;

/// A malformed filter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    /// The entry could not be read.
    #[error("{0}")]
    Shape(String),
    /// `name` is empty or not a valid glob.
    #[error("name `{name}` is not a valid metric-name pattern: {reason}")]
    BadName {
        /// The rejected pattern.
        name: String,
        /// Why.
        reason: String,
    },
    /// `sample_rate` outside [0, 1].
    #[error("sample_rate = {0} must lie in [0, 1]")]
    SampleRate(f64),
    /// `value_range` with min > max or non-finite bounds.
    #[error("value_range = [{0}, {1}] must be finite with min ≤ max")]
    ValueRange(f64, f64),
    /// `rate_limit` of zero.
    #[error("rate_limit = 0 would drop everything; give at least 1 per second or omit it")]
    RateLimit,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

/// One recording-path filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFilter {
    /// Metric-name glob the filter applies to.
    pub name: String,
    /// Fraction of records kept, in [0, 1].
    #[serde(default = "one")]
    pub sample_rate: f64,
    /// Tags a record must carry (all pairs).
    #[serde(default)]
    pub tag_filters: BTreeMap<String, String>,
    /// Inclusive value range `[min, max]`.
    #[serde(default)]
    pub value_range: Option<(f64, f64)>,
    /// Most records kept per second.
    #[serde(default)]
    pub rate_limit: Option<u64>,
    /// Whether the filter is active.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// The keys of a filter mapping.
pub const FILTER_KEYS: [&str; 6] = [
    "name",
    "sample_rate",
    "tag_filters",
    "value_range",
    "rate_limit",
    "enabled",
];

impl MetricFilter {
    /// A filter for `name` that keeps everything (refine with struct update syntax).
    pub fn new(name: impl Into<String>) -> Self {
        MetricFilter {
            name: name.into(),
            sample_rate: 1.0,
            tag_filters: BTreeMap::new(),
            value_range: None,
            rate_limit: None,
            enabled: true,
        }
    }

    /// Reads and validates a filter from JSON; returns it with the unknown keys it had.
    pub fn from_value(v: &Value) -> Result<(Self, Vec<String>), FilterError> {
        let obj = v
            .as_object()
            .ok_or_else(|| FilterError::Shape(format!("expected a mapping, got {v}")))?;
        let unknown = obj
            .keys()
            .filter(|k| !FILTER_KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        let known: serde_json::Map<String, Value> = obj
            .iter()
            .filter(|(k, _)| FILTER_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let f: MetricFilter = serde_json::from_value(Value::Object(known))
            .map_err(|e| FilterError::Shape(e.to_string()))?;
        f.validate()?;
        Ok((f, unknown))
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), FilterError> {
        if self.name.is_empty() {
            return Err(FilterError::BadName {
                name: String::new(),
                reason: "empty".into(),
            });
        }
        glob::Pattern::new(&self.name).map_err(|e| FilterError::BadName {
            name: self.name.clone(),
            reason: e.to_string(),
        })?;
        if !(0.0..=1.0).contains(&self.sample_rate) {
            return Err(FilterError::SampleRate(self.sample_rate));
        }
        if let Some((lo, hi)) = self.value_range {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(FilterError::ValueRange(lo, hi));
            }
        }
        if self.rate_limit == Some(0) {
            return Err(FilterError::RateLimit);
        }
        Ok(())
    }

    /// Whether this filter applies to a metric called `metric_name`.
    pub fn applies_to(&self, metric_name: &str) -> bool {
        self.enabled
            && glob::Pattern::new(&self.name)
                .map(|p| p.matches(metric_name))
                .unwrap_or(false)
    }

    /// Whether a record with these tags passes `tag_filters`.
    pub fn tags_pass(&self, tags: &Tags) -> bool {
        self.tag_filters
            .iter()
            .all(|(k, v)| tags.get(k).is_some_and(|t| t == v))
    }

    /// Whether `value` passes `value_range`.
    #[inline]
    pub fn value_passes(&self, value: f64) -> bool {
        match self.value_range {
            Some((lo, hi)) => value >= lo && value <= hi,
            None => true,
        }
    }
}
