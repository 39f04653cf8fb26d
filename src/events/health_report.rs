//! Health summaries and reports: the processing summary stored beside the results, and the
//! text and JSON reports of the `report` action.

use serde_json::{json, Value};

use super::checks::overall_status;
use super::health::{Alert, CheckResult, HealthStatus};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Plain text.
    Text,
    /// A JSON object.
    Json,
}

/// Every format name, for messages.
pub const FORMAT_NAMES: &[&str] = &["text", "json"];

impl ReportFormat {
    /// Parses a format name.
    pub fn parse(name: &str) -> Option<ReportFormat> {
        match name {
            "text" => Some(ReportFormat::Text),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
}

/// `{"summary": {"status_summary": {healthy, warning, critical, unknown}, "total_checks",
/// "alert_count", "overall_status"}, "alerts": [...]}`.
pub fn processing_summary(results: &[CheckResult], alerts: &[Alert]) -> Value {
    let mut counts = serde_json::Map::new();
    for s in HealthStatus::ALL {
        let n = results.iter().filter(|r| r.status == s).count();
        counts.insert(s.as_str().to_owned(), json!(n));
    }
    json!({
        "summary": {
            "status_summary": counts,
            "total_checks": results.len(),
            "alert_count": alerts.len(),
            "overall_status": overall_status(results).as_str(),
        },
        "alerts": alerts,
    })
}

/// The JSON report: `{overall_status, generated_at, summary, checks, alerts}`.
pub fn json_report(results: &[CheckResult], alerts: &[Alert], generated_at: &str) -> Value {
    let processing = processing_summary(results, alerts);
    json!({
        "overall_status": overall_status(results).as_str(),
        "generated_at": generated_at,
        "summary": processing["summary"],
        "checks": results,
        "alerts": alerts,
    })
}

/// The text report: a header, the overall status, one line per check with its metrics, and
/// the alerts.
pub fn text_report(results: &[CheckResult], alerts: &[Alert], generated_at: &str) -> String {
    let mut out = String::new();
    out.push_str("Framework0 Health Report\n");
    out.push_str("========================\n");
    out.push_str(&format!("Generated: {generated_at}\n"));
    out.push_str(&format!(
        "Overall status: {}\n",
        overall_status(results).as_str().to_uppercase()
    ));
    out.push_str(&format!("\nChecks ({}):\n", results.len()));
    for r in results {
        out.push_str(&format!(
            "  [{}] {}: {} ({:.3} s)\n",
            r.status.as_str().to_uppercase(),
            r.check_name,
            r.message,
            r.execution_time
        ));
        for m in &r.metrics {
            out.push_str(&format!(
                "      {} = {:.2} {}\n",
                m.name,
                m.value,
                m.unit.as_str()
            ));
        }
    }
    out.push_str(&format!("\nAlerts ({}):\n", alerts.len()));
    if alerts.is_empty() {
        out.push_str("  none\n");
    }
    for a in alerts {
        out.push_str(&format!("  {}\n", a.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::checks::checks_from_readings;
    use crate::events::health::default_thresholds;
    use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};

    fn pct(name: &str, v: f64, source: &str) -> PerformanceMetric {
        PerformanceMetric::new(name, v, MetricType::Resource, MetricUnit::Percent)
            .unwrap()
            .with_source(source)
    }

    #[test]
    fn reports_show_every_check_and_alert() {
        let readings = vec![
            pct("cpu_usage_total", 100.0, "system_cpu"),
            pct("memory_usage_percent", 40.0, "system_memory"),
        ];
        let (results, alerts) =
            checks_from_readings(Ok(readings), 0.25, &default_thresholds(), 1_700_000_000.5);
        let text = text_report(&results, &alerts, "2025-10-13T12:14:56.123456+00:00");
        assert!(text.contains("Overall status: CRITICAL"), "{text}");
        assert!(text.contains("  [CRITICAL] system_cpu: CRITICAL: cpu_usage_total is 100.0 %"));
        assert!(text.contains("  [HEALTHY] system_memory: All 1 metric(s) within thresholds"));
        assert!(text.contains("      memory_usage_percent = 40.00 %"));
        assert!(text.contains("Alerts (1):"));
        let json = json_report(&results, &alerts, "t");
        assert_eq!(json["overall_status"], "critical");
        assert_eq!(json["summary"]["status_summary"]["critical"], 1);
        assert_eq!(json["summary"]["status_summary"]["healthy"], 1);
        assert_eq!(json["summary"]["alert_count"], 1);
        assert_eq!(json["alerts"][0]["alert_id"], "cpu_usage_total_1700000000");
    }
}
