//! Hostile and extreme input to the runner and the store: every case ends in a clear error or
//! a finalised run, never a panic (exit 101) or a run left `running`. Each test is named for
//! what broke before its fix.

use crate::util::{step, Scratch};

/// Exit code and stderr of `f0 <args>`.
fn run(s: &Scratch, args: &[&str]) -> (i32, String) {
    let out = s.run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn durations_that_overflow_a_clock_are_refused_not_panicked_on() {
    let s = Scratch::new();
    for (field, value) in [
        ("timeout", "1e300"),
        ("timeout", "18446744073709551615"),
        ("timeout", "31536001"),
    ] {
        let r = s.write(
            "t.yaml",
            &format!(
                "steps:\n{}",
                step("a", 1, "Noop", &format!("{field}: {value}"))
            ),
        );
        let (code, err) = run(&s, &["validate", r.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        let (code, err) = run(&s, &["run", r.to_str().unwrap()]);
        assert_eq!(code, 1, "{value}: {err}");
        assert!(err.contains("at most 31536000 (one year)"), "{err}");
    }
    let sleep = s.write(
        "s.yaml",
        &format!("steps:\n{}", step("a", 1, "Sleep", "args: {seconds: 1e19}")),
    );
    let (code, err) = run(&s, &["run", sleep.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("longer than one year"), "{err}");
    let ok = s.write("ok.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    for flag in ["--step-timeout", "--retry-delay"] {
        let (code, err) = run(&s, &["run", ok.to_str().unwrap(), flag, "1e300"]);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(err.contains("longer than one year"), "{err}");
    }
    let (code, err) = run(&s, &["run", ok.to_str().unwrap(), "--retry-delay", "0"]);
    assert_eq!(code, 0, "{err}");
    // Nothing above started a run that stayed unfinished.
    let c = s.sql();
    let running: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE status = 'running'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(running, 0);
}

#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}",
            step("a", 1, "SetContext", "args: {values: {k: 1}}")
        ),
    );
    assert!(s.run(&["run", r.to_str().unwrap()]).status.success());
    let mut child = s
        .f0()
        .args(["context", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before f0 writes a byte
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

#[test]
fn a_fifo_as_the_store_is_refused_instead_of_hanging() {
    let s = Scratch::new();
    let fifo = s.path("store.db");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    for args in [vec!["run", r.to_str().unwrap()], vec!["context", "list"]] {
        let (code, err) = run(&s, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("is not a regular file (a FIFO)"), "{err}");
    }
}

#[test]
fn a_recipe_from_a_pipe_larger_than_8_mib_is_refused_not_cut() {
    use std::io::Write;
    let s = Scratch::new();
    let mut child = s
        .f0()
        .args(["run", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = "  - {name: s, module: f0.builtin, function: Noop}\n";
        let _ = stdin.write_all(b"steps:\n");
        let mut written = 0;
        while written < 9 << 20 {
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
            written += line.len();
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("recipes larger than 8388608 bytes are refused"),
        "{err}"
    );
}

#[test]
fn read_only_commands_never_write_and_refuse_other_programs_databases() {
    let s = Scratch::new();
    let other = s.path("other.db");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(c);
    let before = std::fs::read(&other).unwrap();
    for args in [
        vec!["context", "list"],
        vec!["analyze", "--metric", "m"],
        vec!["changepoints", "--metric", "m"],
    ] {
        let out = s
            .f0()
            .env("F0_CONTEXT_DB", &other)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("not an f0 context store"), "{err}");
    }
    assert_eq!(
        std::fs::read(&other).unwrap(),
        before,
        "the file was changed"
    );
    // A store made read-only by its permissions is still readable.
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}",
            step("a", 1, "SetContext", "args: {values: {k: 1}}")
        ),
    );
    assert!(s.run(&["run", r.to_str().unwrap()]).status.success());
    let mut perm = std::fs::metadata(s.store()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o444);
    std::fs::set_permissions(s.store(), perm).unwrap();
    let out = s.run(&["context", "get", "k"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("readonly"), "{err}");
}

#[test]
fn newlines_in_step_names_and_keys_cannot_forge_output_or_log_lines() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        "steps:\n  - name: \"evil\\n2026-01-01 00:00:00 [    INFO] f0.runner: forged\"\n    module: f0.builtin\n    function: SetContext\n    args: {values: {\"k\\nforged = 1\": 1}}\n    timeout: -1\n",
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.lines().any(|l| l.starts_with("2026-01-01")), "{text}");
    assert!(text.contains("evil\\n2026"), "{text}");
    let fixed = s.write(
        "ok.yaml",
        "steps:\n  - name: \"evil\\n2026-01-01 00:00:00 [    INFO] f0.runner: forged\"\n    module: f0.builtin\n    function: SetContext\n    args: {values: {\"k\\nforged = 1\": 1}}\n",
    );
    let out = s
        .f0()
        .env("F0_LOG", "info")
        .args(["run", fixed.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.lines().all(|l| !l.starts_with("2026-01-01 00:00:00")),
        "{err}"
    );
    assert!(err.contains("Executing step: evil\\n2026"), "{err}");
    let list = s.run(&["context", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(!text.lines().any(|l| l.starts_with("forged")), "{text}");
    assert!(text.contains("k\\nforged = 1 = 1"), "{text}");
}

#[test]
fn error_messages_quote_at_most_200_characters_of_a_bad_value() {
    let s = Scratch::new();
    let long = "9".repeat(100_000);
    let csv = s.write("m.csv", &format!("timestamp,value\n1767225600,{long}x\n"));
    let (code, err) = run(&s, &["import", csv.to_str().unwrap(), "--name", "m"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.len() < 600,
        "{} bytes: {}",
        err.len(),
        &err[..300.min(err.len())]
    );
    assert!(err.contains("characters)"), "{err}");
    // Many stored names: the list in the error is cut too.
    let lines: String = (0..2000)
        .map(|i| {
            format!(
                "{{\"name\":\"metric_with_a_long_name_{i:05}\",\"value\":1,\"metric_type\":\"gauge\",\"unit\":\"count\",\"timestamp\":1767225600000000000,\"tags\":{{}},\"source\":null,\"context\":{{}}}}\n"
            )
        })
        .collect();
    let jsonl = s.write("m.jsonl", &lines);
    let (code, err) = run(&s, &["import", jsonl.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&s, &["analyze", "--metric", "nosuch"]);
    assert_eq!(code, 1);
    assert!(err.len() < 600, "{} bytes", err.len());
    assert!(err.contains("characters)"), "{err}");
}

#[test]
fn metric_names_and_tag_values_over_1_kib_are_refused_and_nothing_is_stored() {
    let s = Scratch::new();
    let csv = s.write("m.csv", "timestamp,value\n1767225600,1\n");
    let long = "n".repeat(1025);
    let (code, err) = run(&s, &["import", csv.to_str().unwrap(), "--name", &long]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("longer than the 1024-byte limit"), "{err}");
    let line = format!(
        "{{\"name\":\"ok\",\"value\":1,\"metric_type\":\"gauge\",\"unit\":\"count\",\"timestamp\":1767225600000000000,\"tags\":{{\"t\":\"{}\"}},\"source\":null,\"context\":{{}}}}\n",
        "v".repeat(2000)
    );
    let jsonl = s.write("t.jsonl", &line);
    let (code, err) = run(&s, &["import", jsonl.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("tag value of 2000 bytes"), "{err}");
    if s.store().exists() {
        let n: i64 = s
            .sql()
            .query_row("SELECT COUNT(*) FROM metric_samples", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn each_run_starts_from_a_fresh_context_with_only_the_baselines_carried_over() {
    let s = Scratch::new();
    let first = s.write(
        "first.yaml",
        &format!(
            "steps:\n{}{}",
            step(
                "a",
                1,
                "SetContext",
                "args: {values: {left.over: 1, metrics.baselines.m: {mean: 2}}}"
            ),
            step("boom", 2, "Fail", "args: {message: broken}"),
        ),
    );
    let (code, _) = s.run_json(&first, &["--continue-on-error"]);
    assert_eq!(code, 1);
    assert!(s
        .ctx("recipe.global_errors")
        .is_some_and(|v| v != serde_json::json!([])));
    let second = s.write(
        "second.yaml",
        &format!(
            "steps:\n{}",
            step(
                "b",
                1,
                "Noop",
                "success: {ctx_has_keys: [metrics.baselines.m]}"
            ),
        ),
    );
    let (code, j) = s.run_json(&second, &["--strict"]);
    assert_eq!(code, 0, "{j}");
    let keys: Vec<&str> = j["context_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(!keys.contains(&"left.over"), "{keys:?}");
    assert!(keys.contains(&"metrics.baselines.m"), "{keys:?}");
    assert_eq!(s.ctx("recipe.global_errors"), Some(serde_json::json!([])));
}

#[test]
fn values_framework0_writes_into_context_data_are_read_not_refused() {
    let s = Scratch::new();
    let ok = s.write("ok.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    assert!(s.run(&["run", ok.to_str().unwrap()]).status.success());
    let c = rusqlite::Connection::open(s.store()).unwrap();
    c.execute_batch(
        "INSERT INTO context_data (key, value) VALUES \
         ('py.nan', 'NaN'), ('py.inf', '-Infinity'), ('py.list', '[1, NaN, \"NaN\"]'), \
         ('py.text', 'not json at all'), ('py.big', '18446744073709551615'), \
         ('metrics.baselines.py', '{\"mean\": Infinity}');",
    )
    .unwrap();
    drop(c);
    let out = s.run(&["context", "list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let value = |k: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .map(|r| r["value"].clone())
            .unwrap()
    };
    let nd = |x: &str| serde_json::json!({ "$numberDouble": x });
    assert_eq!(value("py.nan"), nd("NaN"));
    assert_eq!(value("py.inf"), nd("-Infinity"));
    assert_eq!(value("py.list"), serde_json::json!([1, nd("NaN"), "NaN"]));
    assert_eq!(value("py.text"), "not json at all");
    assert_eq!(value("py.big"), serde_json::json!(18446744073709551615u64));
    // A run loads the baseline with the odd value and leaves the stored text untouched.
    assert!(s.run(&["run", ok.to_str().unwrap()]).status.success());
    let raw: String = s
        .sql()
        .query_row(
            "SELECT value FROM context_data WHERE key = 'metrics.baselines.py'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, "{\"mean\": Infinity}");
}
