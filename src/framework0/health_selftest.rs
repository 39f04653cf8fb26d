//! `engine.steps.python.test_health_monitoring.TestHealthMonitoringScriptlet`: a real
//! self-test of the health framework, reported in Framework0's shape ([`super::selftest`]).
//!
//! `test_type`:
//! - `import_validation` (default): `health_core` (statuses, alert levels, thresholds
//!   critical first with strict bounds, the alert message and id), `health_checks` (the four
//!   checks' bounds and messages on synthetic readings), `health_reporters` (processing and
//!   the report layout), `health_init` (threshold configuration), `health_monitoring` (the
//!   scriptlet's argument checks);
//! - `health_checks`: `monitor_creation`, `system_checks` (the live checks, `checks_run`),
//!   `status_determination` (`overall_status`), `report_generation` (`report_length`);
//! - `integration_test`: `context_integration` (`test.health_integration`),
//!   `scriptlet_creation` (`name`, `version`), `scriptlet_execution` (runs the health
//!   scriptlet's `setup` with Framework0's test arguments, which writes the `health.*` keys);
//! - `full_validation`: all three.
//!
//! Sets `health_test.results` and `health_test.success`; exit code 1 when a test fails.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::health_monitoring::{self, NAME};
use super::health_probe::{system_health, ProbePlan};
use super::selftest::{done, ensure, with, Outcome, SelfTest};
use crate::diagnostic::Code;
use crate::events::checks::{
    cpu_check, disk_check, memory_check, CpuReading, DiskReading, MemoryReading,
};
use crate::events::health_report::{dashboard, format_report, ReportFormat};
use crate::events::{
    default_thresholds, process_results, thresholds_from_config, ActiveAlerts, Alert, AlertLevel,
    EventsError, HealthMetric, HealthMetricType, HealthStatus, Threshold,
};
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

const GROUPS: [&str; 3] = ["import_validation", "health_checks", "integration_tests"];

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
        let mut t = SelfTest::new(test_type, &GROUPS);
        if all || test_type == "import_validation" {
            imports(&mut t);
        }
        if all || test_type == "health_checks" {
            health_checks(&mut t, env)?;
        }
        if all || test_type == "integration_test" {
            integration(&mut t, env)?;
        }
        env.set("health_test.results", t.to_json())?;
        env.set("health_test.success", json!(t.success()))?;
        Ok(if t.success() { 0 } else { 1 })
    }
}

const PACKAGE: &str = "scriptlets.foundation.health";

fn imports(t: &mut SelfTest) {
    let g = GROUPS[0];
    t.record_module(
        g,
        "health_core",
        &format!("{PACKAGE}.health_core"),
        health_core(),
    );
    t.record_module(
        g,
        "health_checks",
        &format!("{PACKAGE}.health_checks"),
        check_rules(),
    );
    t.record_module(
        g,
        "health_reporters",
        &format!("{PACKAGE}.health_reporters"),
        reporters(),
    );
    t.record_module(g, "health_init", PACKAGE, threshold_config());
    t.record_module(
        g,
        "health_monitoring",
        health_monitoring::MODULE,
        scriptlet_args(),
    );
}

fn cpu_metric(value: f64) -> HealthMetric {
    HealthMetric::new(
        "cpu_usage_total",
        value,
        HealthMetricType::SystemResource,
        "%",
        "system_cpu",
        1_700_000_000.5,
    )
}

