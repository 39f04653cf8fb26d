//! The `exec` collector driven through `f0 run`: a command's Prometheus text or
//! PerformanceMetric JSON lines land in the store with its tags; a command that fails, hangs
//! or prints garbage fails the step with the documented message; bad settings are refused by
//! `f0 validate` before anything runs.

use crate::util::collect::{collect, recipe, samples, summary};
use crate::util::Scratch;

/// A recipe collecting for `duration` with `exec: {command: [sh, <script>], <more>}`.
fn exec_recipe(s: &Scratch, script: &str, duration: &str, more: &str) -> std::path::PathBuf {
    let sh = s.write("probe.sh", script);
    let args = format!(
        "duration: {duration}, collectors: {{exec: {{command: [sh, '{}']{more}}}}}",
        sh.display()
    );
    recipe(s, &[collect("probe", 1, &args, "")])
}

const PROM: &str = r#"cat <<'EOF'
# HELP queue_depth Jobs waiting.
# TYPE queue_depth gauge
queue_depth{queue="mail"} 7
queue_depth{queue="sms"} 2
# TYPE jobs_done counter
jobs_done_total 41 1700000000000
EOF
"#;

#[test]
fn prometheus_text_is_stored_with_labels_and_the_collectors_tags() {
    let s = Scratch::new();
    let r = exec_recipe(
        &s,
        PROM,
        "250ms",
        ", interval: 100ms, tags: {service: billing}",
    );
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 0, "{j}");
    let depth = samples(&s, "queue_depth");
    assert!(
        depth.len() >= 4,
        "at least two runs of two series: {depth:?}"
    );
    let mail: Vec<_> = depth.iter().filter(|r| r.1["queue"] == "mail").collect();
    assert!(mail
        .iter()
        .all(|r| r.0 == 7.0 && r.1["service"] == "billing"));
    assert!(mail
        .iter()
        .all(|r| r.2.as_deref() == Some("exec_collector")));
    let done = samples(&s, "jobs_done_total");
    assert_eq!(done[0].0, 41.0);
    let ts: i64 = s
        .sql()
        .query_row(
            "SELECT m.ts_ns FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.name = 'jobs_done_total' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        ts, 1_700_000_000_000_000_000,
        "the line's timestamp (ms) is kept"
    );
    let sum = summary(&s);
    let runs = sum["collectors"]["plugins"]["exec"]["samples"]
        .as_u64()
        .unwrap();
    assert!(runs >= 2, "{sum}");
    assert_eq!(sum["totals"]["exec"].as_u64().unwrap(), runs * 3);
    assert_eq!(
        sum["collectors"]["plugins"]["exec"]["interval_seconds"],
        0.1
    );
}

#[test]
fn json_lines_keep_each_metrics_type_unit_and_tags() {
    let s = Scratch::new();
    let line = r#"{"name": "disk_wait", "value": 3.5, "metric_type": "timing", "unit": "ms", "timestamp": 1700000000000000000, "tags": {"dev": "sda"}}"#;
    let r = exec_recipe(
        &s,
        &format!("echo '{line}'\n"),
        "50ms",
        ", format: jsonl, tags: {host: h1}",
    );
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 0, "{j}");
    let rows = samples(&s, "disk_wait");
    assert_eq!(
        rows.len(),
        1,
        "one run within 50 ms at the default 1 s interval"
    );
    assert_eq!(rows[0].0, 3.5);
    assert_eq!(rows[0].1["dev"], "sda");
    assert_eq!(rows[0].1["host"], "h1");
    let (ty, unit): (String, String) = s
        .sql()
        .query_row(
            "SELECT metric_type, unit FROM metric_series WHERE name = 'disk_wait'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((ty.as_str(), unit.as_str()), ("timing", "ms"));
}

/// Runs `script` as the exec command and returns the failed step's error.
fn step_error(script: &str, more: &str) -> String {
    let s = Scratch::new();
    let r = exec_recipe(&s, script, "100ms", more);
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 1, "{j}");
    assert_eq!(j["steps"][0]["status"], "failed", "{j}");
    j["steps"][0]["error"].as_str().unwrap().to_owned()
}

#[test]
fn a_non_zero_exit_fails_the_step_with_its_status_and_stderr() {
    assert_eq!(
        step_error("echo 'no queue' >&2\nexit 3\n", ""),
        "Step execution failed: step 'probe': args.collectors.exec: 1 of 1 samples failed; first: collector 'exec': 'sh' exited with status 3; stderr: \"no queue\""
    );
}

#[test]
fn a_command_past_its_timeout_is_killed_and_named() {
    assert_eq!(
        step_error("sleep 10\n", ", timeout: 200ms"),
        "Step execution failed: step 'probe': args.collectors.exec: 1 of 1 samples failed; first: collector 'exec': 'sh' did not finish within its timeout of 0.2s and was killed (raise `timeout`, default 10s)"
    );
}

