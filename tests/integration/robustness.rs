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
