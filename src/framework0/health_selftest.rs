//! `engine.steps.python.test_health_monitoring.TestHealthMonitoringScriptlet`: a real
//! self-test of the health framework.
//!
//! `test_type`: `import_validation` (default): status and alert-level strings, threshold
//! evaluation (critical first, strict bounds), the alert message, threshold config parsing;
//! `health_checks`: the live CPU/memory checks and synthetic readings (including a failed
//! probe); `integration_test`: the results earlier steps stored (or a fresh check) parse,
//! agree with `health.overall_status`, report and become cross-component events;
//! `full_validation`: all of them. Sets `health_test.success` and `health_test.results`;
//! exit code 1 when a check fails.

use serde_json::{json, Map, Value};

use super::health_monitoring::stored_results;
use super::selftest::{ensure, SelfTest};
use crate::diagnostic::Code;
use crate::events::health::Threshold;
use crate::events::health_report::{json_report, text_report};
use crate::events::{
    checks_from_readings, default_thresholds, overall_status, system_checks, Alert, AlertLevel,
    CheckResult, CrossComponentEvent, CrossEventType, EventsError, HealthStatus,
};
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric};
use crate::scriptlet::args::Choice;
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::util::epoch_seconds;

/// The module path.
pub const MODULE: &str = "engine.steps.python.test_health_monitoring";
/// The class name.
pub const FUNCTION: &str = "TestHealthMonitoringScriptlet";

const TEST_TYPE: Choice = Choice {
    scriptlet: FUNCTION,
    field: "test_type",
    default: Some("import_validation"),
    valid: &[
        "import_validation",
        "health_checks",
        "integration_test",
        "full_validation",
    ],
    code: Code::UnknownAction,
};

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &[MODULE],
        FUNCTION,
        "self-test of health monitoring: args.test_type = import_validation | health_checks | integration_test | full_validation",
        || Box::new(TestHealthMonitoringScriptlet),
        Some(|a, b| TEST_TYPE.validate(a, b)),
    );
}

struct TestHealthMonitoringScriptlet;

impl Scriptlet for TestHealthMonitoringScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let test_type = TEST_TYPE.get(args)?;
        let all = test_type == "full_validation";
        let mut t = SelfTest::default();
        if all || test_type == "import_validation" {
            t.record("status_strings", status_strings());
            t.record("threshold_evaluation", threshold_evaluation());
            t.record("alert_format", alert_format());
            t.record("threshold_config", threshold_config());
        }
        if all || test_type == "health_checks" {
            t.record("system_checks", live_checks());
            t.record("synthetic_readings", synthetic_readings());
            t.record("probe_failure", probe_failure());
        }
        if all || test_type == "integration_test" {
            integration(&mut t, env)?;
        }
        env.set("health_test.results", t.to_json(test_type))?;
        env.set("health_test.success", json!(t.success()))?;
        Ok(if t.success() { 0 } else { 1 })
    }
}

fn pct(name: &str, value: f64, source: &str) -> Result<PerformanceMetric, String> {
    PerformanceMetric::new(name, value, MetricType::Resource, MetricUnit::Percent)
        .map(|m| m.with_source(source))
        .map_err(|e| e.to_string())
}

fn status_strings() -> Result<String, String> {
    let s = serde_json::to_value(HealthStatus::ALL).map_err(|e| e.to_string())?;
    ensure(
        s == json!(["healthy", "warning", "critical", "unknown"]),
        format!("statuses: {s}"),
    )?;
    let levels = [
        AlertLevel::Info,
        AlertLevel::Warning,
        AlertLevel::Critical,
        AlertLevel::Emergency,
    ];
    let l = serde_json::to_value(levels).map_err(|e| e.to_string())?;
    ensure(
        l == json!(["info", "warning", "critical", "emergency"]),
        format!("alert levels: {l}"),
    )?;
    Ok("statuses and alert levels".to_owned())
}

