//! `f0 import` of PerformanceMetric JSON in its three forms (one object per line,
//! pretty-printed objects, one array) when a metric cannot be stored: an integer timestamp
//! beyond `i64` nanoseconds is named with its line, a name over 1 KiB stops the import in
//! every form, and nothing of the file is stored.

use crate::util::collect::samples;
use crate::util::Scratch;

fn metric(name: &str, ts: &str) -> String {
    format!(
        "{{\"name\": \"{name}\", \"value\": 1, \"metric_type\": \"gauge\", \"unit\": \"count\", \"timestamp\": {ts}}}"
    )
}

fn import(s: &Scratch, file: &str, text: &str) -> (i32, String) {
    let p = s.write(file, text);
    let out = s.run(&["import", p.to_str().unwrap()]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_timestamp_beyond_2262_is_refused_with_its_line() {
    let s = Scratch::new();
    let text = format!(
        "{}\n{}\n",
        metric("ok", "1767225600000000000"),
        metric("big", "18446744073709551615")
    );
    let (code, err) = import(&s, "a.jsonl", &text);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("a.jsonl:2: not a PerformanceMetric JSON object: timestamp 18446744073709551615 is beyond the year 2262 in nanoseconds"),
        "{err}"
    );
    assert!(
        samples(&s, "ok").is_empty(),
        "nothing of the file is stored"
    );
}

#[test]
fn a_name_over_1_kib_stops_a_pretty_printed_or_array_import() {
    let s = Scratch::new();
    let long = "n".repeat(1025);
    let ok = metric("ok", "1767225600000000000").replace(", ", ",\n  ");
    let bad = metric(&long, "1767225600000000000");
    for (file, text) in [
        ("pretty.json", format!("{ok}\n{bad}\n")),
        ("array.json", format!("[\n{ok},\n{bad}\n]\n")),
    ] {
        let (code, err) = import(&s, file, &text);
        assert_eq!(code, 1, "{file}: {err}");
        assert!(
            err.contains("cannot store a sample: metric name of 1025 bytes is longer than the 1024-byte limit: nnnn"),
            "{file}: {err}"
        );
        assert!(err.len() < 600, "{file}: the name is quoted briefly: {err}");
        assert!(
            samples(&s, "ok").is_empty(),
            "{file}: nothing of the file is stored"
        );
    }
}
