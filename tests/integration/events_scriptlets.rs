//! The native Framework0 logging and health scriptlets: wrong actions and test types fail the
//! step naming the valid ones; wrong arguments are refused before anything runs.

use crate::util::Scratch;

fn recipe(s: &Scratch, module: &str, function: &str, args: &str) -> std::path::PathBuf {
    s.write(
        "r.yaml",
        &format!("steps:\n  - {{name: one, idx: 1, module: {module}, function: {function}, args: {args}}}\n"),
    )
}

const HEALTH: (&str, &str) = (
    "scriptlets.foundation.health_monitoring",
    "HealthMonitoringScriptlet",
);
const LOGGING: (&str, &str) = (
    "scriptlets.foundation.logging_framework",
    "LoggingFrameworkScriptlet",
);
const LOG_TEST: (&str, &str) = (
    "engine.steps.python.test_logging_framework",
    "TestLoggingFramework",
);
const HEALTH_TEST: (&str, &str) = (
    "engine.steps.python.test_health_monitoring",
    "TestHealthMonitoringScriptlet",
);

#[test]
fn unknown_actions_and_test_types_fail_the_step_listing_valid_ones() {
    let s = Scratch::new();
    let cases = [
        (HEALTH, "{action: start_monitoring}", "unknown action \"start_monitoring\"; valid actions: setup, check, report"),
        (LOGGING, "{action: teardown}", "unknown action \"teardown\"; valid actions: setup"),
        (LOG_TEST, "{test_type: stress}", "unknown test_type \"stress\"; valid test_types: import_validation, full_validation"),
        (HEALTH_TEST, "{test_type: 7}", "unknown test_type 7; valid test_types: import_validation, health_checks, integration_test, full_validation"),
    ];
    for ((module, function), args, message) in cases {
        let path = recipe(&s, module, function, args);
        let out = s.run(&["run", path.to_str().unwrap(), "--summary"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{function}: {stdout}{stderr}");
        assert!(stdout.contains("  Steps: 0/1"), "{stdout}");
        assert!(
            stderr.contains(&format!("Step execution failed: {message}")),
            "{stderr}"
        );
        // f0 validate reports the same as UNKNOWN_ACTION.
        let v = s.run(&["validate", path.to_str().unwrap()]);
        let vout = String::from_utf8_lossy(&v.stdout);
        assert!(
            vout.contains("[UNKNOWN_ACTION] at recipe.steps[0].args."),
            "{vout}"
        );
        assert!(vout.contains(message), "{vout}");
    }
}

#[test]
fn bad_arguments_are_refused_before_the_run() {
    let s = Scratch::new();
    let cases = [
        (LOGGING, "{config_profile: loud}", "args.config_profile: unknown config_profile \"loud\"; valid config_profiles: development, testing, production"),
        (LOGGING, "{enable_audit: yes please}", "args.enable_audit: must be true or false"),
        (LOGGING, "{log_dir: 3}", "args.log_dir: must be a non-empty directory path"),
        (HEALTH, "{action: report, format: pdf}", "args.format: unknown format \"pdf\"; valid formats: text, json"),
        (HEALTH, "{config: {thresholds: {cpu_usage_total: {warning_max: high}}}}", "args.config.thresholds.cpu_usage_total.warning_max: must be a number or null"),
        (HEALTH, "{thresholds: {cpu: {warn: 1}}}", "args.thresholds.cpu.warn: unknown key"),
    ];
    for ((module, function), args, message) in cases {
        let path = recipe(&s, module, function, args);
        let v = s.run(&["validate", path.to_str().unwrap()]);
        let vout = String::from_utf8_lossy(&v.stdout);
        assert_eq!(v.status.code(), Some(1), "{vout}");
        assert!(
            vout.contains(&format!("[INVALID_ARG] at recipe.steps[0].{message}")),
            "{args}: {vout}"
        );
    }
}

#[test]
fn health_report_json_and_output_file() {
    let s = Scratch::new();
    let path = s.write(
        "r.yaml",
        "steps:\n  - {name: setup, idx: 1, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {action: setup, initial_check: false, thresholds: {cpu_usage_total: {critical_max: 101}}}}\n  - {name: report, idx: 2, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {action: report, format: json, output_file: health.json}}\n",
    );
    let (code, json) = s.run_json(&path, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        s.ctx("health.monitoring_enabled"),
        Some(serde_json::json!(true))
    );
    let cfg = s.ctx("health.config").unwrap();
    assert_eq!(cfg["thresholds"]["cpu_usage_total"]["critical_max"], 101.0);
    assert_eq!(
        cfg["thresholds"]["cpu_usage_total"]["warning_max"],
        serde_json::Value::Null
    );
    assert_eq!(
        cfg["thresholds"]["memory_usage_percent"]["warning_max"],
        85.0
    );
    // No initial check, so the report ran one itself, with the stored thresholds: CPU can
    // never exceed 101 %, so it is not critical.
    let report = s.ctx("health.latest_report").unwrap();
    assert_eq!(report["checks"][0]["check_name"], "system_cpu");
    assert_ne!(report["checks"][0]["status"], "critical");
    assert_eq!(
        s.ctx("health.report_format"),
        Some(serde_json::json!("json"))
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("health.json")).unwrap()).unwrap();
    assert_eq!(written, report);
}
