//! Python collectors and analyzers (`collectors: {python: ...}`, `analyzers: {python: ...}`)
//! through `f0 run`, the shipped `recipes/extend_*.yaml` of README "Extending f0", and each
//! failure naming the Python code and what was wrong. Without python3 the Python tests say
//! SKIPPED and return.

use crate::util::action::assert_schema_valid;
use crate::util::collect::{recipe, samples, summary};
use crate::util::python::python;
use crate::util::Scratch;

/// `f0 run <recipe> --json-output` from the repository root (the shipped recipes name their
/// files relative to it) with `python` as the interpreter.
fn run_shipped(s: &Scratch, recipe: &str, python: &std::path::Path) -> (i32, serde_json::Value) {
    let out = s
        .f0()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("F0_PYTHON", python)
        .args(["run", recipe, "--json-output"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn the_shipped_python_recipe_collects_and_judges_with_python_code() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let (exit, j) = run_shipped(&s, "recipes/extend_python.yaml", &py);
    assert_eq!(exit, 0, "{j}");
    let fds = samples(&s, "py_open_files");
    assert!(fds.len() >= 2, "{fds:?}");
    assert!(fds.iter().all(|r| r.0 >= 3.0 && r.1["role"] == "sampler"));
    assert!(fds
        .iter()
        .all(|r| r.2.as_deref() == Some("python_collector")));
    let rss = samples(&s, "py_rss");
    assert!(
        rss.iter().all(|r| r.0 > 1e6),
        "bytes of a live interpreter: {rss:?}"
    );
    assert_eq!(
        summary(&s)["collectors"]["plugins"]["python"]["error_count"],
        0
    );
    let analysis = s.ctx("metrics.last_analysis").unwrap();
    assert_schema_valid(&analysis);
    let results = analysis["metrics"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for m in results {
        let v = &m["analyzers"][0];
        assert_eq!(v["analyzer"], "python");
        assert_eq!(v["passed"], true);
        assert_eq!(v["values"]["samples"].as_f64(), m["sample_count"].as_f64());
        assert_eq!(v["values"]["mean"].as_f64(), m["summary"]["mean"].as_f64());
        let name = m["metric_name"].as_str().unwrap();
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{name} mean ")),
            "{v}"
        );
    }
}

/// Regression (a loaded CI clone): the worker started at the first sample, inside the
/// 500 ms window, and a slow start left one sample of the five the recipe asks for.
#[test]
fn a_slow_starting_python_worker_does_not_eat_the_collection_window() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let slow = s.write(
        "slow_python",
        &format!("#!/bin/sh\nsleep 0.8\nexec '{}' \"$@\"\n", py.display()),
    );
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (exit, j) = run_shipped(&s, "recipes/extend_python.yaml", &slow);
    assert_eq!(exit, 0, "{j}");
    let fds = samples(&s, "py_open_files");
    assert!(
        fds.len() >= 4,
        "500 ms at one sample per 100 ms after an 800 ms start: {fds:?}"
    );
}

#[test]
fn the_shipped_exec_recipe_stores_the_probes_output() {
    let s = Scratch::new();
    let (exit, j) = run_shipped(
        &s,
        "recipes/extend_exec.yaml",
        std::path::Path::new("python3"),
    );
    assert_eq!(exit, 0, "{j}");
    let rows = samples(&s, "spool_files");
    let dirs: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.1["dir"].as_str()).collect();
    assert_eq!(dirs, ["/tmp", "/var/tmp"].into_iter().collect());
    assert!(rows.iter().all(|r| r.1["probe"] == "spool" && r.0 >= 0.0));
    assert!(
        rows.len() >= 6,
        "five runs in 1 s at 200 ms, two lines each: {}",
        rows.len()
    );
    let analysis = s.ctx("metrics.last_analysis").unwrap();
    assert_schema_valid(&analysis);
    assert_eq!(analysis["metrics"].as_array().unwrap().len(), 2);
}

const CODE: &str = r#"
import time

def raises(settings):
    raise RuntimeError("probe is down")

def not_a_list(settings):
    return {"name": "x"}

def bad_item(settings):
    return [{"name": "x", "value": "high"}]

def slow(series, settings):
    time.sleep(5)

def no_verdict(series, settings):
    return {"passed": "yes"}

def ok(settings):
    return [{"name": "ok_metric", "value": 1}]
"#;

