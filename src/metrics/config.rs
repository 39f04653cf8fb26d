//! `MetricsConfiguration`: Framework0's sections and the design doc's shapes, merged over
//! defaults and validated (COMPAT.md §4).
//!
//! Accepted top-level sections (all optional):
//! - Framework0: `collection`, `analysis`, `storage`, `integration`, `performance`;
//! - design doc: `collectors{system, application, network, custom}`, `analysis`, `logging`,
//!   `health`, `retention` (an alias of `storage`'s `max_age_days` / `max_metrics_count`);
//! - this crate: `filters` (a list of [`MetricFilter`]) and, under `performance`,
//!   `flush_interval_ms`, `buffer_capacity`, `histogram_significant_digits`,
//!   `call_log_capacity` (pipeline tuning, see [`PerformanceConfig`]).
//!
//! Each key the user gives replaces the default; unknown keys come back as [`ConfigWarning`]s
//! (never printed); wrong JSON types and out-of-range values are [`ConfigError`]s.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use super::config_merge::ConfigWarning;
use super::config_merge::{kind, merge};
use super::filter::{FilterError, MetricFilter};

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A value has the wrong JSON type.
    #[error("metrics config `{path}`: expected {expected}, got {found}")]
    WrongType {
        /// Dotted path of the key.
        path: String,
        /// The kind the default has.
        expected: &'static str,
        /// The kind and value found.
        found: String,
    },
    /// A value has the right type but is out of range.
    #[error("metrics config `{path}` = {value}: {reason}")]
    Invalid {
        /// Dotted path of the key.
        path: String,
        /// The rejected value.
        value: String,
        /// What would be accepted.
        reason: String,
    },
    /// A filter entry is malformed.
    #[error("metrics config `filters[{index}]`: {source}")]
    Filter {
        /// Position in the `filters` list.
        index: usize,
        /// What is wrong with it.
        source: FilterError,
    },
}

/// Framework0 `collection` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionConfig {
    /// Collection on or off.
    pub enabled: bool,
    /// Use the nanosecond clock.
    pub high_precision_timing: bool,
    /// Cap on metrics a single collection pass may produce (also the most raw samples one
    /// flush cycle turns into metrics for the sink).
    pub max_metrics_per_collection: u64,
    /// Seconds between system collections (> 0).
    pub collection_interval: f64,
}

/// `analysis` section (both shapes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    /// Analysis on or off.
    pub enabled: bool,
    /// Percentiles to report, each in (0, 100].
    pub percentiles: Vec<f64>,
    /// Analysis window, seconds (> 0).
    pub window_size: f64,
    /// Fewest samples before statistics are reported.
    pub min_samples: u64,
    /// Run anomaly detection.
    pub anomaly_detection: bool,
    /// Z-score / IQR sensitivity (> 0).
    pub anomaly_sensitivity: f64,
}

/// Framework0 `storage` section; the design doc's `retention` sets the same fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageConfig {
    /// Samples older than this many days are dropped by the store (> 0).
    pub max_age_days: f64,
    /// Most samples the store keeps.
    pub max_metrics_count: u64,
    /// Compress stored data.
    pub compression_enabled: bool,
    /// Enforce retention automatically.
    pub auto_cleanup: bool,
}

/// Framework0 `integration` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationConfig {
    /// Emit performance log lines.
    pub logging_enabled: bool,
    /// Feed health monitoring.
    pub health_monitoring_enabled: bool,
    /// Write results to the context.
    pub context_storage_enabled: bool,
}

/// Framework0 `performance` section plus this crate's pipeline tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceConfig {
    /// Fraction of one CPU the background flusher may use, in (0, 1], on average over a
    /// second (a burst inside that second's credit is drained whole); above it, raw samples
    /// sent to the sink and call records are thinned (aggregates stay exact).
    pub collection_overhead_limit: f64,
    /// Metrics per sink write (≥ 1).
    pub batch_size: u64,
    /// Flush on a background thread (false: only on explicit `flush()` / shutdown).
    pub async_processing: bool,
    /// Milliseconds between background flushes (≥ 1).
    pub flush_interval_ms: u64,
    /// Raw events each thread buffers between flushes (≥ 64, rounded up to a power of two).
    /// Applies to threads that start recording after `install`; also bounds the slow-path
    /// queue (failures, trackers, custom metrics).
    pub buffer_capacity: u64,
    /// hdrhistogram precision, significant decimal digits, 1..=5.
    pub histogram_significant_digits: u64,
    /// Most recent call records kept for call-tree reconstruction.
    pub call_log_capacity: u64,
}

/// Design doc `collectors.system`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemCollectorConfig {
    /// Collect system metrics.
    pub enabled: bool,
    /// Seconds between samples (> 0).
    pub interval: f64,
}

/// Design doc `collectors.application`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationCollectorConfig {
    /// Collect application metrics.
    pub enabled: bool,
    /// Time every recipe step automatically.
    pub auto_instrument: bool,
}

