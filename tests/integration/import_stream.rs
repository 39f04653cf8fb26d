//! `f0 import` streams: peak memory does not grow with the file, a bad last line still leaves
//! nothing behind, and the JSON Framework0's Python side writes (an indented array, float
//! epoch-second timestamps, `context`) is read.

use std::io::Write;

use framework0::collect::workload::run_once;

use crate::util::Scratch;

const ROWS: usize = 400_000;

/// A CSV of `ROWS` samples (≈ 10 MB; the whole-file reader this replaced peaked at ≈ 130 MiB
/// on it), optionally ending in one bad line.
fn big_csv(s: &Scratch, name: &str, bad_tail: bool) -> std::path::PathBuf {
    let path = s.path(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "timestamp,value").unwrap();
    for i in 0..ROWS {
        writeln!(f, "{},{}.5", 1_767_225_600 + i, i % 1000).unwrap();
    }
    if bad_tail {
        writeln!(f, "1767225600,not-a-number").unwrap();
    }
    f.flush().unwrap();
    path
}

/// Runs `f0 import ARGS` as a workload: (exit code, peak RSS of f0 itself in bytes).
fn import_peak(s: &Scratch, args: &[&str]) -> (Option<i32>, u64) {
    let mut argv = vec![
        "env".to_owned(),
        format!("F0_CONTEXT_DB={}", s.store().display()),
        env!("CARGO_BIN_EXE_f0").to_owned(),
        "import".to_owned(),
    ];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let r = run_once(&argv, None, &|| false, &mut || {}).unwrap();
    (r.exit_code, r.peak_rss_bytes)
}

