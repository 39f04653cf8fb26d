//! The cross-component event (COMPAT.md §6): what one framework component (performance
//! metrics, health, logging) tells another, e.g. a threshold breach or an anomaly.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::alert::Alert;
use super::time::{iso_utc, short_hex};

/// The kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossEventType {
    /// A metric deviates from its history.
    PerformanceAnomaly,
    /// A metric crossed a health threshold.
    MetricThreshold,
    /// A new baseline was established.
    SystemBaseline,
}

/// `data` of a cross-component event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossEventData {
    /// The metric.
    pub metric_name: String,
    /// What kind of deviation (`threshold_critical`, `zscore`, ...).
    pub anomaly_type: String,
    /// `info|warning|critical|emergency`.
    pub severity: String,
    /// The observed value.
    pub value: f64,
    /// The reference (baseline or the breached bound), if any.
    pub baseline: Option<f64>,
}

/// One cross-component event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossComponentEvent {
    /// `perf_anomaly_<8 hex>`.
    pub event_id: String,
    /// The kind.
    pub event_type: CrossEventType,
    /// Who raised it, e.g. `health_monitoring`.
    pub source_component: String,
    /// ISO-8601 UTC.
    pub timestamp: String,
    /// What happened.
    pub data: CrossEventData,
    /// Groups related events.
    pub correlation_id: Option<String>,
    /// The event this one follows from.
    pub parent_event_id: Option<String>,
    /// Components that handled it.
    pub processed_by: Vec<String>,
    /// Whether every interested component handled it.
    pub processing_complete: bool,
    /// Context of the run (recipe, step, ...).
    pub framework_context: Map<String, Value>,
}

impl CrossComponentEvent {
    /// A fresh, unprocessed event with a new `perf_anomaly_<8hex>` id.
    pub fn new(event_type: CrossEventType, source_component: &str, data: CrossEventData) -> Self {
        CrossComponentEvent {
            event_id: format!("perf_anomaly_{}", short_hex()),
            event_type,
            source_component: source_component.to_owned(),
            timestamp: iso_utc(SystemTime::now()),
            data,
            correlation_id: None,
            parent_event_id: None,
            processed_by: Vec::new(),
            processing_complete: false,
            framework_context: Map::new(),
        }
    }

    /// The `metric_threshold` event of a health alert; the baseline is the breached bound.
    pub fn from_alert(alert: &Alert, source_component: &str) -> Self {
        let t = &alert.threshold_config;
        let (min, max) = match alert.alert_level {
            super::AlertLevel::Critical | super::AlertLevel::Emergency => {
                (t.critical_min, t.critical_max)
            }
            _ => (t.warning_min, t.warning_max),
        };
        // Alerts are only raised for numeric readings.
        let value = alert.metric_value.as_f64().unwrap_or_default();
        let baseline = match (min, max) {
            (Some(m), _) if value < m => Some(m),
            (_, Some(m)) => Some(m),
            (m, None) => m,
        };
        CrossComponentEvent::new(
            CrossEventType::MetricThreshold,
            source_component,
            CrossEventData {
                metric_name: alert.metric_name.clone(),
                anomaly_type: format!("threshold_{}", alert.alert_level.as_str()),
                severity: alert.alert_level.as_str().to_owned(),
                value,
                baseline,
            },
        )
    }

    /// Records that `component` handled the event (once).
    pub fn mark_processed(&mut self, component: &str) {
        if !self.processed_by.iter().any(|c| c == component) {
            self.processed_by.push(component.to_owned());
        }
    }
}