fn threshold_evaluation() -> Result<String, String> {
    let t = Threshold::max("cpu_usage_total", 80.0, 95.0);
    let cases = [
        (100.0, Some(AlertLevel::Critical)),
        (95.0, Some(AlertLevel::Warning)),
        (80.0, None),
        (80.5, Some(AlertLevel::Warning)),
        (0.0, None),
    ];
    for (v, want) in cases {
        ensure(
            t.evaluate(v) == want,
            format!(
                "max thresholds: {v} gave {:?}, expected {want:?}",
                t.evaluate(v)
            ),
        )?;
    }
    let low = Threshold {
        warning_min: Some(20.0),
        critical_min: Some(10.0),
        warning_max: None,
        critical_max: None,
        ..t.clone()
    };
    ensure(
        low.evaluate(5.0) == Some(AlertLevel::Critical)
            && low.evaluate(10.0) == Some(AlertLevel::Warning)
            && low.evaluate(20.0).is_none(),
        "min thresholds misjudged",
    )?;
    let off = Threshold {
        enabled: false,
        ..t
    };
    ensure(
        off.evaluate(1000.0).is_none(),
        "a disabled threshold alerted",
    )?;
    Ok(format!(
        "{} cases, critical first, strict bounds",
        cases.len() + 4
    ))
}

fn alert_format() -> Result<String, String> {
    let m = pct("cpu_usage_total", 100.0, "system_cpu")?;
    let a = Alert::new(
        &m,
        &Threshold::max("cpu_usage_total", 80.0, 95.0),
        AlertLevel::Critical,
        1_700_000_000.75,
    );
    let want = "CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)";
    ensure(a.message == want, format!("message: {}", a.message))?;
    ensure(
        a.alert_id == "cpu_usage_total_1700000000",
        format!("alert_id: {}", a.alert_id),
    )?;
    let v = serde_json::to_value(&a).map_err(|e| e.to_string())?;
    for k in [
        "alert_id",
        "metric_name",
        "metric_value",
        "metric_unit",
        "threshold_config",
        "alert_level",
        "status",
        "timestamp",
        "source",
        "message",
    ] {
        ensure(v.get(k).is_some(), format!("alert lacks {k}"))?;
    }
    Ok(a.message)
}

fn threshold_config() -> Result<String, String> {
    let cfg = json!({"cpu_usage_total": {"warning_max": 80.0, "critical_max": 95.0}});
    let t = crate::events::thresholds_from_config(&cfg, "thresholds").map_err(|e| e.to_string())?;
    ensure(
        t["cpu_usage_total"] == Threshold::max("cpu_usage_total", 80.0, 95.0),
        "parsed threshold differs",
    )?;
    let bad = crate::events::thresholds_from_config(&json!({"cpu": {"warn_max": 1}}), "thresholds");
    ensure(
        matches!(bad, Err(EventsError::InvalidConfig { .. })),
        "an unknown threshold key was accepted",
    )?;
    Ok("config parsed; unknown keys refused".to_owned())
}

fn live_checks() -> Result<String, String> {
    let thresholds = default_thresholds();
    let (results, alerts) = system_checks(&thresholds, epoch_seconds());
    let names: Vec<&str> = results.iter().map(|r| r.check_name.as_str()).collect();
    ensure(
        names == ["system_cpu", "system_memory"],
        format!(
            "checks: {names:?} ({:?})",
            results.first().and_then(|r| r.error.clone())
        ),
    )?;
    let mut notes = Vec::new();
    for r in &results {
        ensure(
            r.metric_count == 1 && r.metrics.len() == 1 && r.error.is_none(),
            format!(
                "{}: {} metric(s), error {:?}",
                r.check_name, r.metric_count, r.error
            ),
        )?;
        let m = &r.metrics[0];
        ensure(
            (0.0..=100.0).contains(&m.value),
            format!("{} = {} is not a percentage", m.name, m.value),
        )?;
        let expected = thresholds[&m.name]
            .evaluate(m.value)
            .map_or(HealthStatus::Healthy, AlertLevel::status);
        ensure(
            r.status == expected,
            format!(
                "{}: status {:?}, thresholds say {expected:?}",
                r.check_name, r.status
            ),
        )?;
        notes.push(format!("{} = {:.1} %", m.name, m.value));
    }
    ensure(
        alerts.len()
            == results
                .iter()
                .filter(|r| r.status != HealthStatus::Healthy)
                .count(),
        "alert count does not match statuses",
    )?;
    Ok(notes.join(", "))
}

