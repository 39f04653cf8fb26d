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
        (HEALTH, "{action: report, format: pdf}", "args.format: unknown format \"pdf\"; valid formats: text, json, markdown"),
        (HEALTH, "{config: {connectivity: {hosts: [localhost]}}}", "args.config.connectivity.hosts[0]: must be \"host:port\""),
        (HEALTH, "{config: {system_resources: {gpu_enabled: true}}}", "args.config.system_resources.gpu_enabled: unknown key"),
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
    // critical_min 101: every CPU reading is below it, so the alert is certain.
    let path = s.write(
        "r.yaml",
        "steps:\n  - {name: setup, idx: 1, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {action: setup, thresholds: {cpu_usage_total: {critical_min: 101}}}}\n  - {name: report, idx: 2, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {action: report, format: json, output_file: health.json}}\n  - {name: md, idx: 3, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {action: report, format: markdown}}\n",
    );
    let out = s.run(&["run", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        s.ctx("health.monitoring_enabled"),
        Some(serde_json::json!(true))
    );
    assert_eq!(
        s.ctx("health.overall_status"),
        Some(serde_json::json!("critical"))
    );
    assert!(
        s.ctx("health.config").is_none() && s.ctx("health.alerts").is_none(),
        "not Framework0 keys"
    );
    let written = std::fs::read_to_string(s.path("health.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(dashboard["overall_status"], "critical");
    assert_eq!(dashboard["alert_summary"]["active_alerts_count"], 1);
    assert_eq!(dashboard["alert_summary"]["alert_levels"]["critical"], 1);
    assert_eq!(
        dashboard["active_alerts"][0]["threshold_config"]["critical_min"],
        101.0
    );
    assert!(
        dashboard["system_summary"]["total_metrics"]
            .as_u64()
            .unwrap()
            > 10,
        "{dashboard}"
    );
    assert!(
        !stdout.contains("\"overall_status\""),
        "written to the file, not printed"
    );
    // The last report (markdown) is the stored one, and it was printed.
    let md = s.ctx("health.latest_report").unwrap();
    let md = md.as_str().unwrap();
    assert!(
        md.starts_with("# Framework0 Health Monitoring Report\n"),
        "{md}"
    );
    assert!(
        md.contains("- 🔴 **CRITICAL:** CRITICAL: cpu\\_usage\\_total is "),
        "{md}"
    );
    assert!(stdout.contains(md), "{stdout}");
    assert_eq!(
        s.ctx("health.report_format"),
        Some(serde_json::json!("markdown"))
    );
}

#[test]
fn health_check_uses_recipe_thresholds_and_dials_only_listed_loopback_hosts() {
    let s = Scratch::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let path = s.write(
        "r.yaml",
        &format!("config:\n  health:\n    thresholds:\n      memory_usage_percent: {{warning_max: -1}}\nsteps:\n  - {{name: check, idx: 1, module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, args: {{action: check, config: {{system_resources: {{cpu_enabled: false}}, connectivity: {{hosts: [\"127.0.0.1:{port}\"], timeout: 2s}}}}}}}}\n"),
    );
    let (code, json) = s.run_json(&path, &[]);
    assert_eq!(code, 0, "{json}");
    // A check without a setup sets itself up, as Framework0's does.
    assert_eq!(
        s.ctx("health.monitor_name"),
        Some(serde_json::json!("system_health"))
    );
    assert!(s.ctx("health.check_timestamp").unwrap().is_f64());
    let results = s.ctx("health.latest_results").unwrap();
    let names = crate::util::action::check_names(&results);
    assert_eq!(
        names,
        ["memory_usage", "disk_usage", "internet_connectivity"]
    );
    let net = &results[2];
    assert_eq!(net["status"], "healthy", "{net}");
    assert_eq!(net["message"], "Network connectivity OK: 1/1");
    assert_eq!(
        net["metrics"][0]["name"],
        format!("connection_127_0_0_1_{port}")
    );
    assert_eq!(net["metrics"][0]["value"], 1);
    // warning_max -1: memory is always above it; the recipe's thresholds were used.
    assert_eq!(
        s.ctx("health.overall_status"),
        Some(serde_json::json!("warning"))
    );
    let alerts = &s.ctx("health.latest_processing").unwrap()["alerts"];
    assert_eq!(alerts[0]["metric_name"], "memory_usage_percent");
    assert_eq!(alerts[0]["alert_level"], "warning");
}
