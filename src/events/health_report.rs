//! Framework0's health dashboard and its text, JSON and Markdown reports.
//!
//! The dashboard is built from the latest check results and the alerts in force:
//! `{timestamp, overall_status, system_summary: {timestamp, total_metrics, metric_types,
//! source_summary, recent_activity: {recent_metrics_count, window_seconds,
//! metrics_per_minute}}, alert_summary: {active_alerts_count, alert_levels: {critical,
//! warning, info}, recent_alerts_count}, active_alerts, generation_time}`; the overall status
//! follows the alerts in force (critical, else warning, else healthy). The text report:
//!
//! ```text
//! ============================================================
//! Framework0 Health Monitoring Report
//! ============================================================
//! Overall Status: CRITICAL
//! Generated: 2026-12-01 08:22:44
//!
//! System Summary:
//!   Total Metrics: 21
//!   Recent Activity: 21 metrics in last 5 minutes
//!
//! Alert Summary:
//!   Active Alerts: 1
//!   Critical: 1
//!   Warning: 0
//!
//! Active Alerts:
//!   [CRITICAL] CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)
//!
//! ============================================================
//! ```
//!
//! (`Generated` in UTC.) Every user string is escaped for its format (control characters in
//! text, Markdown punctuation in Markdown).

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{json, Value};

use super::alert::{overall_from_alerts, Alert};
use super::check::CheckResult;
use super::health::AlertLevel;
use crate::diagnostic::escape_text;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Plain text.
    Text,
    /// Pretty-printed JSON (the dashboard).
    Json,
    /// Markdown.
    Markdown,
}

/// Every format name, for messages.
pub const FORMAT_NAMES: &[&str] = &["text", "json", "markdown"];

impl ReportFormat {
    /// Parses a format name.
    pub fn parse(name: &str) -> Option<ReportFormat> {
        match name {
            "text" => Some(ReportFormat::Text),
            "json" => Some(ReportFormat::Json),
            "markdown" => Some(ReportFormat::Markdown),
            _ => None,
        }
    }
}

/// Seconds of "recent activity".
const RECENT_WINDOW: f64 = 300.0;

/// The dashboard of `results` and the alerts in force at `now`; `recent_alerts` alerts were
/// raised by the latest processing.
pub fn dashboard(
    results: &[CheckResult],
    active: &[Alert],
    recent_alerts: usize,
    now: f64,
) -> Value {
    let started = Instant::now();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    let (mut total, mut recent) = (0usize, 0usize);
    for m in results.iter().flat_map(|r| &r.metrics) {
        total += 1;
        let t = serde_json::to_value(m.metric_type).ok();
        *types
            .entry(
                t.and_then(|t| t.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            )
            .or_default() += 1;
        *sources
            .entry(m.source.clone().unwrap_or_else(|| "unknown".into()))
            .or_default() += 1;
        if now - m.timestamp <= RECENT_WINDOW {
            recent += 1;
        }
    }
    let mut levels = json!({"critical": 0, "warning": 0, "info": 0});
    for a in active {
        let key = a.alert_level.as_str();
        levels[key] = json!(levels[key].as_u64().unwrap_or(0) + 1);
    }
    json!({
        "timestamp": now,
        "overall_status": overall_from_alerts(active).as_str(),
        "system_summary": {
            "timestamp": now,
            "total_metrics": total,
            "metric_types": types,
            "source_summary": sources,
            "recent_activity": {
                "recent_metrics_count": recent,
                "window_seconds": RECENT_WINDOW as u64,
                "metrics_per_minute": recent as f64 / (RECENT_WINDOW / 60.0),
            },
        },
        "alert_summary": {
            "active_alerts_count": active.len(),
            "alert_levels": levels,
            "recent_alerts_count": recent_alerts,
        },
        "active_alerts": active,
        "generation_time": started.elapsed().as_secs_f64(),
    })
}

/// The dashboard in `format`.
pub fn format_report(dashboard: &Value, format: ReportFormat) -> String {
    match format {
        ReportFormat::Json => serde_json::to_string_pretty(dashboard).unwrap_or_default(),
        ReportFormat::Text => text_report(dashboard),
        ReportFormat::Markdown => markdown_report(dashboard),
    }
}

struct Figures<'a> {
    status: String,
    generated: String,
    total: u64,
    recent: u64,
    active: u64,
    critical: u64,
    warning: u64,
    alerts: Vec<(&'a str, &'a str)>,
}

