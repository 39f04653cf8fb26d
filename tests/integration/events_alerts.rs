//! Performance health (issue 14, Framework0's 5B) from the analyze action: thresholds on
//! series selectors and statistics become Framework0's alert JSON, the overall status
//! follows them (critical first, strict bounds), a planted regression raises a regression
//! alert, `fail_on` fails the step, and the results land where Framework0's health scriptlet
//! keeps them.

use crate::util::action::{analyze_recipe, assert_valid, import_rows, schema, wobbly_series};
use crate::util::Scratch;
use serde_json::{json, Value};

const T0: i64 = 1_767_225_600;

/// One run holding `step_wall_time{step=build}` (18 × 100 ms, 3 × 160 ms: p95 160 ms),
/// `{step=test}` (all 10 ms) and `cpu_usage_total` ending at 97 %.
fn plant(s: &Scratch) {
    let rows: Vec<(i64, f64)> = (0..21)
        .map(|i| (T0 + i, if i < 18 { 100.0 } else { 160.0 }))
        .collect();
    // One JSON-lines file, so that the three series share one import run.
    let mut lines = String::new();
    let mut push = |name: &str, t: i64, v: f64, unit: &str, kind: &str, tags: Value| {
        lines.push_str(
            &json!({"name": name, "value": v, "metric_type": kind, "unit": unit,
                    "timestamp": t * 1_000_000_000, "tags": tags, "source": "import",
                    "context": {}})
            .to_string(),
        );
        lines.push('\n');
    };
    for (t, v) in &rows {
        push(
            "step_wall_time",
            *t,
            *v,
            "ms",
            "timing",
            json!({"step": "build"}),
        );
        push(
            "step_wall_time",
            *t,
            10.0,
            "ms",
            "timing",
            json!({"step": "test"}),
        );
    }
    push("cpu_usage_total", T0 + 1, 50.0, "%", "gauge", json!({}));
    push("cpu_usage_total", T0 + 2, 97.0, "%", "gauge", json!({}));
    let p = s.write("planted.jsonl", &lines);
    let out = s.run(&["import", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A recipe with one analyze step, detectors off, and `args`.
fn recipe(s: &Scratch, file: &str, args: &str, extra: &str) -> std::path::PathBuf {
    let args = format!("anomaly_detection: false, change_points: false, {args}");
    analyze_recipe(s, file, &args, extra)
}

/// The planted series, whichever runs hold them (later runs only add step metrics).
const PLANTED: &str =
    r#"timeframe: all, metrics: ['step_wall_time{step=~"build|test"}', cpu_usage_total]"#;
const BUILD_P95: &str =
    r#"'step_wall_time{step="build"}:p95': {warning_max: 150, critical_max: 500}"#;
const CPU: &str = "cpu_usage_total: {warning_max: 80, critical_max: 95}";

/// The `metrics.health.*` keys as one object, checked against `schemas/health.schema.json`.
pub fn health_bundle(s: &Scratch) -> Value {
    let keys = [
        "overall_status",
        "alerts",
        "checks",
        "events",
        "unmatched_thresholds",
    ];
    let bundle: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| {
            let v = s.ctx(&format!("metrics.health.{k}"));
            (
                k.to_string(),
                v.unwrap_or_else(|| panic!("metrics.health.{k}")),
            )
        })
        .collect();
    let bundle = Value::Object(bundle);
    assert_valid("health", &bundle);
    bundle
}

fn alerts(s: &Scratch) -> Vec<Value> {
    s.ctx("metrics.health.alerts")
        .expect("metrics.health.alerts")
        .as_array()
        .unwrap()
        .clone()
}

fn alert_named<'a>(alerts: &'a [Value], name: &str) -> &'a Value {
    alerts
        .iter()
        .find(|a| a["metric_name"] == name)
        .unwrap_or_else(|| panic!("no alert for {name}: {alerts:#?}"))
}

