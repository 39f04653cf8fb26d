//! Framework0's `process_health_results`: every reading of a batch of check results is
//! evaluated against its threshold (by metric name); breaches become alerts and update the
//! alerts in force. The outcome is stored as `health.latest_processing`:
//! `{summary: {timestamp, results_processed, total_metrics, alerts_generated,
//! status_summary: {healthy, warning, critical, unknown}, execution_times,
//! execution_stats: {average, median, max, min}, processing_time}, alerts, active_alerts}`
//! (`execution_stats` only when some check reported its time, as Framework0).

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::alert::{ActiveAlerts, Alert};
use super::check::CheckResult;
use super::health::{HealthStatus, Threshold};

/// Counts of check statuses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusSummary {
    /// Healthy checks.
    pub healthy: usize,
    /// Warning checks.
    pub warning: usize,
    /// Critical checks.
    pub critical: usize,
    /// Checks that could not run.
    pub unknown: usize,
}

impl StatusSummary {
    fn count(&mut self, s: HealthStatus) {
        match s {
            HealthStatus::Healthy => self.healthy += 1,
            HealthStatus::Warning => self.warning += 1,
            HealthStatus::Critical => self.critical += 1,
            HealthStatus::Unknown => self.unknown += 1,
        }
    }
}

/// Mean, median, max and min of the checks' execution times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionStats {
    /// Mean seconds.
    pub average: f64,
    /// Median seconds (mean of the middle two for an even count, as `statistics.median`).
    pub median: f64,
    /// Longest.
    pub max: f64,
    /// Shortest.
    pub min: f64,
}

impl ExecutionStats {
    fn of(times: &[f64]) -> Option<Self> {
        if times.is_empty() {
            return None;
        }
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(ExecutionStats {
            average: times.iter().sum::<f64>() / n as f64,
            median,
            max: sorted[n - 1],
            min: sorted[0],
        })
    }
}

/// The summary of one processing pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessingSummary {
    /// When processing started, epoch seconds.
    pub timestamp: f64,
    /// Check results processed.
    pub results_processed: usize,
    /// Readings processed.
    pub total_metrics: usize,
    /// Alerts raised.
    pub alerts_generated: usize,
    /// Check statuses.
    pub status_summary: StatusSummary,
    /// Each check's execution time.
    pub execution_times: Vec<f64>,
    /// Statistics of `execution_times`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub execution_stats: Option<ExecutionStats>,
    /// Seconds processing took.
    pub processing_time: f64,
}

/// `health.latest_processing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processing {
    /// The summary.
    pub summary: ProcessingSummary,
    /// Alerts raised by this pass.
    pub alerts: Vec<Alert>,
    /// Alerts in force after it.
    pub active_alerts: Vec<Alert>,
}

/// Processes `results` at `now`: each reading with a threshold under its name is evaluated
/// and `active` updated.
pub fn process_results(
    results: &[CheckResult],
    thresholds: &BTreeMap<String, Threshold>,
    active: &mut ActiveAlerts,
    now: f64,
) -> Processing {
    let started = Instant::now();
    let mut status_summary = StatusSummary::default();
    let mut alerts = Vec::new();
    let mut total_metrics = 0;
    for r in results {
        status_summary.count(r.status);
        for m in &r.metrics {
            total_metrics += 1;
            if let Some(t) = thresholds.get(&m.name) {
                alerts.extend(active.evaluate(m, t, now));
            }
        }
    }
    let execution_times: Vec<f64> = results.iter().map(|r| r.execution_time).collect();
    Processing {
        summary: ProcessingSummary {
            timestamp: now,
            results_processed: results.len(),
            total_metrics,
            alerts_generated: alerts.len(),
            status_summary,
            execution_stats: ExecutionStats::of(&execution_times),
            execution_times,
            processing_time: started.elapsed().as_secs_f64(),
        },
        alerts,
        active_alerts: active.alerts().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::check::{HealthMetric, HealthMetricType};
    use crate::events::health::default_thresholds;

    #[test]
    fn summary_counts_statuses_and_alerts() {
        let m = |n: &str, v: f64| {
            HealthMetric::new(n, v, HealthMetricType::SystemResource, "%", "s", 1.0)
        };
        let cpu = CheckResult::new(
            "cpu_usage",
            HealthStatus::Critical,
            "c".into(),
            vec![m("cpu_usage_total", 99.0)],
            1.0,
            2.0,
        );
        let mem = CheckResult::new(
            "memory_usage",
            HealthStatus::Healthy,
            "m".into(),
            vec![m("memory_usage_percent", 10.0), m("x", 1.0)],
            0.25,
            2.0,
        );
        let mut active = ActiveAlerts::default();
        let p = process_results(&[cpu, mem], &default_thresholds(), &mut active, 3.0);
        let s = &p.summary;
        assert_eq!(
            (s.results_processed, s.total_metrics, s.alerts_generated),
            (2, 3, 1)
        );
        assert_eq!(
            (s.status_summary.critical, s.status_summary.healthy),
            (1, 1)
        );
        assert_eq!(
            s.execution_stats,
            Some(ExecutionStats {
                average: 0.625,
                median: 0.625,
                max: 1.0,
                min: 0.25
            })
        );
        assert_eq!(p.active_alerts.len(), 1);
        let v = serde_json::to_value(&p).unwrap();
        let keys: Vec<&str> = v["summary"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
        let empty = process_results(&[], &default_thresholds(), &mut active, 4.0);
        assert!(serde_json::to_value(&empty).unwrap()["summary"]
            .get("execution_stats")
            .is_none());
        assert_eq!(
            empty.active_alerts.len(),
            1,
            "alerts stay in force until a reading clears them"
        );
    }
}
