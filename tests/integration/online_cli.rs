//! `f0 detect`: NAB-style CSV (`YYYY-MM-DD HH:MM:SS,value`) and plain value lines, text and
//! `--json` output (schema-checked, golden), events printed while the input is still open,
//! clear errors naming the file and line or the flag, and the shared timestamp form in
//! `f0 import`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use framework0::analyze::rng::Xoshiro256;
use serde_json::Value;

use crate::util::Scratch;

/// `2014-04-01 00:00:00` plus `i` five-minute steps.
fn nab_time(i: usize) -> String {
    let t = 1_396_310_400 + 300 * i as i64;
    let ns = t * 1_000_000_000;
    framework0::store::timestamp::format_rfc3339(ns)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

/// 3000 points of noise around 50 (σ 2) with a +30 spike at 1500 and a +10 level shift
/// from 2200 on.
fn planted() -> Vec<f64> {
    let mut g = Xoshiro256::seed_from_u64(17);
    (0..3000)
        .map(|i| {
            let mut x = 50.0 + 2.0 * g.standard_normal();
            if i == 1500 {
                x += 30.0;
            }
            if i >= 2200 {
                x += 10.0;
            }
            (x * 1000.0).round() / 1000.0
        })
        .collect()
}

fn nab_csv(values: &[f64]) -> String {
    let mut s = String::from("timestamp,value\n");
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!("{},{v}\n", nab_time(i)));
    }
    s
}

fn event_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/online_event.schema.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Compares two event lists: integers and strings exactly, numbers to 1e-9 relative.
fn same_events(got: &[Value], want: &[Value]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} events, golden has {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        for (key, wv) in w.as_object().unwrap() {
            let gv = &g[key];
            let ok = match (gv.as_f64(), wv.as_f64()) {
                (Some(a), Some(b)) if !wv.is_u64() => (a - b).abs() <= 1e-9 * b.abs().max(1e-300),
                _ => gv == wv,
            };
            if !ok {
                return Err(format!("{key}: got {gv}, golden {wv}"));
            }
        }
    }
    Ok(())
}

#[test]
fn nab_csv_events_as_json_lines_match_schema_and_golden() {
    let s = Scratch::new();
    let file = s.write("cpu.csv", &nab_csv(&planted()));
    let out = s.run(&["detect", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out.stdout);
    let schema = event_schema();
    for e in &events {
        let errors: Vec<String> = schema.iter_errors(e).map(|x| x.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?} in {e}");
    }
    // The spike is alerted at its own point, the shift within three points.
    let starts: Vec<u64> = events
        .iter()
        .map(|e| e["start_index"].as_u64().unwrap())
        .collect();
    assert!(starts.contains(&1500), "{starts:?}");
    assert!(
        starts.iter().any(|&s| (2200..=2203).contains(&s)),
        "{starts:?}"
    );
    let spike = events.iter().find(|e| e["start_index"] == 1500).unwrap();
    assert_eq!(spike["start_time"], "2014-04-06T05:00:00Z");
    assert_eq!(spike["peak_value"], planted()[1500]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3000 point(s)"), "{stderr}");

    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/online/detect_events.jsonl"
    );
    if std::env::var_os("F0_BLESS").is_some() {
        std::fs::write(golden, &out.stdout).unwrap();
    }
    let want = json_lines(&std::fs::read(golden).expect("golden file (F0_BLESS=1 writes it)"));
    if let Err(e) = same_events(&events, &want) {
        panic!("output differs from {golden} ({e}); rerun with F0_BLESS=1 if intended");
    }
}

#[test]
fn plain_values_from_stdin_in_text_mode() {
    let s = Scratch::new();
    let text: String = planted().iter().map(|v| format!("{v}\n")).collect();
    let mut child = s
        .f0()
        .args([
            "detect",
            "-",
            "--detectors",
            "mad,ewma",
            "--threshold",
            "0.5",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().all(|l| l.starts_with("anomaly ")),
        "{stdout}"
    );
    assert!(stdout.contains("anomaly 1500 .. "), "{stdout}");
    assert!(
        !stdout.contains("(20"),
        "no timestamps in plain input: {stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("from <stdin>"));
}

/// Regression guard for live piping: the event must reach stdout while stdin is still open.
#[test]
fn an_event_is_printed_before_the_input_ends() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_f0"))
        .args([
            "detect",
            "-",
            "--json",
            "--detectors",
            "zscore",
            "--gap",
            "0",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        tx.send(line).unwrap();
    });
    let mut g = Xoshiro256::seed_from_u64(5);
    let mut text: String = (0..1000)
        .map(|_| format!("{}\n", 10.0 + g.standard_normal()))
        .collect();
    text.push_str("40\n10\n10\n");
    stdin.write_all(text.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("no event printed while the input was open");
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["start_index"], 1000);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn bad_input_names_file_line_or_flag_and_exits_one() {
    let s = Scratch::new();
    let cases: [(&str, &[&str], &str); 6] = [
        ("timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,abc\n", &[], "bad.csv:3: value 'abc' is not a number"),
        ("1\n2\n2014-04-01 00:05:00,3\n", &[], "bad.csv:3: '2014-04-01 00:05:00,3' has 2 field(s) where earlier lines had 1"),
        ("2014-04-01T00:00:00,1\n", &[], "bad.csv:1: timestamp '2014-04-01T00:00:00' has no UTC offset"),
        ("1\ninf\n", &[], "bad.csv:2: value 'inf' is not a finite number"),
        ("1\n", &["--detectors", "zscore,lstm"], "--detectors: unknown online detector 'lstm'; accepted: zscore, mad, ewma, seasonal, knn or default"),
        ("1\n", &["--threshold", "0", "--window", "2"], "--threshold: must be a score in (0, 1]"),
    ];
    for (text, flags, want) in cases {
        let file = s.write("bad.csv", text);
        let mut args = vec!["detect", file.to_str().unwrap()];
        args.extend_from_slice(flags);
        let out = s.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{text:?} {flags:?}: {stderr}");
        assert!(stderr.contains(want), "want '{want}' in: {stderr}");
    }
    let out = s.run(&["detect", "missing.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing.csv"));
    let long = s.write("long.csv", &format!("{}\n", "1".repeat(70_000)));
    let out = s.run(&["detect", long.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("long.csv:1: line longer than 65536 bytes")
    );
}

#[test]
fn import_reads_the_sql_timestamp_form_as_utc() {
    let s = Scratch::new();
    let file = s.write("nab.csv", &nab_csv(&planted()[..10]));
    let out = s.run(&["import", file.to_str().unwrap(), "--name", "cpu", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["samples"], 10);
    let first: i64 = s
        .sql()
        .query_row("SELECT MIN(ts_ns) FROM metric_samples", [], |r| r.get(0))
        .unwrap();
    assert_eq!(first, 1_396_310_400_000_000_000);
}
