//! Every Framework0 sample recipe gets the outcome Framework0's Python runner gives
//! (../shared/framework0/recipes/README.md), where this host can reproduce it.

mod common;
use common::{shared, Scratch};

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
