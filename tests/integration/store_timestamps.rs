//! Timestamp fields at the edges of what `f0 import` reads (a leading `+`, no whole part,
//! the tenth decimal rounding to the nanosecond, integers beyond `i64`, malformed UTC
//! offsets), and retention by age alone: samples older than `max_age_days` are dropped at the
//! end of a run while the count limit is not reached.

use serde_json::Value;

use crate::util::collect::samples;
use crate::util::{step, Scratch};

/// Imports `csv` (a `timestamp,value` body) as metric `name`: the exit code and stderr.
fn import(s: &Scratch, name: &str, body: &str) -> (i32, String) {
    let path = s.write(&format!("{name}.csv"), &format!("timestamp,value\n{body}"));
    let out = s.run(&["import", path.to_str().unwrap(), "--name", name]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The stored time range of `name` in epoch nanoseconds, as `f0 analyze --json` reports it.
fn time_range(s: &Scratch, name: &str) -> (i64, i64) {
    let out = s.run(&["analyze", "--metric", name, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &j["metrics"][0]["summary"]["time_range"];
    (r[0].as_i64().unwrap(), r[1].as_i64().unwrap())
}

#[test]
fn decimal_timestamps_are_read_exactly_to_the_rounded_nanosecond() {
    let s = Scratch::new();
    assert_eq!(import(&s, "plus", "+1767225600,1\n+1767225601,2\n").0, 0);
    assert_eq!(
        time_range(&s, "plus"),
        (1_767_225_600_000_000_000, 1_767_225_601_000_000_000)
    );
    assert_eq!(import(&s, "frac", ".5,1\n1.25,2\n").0, 0);
    assert_eq!(time_range(&s, "frac"), (500_000_000, 1_250_000_000));
    // The tenth decimal rounds the ninth: ...0004 stays, ...0005 goes up one nanosecond.
    let (code, err) = import(
        &s,
        "tenth",
        "1767225600.0000000004,1\n1767225600.0000000005,2\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        time_range(&s, "tenth"),
        (1_767_225_600_000_000_000, 1_767_225_600_000_000_001)
    );
}

#[test]
fn timestamps_out_of_range_or_with_a_malformed_offset_are_refused_by_line() {
    let s = Scratch::new();
    for (field, why) in [
        ("99999999999999999999", "is out of range"),
        ("2026-01-01T00:00:00+05:001", "has a malformed UTC offset"),
        ("2026-01-01T00:00:00+24:00", "has a malformed UTC offset"),
        ("2026-01-01T00:00:00+05:60", "has a malformed UTC offset"),
    ] {
        let (code, err) = import(&s, "bad", &format!("1767225600,1\n{field},2\n"));
        assert_eq!(code, 1, "{field}: {err}");
        assert!(
            err.contains(&format!(
                "bad.csv:3: timestamp '{field}' {why}; accepted: epoch seconds"
            )),
            "{err}"
        );
        assert!(
            samples(&s, "bad").is_empty(),
            "{field}: nothing is imported"
        );
    }
}

#[test]
fn retention_by_age_drops_old_samples_while_the_count_limit_is_not_reached() {
    let s = Scratch::new();
    let (code, err) = import(&s, "old", "1577836800,1\n1577836801,2\n");
    assert_eq!(code, 0, "{err}");
    let r = s.write(
        "r.yaml",
        &format!(
            "config:\n  storage: {{max_age_days: 30}}\n  retention: {{max_metrics_count: 1000}}\nsteps:\n{}",
            step("a", 1, "Noop", "")
        ),
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out:#}");
    assert!(
        samples(&s, "old").is_empty(),
        "samples of 2020 are past 30 days"
    );
    assert!(
        !samples(&s, "step_wall_time").is_empty(),
        "the run's own samples are kept"
    );
}

#[test]
fn a_refused_line_keeps_the_accepted_forms_whole_while_the_bad_value_is_cut() {
    // Regression: the ~200-character cut applied to the whole message, so a malformed offset's
    // list of accepted forms ended in "'YYYY… (221 characters)".
    let s = Scratch::new();
    let (code, err) = import(&s, "cut", "2026-01-01T00:00:00+99:99,1\n");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("has a malformed UTC offset; accepted: epoch seconds")
            && err.contains("or 'YYYY-MM-DD HH:MM:SS' (UTC)"),
        "{err}"
    );
    let long = "7".repeat(100_000);
    for (text, why) in [
        (format!("{long},1\n"), "timestamp '7777"),
        (format!("1767225600,{long}\n"), "is not a finite number"),
        (format!("1767225600,x{long}\n"), "is not a number"),
    ] {
        let (code, err) = import(&s, "cut", &text);
        assert_eq!(code, 1, "{why}");
        assert!(err.contains(why), "{}", &err[..err.len().min(400)]);
        assert!(
            err.contains("(100001 characters)") || err.contains("(100000 characters)"),
            "{why}"
        );
        assert!(err.len() < 1_000, "{why}: {} bytes of error", err.len());
    }
}
