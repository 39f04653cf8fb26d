//! `f0 run` semantics: order, filters, failures, retries, timeouts, dependencies, JSON, exit codes.

use crate::util::{step, steps_with, Scratch};

fn recipe(s: &Scratch, steps: &[String]) -> std::path::PathBuf {
    s.write("r.yaml", &format!("steps:\n{}", steps.concat()))
}

#[test]
fn steps_run_in_idx_order_with_list_position_breaking_ties() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step(
                "third",
                3,
                "Flaky",
                "args: {fail_times: 0, counter_key: order.third}",
            ),
            step("first", 1, "SetContext", "args: {values: {order.first: 1}}"),
            step("second_a", 2, "Noop", ""),
            step("second_b", 2, "Noop", ""),
        ],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{j}");
    let names: Vec<&str> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["first", "second_a", "second_b", "third"]);
    assert_eq!(j["status"], "completed");
    assert_eq!(j["completed_steps"], 4);
    assert_eq!(j["success_rate"], 100.0);
}

#[test]
fn only_and_skip_filter_steps_and_count_them_as_skipped() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("a", 1, "Noop", ""),
            step("b", 2, "Noop", ""),
            step("c", 3, "Noop", ""),
        ],
    );
    let (code, j) = s.run_json(&r, &["--only", "a,c"]);
    assert_eq!(code, 0);
    assert_eq!(steps_with(&j, "completed"), ["a", "c"]);
    assert_eq!(steps_with(&j, "skipped"), ["b"]);
    assert_eq!(j["skipped_steps"], 1);
    let (_, j) = s.run_json(&r, &["--skip", "a", "--skip", "b"]);
    assert_eq!(steps_with(&j, "completed"), ["c"]);
    assert_eq!(j["skipped_steps"], 2);
}

#[test]
fn a_failure_stops_the_run_unless_continue_on_error() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("ok", 1, "Noop", ""),
            step("bad", 2, "Fail", "args: {exit_code: 3}"),
            step("after", 3, "Noop", ""),
        ],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    assert_eq!(j["status"], "partial");
    assert_eq!(j["success"], false);
    assert_eq!(steps_with(&j, "failed"), ["bad"]);
    assert_eq!(steps_with(&j, "not_run"), ["after"]);
    assert_eq!(
        j["skipped_steps"], 0,
        "steps after a stop are not counted as skipped (Framework0)"
    );
    assert_eq!(
        j["steps"][1]["error"],
        "Legacy scriptlet returned exit code: 3"
    );
    let (code, j) = s.run_json(&r, &["--continue-on-error"]);
    assert_eq!(code, 1);
    assert_eq!(steps_with(&j, "completed"), ["ok", "after"]);
    assert_eq!(j["success_rate"], 2.0 / 3.0 * 100.0);
}

#[test]
fn only_failures_make_the_status_failed() {
    let s = Scratch::new();
    let r = recipe(&s, &[step("bad", 1, "Fail", "args: {message: boom}")]);
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    assert_eq!(j["status"], "failed");
    assert_eq!(j["steps"][0]["error"], "Step execution failed: boom");
}

#[test]
fn retries_get_a_fresh_instance_until_success() {
    // Fails twice, then succeeds: (retries, expected exit code, attempts made).
    for (retries, code_wanted, attempts) in [("1", 1, 2), ("2", 0, 3)] {
        let s = Scratch::new();
        let flaky = step(
            "flaky",
            1,
            "Flaky",
            "args: {fail_times: 2, counter_key: t.attempts}",
        );
        let r = recipe(&s, &[flaky]);
        let (code, j) = s.run_json(&r, &["--max-retries", retries, "--retry-delay", "0"]);
        assert_eq!(code, code_wanted, "{retries} retries: {j}");
        assert_eq!(j["steps"][0]["attempts"], attempts);
        assert_eq!(s.ctx("t.attempts"), Some(serde_json::json!(attempts)));
    }
    // A step's own retry_count wins over the flag.
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[step(
            "flaky",
            1,
            "Flaky",
            "retry_count: 1, args: {fail_times: 1}",
        )],
    );
    let (code, _) = s.run_json(&r, &["--retry-delay", "0"]);
    assert_eq!(code, 0);
}

#[test]
fn timeouts_fail_the_step_and_the_run_goes_on() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("slow", 1, "Sleep", "args: {seconds: 30}"),
            step("next", 2, "Noop", ""),
        ],
    );
    let t = std::time::Instant::now();
    let (code, j) = s.run_json(&r, &["--step-timeout", "0.3", "--continue-on-error"]);
    assert!(
        t.elapsed().as_secs() < 20,
        "the 30 s sleep was not cut short"
    );
    assert_eq!(code, 1);
    assert_eq!(j["steps"][0]["status"], "failed");
    assert_eq!(j["steps"][0]["error"], "Step timed out after 0.3s");
    assert_eq!(steps_with(&j, "completed"), ["next"]);
    // A step's own timeout wins.
    let r = recipe(
        &s,
        &[step(
            "slow",
            1,
            "Sleep",
            "timeout: 0.2, args: {seconds: 30}",
        )],
    );
    let (_, j) = s.run_json(&r, &[]);
    assert_eq!(j["steps"][0]["error"], "Step timed out after 0.2s");
}