#[test]
fn a_malformed_line_is_named_by_number_and_quoted() {
    assert_eq!(
        step_error("echo 'up 1'\necho 'up{job=\"x} 1'\n", ""),
        "Step execution failed: step 'probe': args.collectors.exec: 1 of 1 samples failed; first: collector 'exec': 'sh' printed line 2 that is not Prometheus text exposition: the value of label 'job' is not a closed \"quoted\" string: \"up{job=\\\"x} 1\""
    );
    let e = step_error("echo '{\"name\": \"x\"}'\n", ", format: jsonl");
    assert!(
        e.contains("'sh' printed line 1 that is not a PerformanceMetric JSON line: not a PerformanceMetric JSON object: missing field `value`"),
        "{e}"
    );
}

#[test]
fn bad_settings_are_refused_before_anything_runs() {
    let s = Scratch::new();
    for (args, want) in [
        ("{exec: {command: [sh], intervall: 1s}}", "collectors.exec.intervall: unknown key 'intervall'; accepted: command, format, timeout, tags"),
        ("{exec: {command: [no-such-probe-f0]}}", "collectors.exec.command[0]: command not found: 'no-such-probe-f0' is not an executable file on PATH"),
        ("{exec: {command: [sh], format: xml}}", "collectors.exec.format: unknown format \"xml\"; accepted: prometheus, jsonl"),
        ("{exec: {command: \"ls -l\"}}", "collectors.exec.command: must be a list of program and arguments (no shell)"),
        ("{exec: {command: [sh], interval: 1ms}}", "collectors.exec.interval: interval 0.001s is shorter than the 0.01s minimum"),
        ("{exec: {command: [sh], tags: 5}}", "collectors.exec.tags: must be a mapping of tag names to strings, got 5"),
        ("{python: {module: probes, function: f, settings: 5}}", "collectors.python.settings: must be a mapping (passed to the Python code), got 5"),
        ("{python: {module: probes, function: f, path: ['']}}", "collectors.python.path[0]: must be a directory name, got \"\""),
    ] {
        let r = recipe(&s, &[collect("probe", 1, &format!("collectors: {args}"), "")]);
        let out = s.run(&["validate", r.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains(&format!("ERROR [INVALID_ARG] at recipe.steps[0].args.{want}")), "{args}: {stdout}");
        let (exit, j) = s.run_json(&r, &[]);
        assert_eq!((exit, j["status"].as_str()), (1, Some("error")), "{j}");
    }
}

#[test]
fn jsonl_output_skips_blank_lines_and_refuses_a_metric_without_a_name() {
    let line = |name: &str, v: i32| {
        format!(
            "echo '{{\"name\": \"{name}\", \"value\": {v}, \"metric_type\": \"gauge\", \"unit\": \"count\", \"timestamp\": 1767225600000000000}}'\n"
        )
    };
    let s = Scratch::new();
    let script = format!("{}echo\necho '   '\n{}", line("jobs", 1), line("jobs", 2));
    let r = exec_recipe(&s, &script, "50ms", ", format: jsonl");
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 0, "{j}");
    let values: Vec<f64> = samples(&s, "jobs").iter().map(|r| r.0).collect();
    assert_eq!(&values[..2], &[1.0, 2.0]);
    let e = step_error(
        &format!("{}echo\n{}", line("jobs", 1), line("", 2)),
        ", format: jsonl",
    );
    assert!(
        e.contains("'sh' printed line 3 that is not a PerformanceMetric JSON line: metric name must not be empty"),
        "{e}"
    );
}

/// Regression: a histogram's `_sum` sample (seconds) was stored with unit `count`.
#[test]
fn histogram_and_summary_families_are_stored_as_histogram_metrics_with_their_units() {
    let s = Scratch::new();
    let script = "cat <<'EOF'\n# TYPE req_seconds histogram\nreq_seconds_bucket{le=\"0.1\"} 3\nreq_seconds_bucket{le=\"+Inf\"} 4\nreq_seconds_sum 0.5\nreq_seconds_count 4\n# TYPE rpc_seconds summary\nrpc_seconds{quantile=\"0.5\"} 0.2\nrpc_seconds_count 9\nEOF\n";
    let r = exec_recipe(&s, script, "250ms", ", interval: 100ms");
    let (exit, j) = s.run_json(&r, &[]);
    assert_eq!(exit, 0, "{j}");
    // Bucket and count samples count observations; the sum and quantiles are in seconds.
    for (name, unit) in [
        ("req_seconds_bucket", "count"),
        ("req_seconds_sum", "s"),
        ("req_seconds_count", "count"),
        ("rpc_seconds", "s"),
        ("rpc_seconds_count", "count"),
    ] {
        let out = s.run(&[
            "analyze",
            "--metric",
            name,
            "--json",
            "--anomaly-methods",
            "none",
        ]);
        let a: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let m = &a["metrics"][0];
        assert_eq!(
            (m["metric_type"].as_str(), m["unit"].as_str()),
            (Some("histogram"), Some(unit)),
            "{name}: {m}"
        );
    }
}
