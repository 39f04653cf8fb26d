//! Side by side with Framework0's own runner: for every sample recipe with a golden context
//! (`../shared/framework0/golden/NAME.context.json`, the final context of Framework0's
//! Python runner, each key as `[python type, value]`), our final context has exactly the same
//! keys, the same Python types and the same shapes: objects with the same keys (recursively),
//! lists whose elements each have the shape of one of Framework0's elements. Numbers,
//! timestamps, machine figures and ids naturally differ, so values are not compared, except
//! the names Framework0's health checks report. Framework0's free-form `metadata` objects
//! may hold anything. The stdout of `--summary` matches Framework0's, line by line, once
//! durations, timestamps, paths and machine-dependent counts are blanked.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::util::{shared, Scratch};

/// Samples with a golden context.
const SAMPLES: [&str; 8] = [
    "compute_median",
    "example_numbers",
    "health_comprehensive_test",
    "health_integration_test",
    "hello_framework0",
    "integration_logging_test",
    "simple_logging_test",
    "test_comprehensive_missing",
];

fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// The differences of `ours` from the shape of `golden` at `path`.
fn shape_diff(path: &str, ours: &Value, golden: &Value, out: &mut Vec<String>) {
    let (a, b) = (py_type(ours), py_type(golden));
    if a != b {
        out.push(format!("{path}: {a} where Framework0 has {b}"));
        return;
    }
    match (ours, golden) {
        (Value::Object(o), Value::Object(g)) => {
            if path.ends_with(".metadata") {
                return; // free-form
            }
            let ok: BTreeSet<&String> = o.keys().collect();
            let gk: BTreeSet<&String> = g.keys().collect();
            for k in gk.difference(&ok) {
                out.push(format!("{path}: missing key '{k}'"));
            }
            for k in ok.difference(&gk) {
                out.push(format!("{path}: extra key '{k}'"));
            }
            for k in ok.intersection(&gk) {
                shape_diff(&format!("{path}.{k}"), &o[*k], &g[*k], out);
            }
        }
        (Value::Array(o), Value::Array(g)) => {
            if !o.is_empty() && g.is_empty() {
                out.push(format!(
                    "{path}: {} element(s) where Framework0 has none",
                    o.len()
                ));
            }
            for (i, x) in o.iter().enumerate() {
                let tries: Vec<Vec<String>> = g
                    .iter()
                    .map(|y| {
                        let mut d = Vec::new();
                        shape_diff(&format!("{path}[{i}]"), x, y, &mut d);
                        d
                    })
                    .collect();
                if let Some(best) = tries
                    .iter()
                    .min_by_key(|d| d.len())
                    .filter(|d| !d.is_empty())
                {
                    out.push(format!(
                        "{path}[{i}] has the shape of no Framework0 element:"
                    ));
                    out.extend(best.iter().map(|d| format!("    {d}")));
                }
            }
        }
        _ => {}
    }
}

