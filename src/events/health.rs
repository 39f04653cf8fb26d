//! Health statuses, alert levels and thresholds (COMPAT.md §6).
//!
//! A [`Threshold`] is evaluated critical first, with strict comparisons: a value is critical
//! when `value < critical_min` or `value > critical_max`, else warning when
//! `value < warning_min` or `value > warning_max`; a value equal to a bound is inside it.
//! A breach becomes an [`super::Alert`]; the check results are [`super::CheckResult`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::EventsError;

/// Health of a check or of the whole system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Every metric within its thresholds.
    Healthy,
    /// A warning threshold breached.
    Warning,
    /// A critical threshold breached.
    Critical,
    /// The check could not run.
    Unknown,
}

impl HealthStatus {
    /// All statuses, in report order.
    pub const ALL: [HealthStatus; 4] = [
        HealthStatus::Healthy,
        HealthStatus::Warning,
        HealthStatus::Critical,
        HealthStatus::Unknown,
    ];

    /// The Framework0 string.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Warning => "warning",
            HealthStatus::Critical => "critical",
            HealthStatus::Unknown => "unknown",
        }
    }

    /// Rank for "worst of": healthy < unknown < warning < critical.
    fn rank(self) -> u8 {
        match self {
            HealthStatus::Healthy => 0,
            HealthStatus::Unknown => 1,
            HealthStatus::Warning => 2,
            HealthStatus::Critical => 3,
        }
    }

    /// The worse of two statuses (healthy < unknown < warning < critical).
    pub fn worst(self, other: HealthStatus) -> HealthStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// Alert severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    /// Informational.
    Info,
    /// A warning threshold breached.
    Warning,
    /// A critical threshold breached.
    Critical,
    /// Beyond critical (not raised by thresholds).
    Emergency,
}

impl AlertLevel {
    /// The Framework0 string.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Info => "info",
            AlertLevel::Warning => "warning",
            AlertLevel::Critical => "critical",
            AlertLevel::Emergency => "emergency",
        }
    }

    /// The check status an alert of this level implies.
    pub fn status(self) -> HealthStatus {
        match self {
            AlertLevel::Info => HealthStatus::Healthy,
            AlertLevel::Warning => HealthStatus::Warning,
            AlertLevel::Critical | AlertLevel::Emergency => HealthStatus::Critical,
        }
    }
}

/// When a step fails on the health it found (`fail_on: warning | critical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// On a warning or critical status.
    Warning,
    /// On a critical status only.
    Critical,
}

impl FailOn {
    /// Parses `warning` or `critical`.
    pub fn parse(v: &Value) -> Result<FailOn, String> {
        match v.as_str() {
            Some("warning") => Ok(FailOn::Warning),
            Some("critical") => Ok(FailOn::Critical),
            _ => Err(format!(
                "must be warning or critical (fail the step when the health status is at least \
                 that), got {}",
                crate::diagnostic::compact(v)
            )),
        }
    }

    /// Whether `status` fails the step.
    pub fn fails(self, status: HealthStatus) -> bool {
        match self {
            FailOn::Warning => matches!(status, HealthStatus::Warning | HealthStatus::Critical),
            FailOn::Critical => status == HealthStatus::Critical,
        }
    }

    /// `warning` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Warning => "warning",
            FailOn::Critical => "critical",
        }
    }
}

/// Bounds of one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The metric.
    pub metric_name: String,
    /// Warning below this.
    pub warning_min: Option<f64>,
    /// Warning above this.
    pub warning_max: Option<f64>,
    /// Critical below this.
    pub critical_min: Option<f64>,
    /// Critical above this.
    pub critical_max: Option<f64>,
    /// Evaluated at all.
    pub enabled: bool,
}

const THRESHOLD_KEYS: [&str; 6] = [
    "metric_name",
    "warning_min",
    "warning_max",
    "critical_min",
    "critical_max",
    "enabled",
];

impl Threshold {
    /// A threshold with only maxima.
    pub fn max(metric_name: &str, warning_max: f64, critical_max: f64) -> Threshold {
        Threshold {
            metric_name: metric_name.to_owned(),
            warning_min: None,
            warning_max: Some(warning_max),
            critical_min: None,
            critical_max: Some(critical_max),
            enabled: true,
        }
    }

