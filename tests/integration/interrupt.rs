//! Ctrl-C: exit 130, the finished steps' context persisted, the run marked interrupted.

use crate::util::{step, Scratch};
use std::time::{Duration, Instant};

#[test]
fn sigint_exits_130_with_the_context_persisted() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}{}",
            step(
                "before",
                1,
                "SetContext",
                "args: {values: {ctrlc.before: done}}"
            ),
            step("long", 2, "Sleep", "args: {seconds: 60}"),
            step(
                "after",
                3,
                "SetContext",
                "args: {values: {ctrlc.after: done}}"
            ),
        ),
    );
    let mut child = s
        .f0()
        .args(["run", r.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first step is persisted, then interrupt the long one.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !s.store().exists() || s.ctx_opt("ctrlc.before").is_none() {
        assert!(Instant::now() < deadline, "first step never persisted");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(s.ctx("ctrlc.before"), Some(serde_json::json!("done")));
    assert_eq!(s.ctx("ctrlc.after"), None);
    assert_eq!(
        s.ctx("recipe.status"),
        Some(serde_json::json!("interrupted"))
    );
    let status: String = s
        .sql()
        .query_row("SELECT status FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "interrupted");
}

/// Starts `f0 run` on a recipe whose second step sleeps a minute and returns the child once
/// the first step is persisted.
fn start_long_run(s: &Scratch) -> std::process::Child {
    let r = s.write(
        "long.yaml",
        &format!(
            "steps:\n{}{}",
            step(
                "before",
                1,
                "SetContext",
                "args: {values: {sig.before: done}}"
            ),
            step("long", 2, "Sleep", "args: {seconds: 60}"),
        ),
    );
    let child = s
        .f0()
        .args(["run", r.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !s.store().exists() || s.ctx_opt("sig.before").is_none() {
        assert!(Instant::now() < deadline, "first step never persisted");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    child
}

#[test]
fn sigterm_and_sighup_stop_a_run_like_ctrl_c_with_their_own_exit_codes() {
    for (sig, code, name) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let s = Scratch::new();
        let child = start_long_run(&s);
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(child.id() as i32, sig) };
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("Step interrupted ({name})")), "{err}");
        let status: String = s
            .sql()
            .query_row("SELECT status FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(status, "interrupted", "{name}");
    }
}

#[test]
fn a_killed_run_is_shown_crashed_by_the_next_reader_and_marked_by_the_next_writer() {
    let s = Scratch::new();
    let mut child = start_long_run(&s);
    child.kill().unwrap(); // SIGKILL: no chance to finalise
    child.wait().unwrap();
    let raw: String = s
        .sql()
        .query_row("SELECT status FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, "running", "nothing has looked at the store yet");
    let out = s.run(&["context", "runs", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(runs[0]["status"], "crashed", "{runs}");
    let raw: String = s
        .sql()
        .query_row("SELECT status FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, "running", "a reader does not write");
    let ok = s.write("ok.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    assert!(s.run(&["run", ok.to_str().unwrap()]).status.success());
    let statuses: Vec<String> = s
        .sql()
        .prepare("SELECT status FROM runs ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses, ["crashed", "completed"]);
}
