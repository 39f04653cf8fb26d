use super::*;
use serde_json::json;

fn exec(args: Value) -> Result<ExecCollector, FieldError> {
    let mut c = ExecCollector::default();
    c.configure(args.as_object().unwrap()).map(|()| c)
}

fn sh(script: &str, more: Value) -> ExecCollector {
    let mut args = json!({"command": ["sh", "-c", script]});
    args.as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    exec(args).unwrap()
}

fn sample(c: &mut ExecCollector) -> Result<Vec<PerformanceMetric>, PluginError> {
    let mut out = Vec::new();
    c.sample(&mut out).map(|()| out)
}

#[test]
fn settings_are_checked_naming_the_field() {
    let err = |v: Value| {
        let e = exec(v).unwrap_err();
        (e.field, e.message)
    };
    assert_eq!(err(json!({})).0, "command");
    let (f, m) = err(json!({"command": ["no-such-program-f0"]}));
    assert_eq!(f, "command[0]");
    assert!(m.contains("command not found: 'no-such-program-f0'"), "{m}");
    let (f, m) = err(json!({"command": ["sh"], "format": "xml"}));
    assert_eq!(
        (f.as_str(), m.as_str()),
        (
            "format",
            "unknown format \"xml\"; accepted: prometheus, jsonl"
        )
    );
    assert_eq!(
        err(json!({"command": ["sh"], "tags": {"a": 1}})).0,
        "tags.a"
    );
    let (f, m) = err(json!({"command": ["sh"], "interval": "1s"}));
    assert_eq!(f, "interval");
    assert!(
        m.contains("accepted: command, format, timeout, tags"),
        "{m}"
    );
}

#[test]
fn prometheus_output_becomes_metrics_with_labels_types_units_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.prom");
    let text = "# TYPE jobs_total counter\njobs_total{queue=\"a\"} 4\nlatency_seconds 0.5 1700000000000\nbad NaN\n";
    std::fs::write(&file, text).unwrap();
    let mut c = sh(
        &format!("cat '{}'", file.display()),
        json!({"tags": {"host": "h1"}}),
    );
    let m = sample(&mut c).unwrap();
    assert_eq!(m.len(), 2, "NaN is skipped: {m:?}");
    assert_eq!(
        (m[0].name.as_str(), m[0].value, m[0].metric_type, m[0].unit),
        ("jobs_total", 4.0, MetricType::Counter, MetricUnit::Count)
    );
    assert_eq!(m[0].tags["queue"], "a");
    assert_eq!(m[0].tags["host"], "h1");
    assert_eq!(m[1].unit, MetricUnit::Seconds);
    assert_eq!(m[1].timestamp, 1_700_000_000_000_000_000);
}

#[test]
fn jsonl_output_keeps_each_metrics_fields() {
    let line = r#"{"name":"q","value":3,"metric_type":"gauge","unit":"count","timestamp":5,"tags":{"k":"v"}}"#;
    let mut c = sh(&format!("echo '{line}'"), json!({"format": "jsonl"}));
    let m = sample(&mut c).unwrap();
    assert_eq!(
        (m[0].name.as_str(), m[0].value, m[0].timestamp),
        ("q", 3.0, 5)
    );
    assert_eq!(m[0].tags["k"], "v");
}

#[test]
fn failure_modes_give_the_documented_messages() {
    let msg = |script: &str, more: Value| sample(&mut sh(script, more)).unwrap_err().0;
    assert_eq!(
        msg("echo oops >&2; exit 3", json!({})),
        "'sh' exited with status 3; stderr: \"oops\""
    );
    assert_eq!(
        msg("sleep 5", json!({"timeout": "200ms"})),
        "'sh' did not finish within its timeout of 0.2s and was killed (raise `timeout`, default 10s)"
    );
    assert_eq!(
        msg("printf 'ok 1\\nthis is garbage\\n'", json!({})),
        "'sh' printed line 2 that is not Prometheus text exposition: value \"is\" of 'this' is not a number (e.g. 1, -2.5e3, NaN, +Inf): \"this is garbage\""
    );
    let m = msg("echo '{\"name\": 1}'", json!({"format": "jsonl"}));
    assert!(
        m.starts_with("'sh' printed line 1 that is not a PerformanceMetric JSON line: not a PerformanceMetric JSON object: invalid type"),
        "{m}"
    );
    assert!(msg("kill -9 $$", json!({})).starts_with("'sh' was killed by signal 9"));
}

#[test]
fn a_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("late");
    let script = format!("(sleep 1; touch {}) & sleep 5", marker.display());
    let e = sample(&mut sh(&script, json!({"timeout": "100ms"}))).unwrap_err();
    assert!(e.0.contains("did not finish"), "{e}");
    std::thread::sleep(Duration::from_millis(1300));
    assert!(
        !marker.exists(),
        "the background child outlived the timeout"
    );
}