    /// Parses `{warning_min, warning_max, critical_min, critical_max, enabled}` (all optional;
    /// numbers or null; `enabled` a boolean, default true; a `metric_name`, as a serialized
    /// threshold carries, must equal `metric_name`). `at` names the value in errors.
    pub fn from_config(metric_name: &str, v: &Value, at: &str) -> Result<Threshold, EventsError> {
        let bad = |field: String, message: String| EventsError::InvalidConfig { field, message };
        let Value::Object(map) = v else {
            return Err(bad(
                at.to_owned(),
                format!("must be a mapping of {}", THRESHOLD_KEYS.join(", ")),
            ));
        };
        if let Some(k) = map.keys().find(|k| !THRESHOLD_KEYS.contains(&k.as_str())) {
            return Err(bad(
                format!("{at}.{k}"),
                format!("unknown key; accepted: {}", THRESHOLD_KEYS.join(", ")),
            ));
        }
        let num = |key: &str| -> Result<Option<f64>, EventsError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(x) => x.as_f64().map(Some).ok_or_else(|| {
                    bad(
                        format!("{at}.{key}"),
                        format!("must be a number or null, got {x}"),
                    )
                }),
            }
        };
        if let Some(n) = map
            .get("metric_name")
            .filter(|n| n.as_str() != Some(metric_name))
        {
            return Err(bad(
                format!("{at}.metric_name"),
                format!("is {n}, but the threshold is listed under '{metric_name}'"),
            ));
        }
        let enabled = match map.get("enabled") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(x) => {
                return Err(bad(
                    format!("{at}.enabled"),
                    format!("must be true or false, got {x}"),
                ))
            }
        };
        Ok(Threshold {
            metric_name: metric_name.to_owned(),
            warning_min: num("warning_min")?,
            warning_max: num("warning_max")?,
            critical_min: num("critical_min")?,
            critical_max: num("critical_max")?,
            enabled,
        })
    }

    /// The alert level `value` deserves: critical bounds first, strict `<` / `>`.
    pub fn evaluate(&self, value: f64) -> Option<AlertLevel> {
        if !self.enabled {
            return None;
        }
        let outside = |min: Option<f64>, max: Option<f64>| {
            min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m)
        };
        if outside(self.critical_min, self.critical_max) {
            Some(AlertLevel::Critical)
        } else if outside(self.warning_min, self.warning_max) {
            Some(AlertLevel::Warning)
        } else {
            None
        }
    }

    /// The (min, max) bounds of `level`.
    pub fn bounds(&self, level: AlertLevel) -> (Option<f64>, Option<f64>) {
        match level {
            AlertLevel::Warning | AlertLevel::Info => (self.warning_min, self.warning_max),
            AlertLevel::Critical | AlertLevel::Emergency => (self.critical_min, self.critical_max),
        }
    }
}

/// Parses a `thresholds` mapping `{metric: {warning_max, ...}}`.
pub fn thresholds_from_config(
    v: &Value,
    at: &str,
) -> Result<BTreeMap<String, Threshold>, EventsError> {
    let Value::Object(map) = v else {
        return Err(EventsError::InvalidConfig {
            field: at.to_owned(),
            message: format!("must be a mapping of metric names to thresholds, got {v}"),
        });
    };
    map.iter()
        .map(|(name, t)| {
            Ok((
                name.clone(),
                Threshold::from_config(name, t, &format!("{at}.{name}"))?,
            ))
        })
        .collect()
}

/// The thresholds used when none are configured, the bounds of Framework0's own check
/// rules: CPU warning above 80 %, critical above 95 %; memory warning above 85 %, critical
/// above 95 %; the fullest disk warning above 80 %, critical above 90 %. (Framework0's
/// default configuration names `cpu_usage`, `memory_usage` and `disk_usage`, which no check
/// reports, so it never alerts; these names are the metrics its checks do report.)
pub fn default_thresholds() -> BTreeMap<String, Threshold> {
    [
        Threshold::max("cpu_usage_total", 80.0, 95.0),
        Threshold::max("memory_usage_percent", 85.0, 95.0),
        Threshold::max("disk_usage_max_percent", 80.0, 90.0),
    ]
    .into_iter()
    .map(|t| (t.metric_name.clone(), t))
    .collect()
}
