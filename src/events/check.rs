//! Framework0's health check results (COMPAT.md §6): [`HealthMetric`] readings grouped into
//! one [`CheckResult`] per check.
//!
//! A HealthMetric serialises as Framework0's `HealthMetric.to_dict()`: `{name, value,
//! metric_type, timestamp (float epoch seconds), unit, source, metadata, age_seconds}`, the
//! value an integer or a float as the reading was (`cpu_core_count` 2, `cpu_usage_total`
//! 100.0). A CheckResult serialises as `{check_name, status, message, metrics,
//! execution_time, timestamp, error, metric_count}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::health::HealthStatus;
use super::pyfmt::py_float;

/// A reading: an integer, a float or a string, as Framework0 keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// A count (`cpu_core_count`, bytes).
    Int(i64),
    /// A measurement (`cpu_usage_total`).
    Float(f64),
    /// A label.
    Text(String),
}

impl MetricValue {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Int(i) => Some(*i as f64),
            MetricValue::Float(f) => Some(*f),
            MetricValue::Text(_) => None,
        }
    }

    /// The value as Python prints it (`2`, `100.0`, `up`).
    pub fn py_str(&self) -> String {
        match self {
            MetricValue::Int(i) => i.to_string(),
            MetricValue::Float(f) => py_float(*f),
            MetricValue::Text(s) => s.clone(),
        }
    }
}

impl From<f64> for MetricValue {
    fn from(x: f64) -> Self {
        MetricValue::Float(x)
    }
}

impl From<u64> for MetricValue {
    fn from(x: u64) -> Self {
        MetricValue::Int(i64::try_from(x).unwrap_or(i64::MAX))
    }
}

/// What a health metric measures (Framework0's `MetricType` of the health package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthMetricType {
    /// CPU, memory, disk.
    SystemResource,
    /// Connectivity.
    Network,
    /// Service availability.
    Service,
    /// User-defined.
    Custom,
    /// Performance timings and statistics (the metrics framework's thresholds).
    Performance,
}

/// One reading of a health check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthMetric {
    /// The metric, e.g. `cpu_usage_total`.
    pub name: String,
    /// The reading.
    pub value: MetricValue,
    /// What it measures.
    pub metric_type: HealthMetricType,
    /// When it was read, epoch seconds.
    pub timestamp: f64,
    /// Unit (`%`, `bytes`, `cores`, `MHz`, `status`, `seconds`, `ratio`).
    pub unit: Option<String>,
    /// Where it was read (`system_cpu`, `disk_root`, …).
    pub source: Option<String>,
    /// Free-form details.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Seconds between the reading and when the result was stored.
    #[serde(default)]
    pub age_seconds: f64,
}

impl HealthMetric {
    /// A reading taken at `timestamp`.
    pub fn new(
        name: impl Into<String>,
        value: impl Into<MetricValue>,
        metric_type: HealthMetricType,
        unit: &str,
        source: impl Into<String>,
        timestamp: f64,
    ) -> Self {
        HealthMetric {
            name: name.into(),
            value: value.into(),
            metric_type,
            timestamp,
            unit: Some(unit.to_owned()),
            source: Some(source.into()),
            metadata: Map::new(),
            age_seconds: 0.0,
        }
    }

    /// Adds a metadata entry.
    pub fn with_meta(mut self, key: &str, value: Value) -> Self {
        self.metadata.insert(key.to_owned(), value);
        self
    }
}

/// The outcome of one health check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check: `cpu_usage`, `memory_usage`, `disk_usage`, `internet_connectivity`, or
    /// `performance_thresholds` for the metrics framework's thresholds.
    pub check_name: String,
    /// The check's own verdict.
    pub status: HealthStatus,
    /// What was found, e.g. `Normal CPU usage: 12.5%`.
    pub message: String,
    /// The readings.
    pub metrics: Vec<HealthMetric>,
    /// Seconds the check took.
    pub execution_time: f64,
    /// When it completed, epoch seconds.
    pub timestamp: f64,
    /// Why the check could not run.
    pub error: Option<String>,
    /// `metrics.len()`.
    pub metric_count: usize,
}

impl CheckResult {
    /// A completed check.
    pub fn new(
        check_name: &str,
        status: HealthStatus,
        message: String,
        metrics: Vec<HealthMetric>,
        execution_time: f64,
        timestamp: f64,
    ) -> Self {
        CheckResult {
            check_name: check_name.to_owned(),
            status,
            message,
            metric_count: metrics.len(),
            metrics,
            execution_time,
            timestamp,
            error: None,
        }
    }

    /// A check that could not run: status unknown, `message` = `{what} check failed: {error}`.
    pub fn failed(
        check_name: &str,
        what: &str,
        error: &str,
        execution_time: f64,
        now: f64,
    ) -> Self {
        CheckResult {
            check_name: check_name.to_owned(),
            status: HealthStatus::Unknown,
            message: format!("{what} check failed: {error}"),
            metrics: Vec::new(),
            execution_time,
            timestamp: now,
            error: Some(error.to_owned()),
            metric_count: 0,
        }
    }

    /// Sets every metric's `age_seconds` as of `now` (what Framework0 computes when it
    /// serialises a result).
    pub fn stamp_ages(&mut self, now: f64) {
        for m in &mut self.metrics {
            m.age_seconds = (now - m.timestamp).max(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readings_from_framework0_json_keep_their_kind() {
        let read = |v: Value| serde_json::from_value::<MetricValue>(v).unwrap();
        let (int, float, text) = (read(json!(2)), read(json!(100.0)), read(json!("up")));
        assert_eq!((int.as_f64(), int.py_str()), (Some(2.0), "2".to_owned()));
        assert_eq!(
            (float.as_f64(), float.py_str()),
            (Some(100.0), "100.0".to_owned())
        );
        assert_eq!((text.as_f64(), text.py_str()), (None, "up".to_owned()));
    }

    #[test]
    fn metrics_serialise_as_framework0_dicts() {
        let mut r = CheckResult::new(
            "cpu_usage",
            HealthStatus::Healthy,
            "Normal CPU usage: 12.5%".into(),
            vec![
                HealthMetric::new(
                    "cpu_usage_total",
                    12.5,
                    HealthMetricType::SystemResource,
                    "%",
                    "system_cpu",
                    10.0,
                ),
                HealthMetric::new(
                    "cpu_core_count",
                    2u64,
                    HealthMetricType::SystemResource,
                    "cores",
                    "system_cpu",
                    10.0,
                ),
            ],
            1.0,
            11.0,
        );
        r.stamp_ages(10.25);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v["metrics"][1],
            json!({"name": "cpu_core_count", "value": 2, "metric_type": "system_resource",
                   "timestamp": 10.0, "unit": "cores", "source": "system_cpu", "metadata": {},
                   "age_seconds": 0.25})
        );
        assert!(v["metrics"][0]["value"].is_f64() && v["metrics"][1]["value"].is_u64());
        assert_eq!(
            (v["metric_count"].clone(), v["error"].clone()),
            (json!(2), json!(null))
        );
        let back: CheckResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.metrics[1].value, MetricValue::Int(2));
    }
}