fn synthetic_readings() -> Result<String, String> {
    let readings = vec![
        pct("cpu_usage_total", 100.0, "system_cpu")?,
        pct("memory_usage_percent", 90.0, "system_memory")?,
    ];
    let (results, alerts) = checks_from_readings(Ok(readings), 0.0, &default_thresholds(), 1.0);
    let statuses: Vec<HealthStatus> = results.iter().map(|r| r.status).collect();
    ensure(
        statuses == [HealthStatus::Critical, HealthStatus::Warning],
        format!("statuses {statuses:?}"),
    )?;
    ensure(
        alerts.len() == 2 && overall_status(&results) == HealthStatus::Critical,
        "alerts or overall status wrong",
    )?;
    Ok("critical CPU and warning memory detected".to_owned())
}

fn probe_failure() -> Result<String, String> {
    let (results, alerts) = checks_from_readings(
        Err(EventsError::Probe("unreadable".into())),
        0.0,
        &default_thresholds(),
        1.0,
    );
    ensure(
        results.len() == 1
            && results[0].status == HealthStatus::Unknown
            && results[0].error.is_some()
            && alerts.is_empty(),
        "a failed probe is not reported as unknown",
    )?;
    Ok("failed probe gives status unknown".to_owned())
}

fn integration(t: &mut SelfTest, env: &StepEnv) -> Result<(), ScriptletError> {
    let stored = stored_results(env);
    let from_context = matches!(stored, Ok(Some(_)));
    let (results, alerts) = match stored {
        Ok(Some(r)) => r,
        Ok(None) => system_checks(&default_thresholds(), epoch_seconds()),
        Err(e) => {
            t.record("context_results", Err(e.to_string()));
            return Ok(());
        }
    };
    t.record(
        "context_results",
        context_results(env, &results, from_context),
    );
    t.record(
        "report_generation",
        report_generation(env, &results, &alerts),
    );
    t.record(
        "cross_component_events",
        cross_component_events(alerts.len()),
    );
    Ok(())
}

fn context_results(
    env: &StepEnv,
    results: &[CheckResult],
    from_context: bool,
) -> Result<String, String> {
    ensure(!results.is_empty(), "no check results")?;
    if from_context {
        let stored = env.get("health.overall_status");
        ensure(
            stored == Some(json!(overall_status(results).as_str())),
            format!("health.overall_status {stored:?} disagrees with the results"),
        )?;
        Ok(format!(
            "{} stored result(s) parse; overall status agrees",
            results.len()
        ))
    } else {
        Ok(format!(
            "no stored results; {} fresh result(s)",
            results.len()
        ))
    }
}

fn report_generation(
    env: &StepEnv,
    results: &[CheckResult],
    alerts: &[Alert],
) -> Result<String, String> {
    let text = text_report(results, alerts, "now");
    let json = json_report(results, alerts, "now");
    for r in results {
        ensure(
            text.contains(&r.check_name),
            format!("text report lacks {}", r.check_name),
        )?;
    }
    ensure(
        json["checks"].as_array().map(Vec::len) == Some(results.len()),
        "json report lacks checks",
    )?;
    if let Some(Value::String(stored)) = env.get("health.latest_report") {
        for r in results {
            ensure(
                stored.contains(&r.check_name),
                format!("health.latest_report lacks {}", r.check_name),
            )?;
        }
    }
    Ok("text and json reports cover every check".to_owned())
}

fn cross_component_events(alerts: usize) -> Result<String, String> {
    let m = pct("memory_usage_percent", 99.0, "system_memory")?;
    let a = Alert::new(
        &m,
        &Threshold::max("memory_usage_percent", 85.0, 95.0),
        AlertLevel::Critical,
        1.0,
    );
    let mut e = CrossComponentEvent::from_alert(&a, "health_monitoring");
    e.mark_processed("logging");
    e.mark_processed("logging");
    ensure(
        e.event_type == CrossEventType::MetricThreshold
            && e.event_id.starts_with("perf_anomaly_")
            && e.event_id.len() == 21,
        format!("event {}", e.event_id),
    )?;
    ensure(
        e.data.baseline == Some(95.0)
            && e.data.severity == "critical"
            && e.processed_by == ["logging"],
        "event data wrong",
    )?;
    Ok(format!("{alerts} alert(s) in this run"))
}