#[test]
fn threshold_breaches_yield_framework0_alert_json_and_a_critical_status() {
    let s = Scratch::new();
    plant(&s);
    let r = recipe(
        &s,
        "t.yaml",
        &format!("{PLANTED}, thresholds: {{{BUILD_P95}, {CPU}}}"),
        "",
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out:#}");
    let alerts = alerts(&s);
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let cpu = alert_named(&alerts, "cpu_usage_total");
    let keys: Vec<&str> = cpu
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = [
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
    ];
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(cpu["alert_id"], format!("cpu_usage_total_{}.0", T0 + 2));
    assert_eq!(
        (&cpu["metric_value"], &cpu["metric_unit"], &cpu["source"]),
        (&json!(97.0), &json!("%"), &json!("import"))
    );
    assert_eq!(
        (&cpu["alert_level"], &cpu["status"]),
        (&json!("critical"), &json!("critical"))
    );
    assert_eq!(
        cpu["message"],
        "CRITICAL: cpu_usage_total is 97.0 % from import (critical thresholds: min=None, max=95.0)"
    );
    assert_eq!(
        cpu["threshold_config"],
        json!({"metric_name": "cpu_usage_total", "warning_min": null, "warning_max": 80.0,
               "critical_min": null, "critical_max": 95.0, "enabled": true})
    );
    assert!(cpu["timestamp"].is_f64());
    let build = alert_named(&alerts, r#"step_wall_time{step="build"}:p95"#);
    assert_eq!(
        (&build["alert_level"], &build["metric_value"]),
        (&json!("warning"), &json!(160.0))
    );
    assert_eq!(
        build["message"],
        r#"WARNING: step_wall_time{step="build"}:p95 is 160.0 ms from import (warning thresholds: min=None, max=150.0)"#
    );
    // The selector picked one series: {step="test"} is not judged.
    let checks = s.ctx("metrics.health.checks").unwrap();
    let readings = checks[0]["metrics"].as_array().unwrap();
    assert_eq!(checks[0]["check_name"], "performance_thresholds");
    assert_eq!(readings.len(), 2, "{readings:#?}");
    assert_eq!(readings[0]["metric_type"], "performance");
    assert_eq!(checks[0]["status"], "critical");
    assert_eq!(
        s.ctx("metrics.health.overall_status"),
        Some(json!("critical"))
    );
    // Mirrored where Framework0's health scriptlet keeps its results.
    assert_eq!(s.ctx("health.overall_status"), Some(json!("critical")));
    let latest = s.ctx("health.latest_results").unwrap();
    assert_eq!(latest[0]["check_name"], "performance_thresholds");
    let processing = s.ctx("health.latest_processing").unwrap();
    assert_eq!(processing["active_alerts"].as_array().unwrap().len(), 2);
    // Each breach is also a metric_threshold cross-component event.
    let events = s.ctx("metrics.health.events").unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["metric_threshold", "metric_threshold"]);
    assert_eq!(events[0]["processed_by"], json!(["performance_metrics"]));
    // The whole bundle has the schema's shapes, and the schema refuses a wrong one.
    let mut bundle = health_bundle(&s);
    let validator = schema("health");
    assert!(validator.is_valid(&bundle));
    bundle["alerts"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&bundle), "an alert without its message");
    bundle["alerts"] = json!([]);
    bundle["checks"][0]["metrics"][0]["metric_type"] = json!("timing");
    assert!(
        !validator.is_valid(&bundle),
        "a reading of a type Framework0 does not know"
    );
}

#[test]
fn a_warning_alone_gives_warning_and_a_value_at_the_bound_raises_nothing() {
    let s = Scratch::new();
    plant(&s);
    let r = recipe(
        &s,
        "w.yaml",
        &format!("{PLANTED}, thresholds: {{{BUILD_P95}}}"),
        "",
    );
    assert_eq!(s.run_json(&r, &[]).0, 0);
    assert_eq!(
        s.ctx("metrics.health.overall_status"),
        Some(json!("warning"))
    );
    assert_eq!(s.ctx("health.overall_status"), Some(json!("warning")));
    // Strict comparison: 97 is not above a maximum of 97; a minimum of 97 is not breached
    // either. Thresholds from the recipe's config.health.thresholds are read too.
    let at_bound = recipe(
        &s,
        "b.yaml",
        "timeframe: all, metrics: cpu_usage_total",
        "config: {health: {thresholds: {cpu_usage_total: {warning_max: 97, critical_min: 97}}}}\n",
    );
    assert_eq!(s.run_json(&at_bound, &[]).0, 0);
    assert_eq!(s.ctx("metrics.health.alerts"), Some(json!([])));
    assert_eq!(
        s.ctx("metrics.health.overall_status"),
        Some(json!("healthy"))
    );
    assert_eq!(
        s.ctx("metrics.health.unmatched_thresholds"),
        Some(json!([]))
    );
}