fn golden_context(name: &str) -> Map<String, Value> {
    let p = shared(&format!("framework0/golden/{name}.context.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn our_context(s: &Scratch) -> Map<String, Value> {
    let c = s.sql();
    let mut stmt = c.prepare("SELECT key, value FROM context_data").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    rows.map(|r| {
        let (k, v) = r.unwrap();
        (k, serde_json::from_str(&v).unwrap())
    })
    .collect()
}

/// Runs a sample the way Framework0's golden run did and returns its stdout.
fn run(s: &Scratch, name: &str) -> String {
    std::fs::create_dir_all(s.path("orchestrator/Data")).unwrap();
    std::fs::copy(
        shared("framework0/data/numbers.csv"),
        s.path("orchestrator/Data/numbers.csv"),
    )
    .unwrap();
    let recipe = shared(&format!("framework0/recipes/{name}.yaml"));
    let out = s.run(&["run", "--recipe", recipe.to_str().unwrap(), "--summary"]);
    let rc: i32 = std::fs::read_to_string(shared(&format!("framework0/golden/{name}.summary.rc")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(rc),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// ALLOWANCE `step_errors_in_global_errors`: our runner lists each failed step's error in
/// `recipe.global_errors` (`"<step>: <error>"`), where Framework0's runner records global
/// errors only when the runner itself fails. The key may be extra, and only as a non-empty
/// list of strings each naming a step of the run.
const ALLOWED_EXTRA: &str = "recipe.global_errors";

/// Whether our extra key `k` is the named allowance, in its allowed shape.
fn allowed_extra(k: &str, ours: &Map<String, Value>) -> bool {
    k == ALLOWED_EXTRA
        && ours[k].as_array().is_some_and(|errs| {
            !errs.is_empty()
                && errs
                    .iter()
                    .all(|e| e.as_str().is_some_and(|s| s.contains(": ")))
        })
}

/// The differences of our context from Framework0's.
fn context_diff(ours: &Map<String, Value>, golden: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for k in golden.keys().filter(|k| !ours.contains_key(*k)) {
        out.push(format!("missing key {k}"));
    }
    for k in ours.keys().filter(|k| !golden.contains_key(*k)) {
        if !allowed_extra(k, ours) {
            out.push(format!("extra key {k}"));
        }
    }
    for (k, g) in golden {
        let Some(o) = ours.get(k) else { continue };
        let (ty, value) = (g[0].as_str().unwrap(), &g[1]);
        if py_type(o) != ty {
            out.push(format!("{k}: {} where Framework0 has {ty}", py_type(o)));
        } else {
            shape_diff(k, o, value, &mut out);
        }
    }
    out
}

/// A metric name with its machine-dependent part (core number, mount point, host) blanked.
fn metric_pattern(name: &str) -> String {
    let mut s = name.to_owned();
    if let Some(rest) = s
        .strip_prefix("cpu_core_")
        .filter(|r| r.ends_with("_usage"))
    {
        if rest
            .trim_end_matches("_usage")
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            s = "cpu_core_N_usage".to_owned();
        }
    }
    for prefix in ["disk_usage_percent_", "disk_total_", "disk_free_"] {
        if s.starts_with(prefix) && s != "disk_usage_max_percent" {
            s = format!("{prefix}PATH");
        }
    }
    s
}

/// Framework0's checks and, per check, the set of metric name patterns.
fn checks(results: &Value) -> Vec<(String, BTreeSet<String>)> {
    results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let names = r["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| metric_pattern(m["name"].as_str().unwrap()))
                .collect();
            (r["check_name"].as_str().unwrap().to_owned(), names)
        })
        .collect()
}

fn assert_health_names(name: &str, ours: &Map<String, Value>, golden: &Map<String, Value>) {
    let Some(g) = golden.get("health.latest_results") else {
        return;
    };
    let ours = checks(&ours["health.latest_results"]);
    let golden = checks(&g[1]);
    let names =
        |c: &[(String, BTreeSet<String>)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&golden), "{name}: check names");
    assert_eq!(
        names(&ours),
        [
            "cpu_usage",
            "memory_usage",
            "disk_usage",
            "internet_connectivity"
        ]
    );
    // The system checks report Framework0's metric names; connectivity dials nothing here.
    for ((check, o), (_, g)) in ours.iter().zip(&golden).take(3) {
        assert_eq!(o, g, "{name}: metrics of {check}");
    }
}

#[test]
fn every_sample_leaves_framework0s_keys_types_and_shapes() {
    let mut failures = Vec::new();
    for name in SAMPLES {
        let s = Scratch::new();
        run(&s, name);
        let ours = our_context(&s);
        let golden = golden_context(name);
        let diff = context_diff(&ours, &golden);
        if !diff.is_empty() {
            failures.push(format!("{name}:\n  {}", diff.join("\n  ")));
        }
        assert_health_names(name, &ours, &golden);
    }
    assert!(
        failures.is_empty(),
        "contexts differ from Framework0's:\n{}",
        failures.join("\n")
    );
}

#[test]
fn health_comprehensive_test_leaves_framework0s_22_keys() {
    let s = Scratch::new();
    run(&s, "health_comprehensive_test");
    let ours = our_context(&s);
    assert_eq!(ours.len(), 22, "{:?}", ours.keys().collect::<Vec<_>>());
    for key in [
        "health.monitoring_enabled",
        "health.setup_timestamp",
        "health.monitor_name",
        "health.latest_results",
        "health.latest_processing",
        "health.overall_status",
        "test.health_integration",
    ] {
        assert!(ours.contains_key(key), "{key}");
    }
    assert_eq!(ours["test.health_integration"], Value::Bool(true));
    let cpu = &ours["health.latest_results"][0]["metrics"][0];
    assert_eq!(
        (cpu["name"].as_str(), cpu["metric_type"].as_str()),
        (Some("cpu_usage_total"), Some("system_resource"))
    );
    assert!(
        cpu["timestamp"].is_f64() && cpu["age_seconds"].is_f64() && cpu["metadata"].is_object(),
        "{cpu}"
    );
    // The overall status follows the alerts in force, as Framework0's get_health_status.
    let active = ours["health.latest_processing"]["active_alerts"]
        .as_array()
        .unwrap();
    let levels: Vec<&str> = active
        .iter()
        .map(|a| a["alert_level"].as_str().unwrap())
        .collect();
    let want = if levels.contains(&"critical") {
        "critical"
    } else if levels.contains(&"warning") {
        "warning"
    } else {
        "healthy"
    };
    assert_eq!(ours["health.overall_status"], want);
}

/// Blanks what differs from run to run in a line of stdout.
fn normalise(line: &str) -> String {
    let blank_after = |l: &str, prefix: &str, with: &str| {
        l.strip_prefix(prefix).map(|_| format!("{prefix}{with}"))
    };
    let fixed = [
        ("Recipe execution completed: ", "<PATH>"),
        ("  Duration: ", "<SECONDS>"),
        ("Overall Status: ", "<STATUS>"),
        ("Generated: ", "<TIME>"),
        ("  Total Metrics: ", "<N>"),
        ("  Active Alerts: ", "<N>"),
        ("  Critical: ", "<N>"),
        ("  Warning: ", "<N>"),
    ];
    for (prefix, with) in fixed {
        if let Some(l) = blank_after(line, prefix, with) {
            return l;
        }
    }
    if let Some(rest) = line.strip_prefix("  Recent Activity: ") {
        return format!(
            "  Recent Activity: <N>{}",
            rest.trim_start_matches(|c: char| c.is_ascii_digit())
        );
    }
    // Framework0's console log lines: `2026-12-01T08:22:47.310832+00:00 [INFO    ] …`.
    match line.split_once(' ') {
        Some((ts, rest))
            if ts.len() == 32 && ts.ends_with("+00:00") && ts.as_bytes()[10] == b'T' =>
        {
            format!("<TS> {rest}")
        }
        _ => line.to_owned(),
    }
}

/// `text` normalised, without the `Active Alerts:` section of a health report (present only
/// when the machine was busy enough for an alert).
fn normalised_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in text.lines() {
        if line == "Active Alerts:" {
            skipping = true;
        }
        if skipping {
            skipping = !line.is_empty();
            continue;
        }
        out.push(normalise(line));
    }
    out
}

#[test]
fn summary_stdout_matches_framework0_for_every_sample() {
    // The samples with a golden context, and those Framework0 only ran with --summary.
    let summary_only = [
        "example_numbers0",
        "file_processing",
        "foundation_logging_test",
        "test_missing",
    ];
    let all = SAMPLES.iter().chain(&summary_only);
    for name in all {
        let s = Scratch::new();
        let ours = run(&s, name);
        let golden =
            std::fs::read_to_string(shared(&format!("framework0/golden/{name}.summary.stdout")))
                .unwrap();
        assert_eq!(
            normalised_lines(&ours),
            normalised_lines(&golden),
            "{name}: stdout\n{ours}"
        );
    }
}

#[test]
fn the_global_errors_allowance_is_only_for_step_errors() {
    let golden = Map::new();
    let with = |v: Value| Map::from_iter([(ALLOWED_EXTRA.to_owned(), v)]);
    let step_error = with(serde_json::json!(["compute: Module not found"]));
    assert!(context_diff(&step_error, &golden).is_empty());
    for bad in [
        serde_json::json!([]),
        serde_json::json!("x"),
        serde_json::json!([1]),
    ] {
        assert_eq!(
            context_diff(&with(bad), &golden),
            ["extra key recipe.global_errors"]
        );
    }
    let other = Map::from_iter([("recipe.other".to_owned(), serde_json::json!(["a: b"]))]);
    assert_eq!(context_diff(&other, &golden), ["extra key recipe.other"]);
}

#[test]
fn the_comparison_catches_a_wrong_shape() {
    let golden: Value =
        serde_json::json!({"a": [{"x": 1, "y": 1.5}], "m": {"metadata": {}}, "n": 2.0});
    let mut d = Vec::new();
    shape_diff(
        "k",
        &serde_json::json!({"a": [{"x": 1, "y": 1.5}, {"x": 1.0, "y": 1.5}], "m": {"metadata": {"free": 1}}, "n": 2.0}),
        &golden,
        &mut d,
    );
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d[0].contains("k.a[1] has the shape of no Framework0 element")
            && d[1].contains("k.a[1].x: float where Framework0 has int"),
        "{d:?}"
    );
    let mut d = Vec::new();
    shape_diff(
        "k",
        &serde_json::json!({"a": [], "m": {"metadata": {}}, "z": 1}),
        &golden,
        &mut d,
    );
    assert_eq!(d, ["k: missing key 'n'", "k: extra key 'z'"]);
}
