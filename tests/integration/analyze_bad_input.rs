//! Bad input to `f0 import`, `f0 analyze` and `f0 changepoints`: each case gets one clear
//! message on stderr and exit code 1 (never a panic), and a refused import leaves the store
//! without a single sample or run of it.

use crate::util::action::{fails, import_rows, json, ok};
use crate::util::Scratch;

const T0: i64 = 1_767_225_600;

fn counts(s: &Scratch) -> (i64, i64) {
    let conn = s.sql();
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT COUNT(*) FROM metric_samples"),
        n("SELECT COUNT(*) FROM runs"),
    )
}

/// Imports `text` as `file` and expects the refusal `message`, with nothing stored.
fn refused(s: &Scratch, file: &str, text: &str, extra: &[&str], message: &str) {
    let before = counts(s);
    let p = s.write(file, text);
    let mut args = vec!["import", p.to_str().unwrap()];
    args.extend_from_slice(extra);
    let err = fails(s, &args);
    let want = message.replace("FILE", p.to_str().unwrap());
    assert_eq!(err.trim_end(), format!("Error: {want}"));
    assert_eq!(counts(s), before, "nothing half-imported after: {want}");
}

#[test]
fn malformed_csv_lines_are_reported_with_their_line_number_and_nothing_is_imported() {
    let s = Scratch::new();
    import_rows(&s, "first.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    assert_eq!(counts(&s), (2, 1));
    let good = "timestamp,value\n1767225600,1\n1767225601,2\n";
    let n = ["--name", "m"];
    refused(
        &s,
        "a.csv",
        &format!("{good}1767225602,3,4\n"),
        &n,
        "FILE:4: expected 2 comma-separated fields (timestamp,value), got 3",
    );
    refused(
        &s,
        "b.csv",
        &format!("{good}\n# note\n1767225602\n"),
        &n,
        "FILE:6: expected 2 comma-separated fields (timestamp,value), got 1",
    );
    refused(
        &s,
        "c.csv",
        &format!("{good}1767225602,nan\n"),
        &n,
        "FILE:4: value 'nan' is not a finite number",
    );
    refused(
        &s,
        "d.csv",
        &format!("{good}1767225602,inf\n"),
        &n,
        "FILE:4: value 'inf' is not a finite number",
    );
    refused(
        &s,
        "e.csv",
        &format!("{good}1767225602,-inf\n"),
        &n,
        "FILE:4: value '-inf' is not a finite number",
    );
    refused(
        &s,
        "f.csv",
        &format!("{good}1767225602,12abc\n"),
        &n,
        "FILE:4: value '12abc' is not a number",
    );
    refused(&s, "g.csv", &format!("{good}tomorrow,1\n"), &n, "FILE:4: timestamp 'tomorrow' is not RFC 3339; accepted: epoch seconds (e.g. 1767225600.5), epoch nanoseconds (an integer above 1e15), RFC 3339 (e.g. 2026-01-01T00:00:00Z) or 'YYYY-MM-DD HH:MM:SS' (UTC)");
    refused(&s, "h.csv", "when,what\n1,2\n", &n, "FILE:1: unknown header 'when,what'; accepted: timestamp,value or index,value (or no header)");
    refused(
        &s,
        "i.csv",
        "index,value\n0,1\n-1,2\n",
        &n,
        "FILE:3: index '-1' is not a non-negative integer",
    );
}

#[test]
fn empty_files_missing_names_and_bad_options_are_refused() {
    let s = Scratch::new();
    import_rows(&s, "first.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    refused(
        &s,
        "empty.csv",
        "timestamp,value\n\n",
        &["--name", "m"],
        "FILE holds no samples",
    );
    refused(&s, "blank.jsonl", "\n", &[], "FILE holds no samples");
    refused(
        &s,
        "x.csv",
        "1767225600,1\n",
        &[],
        "importing CSV FILE needs a metric name (--name NAME)",
    );
    refused(
        &s,
        "y.csv",
        "1767225600,1\n",
        &["--name", "m", "--unit", "furlongs"],
        "unknown metric unit `furlongs`; expected one of ns, μs, ms, s, bytes, KB, MB, %, count, ops/s",
    );
    refused(
        &s,
        "z.csv",
        "1767225600,1\n",
        &["--name", "m", "--tag", "nokey"],
        "--tag 'nokey' is not KEY=VALUE",
    );
    let line = r#"{"name":"a","value":1.0,"metric_type":"gauge","unit":"count","timestamp":1}"#;
    refused(&s, "n.jsonl", &format!("{line}\n"), &["--name", "m"], "a metric name and tags apply to CSV files only; FILE holds PerformanceMetric JSON lines, which name their own metrics");
    let err = fails(&s, &["import", "no/such.csv", "--name", "m"]);
    assert!(err.starts_with("Error: cannot read no/such.csv: "), "{err}");
}

#[test]
fn bad_json_lines_name_their_line() {
    let s = Scratch::new();
    import_rows(&s, "first.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    let good = r#"{"name":"a","value":1.0,"metric_type":"gauge","unit":"count","timestamp":1767225600000000000}"#;
    let bad_type = good.replace("gauge", "meter");
    refused(&s, "a.jsonl", &format!("{good}\n{bad_type}\n"), &[], "FILE:2: not a PerformanceMetric JSON object: unknown variant `meter`, expected one of `timing`, `throughput`, `resource`, `counter`, `gauge`, `histogram` at line 1 column 45");
    let nan = good.replace("1.0", "NaN");
    let p = s.write("b.jsonl", &format!("{good}\n\n{nan}\n"));
    let err = fails(&s, &["import", p.to_str().unwrap()]);
    assert!(
        err.starts_with(&format!(
            "Error: {}:3: not a PerformanceMetric JSON object: ",
            p.display()
        )),
        "{err}"
    );
    let p = s.write("c.jsonl", &format!("{good}\n{{\"name\": \"a\"}}\n"));
    let err = fails(&s, &["import", p.to_str().unwrap()]);
    assert!(
        err.contains(":2: not a PerformanceMetric JSON object: missing field `value`"),
        "{err}"
    );
}

#[test]
fn analysis_of_an_empty_store_unknown_metric_or_timeframe_typo_says_what_is_wrong() {
    let s = Scratch::new();
    for cmd in [
        &["analyze", "--metric", "m"][..],
        &["changepoints", "--metric", "m"],
        &["context", "list"],
    ] {
        let err = fails(&s, cmd);
        assert_eq!(
            err.trim_end(),
            format!(
                "Error: no context store at {}: `f0 run` or `f0 import` creates one (or pass --context-db)",
                s.store().display()
            ),
            "{cmd:?}"
        );
        assert!(
            !s.store().exists(),
            "{cmd:?} only reads: it creates no store"
        );
    }
    let empty = s.write("empty.yaml", "steps: []\n");
    assert_eq!(
        s.run(&["run", empty.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let err = fails(&s, &["analyze", "--metric", "m"]);
    assert_eq!(err.trim_end(), "Error: the store holds no metric samples (run a recipe, or load measurements with f0 import)");
    import_rows(&s, "m.csv", "m", &[(T0, 1.0), (T0 + 1, 2.0)]);
    import_rows(&s, "n.csv", "n", &[(T0, 1.0), (T0 + 1, 2.0)]);
    for cmd in ["analyze", "changepoints"] {
        let err = fails(&s, &[cmd, "--metric", "latency"]);
        assert_eq!(
            err.trim_end(),
            "Error: unknown metric 'latency'; stored metrics: m, n"
        );
        let err = fails(&s, &[cmd, "--metric", "m", "--timeframe", "1hr"]);
        assert_eq!(err.trim_end(), "Error: --timeframe: invalid timeframe '1hr'; accepted: a span like 30m, 1h, 24h or 7d (units s, m, h, d, w), last_run, this_run, or all");
        let err = fails(&s, &[cmd, "--metric", "m", "--timeframe", "1h"]);
        assert_eq!(
            err.trim_end(),
            "Error: no samples in timeframe 1h: 'm' (2 stored, the newest at 2026-01-01T00:00:01Z)"
        );
    }
    let err = fails(
        &s,
        &["analyze", "--metric", "m", "--percentile-method", "type7"],
    );
    assert!(
        err.starts_with("Error: --percentile-method: invalid percentile method `type7`: accepted one of inverted_cdf"),
        "{err}"
    );
    let err = fails(&s, &["analyze", "--metric", "m", "--percentiles", "50,101"]);
    assert_eq!(
        err.trim_end(),
        "Error: --percentiles: must be a non-empty list of percents in [0, 100], got [50.0,101.0]"
    );
    let err = fails(
        &s,
        &["analyze", "--metric", "m", "--anomaly-methods", "magic"],
    );
    assert!(
        err.starts_with(
            "Error: --anomaly-methods: unknown anomaly method 'magic'; accepted: zscore, modified_zscore, iqr,"
        ),
        "{err}"
    );
    let err = fails(&s, &["changepoints", "--metric", "m", "--window-len", "1"]);
    assert_eq!(
        err.trim_end(),
        "Error: --window-len: invalid window_len `1`: accepted an integer ≥ 2"
    );
    let err = fails(&s, &["analyze", "--metric", "m", "--timeframe", "this_run"]);
    assert_eq!(err.trim_end(), "Error: timeframe this_run names the running recipe's samples; outside a recipe use last_run, all or a span like 24h");
    let err = fails(&s, &["changepoints", "--metric", "*"]);
    assert_eq!(
        err.trim_end(),
        "Error: --metric '*' matches 2 series: m, n; select one of them with tag matchers, e.g. --metric 'm'"
    );
}

#[test]
fn one_sample_is_too_few_for_analysis_and_change_points() {
    let s = Scratch::new();
    import_rows(&s, "one.csv", "one", &[(T0, 5.0)]);
    let err = fails(&s, &["analyze", "--metric", "one"]);
    assert_eq!(
        err.trim_end(),
        "Error: no metric could be analysed: 'one': too few values: 2 needed, got 1"
    );
    let err = fails(&s, &["changepoints", "--metric", "one"]);
    assert_eq!(err.trim_end(), "Error: series 'one' has 1 sample in timeframe all; change-point detection needs at least 2");
}

#[test]
fn all_equal_values_analyse_cleanly() {
    let s = Scratch::new();
    let rows: Vec<(i64, f64)> = (0..12).map(|i| (T0 + i, 7.5)).collect();
    import_rows(&s, "flat.csv", "flat", &rows);
    let v = json(
        &s,
        &[
            "analyze",
            "--metric",
            "flat",
            "--anomaly-methods",
            "zscore,modified_zscore,iqr,ewma",
        ],
    );
    let m = &v["metrics"][0];
    let summary = &m["summary"];
    assert_eq!(summary["std_dev"], 0.0);
    assert_eq!(summary["variance"], 0.0);
    assert_eq!(summary["mode"], 7.5);
    assert_eq!(summary["skewness"], serde_json::Value::Null);
    assert_eq!(summary["kurtosis"], serde_json::Value::Null);
    assert_eq!(summary["percentiles"]["99.9"], 7.5);
    assert_eq!(m["anomalies"], serde_json::json!([]));
    assert_eq!(m["change_points"], serde_json::json!([]));
    assert_eq!(m["trend"]["trend_direction"], "stable");
    assert_eq!(m["trend"]["r_squared"], 0.0);
    assert_eq!(m["warnings"], serde_json::json!([]));
    let v = json(&s, &["changepoints", "--metric", "flat"]);
    assert_eq!(v["change_points"], serde_json::json!([]));
}

#[test]
fn extreme_values_stay_json_clean_and_short_series_warn_per_part() {
    let s = Scratch::new();
    let rows = [
        (T0, 1e308),
        (T0 + 1, -1e308),
        (T0 + 2, 1e308),
        (T0 + 3, -1e308),
    ];
    import_rows(&s, "big.csv", "big", &rows);
    let v = json(&s, &["analyze", "--metric", "big"]);
    let summary = &v["metrics"][0]["summary"];
    assert_eq!(
        summary["variance"],
        f64::MAX,
        "an overflowing variance saturates"
    );
    assert_eq!(summary["range_span"], f64::MAX);
    assert_eq!(summary["mean"], 0.0);
    assert_eq!(
        v["metrics"][0]["warnings"],
        serde_json::json!(["zscore: too few values: 10 needed, got 4"])
    );
    let same_time = [(T0, 1.0), (T0, 2.0), (T0, 3.0)];
    import_rows(&s, "same.csv", "same", &same_time);
    let v = json(
        &s,
        &["analyze", "--metric", "same", "--anomaly-methods", "none"],
    );
    let m = &v["metrics"][0];
    assert_eq!(m["trend"], serde_json::Value::Null);
    assert_eq!(
        m["warnings"],
        serde_json::json!([
            "trend: linear trend is undefined for this input: all timestamps are equal"
        ])
    );
    assert_eq!(m["anomaly_methods"], serde_json::json!([]));
    let text = ok(
        &s,
        &["analyze", "--metric", "same", "--anomaly-methods", "none"],
    );
    assert!(text.contains("\nwarning: trend: linear trend is undefined for this input: all timestamps are equal\n"), "{text}");
}