#[test]
fn fail_on_fails_the_step_at_its_level_after_writing_the_health() {
    let s = Scratch::new();
    plant(&s);
    let warn_only = format!("{PLANTED}, thresholds: {{{BUILD_P95}}}");
    let cases = [
        (format!("{warn_only}, fail_on: critical"), None),
        (
            format!("{warn_only}, fail_on: warning"),
            Some("health status warning (fail_on: warning): WARNING: step_wall_time"),
        ),
        (
            format!("{PLANTED}, thresholds: {{{CPU}}}, fail_on: critical"),
            Some("health status critical (fail_on: critical): CRITICAL: cpu_usage_total is 97.0 %"),
        ),
    ];
    for (i, (args, failure)) in cases.iter().enumerate() {
        let r = recipe(&s, &format!("f{i}.yaml"), args, "");
        let (code, out) = s.run_json(&r, &[]);
        let error = out["steps"][0]["error"].as_str().unwrap_or_default();
        match failure {
            None => assert_eq!(code, 0, "{args}: {out:#}"),
            Some(want) => {
                assert_eq!(code, 1, "{args}: {out:#}");
                assert!(error.contains(want), "{args}: {error}");
                // The health was written before the step failed.
                assert!(!alerts(&s).is_empty());
            }
        }
    }
}

#[test]
fn bad_thresholds_and_fail_on_are_refused_naming_the_field() {
    let s = Scratch::new();
    plant(&s);
    let cases = [
        (
            "thresholds: {'t:p0': {warning_max: 1}}",
            "thresholds.t:p0",
            "unknown statistic 'p0'",
        ),
        (
            "thresholds: {'t{step=': {}}",
            "thresholds.t{step=",
            "selector",
        ),
        (
            "thresholds: {t: {warning_maxx: 1}}",
            "thresholds.t.warning_maxx",
            "unknown key",
        ),
        ("thresholds: [1]", "thresholds", "must be a mapping"),
        ("fail_on: major", "fail_on", "must be warning or critical"),
    ];
    for (i, (args, field, msg)) in cases.iter().enumerate() {
        let r = recipe(&s, &format!("bad{i}.yaml"), args, "");
        let (code, out) = s.run_json(&r, &[]);
        let text = out.to_string();
        assert_eq!(code, 1, "{args}: {text}");
        assert!(text.contains(field) && text.contains(msg), "{args}: {text}");
    }
    let r = recipe(
        &s,
        "badcfg.yaml",
        "timeframe: all, metrics: cpu_usage_total",
        "config: {health: {thresholds: {'x:median5': {}}}}\n",
    );
    // Refused by f0 validate and before the run, like any recipe error.
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("recipe.config.health.thresholds.x:median5")
            && text.contains("unknown statistic 'median5'"),
        "{text}"
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out["run_id"], Value::Null, "nothing ran: {out}");
    // The same inside the step's own config mapping.
    let r = recipe(
        &s,
        "badargcfg.yaml",
        "timeframe: all, config: {health: {thresholds: {'x:': {}}}}",
        "",
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.to_string().contains("args.config.health.thresholds.x:"),
        "{out}"
    );
}