/// Design doc `collectors.network`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkCollectorConfig {
    /// Probe endpoints.
    pub enabled: bool,
    /// Endpoints to probe (`host:port` or URLs).
    pub endpoints: Vec<String>,
}

/// Design doc `collectors` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectorsConfig {
    /// System collector.
    pub system: SystemCollectorConfig,
    /// Application collector.
    pub application: ApplicationCollectorConfig,
    /// Network collector.
    pub network: NetworkCollectorConfig,
    /// Custom collector settings, free-form.
    pub custom: Value,
}

/// Design doc `logging` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfig {
    /// Log metrics whose p95 crosses `threshold_p95`.
    pub log_significant_metrics: bool,
    /// p95 threshold in milliseconds (≥ 0; a timer in ns, μs or s is converted).
    pub threshold_p95: f64,
}

/// Design doc `health` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthConfig {
    /// Raise alerts on performance thresholds.
    pub performance_alerts: bool,
    /// Relative change against the baseline that counts as a regression (a fraction: 0.2 = 20%; > 0).
    pub regression_threshold: f64,
    /// Performance thresholds `{SELECTOR[:STAT]: {warning_max, critical_max, warning_min,
    /// critical_min, enabled}}`, read by the analyze action (a mapping; its entries are
    /// checked where they are used).
    #[serde(default = "empty_mapping")]
    pub thresholds: Value,
}

