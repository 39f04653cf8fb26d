//! Alerts (COMPAT.md §6) and Framework0's alert manager: a reading that breaches its
//! threshold raises an [`Alert`]; [`ActiveAlerts`] keeps the latest alert per metric and
//! source until a reading of that metric is within its threshold again.
//!
//! An alert serialises as `{"alert_id": "<metric>_<reading timestamp>", "metric_name",
//! "metric_value", "metric_unit", "threshold_config", "alert_level", "status", "timestamp",
//! "source", "message"}` with the message
//! `CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)`.

use serde::{Deserialize, Serialize};

use super::check::{HealthMetric, MetricValue};
use super::health::{AlertLevel, HealthStatus, Threshold};
use super::pyfmt::py_float;

/// A threshold breach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `<metric>_<reading timestamp>`, the timestamp as Python prints the float.
    pub alert_id: String,
    /// The metric.
    pub metric_name: String,
    /// Its value.
    pub metric_value: MetricValue,
    /// Its unit.
    pub metric_unit: Option<String>,
    /// The threshold breached.
    pub threshold_config: Threshold,
    /// Severity.
    pub alert_level: AlertLevel,
    /// The status it implies.
    pub status: HealthStatus,
    /// When the alert was raised, epoch seconds.
    pub timestamp: f64,
    /// The metric's source.
    pub source: Option<String>,
    /// `CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)`.
    pub message: String,
}

impl Alert {
    /// The alert for `metric` breaching `threshold` at `level`, raised at `now`.
    pub fn new(metric: &HealthMetric, threshold: &Threshold, level: AlertLevel, now: f64) -> Alert {
        let unit = metric
            .unit
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let source = metric
            .source
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!(" from {s}"))
            .unwrap_or_default();
        let (min, max) = threshold.bounds(level);
        let message = format!(
            "{}: {} is {}{unit}{source} ({} thresholds: min={}, max={})",
            level.as_str().to_uppercase(),
            metric.name,
            metric.value.py_str(),
            level.as_str(),
            py_opt(min),
            py_opt(max)
        );
        Alert {
            alert_id: format!("{}_{}", metric.name, py_float(metric.timestamp)),
            metric_name: metric.name.clone(),
            metric_value: metric.value.clone(),
            metric_unit: metric.unit.clone(),
            threshold_config: threshold.clone(),
            alert_level: level,
            status: level.status(),
            timestamp: now,
            source: metric.source.clone(),
            message,
        }
    }

    /// `<metric>_<source or unknown>`: one active alert per key.
    pub fn key(&self) -> String {
        alert_key(&self.metric_name, self.source.as_deref())
    }
}

fn alert_key(metric: &str, source: Option<&str>) -> String {
    format!("{metric}_{}", source.unwrap_or("unknown"))
}

fn py_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "None".to_owned(), py_float)
}

/// The alerts in force, in the order they were first raised (Framework0's `AlertManager`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActiveAlerts {
    alerts: Vec<Alert>,
}

impl ActiveAlerts {
    /// Alerts in force from an earlier evaluation (e.g. read back from the context).
    pub fn from_alerts(alerts: Vec<Alert>) -> Self {
        let mut a = ActiveAlerts::default();
        for alert in alerts {
            a.put(alert);
        }
        a
    }

    /// Evaluates `metric` against `threshold` at `now`: a breach raises (and returns) an
    /// alert that replaces the one of the same metric and source; a reading within the
    /// threshold clears it. Non-numeric readings are skipped.
    pub fn evaluate(
        &mut self,
        metric: &HealthMetric,
        threshold: &Threshold,
        now: f64,
    ) -> Option<Alert> {
        let value = metric.value.as_f64()?;
        match threshold.evaluate(value) {
            Some(level) => {
                let alert = Alert::new(metric, threshold, level, now);
                self.put(alert.clone());
                Some(alert)
            }
            None => {
                let key = alert_key(&metric.name, metric.source.as_deref());
                self.alerts.retain(|a| a.key() != key);
                None
            }
        }
    }

    fn put(&mut self, alert: Alert) {
        let key = alert.key();
        match self.alerts.iter_mut().find(|a| a.key() == key) {
            Some(slot) => *slot = alert,
            None => self.alerts.push(alert),
        }
    }

    /// The alerts in force.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// Framework0's overall status: critical when a critical alert is in force, else warning
    /// when a warning one is, else healthy.
    pub fn overall_status(&self) -> HealthStatus {
        overall_from_alerts(&self.alerts)
    }
}

/// Critical when any alert is critical (or emergency), else warning when any is a warning,
/// else healthy.
pub fn overall_from_alerts(alerts: &[Alert]) -> HealthStatus {
    alerts
        .iter()
        .map(|a| a.alert_level.status())
        .fold(HealthStatus::Healthy, HealthStatus::worst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::check::HealthMetricType;

    fn cpu(v: f64, ts: f64) -> HealthMetric {
        HealthMetric::new(
            "cpu_usage_total",
            v,
            HealthMetricType::SystemResource,
            "%",
            "system_cpu",
            ts,
        )
    }

    #[test]
    fn alerts_replace_and_clear_per_metric_and_source() {
        let t = Threshold::max("cpu_usage_total", 80.0, 95.0);
        let mut active = ActiveAlerts::default();
        let a = active
            .evaluate(&cpu(100.0, 1796113345.1410983), &t, 5.0)
            .unwrap();
        assert_eq!(a.alert_id, "cpu_usage_total_1796113345.1410983");
        assert_eq!(
            a.message,
            "CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)"
        );
        assert_eq!(active.overall_status(), HealthStatus::Critical);
        let w = active.evaluate(&cpu(85.0, 2.0), &t, 6.0).unwrap();
        assert_eq!(w.alert_level, AlertLevel::Warning);
        assert_eq!(active.alerts().len(), 1, "replaced, not added");
        assert_eq!(active.overall_status(), HealthStatus::Warning);
        assert!(active.evaluate(&cpu(80.0, 3.0), &t, 7.0).is_none());
        assert!(
            active.alerts().is_empty(),
            "a reading at the bound clears the alert"
        );
        assert_eq!(active.overall_status(), HealthStatus::Healthy);
    }

    #[test]
    fn message_omits_a_missing_unit_and_source_as_python_does() {
        let mut m = cpu(3.0, 1.0);
        m.unit = None;
        m.source = None;
        m.value = MetricValue::Int(3);
        let t = Threshold::max("cpu_usage_total", 1.0, 2.0);
        let a = Alert::new(&m, &t, AlertLevel::Critical, 1.0);
        assert_eq!(
            a.message,
            "CRITICAL: cpu_usage_total is 3 (critical thresholds: min=None, max=2.0)"
        );
        assert_eq!(a.alert_id, "cpu_usage_total_1.0");
    }
}
