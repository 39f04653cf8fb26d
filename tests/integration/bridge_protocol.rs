//! A Python worker that breaks the bridge protocol (`tests/fixtures/bridge/fake_worker.py`
//! behind a wrapper interpreter): one that never starts, answers something else than ready,
//! never answers, sends an unknown or malformed frame mid-step, closes its pipes, or sends
//! metrics the store cannot hold. Each fails only its step (or plugin call) with a message
//! saying what the worker did, and no worker process outlives the run. Needs python3 (the
//! fake worker is Python); without it the tests say SKIPPED and return.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::collect::{recipe, samples};
use crate::util::python::{fixtures, py_step, python, step_of};
use crate::util::Scratch;

/// A wrapper "interpreter" that runs the fake worker whatever script f0 asks for.
fn fake_python(s: &Scratch, py: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let worker = fixtures().join("fake_worker.py");
    let p = s.write(
        "fake-python",
        &format!(
            "#!/bin/sh\nexec '{}' '{}'\n",
            py.display(),
            worker.display()
        ),
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// The pids of the fake workers started so far (one line each in `file`).
fn pids(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

/// Waits up to 5 s for every process of `pids` to be gone (a zombie counts as gone).
#[track_caller]
fn assert_gone(pids: &[i32]) {
    let alive = |pid: &i32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| {
            !st.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(alive) {
        assert!(
            Instant::now() < deadline,
            "fake workers still running: {pids:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn error_of(out: &serde_json::Value, name: &str) -> String {
    let st = step_of(out, name);
    assert_eq!(st["status"], "failed", "{name}: {st}");
    st["error"].as_str().unwrap().to_owned()
}

#[test]
fn a_worker_breaking_the_protocol_mid_step_fails_that_step_and_is_replaced() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let fake = fake_python(&s, &py);
    let pidfile = s.path("fake.pids");
    let r = s.write(
        "protocol.yaml",
        &format!(
            "steps:\n{}{}{}{}{}",
            py_step("unexpected", 1, "fake_worker", "UnexpectedFrame", ""),
            py_step("garbage", 2, "fake_worker", "Garbage", ""),
            py_step("unknown", 3, "fake_worker", "UnknownOutcome", ""),
            py_step("closed", 4, "fake_worker", "ClosePipes", ""),
            py_step("after", 5, "fake_worker", "Fine", ""),
        ),
    );
    let mut cmd = s.f0();
    cmd.env("F0_FAKE_PIDFILE", &pidfile);
    let out = cmd
        .arg("run")
        .arg(&r)
        .args(["--json-output", "--continue-on-error", "--python"])
        .arg(&fake)
        .arg("--pythonpath")
        .arg(fixtures())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{json:#}");
    assert_eq!(
        error_of(&json, "unexpected"),
        "Step execution failed: Python bridge: the Python worker sent a bad frame: \
         {\"detail\":\"not part of the protocol\",\"op\":\"bogus\"} while a step runs"
    );
    assert_eq!(
        error_of(&json, "garbage"),
        "Step execution failed: Python bridge: the Python worker sent a bad frame: \
         key must be a string at line 1 column 2"
    );
    assert_eq!(
        error_of(&json, "unknown"),
        "Step execution failed: the Python worker reported an unknown outcome \"maybe\""
    );
    assert_eq!(
        error_of(&json, "closed"),
        "Step execution failed: the Python interpreter closed its pipe while running \
         fake_worker.ClosePipes (os._exit, a signal or a crash in native code); the next \
         Python step starts a new interpreter"
    );
    assert_eq!(step_of(&json, "after")["status"], "completed");
    // A worker that broke the protocol is not used again; one that only reported an unknown
    // outcome serves the next step.
    let started = pids(&pidfile);
    assert_eq!(started.len(), 4, "{started:?}");
    assert_gone(&started);
}

/// Runs `recipe` with the fake interpreter started as `start`: (exit code, JSON, stderr).
fn run_fake(
    s: &Scratch,
    fake: &Path,
    recipe: &Path,
    start: &str,
) -> (i32, serde_json::Value, String) {
    let out = s
        .f0()
        .env("F0_FAKE_START", start)
        .env("F0_FAKE_PIDFILE", s.path("fake.pids"))
        .arg("run")
        .arg(recipe)
        .args(["--json-output", "--continue-on-error", "--python"])
        .arg(fake)
        .arg("--pythonpath")
        .arg(fixtures())
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn a_worker_that_does_not_start_fails_the_step_saying_why() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let fake = fake_python(&s, &py);
    let r = s.write(
        "start.yaml",
        &format!("steps:\n{}", py_step("py", 1, "fake_worker", "Fine", "")),
    );
    let (code, json, stderr) = run_fake(&s, &fake, &r, "exit");
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        error_of(&json, "py"),
        "Failed to import scriptlet: the Python worker did not start: the Python interpreter \
         exited with code 5 (its output above says why)"
    );
    assert!(stderr.contains("fake worker: cannot start"), "{stderr}");
    let (code, json, _) = run_fake(&s, &fake, &r, "hello");
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        error_of(&json, "py"),
        "Failed to import scriptlet: the Python worker did not start: the Python worker \
         answered {\"op\":\"hello\"} instead of ready (its output above says why)"
    );
    assert_gone(&pids(&s.path("fake.pids")));
}

#[test]
fn an_interpreter_that_never_answers_is_stopped_by_the_steps_timeout() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let fake = fake_python(&s, &py);
    let r = s.write(
        "silent.yaml",
        &format!(
            "steps:\n{}",
            py_step("py", 1, "fake_worker", "Fine", "timeout: 1")
        ),
    );
    let started = Instant::now();
    let (code, json, _) = run_fake(&s, &fake, &r, "silent");
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(error_of(&json, "py"), "Step timed out after 1s");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the silent worker sleeps 60 s; the run must not wait for it"
    );
    let started = pids(&s.path("fake.pids"));
    assert_eq!(started.len(), 1);
    assert_gone(&started);
}

#[test]
fn metrics_the_store_cannot_hold_are_left_out_or_fail_the_step_by_name() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let fake = fake_python(&s, &py);
    let r = s.write(
        "metrics.yaml",
        &format!(
            "steps:\n{}{}",
            py_step("bad", 1, "fake_worker", "BadMetrics", ""),
            py_step("refused", 2, "fake_worker", "RefusedMetric", ""),
        ),
    );
    let (code, json, stderr) = run_fake(&s, &fake, &r, "ready");
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    assert_eq!(step_of(&json, "bad")["status"], "completed", "{json:#}");
    let kept = samples(&s, "fake.kept");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].1["via"], "fake");
    for left_out in [
        "Python metric {\"metric_type\":\"gauge\",\"name\":\"\",",
        "its name is empty",
        "Python metric 42 left out: invalid type: integer `42`, expected struct PerformanceMetric",
        "Python metric {\"name\":\"fake.no_type\",\"value\":1} left out: missing field `metric_type`",
    ] {
        assert!(stderr.contains(left_out), "{left_out}\n{stderr}");
    }
    let e = error_of(&json, "refused");
    assert!(
        e.starts_with("Step execution failed: writing the Python step's metrics: ")
            && e.contains(
                "cannot store a sample: metric name of 2000 bytes is longer than the 1024-byte limit: nnnn"
            ),
        "{e}"
    );
    assert!(samples(&s, "fake.after_refusal").is_empty());
}

