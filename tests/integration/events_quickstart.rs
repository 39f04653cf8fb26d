//! The log of a quickstart run (issue 14, Framework0's logging 5A): `f0 run --log-file PATH`
//! writes Framework0 JSON log entries with the COMPAT §6 keys (the run, recipe, step and
//! execution id in progress), text stays on the console; `--log-format json` puts the JSON
//! entries on stderr; every action logs its lifecycle and its significant metrics as
//! performance events on `framework0.performance`.

use std::collections::BTreeSet;

use framework0::events::LogEntry;
use serde_json::Value;

use crate::util::Scratch;

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/quickstart.yaml");

/// Runs `recipe` with `flags` at `F0_LOG=info`; returns (exit code, stdout, stderr).
fn run(s: &Scratch, recipe: &str, flags: &[&str]) -> (i32, String, String) {
    let mut args = vec!["run", recipe];
    args.extend_from_slice(flags);
    let out = s.f0().env("F0_LOG", "info").args(&args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every line parsed strictly as a Framework0 log entry.
fn entries(text: &str) -> Vec<LogEntry> {
    LogEntry::parse_lines(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn quickstart_log_file_lines_carry_framework0_keys_and_the_step_in_progress() {
    let s = Scratch::new();
    let log = s.path("log.jsonl");
    let (code, _, stderr) = run(&s, QUICKSTART, &["--log-file", log.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    // The console keeps Framework0's text lines.
    assert!(
        stderr.contains("[    INFO] f0.runner: Executing step: prepare"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let all = entries(&text);
    assert!(all.len() > 10, "{text}");
    let execution_ids: BTreeSet<_> = all.iter().map(|e| e.execution_id.clone()).collect();
    assert_eq!(execution_ids.len(), 1, "one run, one execution id");
    for e in &all {
        assert!(e.execution_id.is_some() && e.thread_id.is_some(), "{e:?}");
        assert_eq!(e.process_id.map(|_| ()), Some(()));
        assert_eq!(e.context_id.as_deref(), Some("1"), "{e:?}");
        assert_eq!(e.recipe_name.as_deref(), Some("quickstart"), "{e:?}");
    }
    // Raw lines: process_id an integer, thread_id a string, null keys omitted.
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(
            v["process_id"].is_u64() && v["thread_id"].is_string(),
            "{line}"
        );
    }
    for step in [
        "prepare",
        "short_pause",
        "collect_metrics",
        "analyze",
        "report",
    ] {
        let started = format!("Executing step: {step} (");
        let e = all
            .iter()
            .find(|e| e.message.starts_with(&started))
            .unwrap_or_else(|| panic!("no line for {step}"));
        assert_eq!(e.step_name.as_deref(), Some(step));
    }
    for action in ["collect", "analyze", "report"] {
        for phase in ["started", "completed"] {
            let e = all
                .iter()
                .find(|e| {
                    e.logger_name == "framework0.performance"
                        && e.message.starts_with(&format!("Action {action} {phase}"))
                })
                .unwrap_or_else(|| panic!("no {phase} line for {action}:\n{text}"));
            let extra = e.extra_data.as_ref().unwrap();
            assert_eq!(
                (&extra["action"], &extra["lifecycle"]),
                (&action.into(), &phase.into())
            );
        }
    }
}

/// Checks a performance event against COMPAT §6.
fn assert_performance_event(e: &LogEntry) {
    let extra = e.extra_data.as_ref().expect("extra_data");
    let name = extra["metric_name"].as_str().unwrap();
    let value = extra["value"].as_f64().unwrap();
    let unit = extra["unit"].as_str().unwrap();
    assert_eq!(
        e.message,
        framework0::events::logging::performance_message(name, value, unit)
    );
    assert!(e.message.starts_with(&format!("Performance: {name} = ")));
    assert!(extra["timestamp"].is_f64(), "{extra:?}");
    assert!(extra["performance_category"].is_string(), "{extra:?}");
}

#[test]
fn quickstart_json_on_stderr_carries_performance_events() {
    let s = Scratch::new();
    // The quickstart with every timer significant (threshold_p95: 0 ms).
    let text = std::fs::read_to_string(QUICKSTART).unwrap();
    let recipe = s.write(
        "quickstart.yaml",
        &format!("{text}config:\n  logging: {{threshold_p95: 0.0}}\n"),
    );
    let (code, stdout, stderr) = run(&s, recipe.to_str().unwrap(), &["--log-format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Recipe execution completed"), "{stdout}");
    let all = entries(&stderr);
    let perf: Vec<&LogEntry> = all
        .iter()
        .filter(|e| e.message.starts_with("Performance: "))
        .collect();
    for e in &perf {
        assert_eq!(e.logger_name, "framework0.performance");
        assert_eq!(e.step_name.as_deref(), Some("analyze"));
        assert_performance_event(e);
    }
    let timing: Vec<&&LogEntry> = perf
        .iter()
        .filter(|e| e.extra_data.as_ref().unwrap()["performance_category"] == "timing")
        .collect();
    let names: BTreeSet<&str> = timing
        .iter()
        .map(|e| {
            e.extra_data.as_ref().unwrap()["metric_name"]
                .as_str()
                .unwrap()
        })
        .collect();
    for workload in ["list_files", "shell_loop"] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("workload_wall_time{") && n.contains(workload)),
            "no timing event for {workload}: {names:?}"
        );
    }
    for e in &timing {
        let extra = e.extra_data.as_ref().unwrap();
        assert!(extra["metric_name"].as_str().unwrap().ends_with(":p95"));
        assert_eq!(
            (&extra["statistic"], &extra["threshold_p95"]),
            (&"p95".into(), &0.0.into())
        );
    }
}

#[test]
fn an_unwritable_log_file_fails_before_the_run() {
    let s = Scratch::new();
    let out = s
        .f0()
        .args(["run", QUICKSTART, "--log-file", "/nonexistent-dir/x.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--log-file /nonexistent-dir/x.jsonl: "),
        "{err}"
    );
    assert!(!s.store().exists(), "nothing ran");
}
