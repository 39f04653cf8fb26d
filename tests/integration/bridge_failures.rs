//! Python steps that fail, hang, crash the interpreter or raise: each fails alone with
//! Framework0's message, the worker's process group is killed on timeout and Ctrl-C, the
//! next Python step gets a new worker, and later steps still run under --continue-on-error.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::python::{fixtures, py_step, python, run_py, step_of};
use crate::util::Scratch;

/// Whether process `pid` still runs (a zombie waiting to be reaped counts as gone).
fn alive(pid: i64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// The (worker, forked child) pids the Hang fixture wrote.
fn hang_pids(file: &Path) -> Vec<i64> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

#[track_caller]
fn assert_gone(pids: &[i64]) {
    assert_eq!(pids.len(), 2, "the hanging step wrote its pids");
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) {
        assert!(Instant::now() < deadline, "still running: {pids:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn failing_hanging_crashing_and_raising_python_steps_fail_alone() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let pidfile = s.path("hang.pids");
    let r = s.write(
        "faults.yaml",
        &format!(
            "steps:\n{}{}{}{}{}{}{}{}{}{}",
            py_step("exit_two", 1, "faulty", "ExitTwo", ""),
            py_step("raise", 2, "faulty", "Raise", "args: {why: bad input}"),
            py_step("crash", 3, "faulty", "Crash", ""),
            py_step(
                "hang",
                4,
                "faulty",
                "Hang",
                &format!("timeout: 1, args: {{pidfile: '{}'}}", pidfile.display())
            ),
            py_step("partial", 5, "faulty", "WriteThenRaise", ""),
            py_step("segfault", 6, "faulty", "Segfault", ""),
            py_step("none", 7, "faulty", "ReturnsNone", ""),
            py_step("not_json", 8, "faulty", "NotJson", ""),
            py_step("no_class", 9, "faulty", "Nope", ""),
            py_step("after", 10, "faulty", "Pid", "args: {key: faults.after}"),
        ),
    );
    let (code, out, stdout, stderr) = run_py(&s, &py, &r, &["--continue-on-error"]);
    assert_eq!(code, 1, "{out:#}");
    assert_eq!(out["status"], "partial");
    let failed = |name: &str| {
        let st = step_of(&out, name);
        assert_eq!(st["status"], "failed", "{name}: {st}");
        st["error"].as_str().unwrap().to_owned()
    };
    assert_eq!(failed("exit_two"), "Legacy scriptlet returned exit code: 2");
    assert_eq!(
        failed("raise"),
        "Step execution failed: the scriptlet gave up: bad input"
    );
    assert_eq!(
        failed("crash"),
        "Step execution failed: the Python interpreter exited with code 3 while running faulty.Crash \
         (os._exit, a signal or a crash in native code); the next Python step starts a new interpreter"
    );
    assert!(stdout.starts_with("about to crash\n"), "{stdout}");
    assert_eq!(failed("hang"), "Step timed out after 1s");
    assert_gone(&hang_pids(&pidfile));
    assert_eq!(failed("partial"), "Step execution failed: 'missing_input'");
    assert_eq!(
        s.ctx("faulty.partial"),
        Some(json!({"written": "before the error"})),
        "changes made before the exception stay, as in Framework0's one-process context"
    );
    assert!(
        failed("segfault").starts_with(
            "Step execution failed: the Python interpreter was killed by signal 11 (SIGSEGV, a segmentation fault) while running faulty.Segfault"
        ),
        "{out:#}"
    );
    assert_eq!(failed("none"), "Legacy scriptlet returned exit code: None");
    assert_eq!(s.ctx("faulty.ran"), Some(json!(true)));
    assert!(
        failed("not_json").starts_with("Step execution failed: Value is not JSON-serializable: {1, 2, 3}. Error: Object of type set is not JSON serializable"),
        "{out:#}"
    );
    assert_eq!(
        failed("no_class"),
        "Scriptlet class/method not found: module 'faulty' has no attribute 'Nope'"
    );
    assert_eq!(step_of(&out, "after")["status"], "completed");
    assert!(s.ctx("faults.after").is_some());
    // The exception's traceback is in the log (one record: its line breaks are escaped).
    assert!(
        stderr.contains("Python traceback of step 'raise':\\nTraceback (most recent call last):")
            && stderr.contains("RuntimeError: the scriptlet gave up: bad input"),
        "{stderr}"
    );
}

#[test]
fn without_continue_on_error_the_run_stops_at_the_failed_python_step() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "stop.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("raise", 1, "faulty", "Raise", ""),
            py_step("after", 2, "faulty", "Pid", "args: {key: stop.after}"),
        ),
    );
    let (code, out, _, _) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 1);
    assert_eq!(step_of(&out, "after")["status"], "not_run");
    assert_eq!(s.ctx("stop.after"), None);
}

#[test]
fn a_retry_after_an_interpreter_crash_gets_a_fresh_worker() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let marker = s.path("crashed-once");
    let r = s.write(
        "flaky.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("before", 1, "faulty", "Pid", "args: {key: flaky.before}"),
            py_step(
                "flaky",
                2,
                "faulty",
                "Flaky",
                &format!("retry_count: 1, args: {{marker: '{}'}}", marker.display())
            ),
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &["--retry-delay", "0"]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert_eq!(step_of(&out, "flaky")["attempts"], 2);
    assert!(stderr.contains("exited with code 9"), "{stderr}");
    assert_ne!(s.ctx("flaky.before"), s.ctx("faulty.flaky_pid"));
}

#[test]
fn ctrl_c_kills_the_python_workers_process_group() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let pidfile = s.path("hang.pids");
    let r = s.write(
        "ctrlc.yaml",
        &format!(
            "steps:\n{}",
            py_step(
                "hang",
                1,
                "faulty",
                "Hang",
                &format!("args: {{pidfile: '{}'}}", pidfile.display())
            ),
        ),
    );
    let mut child = s
        .f0()
        .arg("run")
        .arg(&r)
        .arg("--python")
        .arg(&py)
        .arg("--pythonpath")
        .arg(fixtures())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while hang_pids(&pidfile).len() < 2 {
        assert!(Instant::now() < deadline, "the Python step never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_gone(&hang_pids(&pidfile));
    assert_eq!(s.ctx("recipe.status"), Some(json!("interrupted")));
}

#[test]
fn a_missing_interpreter_fails_python_steps_with_an_import_message() {
    let s = Scratch::new();
    let r = s.write(
        "nopy.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("py", 1, "faulty", "Pid", "args: {key: x}"),
            "  - {name: native, idx: 2, type: python, module: f0.builtin, function: Noop}\n",
        ),
    );
    let missing = Path::new("/nonexistent/bin/python3");
    let (code, out, _, _) = run_py(&s, missing, &r, &["--continue-on-error"]);
    assert_eq!(code, 1, "{out:#}");
    assert_eq!(
        step_of(&out, "py")["error"],
        "Failed to import scriptlet: cannot start the Python interpreter '/nonexistent/bin/python3': \
         No such file or directory (os error 2); install python3 or choose one with --python PATH / F0_PYTHON"
    );
    assert_eq!(step_of(&out, "native")["status"], "completed");
}
