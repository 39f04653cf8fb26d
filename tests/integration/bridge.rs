//! Unmodified Python scriptlets run through the bridge: Framework0's statistics example, a
//! recipe mixing Python and metrics steps (timers, baselines, `f0 analyze`), `BaseScriptlet`
//! classes, the context API, NaN/Infinity, and `f0 validate`'s lookup of Python modules.

use serde_json::{json, Value};

use crate::util::python::{fixtures, py_step, python, run_py, step_of};
use crate::util::{shared, Scratch};

/// Stored samples of `name`: (value, tags JSON, source, context JSON).
fn samples(s: &Scratch, name: &str) -> Vec<(f64, Value, String, Option<Value>)> {
    let c = s.sql();
    let mut stmt = c
        .prepare(
            "SELECT m.value, s.tags, COALESCE(s.source, ''), m.context FROM metric_samples m \
             JOIN metric_series s ON s.id = m.series_id WHERE s.name = ?1 ORDER BY m.rowid",
        )
        .unwrap();
    stmt.query_map([name], |r| {
        let tags: String = r.get(1)?;
        let ctx: Option<String> = r.get(3)?;
        Ok((
            r.get(0)?,
            serde_json::from_str(&tags).unwrap(),
            r.get(2)?,
            ctx.map(|c| serde_json::from_str(&c).unwrap()),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_compute_numbers_class_writes_pythons_statistics_to_the_store() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let csv = shared("framework0/data/numbers.csv");
    let r = s.write(
        "numbers.yaml",
        &format!(
            "steps:\n{}",
            py_step(
                "compute",
                1,
                "compute_numbers",
                "ComputeNumbers",
                &format!(
                    "args: {{path: '{}'}}, success: {{ctx_has_keys: [numbers.stats_v1]}}",
                    csv.display()
                )
            )
        ),
    );
    let (code, out, stdout, stderr) = run_py(&s, &py, &r, &["--strict"]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert!(
        stdout.starts_with("ComputeNumbers: 10 values, mean 5.75\n"),
        "{stdout}"
    );
    let stats = s.ctx("numbers.stats_v1").expect("numbers.stats_v1");
    assert_eq!(stats["count"], 10);
    assert_eq!(stats["mean"], 5.75);
    assert_eq!(stats["median"], 5.75);
    assert_eq!(stats["stdev"], 2.993047499344662);
    assert_eq!(
        (stats["min"].clone(), stats["max"].clone()),
        (json!(1.5), json!(10.0))
    );
    assert_eq!(stats["sum"], 57.5);
    let who: String = s
        .sql()
        .query_row(
            "SELECT who FROM context_history WHERE key = 'numbers.stats_v1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(who, "ComputeNumbers", "the scriptlet's own who is kept");
}

#[test]
fn the_shipped_python_recipe_runs_as_the_readme_shows() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let recipe = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/python_steps.yaml");
    let out = s
        .f0()
        .args(["run", recipe, "--summary", "--strict", "--python"])
        .arg(&py)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("sieve_pass: baseline mean "), "{stdout}");
    assert!(stdout.contains("  Steps: 3/3"), "{stdout}");
    assert_eq!(
        s.ctx("py_steps.primes"),
        Some(json!({"limit": 20000, "count": 2262, "largest": 19997}))
    );
    let report = s.ctx("py_steps.report").unwrap();
    assert_eq!(report["calls"], 20);
    assert_eq!(samples(&s, "sieve_pass").len(), 20);
    assert_eq!(
        samples(&s, "sieve_all")[0].3,
        Some(json!({"execution_metadata": {"limit": 20000}}))
    );
}

#[test]
fn python_and_metrics_steps_share_timers_and_baselines_in_one_run() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "mixed.yaml",
        &format!(
            "steps:\n{}{}{}{}",
            py_step("work", 1, "timed", "Work", "args: {calls: 30}"),
            "  - {name: analyze, idx: 2, type: python, module: scriptlets.foundation.performance_metrics, \
             function: PerformanceMetricsScriptlet, depends_on: [work], \
             args: {action: analyze, timeframe: 1h, metrics: [work_item], baseline: {establish: true}}}\n",
            py_step(
                "read_baseline",
                3,
                "baselines",
                "ReadBaseline",
                "args: {metric: work_item}, depends_on: [analyze], success: {ctx_has_keys: [py.baseline]}"
            ),
            "  - {name: tail, idx: 4, type: python, module: f0.builtin, function: Noop}\n",
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &["--strict"]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert_eq!(out["completed_steps"], 4);

    // The decorated function's calls, as Framework0's ApplicationMetricsCollector records them.
    let calls = samples(&s, "work_item");
    assert_eq!(calls.len(), 30);
    let (ms, tags, source, _) = &calls[0];
    assert!(*ms >= 1e6 && *ms < 1e9, "{ms} ns");
    assert_eq!(tags, &json!({"function": "work_item", "kind": "fixture"}));
    assert_eq!(source, "application_collector");
    assert_eq!(samples(&s, "timed.bare_timed").len(), 1);
    let err = samples(&s, "timed.bare_timed_error");
    assert_eq!(err[0].1["status"], "error");
    assert_eq!(
        err[0].3,
        Some(json!({"error": "failed on purpose", "error_type": "ValueError"}))
    );
    let batch = samples(&s, "work_batch");
    assert_eq!(batch[0].1, json!({"batch": "1"}));
    assert_eq!(
        batch[0].3,
        Some(json!({"execution_metadata": {"calls": 30}}))
    );
    assert!(batch[0].0 >= calls.iter().map(|c| c.0).sum::<f64>());
    assert_eq!(samples(&s, "work_batch_cpu_time").len(), 1);
    assert_eq!(samples(&s, "items_done")[0].0, 30.0);
    assert_eq!(samples(&s, "items_done")[0].2, "custom_collector");
    assert_eq!(samples(&s, "work_total")[0].0, 870.0);

    // The analyze step's baseline, read by the next Python step through the context.
    let per_series = s.ctx("metrics.baselines.work_item").expect("baseline");
    let baseline = &per_series["function=work_item,kind=fixture"];
    assert_eq!(baseline["sample_count"], 30, "{per_series}");
    let seen = s.ctx("py.baseline").unwrap();
    assert_eq!(seen["mean"], baseline["mean"]);
    assert_eq!(seen["sample_count"], 30);
    assert_eq!(seen["keys"], json!(["metrics.baselines.work_item"]));
    assert_eq!(seen["last_analysis_seen"], true);

    // `f0 analyze` finds the timer's samples.
    let out = s.run(&["analyze", "--metric", "work_item", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &report["metrics"][0]["summary"];
    assert_eq!(summary["metric_name"], "work_item", "{report:#}");
    assert_eq!(summary["sample_count"], 30);
    let mean = calls.iter().map(|c| c.0).sum::<f64>() / 30.0;
    assert!((summary["mean"].as_f64().unwrap() - mean).abs() < 1e-6 * mean);
}

#[test]
fn the_metrics_api_refuses_what_the_store_cannot_hold_and_times_coroutines() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "checks.yaml",
        &format!("steps:\n{}", py_step("checks", 1, "timed", "Checks", "")),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    let refused = s.ctx("checks.refused").unwrap();
    assert_eq!(
        refused,
        json!([
            "metric 'm' has non-finite value nan; a finite number is required",
            "unknown metric unit 'furlongs'; expected one of %, KB, MB, bytes, count, ms, ns, ops/s, s, \u{3bc}s",
            "metric name must be a non-empty string, got ''",
            "metric 'm' value must be a number, got str",
            "metric 'm' has non-finite value inf; a finite number is required",
        ])
    );
    assert_eq!(samples(&s, "m").len(), 0);
    let coro = samples(&s, "coro_step");
    assert_eq!(coro.len(), 1);
    assert!(coro[0].0 >= 20e6, "timed to completion: {}", coro[0].0);
}

#[test]
fn base_scriptlet_classes_run_through_execute_and_its_result() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "fw.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("greet", 1, "framework_style", "Greeter", "args: {name: f0}"),
            py_step("invalid", 2, "framework_style", "Greeter", ""),
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &["--continue-on-error"]);
    assert_eq!(code, 1, "{out:#}\n{stderr}");
    assert_eq!(step_of(&out, "greet")["status"], "completed");
    assert_eq!(s.ctx("framework.greeting"), Some(json!("Hello f0")));
    assert_eq!(s.ctx("framework.execute_called"), Some(json!("Greeter")));
    let invalid = step_of(&out, "invalid");
    assert_eq!(invalid["status"], "failed");
    assert_eq!(invalid["error"], "missing parameter: name");
}

#[test]
fn the_context_api_behaves_as_framework0s() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "api.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("write", 1, "context_api", "Writer", ""),
            py_step("read", 2, "context_api", "Reader", ""),
        ),
    );
    let (code, out, stdout, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert!(
        stdout.starts_with("api.writer keys ['api.first', 'api.second']\n"),
        "the scriptlet's stdout streams through first: {stdout}"
    );
    let report = s.ctx("api.report").unwrap();
    assert_eq!(report["first"], json!({"a": [1, 2]}));
    assert_eq!(report["second"], json!([1, 2]));
    assert_eq!(report["missing"], "fallback");
    assert_eq!(report["in_dict"], true);
    assert_eq!(
        report["history"],
        json!([["api.first", "api-writer"], ["api.second", "write"]]),
        "one entry per change, the scriptlet's who or the step's name"
    );
}

#[test]
fn nan_and_infinity_round_trip_and_are_stored_tagged() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "nan.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("set", 1, "nonfinite", "SetSpecial", ""),
            py_step("check", 2, "nonfinite", "CheckSpecial", ""),
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert_eq!(s.ctx("special.checked"), Some(json!(true)));
    let nan = json!({"$numberDouble": "NaN"});
    assert_eq!(
        s.ctx("special.values"),
        Some(json!({
            "nan": nan,
            "inf": {"$numberDouble": "Infinity"},
            "ninf": {"$numberDouble": "-Infinity"},
            "list": [1.5, nan],
        }))
    );
    assert_eq!(
        s.ctx("special.scalar"),
        Some(json!({"$numberDouble": "-Infinity"}))
    );
    // (A later run starts from a fresh context, so it would not see these keys: only
    // `metrics.baselines.*` carries over, and `robustness.rs` checks those decode the same way.)
    let shown = s.run(&["context", "get", "special.scalar"]);
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout).trim(),
        r#"{"$numberDouble":"-Infinity"}"#
    );
}

