//! `f0 detect` at the ends of its input and output: an anomaly still open when the input ends
//! is printed (not lost), and a reader that goes away (`f0 detect ... | head -1`) ends the
//! command quietly with status 0.

use std::process::Stdio;

use serde_json::Value;

use crate::util::Scratch;

/// 1000 quiet values (10.0 .. 10.6) followed by `tail`.
fn series(tail: &[f64]) -> String {
    (0..1000)
        .map(|i| 10.0 + (i % 7) as f64 * 0.1)
        .chain(tail.iter().copied())
        .map(|v| format!("{v}\n"))
        .collect()
}

#[test]
fn an_anomaly_open_at_the_end_of_the_input_is_still_reported() {
    let s = Scratch::new();
    let file = s.write("v.txt", &series(&[40.0]));
    let out = s.run(&[
        "detect",
        file.to_str().unwrap(),
        "--json",
        "--detectors",
        "zscore",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["start_index"], 1000, "{}", events[0]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1001 point(s)") && err.contains("1 event(s)"),
        "{err}"
    );
}

#[test]
fn a_closed_stdout_ends_detect_quietly() {
    let s = Scratch::new();
    let spikes: Vec<f64> = (0..200)
        .flat_map(|_| [40.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
        .collect();
    let file = s.write("v.txt", &series(&spikes));
    let mut child = s
        .f0()
        .args([
            "detect",
            file.to_str().unwrap(),
            "--detectors",
            "zscore",
            "--gap",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before the first event
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("internal error") && !err.contains("Broken pipe") && !err.contains("Error"),
        "{err}"
    );
    assert!(
        !err.contains("event(s)"),
        "stopped at the first event: {err}"
    );
}