#[test]
fn dependencies_skip_dependents_of_failures_but_not_of_filtered_steps() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("bad", 1, "Fail", ""),
            step("child", 2, "Noop", "depends_on: [bad]"),
            step("grandchild", 3, "Noop", "depends_on: [child]"),
            step("free", 4, "Noop", ""),
        ],
    );
    let (code, j) = s.run_json(&r, &["--continue-on-error"]);
    assert_eq!(code, 1);
    assert_eq!(steps_with(&j, "skipped"), ["child", "grandchild"]);
    assert_eq!(steps_with(&j, "completed"), ["free"]);
    let r = recipe(
        &s,
        &[
            step("pre", 1, "Noop", ""),
            step("post", 2, "Noop", "depends_on: [pre]"),
        ],
    );
    let (code, j) = s.run_json(&r, &["--skip", "pre"]);
    assert_eq!(code, 0);
    assert_eq!(steps_with(&j, "completed"), ["post"]);
}

#[test]
fn a_dependency_on_a_later_step_runs_it_first() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[
            step("a", 1, "Noop", "depends_on: [b]"),
            step("b", 2, "Noop", ""),
        ],
    );
    let (_, j) = s.run_json(&r, &[]);
    let names: Vec<&str> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b", "a"]);
}

#[test]
fn ctx_has_keys_warns_and_fails_with_strict() {
    let s = Scratch::new();
    let r = recipe(
        &s,
        &[step("a", 1, "Noop", "success: {ctx_has_keys: [never.set]}")],
    );
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0);
    assert!(j["steps"][0]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("never.set"));
    assert!(s.ctx("recipe.global_warnings").is_some());
    let (code, j) = s.run_json(&r, &["--strict"]);
    assert_eq!(code, 1);
    assert!(j["steps"][0]["error"]
        .as_str()
        .unwrap()
        .contains("never.set"));
}

#[test]
fn text_output_and_summary_lines() {
    let s = Scratch::new();
    let r = recipe(&s, &[step("a", 1, "Noop", ""), step("b", 2, "Fail", "")]);
    let out = s.run(&[
        "run",
        "--recipe",
        r.to_str().unwrap(),
        "--summary",
        "--continue-on-error",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("Recipe execution completed: {}", r.display())
    );
    assert_eq!(lines[1], "  Status: partial");
    assert_eq!(lines[2], "  Success: False");
    assert!(lines[3].starts_with("  Duration: ") && lines[3].ends_with('s'));
    assert_eq!(lines[4], "  Steps: 1/2");
    assert_eq!(lines[5], "  Success Rate: 50.0%");
    // Logs go to stderr in Framework0's format.
    let out = s
        .f0()
        .env("F0_LOG", "info")
        .args(["run", r.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let line = err
        .lines()
        .find(|l| l.contains("Starting recipe"))
        .expect(&err);
    let re_ok = line.len() > 31
        && &line[4..5] == "-"
        && &line[10..11] == " "
        && &line[19..31] == " [    INFO] ";
    assert!(re_ok, "{line}");
}

#[test]
fn json_output_has_framework0_keys_and_the_real_status() {
    let s = Scratch::new();
    let r = recipe(&s, &[step("a", 1, "Fail", "")]);
    let (_, j) = s.run_json(&r, &[]);
    for k in [
        "status",
        "recipe_path",
        "context_keys",
        "execution_time",
        "success",
        "total_steps",
        "completed_steps",
        "success_rate",
    ] {
        assert!(j.get(k).is_some(), "missing {k} in {j}");
    }
    assert_eq!(j["status"], "failed");
    assert!(j["context_keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k == "recipe.status"));
}

#[test]
fn an_empty_recipe_completes_with_full_success_rate() {
    let s = Scratch::new();
    let r = s.write("r.yaml", "steps: []\n");
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 0);
    assert_eq!(j["success_rate"], 100.0);
    assert_eq!(j["total_steps"], 0);
}

#[test]
fn the_metrics_scriptlet_names_its_valid_actions() {
    let s = Scratch::new();
    let step = |name: &str, idx: i64, action: &str| {
        format!("  - {{name: {name}, idx: {idx}, module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, args: {{action: {action}}}}}\n")
    };
    let r = recipe(&s, &[step("typo", 1, "colect")]);
    let (code, j) = s.run_json(&r, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        j["steps"][0]["error"],
        "Step execution failed: unknown action \"colect\"; valid actions: collect, analyze, profile, report"
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("ERROR [UNKNOWN_ACTION] at recipe.steps[0].args.action"));
}