fn count(s: &Scratch, sql: &str) -> i64 {
    s.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn import_memory_stays_bounded_whatever_the_file_size() {
    let s = Scratch::new();
    let good = big_csv(&s, "big.csv", false);
    let (code, peak) = import_peak(&s, &[good.to_str().unwrap(), "--name", "m"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM metric_samples"),
        ROWS as i64
    );
    assert!(
        peak < 64 << 20,
        "f0 import of {ROWS} rows peaked at {peak} bytes"
    );
    // A bad last line: refused with its line number, nothing of the 400,000 rows kept.
    let bad = big_csv(&s, "bad.csv", true);
    let out = s.run(&["import", bad.to_str().unwrap(), "--name", "m"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("bad.csv:{}: value 'not-a-number'", ROWS + 2)),
        "{err}"
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM metric_samples"),
        ROWS as i64
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM runs"), 1);
}

#[test]
fn an_indented_json_array_with_float_second_timestamps_keeps_each_samples_context() {
    let s = Scratch::new();
    // What `json.dump([m.to_dict() for m in metrics], f, indent=2)` writes, with time.time().
    let text = r#"[
  {
    "name": "db_query",
    "value": 1500.0,
    "metric_type": "timing",
    "unit": "ns",
    "timestamp": 1767225600.25,
    "tags": {"function": "q"},
    "source": "application_collector",
    "context": {"error": "timeout", "error_type": "TimeoutError"}
  },
  {
    "name": "db_query",
    "value": 1700,
    "metric_type": "timing",
    "unit": "ns",
    "timestamp": 1767225601000000000,
    "tags": {"function": "q"}
  }
]
"#;
    let p = s.write("metrics.json", text);
    let out = s.run(&["import", p.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{out:?}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["samples"], 2);
    assert_eq!(summary["metrics"], serde_json::json!(["db_query"]));
    let rows: Vec<(i64, f64, Option<String>)> = s
        .sql()
        .prepare("SELECT ts_ns, value, context FROM metric_samples ORDER BY ts_ns")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].0, 1_767_225_600_250_000_000);
    let ctx: serde_json::Value = serde_json::from_str(rows[0].2.as_deref().unwrap()).unwrap();
    assert_eq!(
        ctx,
        serde_json::json!({"error": "timeout", "error_type": "TimeoutError"})
    );
    assert_eq!(
        (rows[1].0, rows[1].1, rows[1].2.clone()),
        (1_767_225_601_000_000_000, 1700.0, None)
    );
    // A bad element names its line in the file.
    let bad = s.write(
        "bad.json",
        &text.replace(
            "\"timing\",\n    \"unit\": \"ns\",\n    \"timestamp\": 1767225601000000000",
            "\"meter\",\n    \"unit\": \"ns\",\n    \"timestamp\": 1767225601000000000",
        ),
    );
    let out = s.run(&["import", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json:15: not a PerformanceMetric JSON object: unknown variant `meter`"),
        "{err}"
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM metric_samples"), 2);
}

#[test]
fn a_csv_line_longer_than_1_mib_stops_the_import_with_its_number_and_writes_nothing() {
    let s = Scratch::new();
    // A file without line ends would otherwise be held whole: its one line is refused.
    let mut text = String::from("timestamp,value\n1767225600,1.5\n1767225601,");
    text.push_str(&"7".repeat(2 << 20));
    text.push_str("\n1767225602,2\n");
    let p = s.write("long.csv", &text);
    let (code, peak) = import_peak(&s, &[p.to_str().unwrap(), "--name", "m"]);
    assert_eq!(code, Some(1));
    assert!(peak < 64 << 20, "peaked at {peak} bytes");
    let out = s.run(&["import", p.to_str().unwrap(), "--name", "m"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("long.csv:3: line is longer than 1 MiB; accepted: timestamp,value lines"),
        "{err}"
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM metric_samples"), 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM runs"), 0);
}

#[test]
fn csv_lines_of_every_shape_import_as_the_general_reader_reads_them() {
    let s = Scratch::new();
    // Fast lines, CRLF ends, lines the fast path leaves to the general one, no final newline.
    let text = "timestamp,value\r\n1767225600,361.522775\r\n1767225601,-0.25\n\n# note\n\
                1767225602 , \"2.5\"\n1767225603,1e3\n1767225604,12345678901234567890.5\n\
                1767225605.5,+.5\n2026-01-01T00:00:06Z,9007199254740993\n1767225607,0.1";
    let p = s.write("shapes.csv", text);
    let out = s.run(&["import", p.to_str().unwrap(), "--name", "m"]);
    assert!(out.status.success(), "{out:?}");
    let rows: Vec<(i64, f64)> = s
        .sql()
        .prepare("SELECT ts_ns, value FROM metric_samples ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let s0 = 1_767_225_600_000_000_000i64;
    let sec = 1_000_000_000i64;
    let want: [(i64, f64); 8] = [
        (s0, 361.522775),
        (s0 + sec, -0.25),
        (s0 + 2 * sec, 2.5),
        (s0 + 3 * sec, 1000.0),
        (s0 + 4 * sec, 12_345_678_901_234_567_890.5),
        (s0 + 5 * sec + sec / 2, 0.5),
        (s0 + 6 * sec, 9_007_199_254_740_993.0),
        (s0 + 7 * sec, 0.1),
    ];
    assert_eq!(rows.len(), want.len(), "{rows:?}");
    for (got, want) in rows.iter().zip(want) {
        assert_eq!(got.0, want.0);
        assert_eq!(
            got.1.to_bits(),
            want.1.to_bits(),
            "{got:?} against {want:?}"
        );
    }
}

/// A JSON array of `n` PerformanceMetric objects on one line, as Python's `json.dump` writes
/// it (≈ 150 bytes an object).
fn one_line_json_array(s: &Scratch, name: &str, n: usize) -> std::path::PathBuf {
    let path = s.path(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(f, "[").unwrap();
    for i in 0..n {
        let sep = if i == 0 { "" } else { ", " };
        write!(
            f,
            "{sep}{{\"name\": \"lat\", \"value\": {}.25, \"metric_type\": \"timing\", \"unit\": \"ms\", \"timestamp\": {}.5, \"tags\": {{\"host\": \"h{}\"}}}}",
            i % 1000,
            1_767_225_600 + i,
            i % 3
        )
        .unwrap();
    }
    writeln!(f, "]").unwrap();
    f.flush().unwrap();
    path
}

#[test]
fn a_json_array_on_one_line_is_streamed_not_held_whole() {
    // Broke: the first line decided the JSON form and was read whole, so a one-line array
    // (Python's json.dump) of any size was held in memory at once (≈ 3x the file).
    let s = Scratch::new();
    let rows = 400_000;
    let file = one_line_json_array(&s, "one_line.json", rows);
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > 40 << 20, "a big file: {size} bytes");
    let (code, peak) = import_peak(&s, &[file.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM metric_samples"),
        rows as i64
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM metric_series"), 3);
    assert!(
        peak < size.min(64 << 20),
        "a {size}-byte one-line array peaked at {peak} bytes"
    );
}

#[test]
fn a_json_lines_line_longer_than_1_mib_is_refused_with_its_number_and_nothing_is_written() {
    let s = Scratch::new();
    let ok = r#"{"name": "lat", "value": 1.0, "metric_type": "timing", "unit": "ms", "timestamp": 1767225600}"#;
    let huge = format!(
        r#"{{"name": "lat", "value": 2.0, "metric_type": "timing", "unit": "ms", "timestamp": 1767225601, "context": {{"blob": "{}"}}}}"#,
        "x".repeat(2 << 20)
    );
    let file = s.write("m.jsonl", &format!("{ok}\n{ok}\n{huge}\n{ok}\n"));
    let out = s.run(&["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("m.jsonl:3: line is longer than 1 MiB; accepted: one PerformanceMetric JSON object per line"),
        "{err}"
    );
    assert!(
        err.len() < 2000,
        "the line is not echoed: {} bytes",
        err.len()
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM metric_samples"), 0);
}