/// A collect step whose Python collector is `fake_worker.<function>`.
fn fake_collector(function: &str) -> String {
    format!(
        "  - {{name: c, idx: 1, type: python, module: scriptlets.foundation.performance_metrics, \
         function: PerformanceMetricsScriptlet, args: {{action: collect, duration: 200ms, \
         collectors: {{python: {{module: fake_worker, function: {function}, path: ['{}'], \
         interval: 50ms}}}}}}}}\n",
        fixtures().display()
    )
}

/// Runs a recipe with one fake Python collector: (exit code, the failed step's error or "").
fn collect_with(s: &Scratch, fake: &Path, function: &str, start: &str) -> (i32, String) {
    let r = recipe(s, &[fake_collector(function)]);
    let (code, json, _) = run_fake(s, fake, &r, start);
    let error = json["steps"][0]["error"].as_str().unwrap_or("").to_owned();
    (code, error)
}

#[test]
fn a_plugin_worker_breaking_the_protocol_names_the_python_code() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let fake = fake_python(&s, &py);
    let (code, e) = collect_with(&s, &fake, "ok", "ready");
    assert_eq!((code, e.as_str()), (0, ""));
    assert_eq!(samples(&s, "fake_plugin_metric")[0].0, 4.0);
    let (code, e) = collect_with(&s, &fake, "bogus", "ready");
    assert_eq!(code, 1);
    assert!(
        e.ends_with("python 'fake_worker.bogus': the Python worker answered {\"op\":\"bogus\"}"),
        "{e}"
    );
    let (_, e) = collect_with(&s, &fake, "garbage", "ready");
    assert!(
        e.ends_with(
            "python 'fake_worker.garbage': the Python worker sent a bad frame: key must be a string at line 1 column 2"
        ),
        "{e}"
    );
    let (_, e) = collect_with(&s, &fake, "ok", "exit");
    assert!(
        e.ends_with(
            "python 'fake_worker.ok': the Python worker did not start: the Python interpreter exited with code 5"
        ),
        "{e}"
    );
    let (_, e) = collect_with(&s, Path::new("/nonexistent/bin/python3"), "ok", "ready");
    assert!(
        e.ends_with(
            "python 'fake_worker.ok': cannot start the Python interpreter '/nonexistent/bin/python3': \
             No such file or directory (os error 2); install python3 or choose one with --python PATH / F0_PYTHON"
        ),
        "{e}"
    );
    assert_gone(&pids(&s.path("fake.pids")));
}

#[test]
fn without_a_writable_temporary_directory_python_steps_and_plugins_say_so() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let missing = s.path("no-such-tmp");
    let r = recipe(
        &s,
        &[
            py_step("py", 1, "faulty", "Pid", "args: {key: tmp.pid}"),
            fake_collector("ok").replace("idx: 1", "idx: 2"),
        ],
    );
    let out = s
        .f0()
        .env("TMPDIR", &missing)
        .arg("run")
        .arg(&r)
        .args(["--json-output", "--continue-on-error", "--python"])
        .arg(&py)
        .arg("--pythonpath")
        .arg(fixtures())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{json:#}");
    // The error names the directory f0 tried to write in.
    let why = format!(
        "cannot write the Python bridge's files: No such file or directory (os error 2) at path \"{}/f0-bridge-",
        missing.display()
    );
    let e = error_of(&json, "py");
    assert!(
        e.starts_with(&format!("Failed to import scriptlet: {why}")),
        "{e}"
    );
    let e = error_of(&json, "c");
    assert!(
        e.contains(&format!("python 'fake_worker.ok': {why}")),
        "{e}"
    );
    assert_eq!(s.ctx("tmp.pid"), None);
}