#[test]
fn a_planted_regression_yields_a_regression_alert() {
    let s = Scratch::new();
    let series = |level: f64, k: i64| wobbly_series(T0, level, k);
    import_rows(&s, "base.csv", "latency", &series(100.0, 0));
    let establish = recipe(
        &s,
        "e.yaml",
        "timeframe: last_run, metrics: latency, baseline: {establish: {run: last}}",
        "",
    );
    assert_eq!(s.run_json(&establish, &[]).0, 0);
    let events = s.ctx("metrics.health.events").unwrap();
    assert_eq!(events[0]["event_type"], "system_baseline", "{events:#}");
    assert_eq!(events[0]["data"]["value"], 100.125);
    let compare = recipe(
        &s,
        "c.yaml",
        "timeframe: last_run, metrics: latency, baseline: {compare: true}",
        "",
    );
    import_rows(&s, "improved.csv", "latency", &series(70.0, 1));
    assert_eq!(s.run_json(&compare, &[]).0, 0);
    assert_eq!(
        s.ctx("metrics.health.alerts"),
        Some(json!([])),
        "an improvement raises nothing"
    );
    assert_eq!(
        s.ctx("metrics.health.overall_status"),
        Some(json!("healthy"))
    );
    import_rows(&s, "slow.csv", "latency", &series(130.0, 2));
    assert_eq!(s.run_json(&compare, &[]).0, 0);
    let alerts = alerts(&s);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    let change = (130.125 - 100.125) / 100.125;
    assert_eq!(a["metric_name"], "latency:regression");
    assert_eq!(a["alert_level"], "warning");
    assert!(
        (a["metric_value"].as_f64().unwrap() - change).abs() < 1e-12,
        "{a}"
    );
    assert_eq!(
        a["message"],
        format!(
            "WARNING: latency:regression is {} ratio from performance_metrics (warning thresholds: min=None, max=0.2)",
            a["metric_value"].as_f64().unwrap()
        )
    );
    assert_eq!(a["threshold_config"]["warning_max"], 0.2);
    assert_eq!(s.ctx("health.overall_status"), Some(json!("warning")));
    let check = &health_bundle(&s)["checks"][0];
    assert_eq!(check["check_name"], "performance_regressions");
    assert_eq!(check["metrics"][0]["metadata"]["verdict"], "regressed");
    // The same regression under fail_on: warning fails the step.
    let strict = recipe(
        &s,
        "s.yaml",
        "timeframe: last_run, metrics: latency, baseline: {compare: true}, fail_on: warning",
        "",
    );
    assert_eq!(s.run_json(&strict, &[]).0, 1);
}

#[test]
fn performance_alerts_off_writes_no_health() {
    let s = Scratch::new();
    plant(&s);
    let r = recipe(
        &s,
        "off.yaml",
        &format!("{PLANTED}, thresholds: {{{CPU}}}, fail_on: warning"),
        "config: {health: {performance_alerts: false}}\n",
    );
    assert_eq!(s.run_json(&r, &[]).0, 0);
    assert_eq!(s.ctx("metrics.health.alerts"), None);
    assert_eq!(s.ctx("health.overall_status"), None);
}

#[test]
fn a_later_health_step_sees_the_performance_alerts_and_fail_on_judges_them() {
    let s = Scratch::new();
    plant(&s);
    let health = |idx: u32, extra: &str| {
        format!(
            "  - {{name: health{idx}, idx: {idx}, type: python, \
             module: scriptlets.foundation.health_monitoring, function: HealthMonitoringScriptlet, \
             args: {{action: check, thresholds: {{cpu_usage_total: {{critical_max: 1000}}}}{extra}}}}}\n"
        )
    };
    let analyze = format!(
        "  - {{name: judge, idx: 1, type: python, \
         module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, \
         args: {{action: analyze, anomaly_detection: false, change_points: false, {PLANTED}, \
         thresholds: {{{CPU}}}}}}}\n"
    );
    let r = s.write("later.yaml", &format!("steps:\n{analyze}{}", health(2, "")));
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out:#}");
    // The system checks replaced the latest results, the performance alert stays in force.
    let latest = s.ctx("health.latest_results").unwrap();
    assert_eq!(latest[0]["check_name"], "cpu_usage");
    let active = &s.ctx("health.latest_processing").unwrap()["active_alerts"];
    let names: Vec<&str> = active
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["metric_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cpu_usage_total"], "{active:#}");
    assert_eq!(active[0]["source"], "import");
    assert_eq!(s.ctx("health.overall_status"), Some(json!("critical")));
    let strict = s.write(
        "strict.yaml",
        &format!("steps:\n{analyze}{}", health(2, ", fail_on: critical")),
    );
    let (code, out) = s.run_json(&strict, &[]);
    assert_eq!(code, 1, "{out:#}");
    let error = out["steps"][1]["error"].as_str().unwrap();
    assert!(
        error.contains(
            "health status critical (fail_on: critical): CRITICAL: cpu_usage_total is 97.0 %"
        ),
        "{error}"
    );
    let bad = s.write(
        "bad.yaml",
        &format!("steps:\n{}", health(1, ", fail_on: often")),
    );
    let (code, out) = s.run_json(&bad, &[]);
    assert_eq!(code, 1);
    assert!(
        out.to_string().contains("fail_on")
            && out.to_string().contains("must be warning or critical"),
        "{out}"
    );
}
