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