fn figures(d: &Value) -> Figures<'_> {
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let levels = &d["alert_summary"]["alert_levels"];
    Figures {
        status: d["overall_status"]
            .as_str()
            .unwrap_or("unknown")
            .to_uppercase(),
        generated: utc_text(d["timestamp"].as_f64().unwrap_or(0.0)),
        total: n(&d["system_summary"]["total_metrics"]),
        recent: n(&d["system_summary"]["recent_activity"]["recent_metrics_count"]),
        active: n(&d["alert_summary"]["active_alerts_count"]),
        critical: n(&levels["critical"]),
        warning: n(&levels["warning"]),
        alerts: d["active_alerts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x["alert_level"].as_str().unwrap_or(""),
                            x["message"].as_str().unwrap_or(""),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn text_report(d: &Value) -> String {
    let f = figures(d);
    let rule = "=".repeat(60);
    let mut lines = vec![
        rule.clone(),
        "Framework0 Health Monitoring Report".to_owned(),
        rule.clone(),
        format!("Overall Status: {}", f.status),
        format!("Generated: {}", f.generated),
        String::new(),
        "System Summary:".to_owned(),
        format!("  Total Metrics: {}", f.total),
        format!("  Recent Activity: {} metrics in last 5 minutes", f.recent),
        String::new(),
        "Alert Summary:".to_owned(),
        format!("  Active Alerts: {}", f.active),
        format!("  Critical: {}", f.critical),
        format!("  Warning: {}", f.warning),
        String::new(),
    ];
    if !f.alerts.is_empty() {
        lines.push("Active Alerts:".to_owned());
        for (level, message) in &f.alerts {
            lines.push(format!(
                "  [{}] {}",
                level.to_uppercase(),
                escape_text(message)
            ));
        }
        lines.push(String::new());
    }
    lines.push(rule);
    lines.join("\n")
}

fn markdown_report(d: &Value) -> String {
    let f = figures(d);
    let mut lines = vec![
        "# Framework0 Health Monitoring Report".to_owned(),
        String::new(),
        format!("**Overall Status:** {}", f.status),
        format!("**Generated:** {}", f.generated),
        String::new(),
        "## System Summary".to_owned(),
        String::new(),
        format!("- **Total Metrics:** {}", f.total),
        format!(
            "- **Recent Activity:** {} metrics in last 5 minutes",
            f.recent
        ),
        String::new(),
        "## Alert Summary".to_owned(),
        String::new(),
        format!("- **Active Alerts:** {}", f.active),
        format!("- **Critical:** {}", f.critical),
        format!("- **Warning:** {}", f.warning),
        String::new(),
    ];
    if !f.alerts.is_empty() {
        lines.push("## Active Alerts".to_owned());
        lines.push(String::new());
        for (level, message) in &f.alerts {
            let icon = if *level == AlertLevel::Critical.as_str() {
                "🔴"
            } else {
                "⚠️"
            };
            lines.push(format!(
                "- {icon} **{}:** {}",
                level.to_uppercase(),
                markdown_escape(message)
            ));
        }
        lines.push(String::new());
    }
    lines.join("\n")
}

/// `s` safe inside a Markdown list item: control characters escaped, Markdown punctuation
/// backslashed, `<` and `&` as entities.
fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_text(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '>' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of epoch seconds.
fn utc_text(epoch: f64) -> String {
    let ((y, m, d), (hh, mm, ss)) = crate::util::utc_parts(epoch.floor() as i64);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::alert::ActiveAlerts;
    use crate::events::check::{HealthMetric, HealthMetricType};
    use crate::events::health::{HealthStatus, Threshold};

    fn results(cpu: f64) -> (Vec<CheckResult>, ActiveAlerts) {
        let m = HealthMetric::new(
            "cpu_usage_total",
            cpu,
            HealthMetricType::SystemResource,
            "%",
            "system_cpu",
            1_796_113_345.0,
        );
        let mut active = ActiveAlerts::default();
        active.evaluate(
            &m,
            &Threshold::max("cpu_usage_total", 80.0, 95.0),
            1_796_113_345.5,
        );
        let r = CheckResult::new(
            "cpu_usage",
            HealthStatus::Critical,
            "c".into(),
            vec![m],
            1.0,
            1_796_113_345.0,
        );
        (vec![r], active)
    }

    #[test]
    fn text_report_has_framework0_layout() {
        let (r, active) = results(100.0);
        let d = dashboard(&r, active.alerts(), 1, 1_796_113_364.0);
        let text = format_report(&d, ReportFormat::Text);
        let want = format!(
            "{rule}\nFramework0 Health Monitoring Report\n{rule}\nOverall Status: CRITICAL\nGenerated: 2026-12-01 08:22:44\n\n\
             System Summary:\n  Total Metrics: 1\n  Recent Activity: 1 metrics in last 5 minutes\n\n\
             Alert Summary:\n  Active Alerts: 1\n  Critical: 1\n  Warning: 0\n\n\
             Active Alerts:\n  [CRITICAL] CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)\n\n{rule}",
            rule = "=".repeat(60)
        );
        assert_eq!(text, want);
        let (r, active) = results(10.0);
        let d = dashboard(&r, active.alerts(), 0, 1_796_113_364.0 + 1000.0);
        let text = format_report(&d, ReportFormat::Text);
        assert!(
            text.contains("Overall Status: HEALTHY\n") && !text.contains("Active Alerts:\n"),
            "{text}"
        );
        assert!(text.contains("Recent Activity: 0 metrics"), "{text}");
        let json: Value = serde_json::from_str(&format_report(&d, ReportFormat::Json)).unwrap();
        assert_eq!(json["system_summary"]["metric_types"]["system_resource"], 1);
        assert_eq!(json["system_summary"]["source_summary"]["system_cpu"], 1);
        let md = format_report(
            &dashboard(&results(100.0).0, results(100.0).1.alerts(), 1, 0.0),
            ReportFormat::Markdown,
        );
        assert!(
            md.contains("- 🔴 **CRITICAL:** CRITICAL: cpu\\_usage\\_total is 100.0 %"),
            "{md}"
        );
    }

    #[test]
    fn a_warning_alert_gets_the_warning_icon_and_markup_in_it_is_escaped() {
        let (r, active) = results(85.0);
        let md = format_report(
            &dashboard(&r, active.alerts(), 1, 0.0),
            ReportFormat::Markdown,
        );
        assert!(md.contains("- ⚠️ **WARNING:** "), "{md}");
        assert_eq!(markdown_escape("a<b>&c"), "a&lt;b\\>&amp;c");
        let names: Vec<Option<ReportFormat>> = FORMAT_NAMES
            .iter()
            .map(|n| ReportFormat::parse(n))
            .collect();
        assert!(names.iter().all(Option::is_some), "{names:?}");
        assert!(ReportFormat::parse("html").is_none());
    }
}