fn empty_mapping() -> Value {
    Value::Object(serde_json::Map::new())
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsConfiguration {
    /// Framework0 `collection`.
    pub collection: CollectionConfig,
    /// `analysis` (both shapes).
    pub analysis: AnalysisConfig,
    /// Framework0 `storage` / design `retention`.
    pub storage: StorageConfig,
    /// Framework0 `integration`.
    pub integration: IntegrationConfig,
    /// Framework0 `performance` plus pipeline tuning.
    pub performance: PerformanceConfig,
    /// Design doc `collectors`.
    pub collectors: CollectorsConfig,
    /// Design doc `logging`.
    pub logging: LoggingConfig,
    /// Design doc `health`.
    pub health: HealthConfig,
    /// Recording-path filters.
    pub filters: Vec<MetricFilter>,
}

impl Default for MetricsConfiguration {
    fn default() -> Self {
        let v = defaults_json();
        serde_json::from_value(v).expect("built-in defaults deserialize")
    }
}

/// The defaults as a JSON tree (Framework0's Python defaults where they exist).
fn defaults_json() -> Value {
    json!({
        "collection": {"enabled": true, "high_precision_timing": true,
            "max_metrics_per_collection": 10000, "collection_interval": 60.0},
        "analysis": {"enabled": true, "percentiles": [50.0, 90.0, 95.0, 99.0, 99.9],
            "window_size": 3600.0, "min_samples": 10, "anomaly_detection": true,
            "anomaly_sensitivity": 2.0},
        "storage": {"max_age_days": 30.0, "max_metrics_count": 1_000_000,
            "compression_enabled": true, "auto_cleanup": true},
        "integration": {"logging_enabled": true, "health_monitoring_enabled": true,
            "context_storage_enabled": true},
        "performance": {"collection_overhead_limit": 0.01, "batch_size": 1000,
            "async_processing": true, "flush_interval_ms": 10, "buffer_capacity": 65536,
            "histogram_significant_digits": 3, "call_log_capacity": 100_000},
        "collectors": {"system": {"enabled": true, "interval": 60.0},
            "application": {"enabled": true, "auto_instrument": true},
            "network": {"enabled": false, "endpoints": []}, "custom": {}},
        "logging": {"log_significant_metrics": true, "threshold_p95": 1000.0},
        "health": {"performance_alerts": true, "regression_threshold": 0.2, "thresholds": {}},
        "filters": [],
    })
}

/// Paths whose values are taken as given.
const FREE_FORM: [&str; 2] = ["collectors.custom", "health.thresholds"];

impl MetricsConfiguration {
    /// Reads a configuration mapping (from a recipe's `config:`), merged over the defaults.
    /// Returns the configuration and the warnings (unknown keys).
    pub fn from_value(user: &Value) -> Result<(Self, Vec<ConfigWarning>), ConfigError> {
        if !user.is_object() && !user.is_null() {
            return Err(ConfigError::WrongType {
                path: "<root>".into(),
                expected: "a mapping",
                found: kind(user).into(),
            });
        }
        let mut warnings = Vec::new();
        let mut tree = defaults_json();
        let mut user = user.clone();
        if let Some(retention) = user.as_object_mut().and_then(|m| m.remove("retention")) {
            let storage = json!({ "storage": retention });
            merge(&mut tree, &storage, "", &FREE_FORM, &mut warnings)?;
            for w in &mut warnings {
                w.path = w.path.replacen("storage.", "retention.", 1);
                w.message = w.message.replacen("storage.", "retention.", 1);
            }
        }
        if !user.is_null() {
            merge(&mut tree, &user, "", &FREE_FORM, &mut warnings)?;
        }
        let filters = tree
            .as_object_mut()
            .and_then(|m| m.insert("filters".into(), Value::Array(vec![])))
            .unwrap_or(Value::Array(vec![]));
        let mut config: MetricsConfiguration =
            serde_json::from_value(tree).map_err(|e| ConfigError::Invalid {
                path: "<root>".into(),
                value: "<config>".into(),
                reason: e.to_string(),
            })?;
        for (index, f) in filters.as_array().into_iter().flatten().enumerate() {
            let (filter, unknown) = MetricFilter::from_value(f)
                .map_err(|source| ConfigError::Filter { index, source })?;
            warnings.extend(unknown.into_iter().map(|k| ConfigWarning {
                message: format!("unknown key `filters[{index}].{k}` ignored"),
                path: format!("filters[{index}].{k}"),
            }));
            config.filters.push(filter);
        }
        config.validate()?;
        Ok((config, warnings))
    }

    /// Checks ranges the types cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            (
                "collection.collection_interval",
                self.collection.collection_interval,
            ),
            (
                "collectors.system.interval",
                self.collectors.system.interval,
            ),
            ("analysis.window_size", self.analysis.window_size),
            (
                "analysis.anomaly_sensitivity",
                self.analysis.anomaly_sensitivity,
            ),
            ("storage.max_age_days", self.storage.max_age_days),
            (
                "health.regression_threshold",
                self.health.regression_threshold,
            ),
        ];
        for (path, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(path, v, "must be a finite number greater than 0"));
            }
        }
        for (path, v) in [
            (
                "collection.collection_interval",
                self.collection.collection_interval,
            ),
            (
                "collectors.system.interval",
                self.collectors.system.interval,
            ),
        ] {
            if v > crate::util::duration::MAX_SECONDS {
                return Err(invalid(
                    path,
                    v,
                    "must be at most 31536000 seconds (one year)",
                ));
            }
        }
        if !self.health.thresholds.is_object() {
            return Err(invalid(
                "health.thresholds",
                crate::diagnostic::compact(&self.health.thresholds),
                "must be a mapping of SELECTOR[:STAT] to {warning_max, critical_max, warning_min, critical_min}",
            ));
        }
        let t = self.logging.threshold_p95;
        if !(t.is_finite() && t >= 0.0) {
            return Err(invalid(
                "logging.threshold_p95",
                t,
                "must be a finite number ≥ 0",
            ));
        }
        if self.analysis.percentiles.is_empty() {
            return Err(invalid(
                "analysis.percentiles",
                "[]",
                "needs at least one percentile",
            ));
        }
        for p in &self.analysis.percentiles {
            if !(p.is_finite() && *p > 0.0 && *p <= 100.0) {
                return Err(invalid(
                    "analysis.percentiles",
                    p,
                    "each must lie in (0, 100]",
                ));
            }
        }
        self.validate_performance()
    }

    /// The `performance` and `collection` limits.
    fn validate_performance(&self) -> Result<(), ConfigError> {
        let limit = self.performance.collection_overhead_limit;
        if !(limit.is_finite() && limit > 0.0 && limit <= 1.0) {
            return Err(invalid(
                "performance.collection_overhead_limit",
                limit,
                "must lie in (0, 1] (a fraction of one CPU)",
            ));
        }
        let p = &self.performance;
        let at_least = [
            ("performance.batch_size", p.batch_size, 1),
            ("performance.flush_interval_ms", p.flush_interval_ms, 1),
            ("performance.buffer_capacity", p.buffer_capacity, 64),
            (
                "collection.max_metrics_per_collection",
                self.collection.max_metrics_per_collection,
                1,
            ),
        ];
        for (path, v, min) in at_least {
            if v < min {
                return Err(invalid(path, v, &format!("must be at least {min}")));
            }
        }
        if p.buffer_capacity > 1 << 24 {
            return Err(invalid(
                "performance.buffer_capacity",
                p.buffer_capacity,
                "must be at most 16777216",
            ));
        }
        if !(1..=5).contains(&p.histogram_significant_digits) {
            return Err(invalid(
                "performance.histogram_significant_digits",
                p.histogram_significant_digits,
                "must be 1 to 5",
            ));
        }
        Ok(())
    }
}

fn invalid(path: &str, value: impl std::fmt::Display, reason: &str) -> ConfigError {
    let mut value = value.to_string();
    // A huge or tiny number prints in exponent notation, anything else at most 200 chars.
    if value.len() > 24 {
        if let Ok(x) = value.parse::<f64>() {
            value = format!("{x:e}");
        }
    }
    if value.chars().count() > 200 {
        value = format!("{}…", value.chars().take(200).collect::<String>());
    }
    ConfigError::Invalid {
        path: path.into(),
        value,
        reason: reason.into(),
    }
}
