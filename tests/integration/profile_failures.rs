//! `f0 profile` and the profile action when things go wrong or are compared: a step timeout
//! kills the profiled program (no orphan), a store that cannot be opened is named, and the
//! text report states the baseline comparison.

use std::time::Instant;

use crate::util::action::stderr;
use crate::util::Scratch;

#[test]
fn a_step_timeout_kills_the_profiled_program() {
    let s = Scratch::new();
    let pid_file = s.path("pid");
    let recipe = s.write(
        "r.yaml",
        &format!(
            "steps:\n  - name: p\n    timeout: 1\n    module: scriptlets.performance_metrics\n    function: PerformanceMetricsScriptlet\n    args: {{action: profile, target: {{command: [sh, -c, 'echo $$ > {}; exec sleep 30']}}}}\n",
            pid_file.display()
        ),
    );
    let t = Instant::now();
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(t.elapsed().as_secs_f64() < 10.0, "{out}");
    let err = out["steps"][0]["error"].as_str().unwrap_or_default();
    assert!(err.contains("timed out"), "{out}");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the profiled program {pid} outlived its step"
    );
}

#[test]
fn a_store_that_cannot_be_opened_is_named() {
    let s = Scratch::new();
    std::fs::create_dir(s.store()).unwrap();
    let o = s.run(&["profile", "--", "true"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("Error: ") && err.contains(&s.store().display().to_string()),
        "{err}"
    );
    assert!(!s.path("profiles").exists(), "nothing profiled: {err}");
}

#[test]
fn the_text_report_states_the_baseline_comparison() {
    let s = Scratch::new();
    let work = [
        "sh",
        "-c",
        "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done",
    ];
    let run = |flags: &[&str]| {
        let mut args = vec!["profile", "--runs", "2", "-o", "out"];
        args.extend_from_slice(flags);
        args.push("--");
        args.extend_from_slice(&work);
        let o = s.run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(&["--save-baseline", "main"]);
    let text = run(&["--compare-baseline", "main"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("  vs baseline main: "))
        .unwrap_or_else(|| panic!("no comparison line in:\n{text}"));
    assert!(
        line.contains(" slower, ") && line.contains(" faster (") && line.ends_with(')'),
        "{line}"
    );
}

#[test]
fn a_step_profiled_long_after_it_ran_is_still_profiled() {
    // Only the last 64 step captures stay in memory, and only targeted steps are captured:
    // 70 steps later, the profile of `pause` still has its figures (without a capture they
    // come from the runner's stored step_* samples: runner/step_cost_tests.rs).
    let s = Scratch::new();
    let mut steps = String::from("steps:\n");
    steps.push_str(&crate::util::step(
        "pause",
        1,
        "Sleep",
        "args: {seconds: 0.2}",
    ));
    for i in 0..70 {
        steps.push_str(&crate::util::step(
            &format!("filler_{i}"),
            i + 2,
            "SetContext",
            &format!("args: {{values: {{t.f{i}: {i}}}}}"),
        ));
    }
    steps.push_str("  - {name: p, idx: 100, module: scriptlets.performance_metrics, function: PerformanceMetricsScriptlet, args: {action: profile, target: {step: pause}, output_dir: profiles}}\n");
    let recipe = s.write("r.yaml", &steps);
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 0, "{out}");
    let last = s.ctx("metrics.last_profile").unwrap();
    assert_eq!(last["step"], "p", "{last}");
    let node = &last["timers"]["merged"][0];
    assert_eq!(node["name"], "pause", "{last}");
    let total = node["total_ns"].as_u64().unwrap();
    assert!((200_000_000..5_000_000_000).contains(&total), "{node}");
}

#[test]
fn a_syscall_heavy_command_is_told_to_make_fewer_larger_syscalls() {
    let s = Scratch::new();
    let o = s.run(&[
        "profile",
        "--json",
        "-o",
        "out",
        "--",
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=1",
        "count=500000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = |rule: &str| {
        r["bottlenecks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["rule"] == rule)
            .cloned()
    };
    let heavy = found("syscall_heavy").unwrap_or_else(|| panic!("{}", r["bottlenecks"]));
    assert!(
        heavy["evidence"]
            .as_str()
            .unwrap()
            .starts_with("system time ")
            && heavy["suggestion"]
                .as_str()
                .unwrap()
                .contains("make fewer, larger syscalls"),
        "{heavy}"
    );
    // With stacks sampled, the kernel's own frames lead and are explained as such.
    if r["command"]["sampling"]["status"] == "sampled" {
        let k = r["bottlenecks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["location"] == "[kernel]")
            .unwrap_or_else(|| panic!("no [kernel] row: {}", r["bottlenecks"]));
        assert!(
            k["suggestion"]
                .as_str()
                .unwrap()
                .starts_with("the time is spent in the kernel on the program's behalf"),
            "{k}"
        );
    } else {
        eprintln!(
            "profile_failures: stacks not sampled here ({}); the [kernel] row is not checked",
            r["command"]["sampling"]
        );
    }
}

#[test]
fn an_output_folder_below_a_file_is_named_in_the_error() {
    let s = Scratch::new();
    s.write("notes", "mine");
    let o = s.run(&["profile", "-o", "notes/profiles", "--", "true"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Error: cannot write notes/profiles: "),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(s.path("notes")).unwrap(), "mine");
}

#[test]
fn a_report_file_that_cannot_be_written_is_named_in_the_error() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path("out/profile.profile.json")).unwrap();
    let o = s.run(&["profile", "-o", "out", "--", "true"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Error: cannot write out/profile.profile.json: "),
        "{err}"
    );
}
