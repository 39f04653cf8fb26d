//! Helpers of the analyze-action and import/analyze/changepoints CLI suites.
#![allow(dead_code)] // each suite uses its own subset

use std::process::Output;

use serde_json::Value;

use crate::util::Scratch;

/// The validator of `schemas/<name>.schema.json`.
pub fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schemas/{name}.schema.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).expect("valid schema")
}

/// The validator of `schemas/analysis.schema.json`.
pub fn analysis_schema() -> jsonschema::Validator {
    schema("analysis")
}

/// Asserts that `v` validates against `schemas/<name>.schema.json`.
#[track_caller]
pub fn assert_valid(name: &str, v: &Value) {
    let errors: Vec<String> = schema(name)
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} schema errors: {errors:#?}\nin {v}"
    );
}

/// Asserts that `v` validates against the analysis schema.
#[track_caller]
pub fn assert_schema_valid(v: &Value) {
    assert_valid("analysis", v);
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `f0 <args>`, asserts exit 0 and returns stdout.
#[track_caller]
pub fn ok(s: &Scratch, args: &[&str]) -> String {
    let o = s.run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "f0 {args:?} failed:\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Runs `f0 <args>`, asserts exit 1 with nothing on stdout, and returns stderr.
#[track_caller]
pub fn fails(s: &Scratch, args: &[&str]) -> String {
    let o = s.run(args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "f0 {args:?} should fail:\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "stdout: {}", stdout(&o));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Runs `f0 <args> --json`, asserts success and schema validity, and returns the JSON.
#[track_caller]
pub fn json(s: &Scratch, args: &[&str]) -> Value {
    json_as(s, "analysis", args)
}

/// Runs `f0 <args> --json`, asserts success and validity against `schemas/<schema>.schema.json`,
/// and returns the JSON.
#[track_caller]
pub fn json_as(s: &Scratch, schema: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let text = ok(s, &all);
    let v: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {text}"));
    assert_valid(schema, &v);
    v
}

/// Writes `name.csv` with `timestamp,value` rows and imports it as metric `name`; returns the
/// import's run id.
pub fn import_rows(s: &Scratch, file: &str, name: &str, rows: &[(i64, f64)]) -> i64 {
    let mut text = String::from("timestamp,value\n");
    for (t, v) in rows {
        text.push_str(&format!("{t},{v}\n"));
    }
    let p = s.write(file, &text);
    let out = ok(
        s,
        &["import", p.to_str().unwrap(), "--name", name, "--json"],
    );
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    v["run_id"].as_i64().unwrap()
}

/// `f64`s of a JSON array.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The `metric_name`s of an analysis report, in order.
pub fn metric_names(report: &Value) -> Vec<&str> {
    report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric_name"].as_str().unwrap())
        .collect()
}

/// The entry of `results[key]` (an array of per-series results) whose `step` tag is `step`.
#[track_caller]
pub fn step_result<'a>(results: &'a Value, key: &str, step: &str) -> &'a Value {
    results[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["tags"]["step"] == step)
        .unwrap_or_else(|| panic!("no {step} in {results:#}"))
}

/// The stored `step_wall_time` values of step `step` of recipe `recipe`, in run order (SQL).
pub fn step_wall_times(s: &Scratch, recipe: &str, step: &str) -> Vec<f64> {
    let conn = s.sql();
    let mut stmt = conn
        .prepare(
            "SELECT m.value FROM metric_samples m JOIN metric_series s ON s.id = m.series_id \
             WHERE s.name = 'step_wall_time' AND s.tags = ?1 ORDER BY m.run_id, m.ts_ns",
        )
        .unwrap();
    let tags = format!(r#"{{"recipe":"{recipe}","step":"{step}"}}"#);
    stmt.query_map([tags], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// 20 samples around `level` (offsets -1, 0, 1, 0.5 repeating), one per second from
/// `t0 + 100 k`: a series whose mean is `level + 0.125`.
pub fn wobbly_series(t0: i64, level: f64, k: i64) -> Vec<(i64, f64)> {
    (0..20)
        .map(|i| {
            (
                t0 + 100 * k + i,
                level + [-1.0, 0.0, 1.0, 0.5][i as usize % 4],
            )
        })
        .collect()
}

/// The `check_name`s of a list of Framework0 check results.
pub fn check_names(results: &Value) -> Vec<&str> {
    results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["check_name"].as_str().unwrap())
        .collect()
}

/// A recipe with one analyze step (`args` is the YAML flow mapping after `action: analyze`)
/// and optional top-level `extra` YAML.
pub fn analyze_recipe(s: &Scratch, file: &str, args: &str, extra: &str) -> std::path::PathBuf {
    s.write(
        file,
        &format!(
            "{extra}steps:\n  - {{name: analyze, idx: 1, type: python, \
             module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, \
             args: {{action: analyze, {args}}}}}\n"
        ),
    )
}