#[test]
fn one_worker_serves_the_run_and_python_steps_are_measured_in_it() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let file = s.path("blob.bin");
    let r = s.write(
        "pids.yaml",
        &format!(
            "steps:\n{}{}{}",
            py_step("a", 1, "faulty", "Pid", "args: {key: pid.a}"),
            py_step(
                "burn",
                2,
                "heavy",
                "Burn",
                &format!(
                    "args: {{ms: 300, mb: 64, kb: 2048, file: '{}'}}",
                    file.display()
                )
            ),
            py_step("b", 3, "faulty", "Pid", "args: {key: pid.b}"),
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert_eq!(
        s.ctx("pid.a"),
        s.ctx("pid.b"),
        "modules imported once, one worker per run"
    );
    assert_ne!(s.ctx("pid.a").unwrap(), json!(std::process::id()));
    let step_value = |name: &str| -> f64 {
        s.sql()
            .query_row(
                "SELECT m.value FROM metric_samples m JOIN metric_series s ON s.id = m.series_id \
                 WHERE s.name = ?1 AND s.tags LIKE '%\"step\":\"burn\"%'",
                [name],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(
        step_value("step_cpu_time") >= 250e6,
        "the worker's CPU counts"
    );
    assert!(step_value("step_peak_rss") >= (64u64 << 20) as f64);
    assert!(step_value("step_rss_delta") >= (48u64 << 20) as f64);
    assert!(step_value("step_write_bytes") >= (2u64 << 20) as f64);
    assert!(step_value("step_read_bytes") >= (2u64 << 20) as f64);
    let usage = &step_of(&out, "burn")["usage"];
    assert!(usage["cpu_ns"].as_f64().unwrap() >= 250e6, "{usage}");
}

#[test]
fn validate_looks_python_modules_up_without_running_them() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "v.yaml",
        &format!(
            "steps:\n{}{}{}{}",
            py_step("found", 1, "compute_numbers", "ComputeNumbers", ""),
            py_step("ghost", 2, "no_such_scriptlet_module", "Ghost", ""),
            py_step("deep", 3, "compute_numbers.inner", "X", ""),
            py_step("stdlib", 4, "json", "JSONDecoder", ""),
        ),
    );
    let out = s
        .f0()
        .args(["validate", r.to_str().unwrap(), "--python"])
        .arg(&py)
        .arg("--pythonpath")
        .arg(fixtures())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "WARNING [UNKNOWN_SCRIPTLET] at recipe.steps[1].module: step 'ghost': Failed to import scriptlet: No module named 'no_such_scriptlet_module'",
            "WARNING [UNKNOWN_SCRIPTLET] at recipe.steps[2].module: step 'deep': Failed to import scriptlet: No module named 'compute_numbers.inner'",
            &format!("{}: valid (4 steps, 0 errors, 2 warnings)", r.display()),
        ],
        "{text}"
    );
}
