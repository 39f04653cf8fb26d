//! `f0 import`, `f0 analyze` and `f0 changepoints` driven as a user would, each test on its
//! own store; every `--json` output is checked against `schemas/analysis.schema.json`.

use crate::util::action::{floats, import_rows, json, metric_names, ok};
use crate::util::{shared, Scratch};
use serde_json::Value;

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const NS: i64 = 1_000_000_000;

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn imported_csv_gets_framework0_golden_statistics_and_trend() {
    let s = Scratch::new();
    let rows: Vec<(i64, f64)> = (0..10).map(|i| (T0 + i, 10.0 * i as f64)).collect();
    import_rows(&s, "latency.csv", "latency", &rows);
    let args = [
        "analyze",
        "--metric",
        "latency",
        "--percentile-method",
        "exclusive",
        "--percentiles",
        "90,99",
    ];
    let v = json(&s, &args);
    let m = &v["metrics"][0];
    let summary = &m["summary"];
    assert_eq!(summary["sample_count"], 10);
    assert_eq!(summary["percentile_method"], "exclusive");
    assert_eq!(summary["mean"], 45.0);
    assert_eq!(summary["std_dev"], 30.276503540974918);
    close(
        summary["percentiles"]["90"].as_f64().unwrap(),
        89.0,
        1e-12,
        "p90",
    );
    close(
        summary["percentiles"]["99"].as_f64().unwrap(),
        98.9,
        1e-12,
        "p99",
    );
    assert_eq!(summary["time_range"][0], T0 * NS);
    assert_eq!(summary["time_range"][1], (T0 + 9) * NS);
    let trend = &m["trend"];
    assert_eq!(trend["trend_direction"], "increasing");
    close(trend["slope"].as_f64().unwrap(), 10.0, 1e-12, "slope");
    close(trend["r_squared"].as_f64().unwrap(), 1.0, 1e-12, "r²");
    assert_eq!(
        trend.get("forecast_next_hour"),
        None,
        "Framework0's field: parity mode only"
    );
    let f = &trend["forecast"];
    assert_eq!(
        (&f["horizon_seconds"], &f["horizon_basis"], &f["meaningful"]),
        (
            &serde_json::json!(9.0),
            &serde_json::json!("span"),
            &serde_json::json!(true)
        ),
        "one span of the data ahead: {f}"
    );
    close(f["value"].as_f64().unwrap(), 180.0, 1e-12, "forecast");
    assert_eq!(f["at"], (T0 + 18) * NS);
    let parity = json(&s, &[&args[..], &["--parity", "framework0"]].concat());
    close(
        parity["metrics"][0]["trend"]["forecast_next_hour"]
            .as_f64()
            .unwrap(),
        90.0 + 36000.0,
        1e-12,
        "Framework0's forecast 3600 s after the last sample",
    );
    assert_eq!(v["timeframe"], "all");
    assert_eq!(v["run_id"], Value::Null);

    let text = ok(&s, &args);
    for line in [
        "metric latency (gauge, count): 10 samples, timeframe all",
        "  time         2026-01-01T00:00:00Z .. 2026-01-01T00:00:09Z",
        "  mean         45",
        "  std_dev      30.2765",
        "  percentiles  p90 89  p99 98.9 (exclusive)",
        "trend: increasing, slope 10 per s, r² 1; forecast 9 s ahead (one span of the data): 180 [180, 180] (95% prediction interval)",
        "change points (1):",
        "anomalies (0):",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
}

#[test]
fn timestamps_as_seconds_nanoseconds_and_rfc3339_name_the_same_instants() {
    let s = Scratch::new();
    let files = [
        (
            "secs.csv",
            "a",
            "timestamp,value\n1767225600.5,1\n1767225601,2\n",
        ),
        (
            "ns.csv",
            "b",
            "1767225600500000000,1\n1767225601000000000,2\n",
        ),
        (
            "rfc.csv",
            "c",
            "time,value\n2026-01-01T00:00:00.5Z,1\n2026-01-01T01:00:01+01:00,2\n",
        ),
    ];
    for (file, name, text) in files {
        let p = s.write(file, text);
        let out = ok(&s, &["import", p.to_str().unwrap(), "--name", name]);
        assert!(
            out.starts_with("Imported 2 samples of 1 metric (") && out.contains(name),
            "{out}"
        );
    }
    let conn = s.sql();
    let mut stmt = conn
        .prepare(
            "SELECT m.ts_ns FROM metric_samples m JOIN metric_series s ON s.id = m.series_id \
             WHERE s.name = ?1 ORDER BY m.ts_ns",
        )
        .unwrap();
    for name in ["a", "b", "c"] {
        let ts: Vec<i64> = stmt
            .query_map([name], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(ts, [T0 * NS + NS / 2, (T0 + 1) * NS], "{name}");
    }
}

fn metric_line(name: &str, value: f64, t: i64) -> String {
    format!(
        r#"{{"name":"{name}","value":{value:?},"metric_type":"timing","unit":"ms","timestamp":{t},"tags":{{"host":"h1"}},"source":"custom_collector","context":{{}}}}"#
    )
}

#[test]
fn json_lines_import_then_zscore_flags_framework0_golden_outlier() {
    let s = Scratch::new();
    let values = [10.0, 11.0, 9.5, 10.5, 10.2, 9.8, 10.1, 9.9, 10.0, 50.0];
    let mut text: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| metric_line("api_latency", *v, (T0 + i as i64) * NS))
        .collect();
    text.insert(3, String::new());
    text.push(metric_line("other", 1.0, T0 * NS));
    let p = s.write("m.jsonl", &text.join("\n"));
    let out = ok(&s, &["import", p.to_str().unwrap(), "--json"]);
    let imported: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(imported["samples"], 11);
    assert_eq!(
        imported["metrics"],
        serde_json::json!(["api_latency", "other"])
    );

    let v = json(
        &s,
        &[
            "analyze",
            "--metric",
            "api_*",
            "--anomaly-methods",
            "zscore,iqr_nearest_rank",
        ],
    );
    let m = &v["metrics"][0];
    assert_eq!(m["metric_type"], "timing");
    assert_eq!(m["unit"], "ms");
    close(m["summary"]["mean"].as_f64().unwrap(), 14.1, 1e-12, "mean");
    assert_eq!(m["summary"]["median"], 10.05);
    let anomalies = m["anomalies"].as_array().unwrap();
    assert_eq!(anomalies.len(), 2, "{anomalies:?}");
    let z = &anomalies[0];
    assert_eq!(z["detection_method"], "zscore");
    assert_eq!(z["index"], 9);
    close(
        z["deviation_magnitude"].as_f64().unwrap(),
        2.844571501081413,
        1e-12,
        "z",
    );
    close(
        z["confidence_score"].as_f64().unwrap(),
        0.7111428752703532,
        1e-12,
        "confidence",
    );
    assert_eq!(
        z["metric"],
        serde_json::from_str::<Value>(&metric_line("api_latency", 50.0, (T0 + 9) * NS)).unwrap()
    );
    assert_eq!(anomalies[1]["detection_method"], "iqr_nearest_rank");
    assert_eq!(anomalies[1]["metric"]["value"], 50.0);
}

#[test]
fn changepoints_reproduce_every_otava_tigerbeetle_expectation() {
    let s = Scratch::new();
    let csv = shared("data/changepoint/tigerbeetle.csv");
    let out = ok(
        &s,
        &["import", csv.to_str().unwrap(), "--name", "tigerbeetle"],
    );
    assert!(
        out.starts_with("Imported 365 samples of 1 metric (tigerbeetle)"),
        "{out}"
    );
    let text =
        std::fs::read_to_string(shared("data/changepoint/tigerbeetle_expected.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 10);
    for case in &cases {
        let arg = |k: &str| case[k].to_string();
        let v = json(
            &s,
            &[
                "changepoints",
                "--metric",
                "tigerbeetle",
                "--window-len",
                &arg("window_len"),
                "--max-pvalue",
                &arg("max_pvalue"),
                "--min-magnitude",
                &arg("min_magnitude"),
            ],
        );
        let got: Vec<u64> = v["change_points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["index"].as_u64().unwrap())
            .collect();
        let want: Vec<u64> = case["change_points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(got, want, "{}", case["test"]);
        assert_eq!(v["sample_count"], 365);
    }
}

#[test]
fn changepoints_table_and_json_name_index_time_means_magnitude_and_p() {
    let s = Scratch::new();
    let csv = shared("data/changepoint/tigerbeetle.csv");
    ok(&s, &["import", csv.to_str().unwrap(), "--name", "tb"]);
    let args = [
        "changepoints",
        "--metric",
        "tb",
        "--window-len",
        "30",
        "--max-pvalue",
        "0.01",
        "--min-magnitude",
        "0.05",
    ];
    let v = json(&s, &args);
    let values: Vec<f64> = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let mean = |a: usize, b: usize| values[a..b].iter().sum::<f64>() / (b - a) as f64;
    let cps = v["change_points"].as_array().unwrap();
    assert_eq!(cps.len(), 2);
    for (cp, index) in cps.iter().zip([15, 71]) {
        assert_eq!(cp["index"], index);
        assert_eq!(cp["time"], index * NS, "synthetic time: index seconds");
        let (m1, m2) = (
            cp["mean_before"].as_f64().unwrap(),
            cp["mean_after"].as_f64().unwrap(),
        );
        let magnitude = (m2 / m1 - 1.0).abs().max((m1 / m2 - 1.0).abs());
        close(
            cp["magnitude"].as_f64().unwrap(),
            magnitude,
            1e-12,
            "magnitude",
        );
        assert!(cp["p_value"].as_f64().unwrap() < 0.01);
    }
    // The segments before each point run from the previous change point (Otava keeps the
    // right-hand statistics of its last re-test, see changepoint::hunter).
    close(
        cps[0]["mean_before"].as_f64().unwrap(),
        mean(0, 15),
        1e-12,
        "before 15",
    );
    close(
        cps[1]["mean_before"].as_f64().unwrap(),
        mean(15, 71),
        1e-12,
        "before 71",
    );
    let text = ok(&s, &args);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "metric tb: 365 samples, timeframe all, window 30, max p 0.01, min magnitude 0.05"
    );
    assert!(lines[1].split_whitespace().eq([
        "index",
        "time",
        "mean",
        "before",
        "mean",
        "after",
        "magnitude",
        "p-value"
    ]));
    let row: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        row[..4],
        ["15", "1970-01-01T00:00:15Z", "26000.7", "23593.2"]
    );
    assert_eq!(lines[3].split_whitespace().next(), Some("71"));
    assert_eq!(lines.len(), 4);
}

#[test]
fn globs_select_several_metrics_and_unmatched_globs_are_skipped() {
    let s = Scratch::new();
    import_rows(
        &s,
        "a.csv",
        "disk_read",
        &[(T0, 1.0), (T0 + 1, 2.0), (T0 + 2, 3.0)],
    );
    import_rows(&s, "b.csv", "disk_write", &[(T0, 5.0), (T0 + 1, 5.0)]);
    import_rows(&s, "c.csv", "cpu", &[(T0, 5.0), (T0 + 1, 6.0)]);
    let v = json(&s, &["analyze", "--metric", "disk_*", "--metric", "net_*"]);
    assert_eq!(metric_names(&v), ["disk_read", "disk_write"]);
    assert_eq!(
        v["skipped"],
        serde_json::json!([{"metric": "net_*", "reason": "no stored metric matches this pattern"}])
    );
    let text = ok(&s, &["analyze", "--metric", "disk_*", "--metric", "net_*"]);
    assert!(
        text.contains("\nskipped net_*: no stored metric matches this pattern\n"),
        "{text}"
    );
}

#[test]
fn drift_across_imported_runs_is_reported_with_run_means() {
    let s = Scratch::new();
    let mut runs = Vec::new();
    for (k, level) in [100.0, 110.0, 120.0, 130.0, 140.0].iter().enumerate() {
        let rows: Vec<(i64, f64)> = (0..5)
            .map(|i| (T0 + 10 * k as i64 + i, level + i as f64))
            .collect();
        runs.push(import_rows(&s, &format!("r{k}.csv"), "latency", &rows));
    }
    let v = json(&s, &["analyze", "--metric", "latency"]);
    let drift = &v["metrics"][0]["drift"];
    assert_eq!(drift["runs"], serde_json::json!(runs));
    assert_eq!(
        floats(&drift["run_means"]),
        [102.0, 112.0, 122.0, 132.0, 142.0]
    );
    assert_eq!(
        drift["verdict"], "regressed",
        "a gauge that grows is worse by default"
    );
    assert_eq!(drift["test"]["s"], 10);
    let text = ok(&s, &["analyze", "--metric", "latency"]);
    assert!(text.contains("drift across 5 runs: regressed"), "{text}");
}

/// Imports 30 samples of `latency` at `level` (+0..4), `offset` seconds after T0.
fn import_level(s: &Scratch, file: &str, offset: i64, level: f64) {
    let rows: Vec<(i64, f64)> = (0..30)
        .map(|i| (T0 + offset + i, level + (i % 5) as f64))
        .collect();
    import_rows(s, file, "latency", &rows);
}

#[test]
fn compare_baseline_gives_a_verdict_and_can_gate_ci() {
    let s = Scratch::new();
    import_level(&s, "base.csv", 0, 100.0);
    let recipe = s.write(
        "baseline.yaml",
        "steps:\n  - {name: baseline, idx: 1, type: python, \
         module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, \
         args: {action: analyze, timeframe: all, metrics: latency, baseline: {establish: {timeframe: all}}}}\n",
    );
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 0, "{out:#}");
    let compare = ["analyze", "--metric", "latency", "--timeframe", "last_run"];

    import_level(&s, "same.csv", 100, 100.0);
    let v = json(&s, &[&compare[..], &["--compare-baseline"]].concat());
    let c = &v["metrics"][0]["baseline_comparison"];
    assert_eq!(c["verdict"], "unchanged", "{c:#}");
    assert_eq!(c["baseline_sample_count"], 30);
    let gate = s.run(&[&compare[..], &["--fail-on-regression"]].concat());
    assert_eq!(gate.status.code(), Some(0), "no regression, no failure");

    import_level(&s, "worse.csv", 200, 150.0);
    let text = ok(&s, &[&compare[..], &["--compare-baseline"]].concat());
    assert!(
        text.contains("(30 samples, mean 102): regressed, change +"),
        "{text}"
    );
    let gate = s.run(&[&compare[..], &["--fail-on-regression"]].concat());
    assert_eq!(gate.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&gate.stderr).contains("regressed against the baseline: latency"),
        "{gate:?}"
    );
    let lenient = s.run(
        &[
            &compare[..],
            &["--fail-on-regression", "--regression-threshold", "0.6"],
        ]
        .concat(),
    );
    assert_eq!(
        lenient.status.code(),
        Some(0),
        "a 49 % change is below a 60 % threshold"
    );
    let bad = s.run(&[&compare[..], &["--regression-threshold", "-1"]].concat());
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--regression-threshold: metrics config `health.regression_threshold` = -1: must be a finite number greater than 0"),
        "{bad:?}"
    );
}