fn failing(s: &Scratch, py: &std::path::Path, step: &str) -> String {
    s.write("code/probes.py", CODE);
    let r = recipe(s, &[step.to_owned()]);
    let out = s
        .f0()
        .env("F0_PYTHON", py)
        .args(["run", r.to_str().unwrap(), "--json-output"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{j}");
    j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["status"] == "failed")
        .unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn py_collect(function: &str) -> String {
    format!("  - {{name: c, idx: 1, type: python, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, args: {{action: collect, duration: 400ms, collectors: {{python: {{module: probes, function: {function}, path: [code], interval: 50ms}}}}}}}}\n")
}

fn py_analyze(function: &str, more: &str) -> String {
    format!("{}  - {{name: a, idx: 2, depends_on: [c], type: python, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, args: {{action: analyze, timeframe: this_run, metrics: [ok_metric], anomaly_detection: false, analyzers: {{python: {{module: probes, function: {function}, path: [code]{more}}}}}}}}}\n", py_collect("ok").trim_end_matches('\n').to_owned() + "\n")
}

#[test]
fn python_failures_name_the_code_and_what_was_wrong() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let e = failing(&s, &py, &py_collect("raises"));
    assert!(
        e.ends_with(
            "first: collector 'python': python 'probes.raises': RuntimeError: probe is down"
        ),
        "{e}"
    );
    let e = failing(&s, &py, &py_collect("not_a_list"));
    assert!(
        e.ends_with(
            "python 'probes.not_a_list' returned {\"name\":\"x\"} instead of a list of metrics"
        ),
        "{e}"
    );
    let e = failing(&s, &py, &py_collect("bad_item"));
    assert!(e.contains("python 'probes.bad_item' returned item 0 that is not a metric {name, value, metric_type, unit, tags, timestamp}: invalid type: string \"high\", expected f64"), "{e}");
    let e = failing(&s, &py, &py_collect("missing_fn"));
    assert!(e.contains("python 'probes.missing_fn': AttributeError: module 'probes' has no attribute 'missing_fn'"), "{e}");
    let e = failing(&s, &py, &py_analyze("no_verdict", ""));
    assert!(e.contains("analyzer 'python' on ok_metric"), "{e}");
    assert!(e.contains("python 'probes.no_verdict' returned {\"passed\":\"yes\"} which is not a verdict {passed, message, values}: invalid type: string \"yes\", expected a boolean"), "{e}");
    let e = failing(&s, &py, &py_analyze("slow", ", timeout: 300ms"));
    assert!(
        e.ends_with("python 'probes.slow': no answer within 0.3s (the Python worker was killed)"),
        "{e}"
    );
}

#[test]
fn python_settings_are_checked_by_validate() {
    let s = Scratch::new();
    let step = "  - {name: c, idx: 1, type: python, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, args: {action: collect, collectors: {python: {module: 'my-probes', function: f, setting: 1}}}}\n";
    let r = recipe(&s, &[step.to_owned()]);
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("at recipe.steps[0].args.collectors.python.setting: unknown key 'setting'; accepted: module, function, settings, path, timeout"), "{stdout}");
    let r = recipe(&s, &[step.replace(", setting: 1", "")]);
    let stdout =
        String::from_utf8_lossy(&s.run(&["validate", r.to_str().unwrap()]).stdout).into_owned();
    assert!(stdout.contains("at recipe.steps[0].args.collectors.python.module: \"my-probes\" is not a Python name (dotted identifiers such as probes.queue)"), "{stdout}");
}

#[test]
fn python_plugins_use_the_python_flag_and_find_modules_beside_the_recipe() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    s.write("beside.py", "def probe(settings):\n    return [{'name': 'beside_metric', 'value': 2.5, 'unit': 'ms', 'metric_type': 'timing'}]\n");
    let step = "  - {name: c, idx: 1, type: python, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, args: {action: collect, duration: 50ms, collectors: {python: {module: beside, function: probe}}}}\n";
    let r = recipe(&s, &[step.to_owned()]);
    let out = s
        .f0()
        .current_dir(std::env::temp_dir())
        .env("F0_PYTHON", "/nonexistent/python-f0")
        .args(["run", r.to_str().unwrap(), "--json-output", "--python"])
        .arg(&py)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{j}");
    let rows = samples(&s, "beside_metric");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0, rows[0].2.as_deref()),
        (2.5, Some("python_collector"))
    );
}
