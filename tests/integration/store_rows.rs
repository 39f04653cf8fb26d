//! Rows the store holds from other processes: runs left `running` by a process that is gone
//! or by a machine that has since rebooted (shown and marked `crashed`), a run recorded
//! without its process' start time (alive while its pid is), and a baseline row damaged by
//! hand (the comparison's warning names the row and the column; no verdict is made up), and
//! a value Framework0's Python adapter wrote with `NaN` beside a string that spells "NaN".

use serde_json::Value;

use crate::util::{step, Scratch};

/// This process' start time in clock ticks since boot (field 22 of /proc/self/stat).
fn own_start() -> i64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_whitespace().nth(19).unwrap().parse().unwrap()
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .unwrap()
        .trim()
        .to_owned()
}

/// Adds a `running` run owned by (pid, start, boot); returns its id.
fn running(s: &Scratch, pid: i64, start: Option<i64>, boot: Option<&str>) -> i64 {
    let c = rusqlite::Connection::open(s.store()).unwrap();
    c.execute(
        "INSERT INTO runs (recipe, recipe_path, started_at, status, pid, proc_start, boot_id) \
         VALUES ('other', 'other.yaml', 1.0, 'running', ?1, ?2, ?3)",
        rusqlite::params![pid, start, boot],
    )
    .unwrap();
    c.last_insert_rowid()
}

/// Each run's status as `f0 context runs --json` shows it.
fn shown(s: &Scratch) -> Vec<(i64, String)> {
    let out = s.run(&["context", "runs", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    runs.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn stored_status(s: &Scratch, id: i64) -> String {
    s.sql()
        .query_row("SELECT status FROM runs WHERE id = ?1", [id], |r| r.get(0))
        .unwrap()
}

#[test]
fn runs_of_a_rebooted_machine_are_crashed_and_a_pid_without_start_time_is_alive() {
    let s = Scratch::new();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    assert!(s.run(&["run", r.to_str().unwrap()]).status.success());
    let me = i64::from(std::process::id());
    // Our own pid and start time, but recorded under another boot: the machine rebooted
    // since, so whatever has this pid now is not that run's process.
    let rebooted = running(&s, me, Some(own_start()), Some("00000000-another-boot"));
    // Recorded without a start time (as by an older f0): alive while the pid exists.
    let unknown_start = running(&s, me, None, None);
    // This boot, this pid, this start: alive.
    let alive = running(&s, me, Some(own_start()), Some(&boot_id()));
    let status =
        |runs: &[(i64, String)], id: i64| runs.iter().find(|r| r.0 == id).unwrap().1.clone();
    let runs = shown(&s);
    assert_eq!(status(&runs, rebooted), "crashed");
    assert_eq!(status(&runs, unknown_start), "running");
    assert_eq!(status(&runs, alive), "running");
    assert_eq!(
        stored_status(&s, rebooted),
        "running",
        "a reader does not write"
    );
    let out = s.run(&["run", r.to_str().unwrap()]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "marked 1 run(s) whose process ended without finishing them as crashed: [{rebooted}]"
        )),
        "{err}"
    );
    assert_eq!(stored_status(&s, rebooted), "crashed");
    assert_eq!(stored_status(&s, unknown_start), "running");
}

#[test]
fn a_damaged_baseline_row_is_reported_with_its_id_and_column() {
    let s = Scratch::new();
    let csv = s.write(
        "m.csv",
        "timestamp,value\n1767225600,10\n1767225601,11\n1767225602,12\n1767225603,11\n",
    );
    let out = s.run(&["import", csv.to_str().unwrap(), "--name", "lat"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = rusqlite::Connection::open(s.store()).unwrap();
    for scope in ["series", "pooled"] {
        c.execute(
            "INSERT INTO baselines (metric, tags, scope, created_at, run_id, source, sample_count, \
             mean, std_dev, median, sample_values) \
             VALUES ('lat', '{}', ?1, 1.0, NULL, 'hand-edited', 3, 11.0, 1.0, 11.0, '[10,11,12]')",
            [scope],
        )
        .unwrap();
    }
    drop(c);
    // The analysis itself stands; the comparison says which row could not be read.
    let out = s.run(&["analyze", "--metric", "lat", "--compare-baseline"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("metric lat (gauge, count): 4 samples"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "warning: baseline comparison: context store {}: baseline ",
            s.store().display()
        )) && text
            .contains(" of 'lat': source is not valid JSON: expected value at line 1 column 1"),
        "{text}"
    );
}

#[test]
fn a_regression_gate_fails_on_a_damaged_baseline_but_passes_without_one() {
    // Regression: `--fail-on-regression` exited 0 when the stored baseline could not be read,
    // so a CI gate passed without judging.
    let s = Scratch::new();
    let csv = s.write(
        "m.csv",
        "timestamp,value\n1767225600,10\n1767225601,11\n1767225602,12\n",
    );
    assert!(s
        .run(&["import", csv.to_str().unwrap(), "--name", "lat"])
        .status
        .success());
    let gate = |s: &Scratch| {
        let out = s.run(&["analyze", "--metric", "lat", "--fail-on-regression"]);
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        (out.status.code(), text.into_owned())
    };
    // A first run has no baseline: nothing to judge against, and the gate passes.
    let (code, err) = gate(&s);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("no baseline is stored for this series"),
        "{err}"
    );
    rusqlite::Connection::open(s.store())
        .unwrap()
        .execute(
            "INSERT INTO baselines (metric, tags, scope, created_at, run_id, source, sample_count, \
             mean, std_dev, median, sample_values) \
             VALUES ('lat', '{}', 'series', 1.0, NULL, 'hand-edited', 3, 11.0, 1.0, 11.0, '[10,11,12]')",
            [],
        )
        .unwrap();
    let (code, err) = gate(&s);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cannot judge against the stored baseline: lat: context store ")
            && err.contains("source is not valid JSON"),
        "{err}"
    );
}

#[test]
fn pythons_nan_tokens_are_read_but_the_same_letters_inside_a_string_stay_text() {
    let s = Scratch::new();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    assert!(s.run(&["run", r.to_str().unwrap()]).status.success());
    let written = r#"{"note": "say \"NaN\" or \\Infinity", "v": NaN, "w": -Infinity}"#;
    rusqlite::Connection::open(s.store())
        .unwrap()
        .execute(
            "INSERT INTO context_data (key, value, timestamp, version_id) \
             VALUES ('py.note', ?1, CURRENT_TIMESTAMP, 'diff')",
            [written],
        )
        .unwrap();
    let out = s.run(&["context", "get", "py.note", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["value"],
        serde_json::json!({
            "note": "say \"NaN\" or \\Infinity",
            "v": {"$numberDouble": "NaN"},
            "w": {"$numberDouble": "-Infinity"},
        })
    );
    // Reading never rewrites the stored text.
    let stored: String = s
        .sql()
        .query_row(
            "SELECT value FROM context_data WHERE key = 'py.note'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, written);
}