fn health_core() -> Result<(), String> {
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
    let t = Threshold::max("cpu_usage_total", 80.0, 95.0);
    for (v, want) in [
        (100.0, Some(AlertLevel::Critical)),
        (95.0, Some(AlertLevel::Warning)),
        (80.0, None),
        (80.5, Some(AlertLevel::Warning)),
    ] {
        ensure(
            t.evaluate(v) == want,
            format!("{v} gave {:?}, expected {want:?}", t.evaluate(v)),
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
    ensure(
        Threshold {
            enabled: false,
            ..t.clone()
        }
        .evaluate(1e9)
        .is_none(),
        "a disabled threshold alerted",
    )?;
    let a = Alert::new(&cpu_metric(100.0), &t, AlertLevel::Critical, 1.0);
    let want = "CRITICAL: cpu_usage_total is 100.0 % from system_cpu (critical thresholds: min=None, max=95.0)";
    ensure(a.message == want, format!("message: {}", a.message))?;
    ensure(
        a.alert_id == "cpu_usage_total_1700000000.5",
        format!("alert_id: {}", a.alert_id),
    )
}

fn check_rules() -> Result<(), String> {
    let cpu = cpu_check(
        Ok(CpuReading {
            total: 97.5,
            per_core: vec![95.0, 100.0],
            frequency_mhz: None,
        }),
        1.0,
        1.0,
        1.0,
    );
    ensure(
        cpu.status == HealthStatus::Critical && cpu.message == "Critical CPU usage: 97.5%",
        format!("cpu: {}", cpu.message),
    )?;
    ensure(
        cpu.metric_count == 4,
        format!("cpu metrics: {}", cpu.metric_count),
    )?;
    let mem = memory_check(
        Ok(MemoryReading {
            percent: 50.0,
            total: 8,
            available: 4,
            used: 4,
            swap: None,
        }),
        0.0,
        1.0,
        1.0,
    );
    ensure(
        mem.status == HealthStatus::Healthy && mem.message == "Normal memory usage: 50.0%",
        format!("memory: {}", mem.message),
    )?;
    let disk = disk_check(
        Ok(vec![DiskReading {
            mount: "/data".into(),
            total: 100,
            free: 15,
            used: 85,
        }]),
        0.0,
        1.0,
        1.0,
    );
    ensure(
        disk.status == HealthStatus::Warning && disk.message == "High disk usage on: /data",
        format!("disk: {}", disk.message),
    )?;
    let failed = cpu_check(Err("unreadable".into()), 0.0, 1.0, 1.0);
    ensure(
        failed.status == HealthStatus::Unknown && failed.error.as_deref() == Some("unreadable"),
        "a failed reading is not unknown",
    )
}

fn reporters() -> Result<(), String> {
    let r = cpu_check(
        Ok(CpuReading {
            total: 100.0,
            per_core: vec![100.0],
            frequency_mhz: None,
        }),
        1.0,
        1.0,
        1.0,
    );
    let mut active = ActiveAlerts::default();
    let p = process_results(
        std::slice::from_ref(&r),
        &default_thresholds(),
        &mut active,
        2.0,
    );
    ensure(
        p.summary.alerts_generated == 1 && p.summary.total_metrics == 3,
        format!("processing: {:?}", p.summary),
    )?;
    ensure(
        active.overall_status() == HealthStatus::Critical,
        "overall status not critical",
    )?;
    let text = format_report(
        &dashboard(&[r], active.alerts(), 1, 2.0),
        ReportFormat::Text,
    );
    for line in [
        "Framework0 Health Monitoring Report",
        "Overall Status: CRITICAL",
        "  Active Alerts: 1",
        "  [CRITICAL] CRITICAL: cpu_usage_total is 100.0 %",
    ] {
        ensure(text.contains(line), format!("report lacks '{line}'"))?;
    }
    Ok(())
}

fn threshold_config() -> Result<(), String> {
    let cfg = json!({"cpu_usage_total": {"warning_max": 80.0, "critical_max": 95.0}});
    let t = thresholds_from_config(&cfg, "thresholds").map_err(|e| e.to_string())?;
    ensure(
        t["cpu_usage_total"] == Threshold::max("cpu_usage_total", 80.0, 95.0),
        "parsed threshold differs",
    )?;
    let bad = thresholds_from_config(&json!({"cpu": {"warn_max": 1}}), "thresholds");
    ensure(
        matches!(bad, Err(EventsError::InvalidConfig { .. })),
        "an unknown threshold key was accepted",
    )?;
    let names: Vec<String> = default_thresholds().into_keys().collect();
    ensure(names.len() == 3, format!("default thresholds: {names:?}"))
}

fn scriptlet_args() -> Result<(), String> {
    let good = json!({"action": "setup", "initial_check": true, "config": {"monitoring": {"enabled": true, "check_interval": 30},
        "thresholds": {"cpu_usage_total": {"warning_max": 80.0, "critical_max": 95.0}}}});
    let findings = health_monitoring::validate(good.as_object().ok_or("not a mapping")?, "args");
    ensure(
        findings.is_empty(),
        format!("Framework0's arguments refused: {findings:?}"),
    )?;
    let bad = json!({"action": "start_monitoring"});
    let findings = health_monitoring::validate(bad.as_object().ok_or("not a mapping")?, "args");
    ensure(
        findings.iter().any(|f| f.code == Code::UnknownAction),
        "an unknown action was accepted",
    )
}

fn health_checks(t: &mut SelfTest, env: &StepEnv) -> Result<(), ScriptletError> {
    let g = GROUPS[1];
    t.record(g, "monitor_creation", monitor_creation());
    let live = system_health(&ProbePlan::default(), &|d: Duration| env.sleep(d));
    let results = match live {
        Ok(r) => r,
        Err(ScriptletError::Cancelled) => return Err(ScriptletError::Cancelled),
        Err(e) => {
            t.record(g, "system_checks", Err(e.to_string()));
            return Ok(());
        }
    };
    t.record(g, "system_checks", system_checks(&results));
    let mut active = ActiveAlerts::default();
    let p = process_results(
        &results,
        &default_thresholds(),
        &mut active,
        epoch_seconds(),
    );
    t.record(
        g,
        "status_determination",
        (|| {
            let worst = p
                .active_alerts
                .iter()
                .map(|a| a.alert_level.status())
                .fold(HealthStatus::Healthy, HealthStatus::worst);
            ensure(
                active.overall_status() == worst,
                "overall status disagrees with the alerts",
            )?;
            with("overall_status", json!(active.overall_status().as_str()))
        })(),
    );
    let text = format_report(
        &dashboard(&results, active.alerts(), p.alerts.len(), epoch_seconds()),
        ReportFormat::Text,
    );
    t.record(
        g,
        "report_generation",
        (|| {
            ensure(
                text.contains("Framework0 Health Monitoring Report")
                    && text.contains("Total Metrics: "),
                "report lacks its header",
            )?;
            with("report_length", json!(text.chars().count()))
        })(),
    );
    Ok(())
}

fn monitor_creation() -> Outcome {
    let settings = super::health_args::parse(&Map::new()).map_err(|(f, m)| format!("{f}: {m}"))?;
    ensure(
        settings.enabled && settings.probe.cpu && settings.probe.hosts.is_empty(),
        format!("default settings: {settings:?}"),
    )?;
    done()
}

fn system_checks(results: &[crate::events::CheckResult]) -> Outcome {
    let names: Vec<&str> = results.iter().map(|r| r.check_name.as_str()).collect();
    ensure(
        names
            == [
                "cpu_usage",
                "memory_usage",
                "disk_usage",
                "internet_connectivity",
            ],
        format!("checks: {names:?}"),
    )?;
    for r in &results[..3] {
        ensure(
            r.error.is_none() && r.metric_count > 0,
            format!("{}: {}", r.check_name, r.message),
        )?;
    }
    ensure(
        results[3].status == HealthStatus::Unknown,
        "the connectivity check dialled a host nobody listed",
    )?;
    with("checks_run", json!(results.len()))
}

fn integration(t: &mut SelfTest, env: &StepEnv) -> Result<(), ScriptletError> {
    let g = GROUPS[2];
    env.set("test.health_integration", json!(true))?;
    let value = env.get("test.health_integration").unwrap_or(Value::Null);
    t.record(
        g,
        "context_integration",
        if value == json!(true) {
            with("value", value)
        } else {
            Err(format!("read back {value}"))
        },
    );
    let mut created = Map::new();
    created.insert("name".into(), json!(NAME));
    created.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    t.record(g, "scriptlet_creation", Ok(created));
    let args = json!({"action": "setup", "initial_check": true, "config": {"monitoring": {"enabled": true},
        "thresholds": {"cpu_usage_total": {"warning_max": 80.0, "critical_max": 95.0}}}});
    let args = args.as_object().cloned().unwrap_or_default();
    let outcome = match health_monitoring::setup(env, &args) {
        Err(ScriptletError::Cancelled) => return Err(ScriptletError::Cancelled),
        Err(e) => Err(e.to_string()),
        Ok(code) => (|| {
            let results = env.get("health.latest_results").unwrap_or_default();
            ensure(
                results.as_array().map(Vec::len) == Some(4),
                format!(
                    "health.latest_results: {}",
                    crate::diagnostic::compact(&results)
                ),
            )?;
            ensure(
                env.get("health.overall_status").is_some(),
                "health.overall_status not set",
            )?;
            with("exit_code", json!(code))
        })(),
    };
    t.record(g, "scriptlet_execution", outcome);
    Ok(())
}
