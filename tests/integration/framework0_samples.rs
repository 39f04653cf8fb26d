//! Every Framework0 sample recipe gets the outcome Framework0's Python runner gives
//! (../shared/framework0/recipes/README.md), where this host can reproduce it.

use crate::util::{shared, Scratch};

fn run_sample(s: &Scratch, name: &str) -> (i32, String, String) {
    let path = shared(&format!("framework0/recipes/{name}"));
    let out = s.run(&["run", "--recipe", path.to_str().unwrap(), "--summary"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rejected_samples_get_framework0_messages_and_exit_1() {
    let s = Scratch::new();
    let cases = [
        (
            "test_missing.yaml",
            "Error: Step 0 missing required 'module' or 'function' field".to_owned(),
        ),
        (
            "foundation_logging_test.yaml",
            "Error: Step 1 missing required 'module' or 'function' field".to_owned(),
        ),
        (
            "file_processing.yaml",
            "Error: Step 0 missing required 'module' or 'function' field".to_owned(),
        ),
        (
            "example_numbers0.yaml",
            format!(
                "Error: Recipe file missing required 'steps' section: {}",
                shared("framework0/recipes/example_numbers0.yaml").display()
            ),
        ),
    ];
    for (name, expected) in cases {
        let (code, stdout, stderr) = run_sample(&s, name);
        assert_eq!(code, 1, "{name}");
        assert_eq!(stderr.trim(), expected, "{name}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
    }
    assert!(
        !s.store().exists(),
        "a rejected recipe must not create or touch the store"
    );
}

#[test]
fn samples_with_missing_scriptlets_fail_like_python() {
    let s = Scratch::new();
    let cases = [
        ("compute_median.yaml", "Failed to import scriptlet: No module named 'orchestrator.scriptlets'", "0/1"),
        (
            "test_comprehensive_missing.yaml",
            "Failed to import scriptlet: No module named 'engine.steps.python.missing_module'",
            "0/2",
        ),
        (
            "hello_framework0.yaml",
            "Scriptlet class/method not found: module 'scriptlets.foundation' has no attribute 'WelcomeScriptlet'",
            "0/4",
        ),
    ];
    for (name, message, steps) in cases {
        let (code, stdout, stderr) = run_sample(&s, name);
        assert_eq!(code, 1, "{name}");
        assert!(stdout.contains("  Status: failed"), "{name}: {stdout}");
        assert!(
            stdout.contains(&format!("  Steps: {steps}")),
            "{name}: {stdout}"
        );
        assert!(stderr.contains(message), "{name}: {stderr}");
    }
    // Python stops after the first failure and does not count the rest as skipped.
    assert_eq!(s.ctx("recipe.skipped_steps"), Some(serde_json::json!(0)));
}

#[test]
fn example_numbers_computes_correct_statistics() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("orchestrator/Data")).unwrap();
    std::fs::copy(
        shared("framework0/data/numbers.csv"),
        s.path("orchestrator/Data/numbers.csv"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_sample(&s, "example_numbers.yaml");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("  Steps: 1/1"));
    let stats = s.ctx("numbers.stats_v1").expect("numbers.stats_v1");
    assert_eq!(stats["count"], 10);
    assert_eq!(stats["mean"], 5.75);
    assert_eq!(stats["median"], 5.75);
    assert_eq!(stats["min"], 1.5);
    assert_eq!(stats["max"], 10.0);
    let sd = stats["stdev"].as_f64().unwrap();
    assert!((sd - 2.993047499344662).abs() < 1e-15, "{sd}");
    assert_eq!(s.ctx("numbers.count"), Some(serde_json::json!(10)));
    assert_eq!(
        s.ctx("numbers.source"),
        Some(serde_json::json!("orchestrator/Data/numbers.csv"))
    );
}

#[test]
fn every_runnable_sample_passes_load_validation() {
    let runnable = [
        "example_numbers.yaml",
        "compute_median.yaml",
        "test_comprehensive_missing.yaml",
        "simple_logging_test.yaml",
        "integration_logging_test.yaml",
        "health_integration_test.yaml",
        "health_comprehensive_test.yaml",
        "hello_framework0.yaml",
    ];
    for name in runnable {
        let recipe =
            framework0::recipe::load_recipe(&shared(&format!("framework0/recipes/{name}")))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!recipe.steps.is_empty(), "{name}");
    }
}

/// The `success.ctx_has_keys` of a sample recipe, in step order.
fn expected_keys(name: &str) -> Vec<String> {
    let recipe = framework0::recipe::load_recipe(&shared(&format!("framework0/recipes/{name}")))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    recipe
        .steps
        .iter()
        .flat_map(|s| s.ctx_has_keys.clone())
        .collect()
}

/// Runs a sample with `--strict` (so a missing `ctx_has_keys` key fails its step) and asserts
/// it completes with every expected key plus `extra` present.
fn assert_completes(s: &Scratch, name: &str, steps: &str, extra: &[&str]) {
    let path = shared(&format!("framework0/recipes/{name}"));
    let out = s.run(&[
        "run",
        "--recipe",
        path.to_str().unwrap(),
        "--summary",
        "--strict",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}: {stdout}{stderr}");
    assert!(stdout.contains("  Status: completed"), "{name}: {stdout}");
    assert!(
        stdout.contains(&format!("  Steps: {steps}")),
        "{name}: {stdout}"
    );
    let keys = expected_keys(name);
    assert!(!keys.is_empty(), "{name} lists ctx_has_keys");
    for key in keys.iter().map(String::as_str).chain(extra.iter().copied()) {
        assert!(s.ctx(key).is_some(), "{name}: context lacks {key}");
    }
}

#[test]
fn logging_samples_complete_with_their_keys_and_valid_log_lines() {
    let s = Scratch::new();
    assert_completes(
        &s,
        "simple_logging_test.yaml",
        "1/1",
        &["logging_test.results", "logging_test.import_success"],
    );
    assert_eq!(
        s.ctx("logging_test.import_success"),
        Some(serde_json::json!(true))
    );
    assert_completes(
        &s,
        "integration_logging_test.yaml",
        "2/2",
        &[
            "logging.framework_initialized",
            "logging.config_loaded",
            "logging.setup_results",
            "test.logging_integration",
            "logging_test.results",
            "logging_test.import_success",
        ],
    );
    let results = s.ctx("logging_test.results").unwrap();
    assert_eq!(results["test_type"], "full_validation");
    assert_eq!(results["status"], "passed", "{results}");
    assert_eq!(results["tests_passed"], results["tests_total"], "{results}");
    assert_eq!(
        s.ctx("test.logging_integration"),
        Some(serde_json::json!(true))
    );
    assert_eq!(
        s.ctx("logging.setup_results"),
        Some(serde_json::json!(["framework0", "audit", "performance"]))
    );

    // The files are in ./logs/integration_test of the directory f0 ran in.
    let dir = s.path("logs/integration_test");
    let allowed = [
        "timestamp",
        "level",
        "logger_name",
        "message",
        "context_id",
        "recipe_name",
        "step_name",
        "execution_id",
        "thread_id",
        "process_id",
        "extra_data",
        "stack_trace",
    ];
    let mut performance = 0;
    for name in ["framework0.log", "audit.log", "performance.log"] {
        let text =
            std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lines: Vec<&str> = text.lines().collect();
        assert!(!lines.is_empty(), "{name} is empty");
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let obj = v.as_object().unwrap();
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            // No unknown keys; in the raw line the keys appear in §6's order.
            for k in &keys {
                assert!(allowed.contains(k), "{name}: unknown key {k}");
            }
            let pos: Vec<usize> = allowed
                .iter()
                .filter(|k| obj.contains_key(**k))
                .map(|k| line.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(
                pos.windows(2).all(|w| w[0] < w[1]),
                "{name}: key order in {line}"
            );
            assert!(obj.values().all(|v| !v.is_null()), "{line}");
            assert!(
                v["timestamp"].as_str().unwrap().ends_with("+00:00"),
                "{line}"
            );
            assert!(
                v["process_id"].is_u64() && v["thread_id"].is_string(),
                "{line}"
            );
            let id = v["execution_id"].as_str().unwrap();
            assert!(
                id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()),
                "{line}"
            );
            assert_eq!(v["recipe_name"], "integration_logging_test");
            if v["logger_name"] == "framework0.performance" && name == "performance.log" {
                performance += 1;
                let m = v["message"].as_str().unwrap();
                assert!(
                    m.starts_with("Performance: logging_setup_time = ") && m.ends_with(" ms"),
                    "{m}"
                );
                assert_eq!(v["extra_data"]["performance_category"], "timing");
                assert_eq!(v["extra_data"]["metric_name"], "logging_setup_time");
                assert!(v["extra_data"]["value"].is_f64() && v["extra_data"]["timestamp"].is_f64());
            }
        }
        framework0::events::LogEntry::parse_lines(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(performance, 1, "one performance event from setup");
    let main = std::fs::read_to_string(dir.join("framework0.log")).unwrap();
    assert!(
        main.contains("\"step_name\":\"test_logging_usage\""),
        "the self-test wrote into the configured directory"
    );
}

#[test]
fn health_samples_complete_with_their_keys() {
    let s = Scratch::new();
    assert_completes(
        &s,
        "health_integration_test.yaml",
        "4/4",
        &[
            "health.latest_results",
            "health.overall_status",
            "health.latest_processing",
            "health.latest_report",
            "health_test.results",
        ],
    );
    let results = s.ctx("health.latest_results").unwrap();
    let names = crate::util::action::check_names(&results);
    assert_eq!(
        names,
        [
            "cpu_usage",
            "memory_usage",
            "disk_usage",
            "internet_connectivity"
        ]
    );
    let status = s.ctx("health.overall_status").unwrap();
    assert!(
        ["healthy", "warning", "critical"].contains(&status.as_str().unwrap()),
        "{status}"
    );
    let report = s.ctx("health.latest_report").unwrap();
    assert!(report.as_str().unwrap().starts_with(&format!(
        "{}\nFramework0 Health Monitoring Report\n",
        "=".repeat(60)
    )));
    assert_eq!(s.ctx("health_test.success"), Some(serde_json::json!(true)));
    assert_eq!(
        s.ctx("health_test.results").unwrap()["test_type"],
        "full_validation"
    );

    assert_completes(
        &s,
        "health_comprehensive_test.yaml",
        "3/3",
        &["health_test.success"],
    );
    let r = s.ctx("health_test.results").unwrap();
    assert_eq!(
        (r["test_type"].as_str(), r["status"].as_str()),
        (Some("integration_test"), Some("passed")),
        "{r}"
    );
}
