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
