//! The Python worker's life outside a step: one that exits between steps is replaced (with a
//! warning), one that will not exit when the run ends is killed, and metric names too long for
//! the store are refused where Python records them. Needs python3 (SKIPPED without it).

use serde_json::json;

use crate::util::collect::samples;
use crate::util::python::{py_step, python, run_py, step_of};
use crate::util::{step, Scratch};

/// Whether process `pid` runs (a zombie counts as gone).
fn alive(pid: i64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| {
        !st.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn a_worker_that_exits_between_steps_is_replaced_by_a_new_one() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "exits.yaml",
        &format!(
            "steps:\n{}{}{}",
            py_step("first", 1, "lifecycle", "ExitSoon", ""),
            step("pause", 2, "Sleep", "args: {seconds: 1}"),
            py_step(
                "second",
                3,
                "faulty",
                "Pid",
                "args: {key: lifecycle.second_pid}"
            ),
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert_eq!(step_of(&out, "second")["status"], "completed");
    assert!(
        stderr.contains("the Python worker exited between steps; starting a new one"),
        "{stderr}"
    );
    let first = s.ctx("lifecycle.first_pid").unwrap();
    let second = s.ctx("lifecycle.second_pid").unwrap();
    assert_ne!(first, second, "the second step ran in a new interpreter");
}

#[test]
fn a_worker_that_will_not_exit_is_killed_when_the_run_ends() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "linger.yaml",
        &format!(
            "steps:\n{}",
            py_step("linger", 1, "lifecycle", "Lingering", "")
        ),
    );
    let started = std::time::Instant::now();
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the worker's thread sleeps 60 s; f0 must not wait for it"
    );
    let pid = s.ctx("lifecycle.lingering_pid").unwrap().as_i64().unwrap();
    assert!(!alive(pid), "worker {pid} outlived f0");
}

/// Regression: Python's `record_metric` accepted a 2000-byte name, and the whole step then
/// failed when f0 wrote its metrics. It is refused where it is recorded, as the store would.
#[test]
fn metric_names_and_tags_over_1_kib_are_refused_where_python_records_them() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let r = s.write(
        "long.yaml",
        &format!(
            "steps:\n{}",
            py_step("long", 1, "lifecycle", "LongName", "")
        ),
    );
    let (code, out, _, stderr) = run_py(&s, &py, &r, &[]);
    assert_eq!(code, 0, "{out:#}\n{stderr}");
    let limit = |what: &str, len: usize, start: &str| {
        format!("metric {what} of {len} bytes is longer than the 1024-byte limit: {start}\u{2026}")
    };
    assert_eq!(
        s.ctx("lifecycle.refused"),
        Some(json!([
            limit("name", 2000, &"n".repeat(60)),
            limit("tag value", 2000, &"v".repeat(60)),
            limit("name", 1200, &"é".repeat(60)),
        ]))
    );
    assert_eq!(samples(&s, "lifecycle.short").len(), 1);
}

#[test]
fn a_worker_killed_by_a_signal_names_the_signal() {
    let Some(py) = python() else { return };
    let s = Scratch::new();
    let signals = [
        ("SIGABRT", 6, "SIGABRT, an abort"),
        ("SIGKILL", 9, "SIGKILL"),
        ("SIGTERM", 15, "SIGTERM"),
        ("SIGBUS", 7, "SIGBUS, a bus error"),
        ("SIGFPE", 8, "SIGFPE, an arithmetic fault"),
        ("SIGILL", 4, "SIGILL, an illegal instruction"),
        ("SIGUSR1", 10, "a signal"),
    ];
    let steps: String = signals
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            py_step(
                name,
                i as i64 + 1,
                "lifecycle",
                "Signal",
                &format!("args: {{signal: {name}}}"),
            )
        })
        .collect();
    let r = s.write("signals.yaml", &format!("steps:\n{steps}"));
    let (code, out, _, stderr) = run_py(&s, &py, &r, &["--continue-on-error"]);
    assert_eq!(code, 1, "{out:#}\n{stderr}");
    for (name, number, described) in signals {
        let st = step_of(&out, name);
        assert_eq!(
            st["error"],
            format!(
                "Step execution failed: the Python interpreter was killed by signal {number} \
                 ({described}) while running lifecycle.Signal (os._exit, a signal or a crash in \
                 native code); the next Python step starts a new interpreter"
            ),
            "{st}"
        );
    }
}
