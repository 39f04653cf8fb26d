//! `f0 profile -- CMD`: sampled call trees of small C programs (tests/fixtures/profile),
//! bottleneck ranking and suggestions, the flamegraph as XML, the not-CPU-bound verdict,
//! baselines compared node by node, bad input.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::Scratch;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/profile");

/// Compiles a fixture with `-O1 -g -fno-omit-frame-pointer`; None (after saying so) without gcc.
fn compile(s: &Scratch, name: &str) -> Option<PathBuf> {
    let out = s.path(name);
    let src = Path::new(FIXTURES).join(format!("{name}.c"));
    match std::process::Command::new("gcc")
        .args(["-O1", "-g", "-fno-omit-frame-pointer", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
    {
        Ok(st) if st.success() => Some(out),
        Ok(st) => panic!("gcc failed on {}: {st}", src.display()),
        Err(e) => {
            eprintln!(
                "SKIPPED: gcc is not installed ({e}); install it with `apt-get install -y gcc`"
            );
            None
        }
    }
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/profile.schema.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn check_schema(report: &Value) {
    let v = schema();
    let errors: Vec<String> = v
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "profile JSON does not match schemas/profile.schema.json: {errors:#?}"
    );
}

/// Runs `f0 profile --json <flags> -- <cmd>`; (exit code, report).
fn profile(s: &Scratch, flags: &[&str], cmd: &[&str]) -> (i32, Value) {
    let mut args = vec!["profile", "--json"];
    args.extend_from_slice(flags);
    args.push("--");
    args.extend_from_slice(cmd);
    let out = s.run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let json = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn sampled(report: &Value) -> bool {
    let status = &report["command"]["sampling"];
    if status["status"] == "sampled" {
        return true;
    }
    eprintln!("SKIPPED the stack assertions: {}", status["reason"]);
    assert!(
        report["command"]["proc"]["samples"].as_u64().unwrap() > 0,
        "the /proc view is missing"
    );
    false
}

/// Parses the whole SVG with quick-xml; returns its text content.
fn svg_text(path: &str) -> String {
    let xml = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Text(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(_) => {}
            Err(e) => panic!(
                "{path} is not well-formed XML at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    text
}

#[test]
fn hot_function_ranks_first_with_the_look_there_first_suggestion_and_the_flamegraph_names_it() {
    let s = Scratch::new();
    let Some(exe) = compile(&s, "hot_cold") else {
        return;
    };
    let (code, r) = profile(
        &s,
        &["--frequency", "999", "-o", "out"],
        &[exe.to_str().unwrap(), "200"],
    );
    assert_eq!(code, 0, "{r}");
    check_schema(&r);
    assert_eq!(r["command"]["exit"]["code"], 0);
    assert_eq!(
        r["classification"]["verdict"], "cpu_bound",
        "{}",
        r["classification"]
    );
    if !sampled(&r) {
        return;
    }
    let top = &r["rankings"]["by_self_time"][0];
    assert_eq!(top["name"], "hot_function", "{}", r["rankings"]);
    assert!(top["self_share"].as_f64().unwrap() > 0.6, "{top}");
    let cold = r["rankings"]["by_self_time"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["name"] == "cold_function");
    assert!(
        cold.is_some_and(|i| i > 0),
        "cold_function missing or first: {}",
        r["rankings"]
    );
    let b = &r["bottlenecks"][0];
    assert_eq!(
        (b["rule"].as_str(), b["location"].as_str()),
        (Some("dominant_function"), Some("hot_function")),
        "{b}"
    );
    let suggestion = b["suggestion"].as_str().unwrap();
    assert!(
        suggestion.starts_with("look at hot_function first"),
        "{suggestion}"
    );
    assert!(
        b["evidence"].as_str().unwrap().contains(" ms of "),
        "evidence cites no numbers: {b}"
    );
    // The merged tree: the process root, then main, then the hot function. GCC builds leaf
    // functions without a frame (-momit-leaf-frame-pointer), so main is found from the top
    // of the stack (x86-64), not from the frame-pointer chain (regression: main was missing).
    let folded = std::fs::read_to_string(s.path("out/profile.folded")).unwrap();
    let leaf_caller = if cfg!(target_arch = "x86_64") {
        ";main;hot_function "
    } else {
        ";hot_function "
    };
    assert!(
        folded
            .lines()
            .any(|l| l.starts_with("hot_cold;") && l.contains(leaf_caller)),
        "{folded}"
    );
    assert!(svg_text(
        r["files"]["flamegraph"]
            .as_str()
            .map(|p| s.path(p))
            .unwrap()
            .to_str()
            .unwrap()
    )
    .contains("hot_function"));
    let rows: i64 = s
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM profiles WHERE target = 'command'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn sleeping_program_is_recognised_as_not_cpu_bound() {
    let s = Scratch::new();
    let Some(exe) = compile(&s, "sleepy_io") else {
        return;
    };
    let tmp = s.path("io.tmp");
    let (code, r) = profile(
        &s,
        &["-o", "out"],
        &[exe.to_str().unwrap(), "6", tmp.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{r}");
    check_schema(&r);
    assert_eq!(
        r["classification"]["verdict"], "not_cpu_bound",
        "{}",
        r["classification"]
    );
    let wait = r["bottlenecks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["rule"] == "cpu_below_wall")
        .expect("no cpu_below_wall finding");
    assert!(
        wait["suggestion"]
            .as_str()
            .unwrap()
            .contains("not CPU-bound"),
        "{wait}"
    );
    assert!(r["command"]["proc"]["wall_seconds"].as_f64().unwrap() >= 0.3);
    assert!(
        !r["bottlenecks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["rule"] == "dominant_function"),
        "2 ms of samples is no evidence: {}",
        r["bottlenecks"]
    );
}

#[test]
fn a_slower_hot_function_is_found_node_by_node_against_the_baseline() {
    let s = Scratch::new();
    let Some(exe) = compile(&s, "hot_cold") else {
        return;
    };
    let exe = exe.to_str().unwrap();
    let (code, r) = profile(
        &s,
        &[
            "--runs",
            "3",
            "--frequency",
            "999",
            "--save-baseline",
            "main",
            "-o",
            "out",
        ],
        &[exe, "40"],
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["baseline"]["saved"], "main");
    let (code, r) = profile(
        &s,
        &[
            "--runs",
            "3",
            "--frequency",
            "999",
            "--compare-baseline",
            "main",
            "-o",
            "out",
        ],
        &[exe, "160"],
    );
    assert_eq!(code, 0, "{r}");
    check_schema(&r);
    if !sampled(&r) {
        return;
    }
    let c = &r["baseline"]["comparison"];
    assert_eq!(
        (c["baseline_runs"].as_u64(), c["current_runs"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(c["significance"], "welch_t_test");
    let hot = c["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"].as_str().unwrap().ends_with(";hot_function"))
        .expect("hot_function node");
    assert_eq!(hot["verdict"], "slower", "{hot}");
    assert!(
        hot["change_percent"].as_f64().unwrap() > 100.0 && hot["p_value"].as_f64().unwrap() < 0.05,
        "{hot}"
    );
    assert!(svg_text(
        s.path(c["diff_flamegraph"].as_str().unwrap())
            .to_str()
            .unwrap()
    )
    .contains("hot_function"));
    assert_eq!(r["run_wall_seconds"].as_array().unwrap().len(), 3);
}

#[test]
fn framework0_mode_adds_framework0_shape_and_strings() {
    let s = Scratch::new();
    let (code, r) = profile(
        &s,
        &["--mode", "framework0", "-o", "out"],
        &[
            "sh",
            "-c",
            "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done",
        ],
    );
    assert_eq!(code, 0, "{r}");
    check_schema(&r);
    let known = [
        "Investigate caching opportunities for frequently called slow functions.",
        "High CPU utilization detected. Consider load balancing or scaling resources.",
        "Memory usage approaching limits. Review memory allocation patterns and implement cleanup.",
        "No significant bottlenecks detected. Performance appears optimal.",
    ];
    for rec in r["framework0"]["recommendations"].as_array().unwrap() {
        assert!(
            known.contains(&rec.as_str().unwrap()),
            "unexpected recommendation {rec}"
        );
    }
}

#[test]
fn bad_flags_name_the_field_the_value_and_what_is_accepted() {
    let s = Scratch::new();
    let out = s.run(&["profile", "--frequency", "0", "--", "true"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("f0 profile.frequency") && err.contains("got 0") && err.contains("1 to 10000"),
        "{err}"
    );
    let out = s.run(&["profile", "--mode", "turbo", "--", "true"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("accepted: native, framework0"));
    let out = s.run(&["profile", "--", "/nonexistent/prog"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot start \"/nonexistent/prog\""), "{err}");
    let out = s.run(&["profile", "--compare-baseline", "nope", "--", "true"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("baseline \"nope\": no such profile baseline"),
        "{err}"
    );
}

#[test]
fn a_failing_command_still_writes_its_profile_and_exits_1() {
    let s = Scratch::new();
    let (code, r) = profile(
        &s,
        &["-o", "out"],
        &["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"],
    );
    assert_eq!(code, 1);
    assert_eq!(r["command"]["exit"]["code"], 3);
    assert!(s.path("out/profile.svg").exists());
    // With --json the command's output goes to files, keeping stdout one JSON object.
    assert_eq!(
        std::fs::read_to_string(s.path("out/profile.stdout")).unwrap(),
        "to-stdout\n"
    );
    assert_eq!(
        std::fs::read_to_string(s.path("out/profile.stderr")).unwrap(),
        "to-stderr\n"
    );
}

#[test]
fn the_text_report_names_the_command_its_cost_verdict_and_files() {
    let s = Scratch::new();
    let out = s.run(&[
        "profile",
        "-o",
        "out",
        "--",
        "sh",
        "-c",
        "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("profile of sh -c i=0;"), "{text}");
    assert!(
        lines[1].starts_with("  wall ") && lines[1].contains(" % of one core), peak RSS "),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" samples at 499 Hz (") || l.starts_with("  stacks not sampled: ")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("  cpu_bound: ")),
        "a shell loop is CPU-bound:\n{text}"
    );
    for (label, ext) in [("  flamegraph: ", ".svg"), ("  report: ", ".json")] {
        let file = lines
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label:?} line in:\n{text}"));
        assert!(file.ends_with(ext) && s.path(file).is_file(), "{file}");
    }
}
