//! Performance events of the analyze action (issue 14, Framework0's logging 5A): flagged
//! samples, change points and regressed verdicts logged as `Performance: {name} = {value}
//! {unit}` on `framework0.performance`, with `extra_data.performance_category`.

use crate::util::action::{analyze_recipe, import_rows, wobbly_series};
use crate::util::Scratch;

const T0: i64 = 1_767_225_600;

/// The performance events (`Performance: …` on `framework0.performance`) of running `recipe`
/// with `--log-format json`, as (metric_name, category, value).
fn performance_events(s: &Scratch, recipe: &std::path::Path) -> Vec<(String, String, f64)> {
    let out = s
        .f0()
        .env("F0_LOG", "info")
        .args(["run", recipe.to_str().unwrap(), "--log-format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    framework0::events::LogEntry::parse_lines(&stderr)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.logger_name == "framework0.performance" && e.message.starts_with("Performance: ")
        })
        .map(|e| {
            let x = e.extra_data.unwrap();
            (
                x["metric_name"].as_str().unwrap().to_owned(),
                x["performance_category"].as_str().unwrap().to_owned(),
                x["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn anomalies_change_points_and_regressions_become_performance_events() {
    let s = Scratch::new();
    let wobble = [-0.5, 0.0, 0.5, 0.25];
    let spiky: Vec<(i64, f64)> = (0..40)
        .map(|i| {
            (
                T0 + i,
                if i == 30 {
                    1000.0
                } else {
                    10.0 + wobble[i as usize % 4]
                },
            )
        })
        .collect();
    let shifted: Vec<(i64, f64)> = (0..60)
        .map(|i| {
            (
                T0 + i,
                if i < 30 { 10.0 } else { 50.0 } + wobble[i as usize % 4],
            )
        })
        .collect();
    import_rows(&s, "spiky.csv", "spiky", &spiky);
    import_rows(&s, "shifted.csv", "shifted", &shifted);
    let find = "timeframe: all, metrics: [spiky, shifted], change_points: true";
    let r = analyze_recipe(
        &s,
        "find.yaml",
        &format!("{find}, anomaly_detection: {{methods: [zscore]}}"),
        "",
    );
    let events = performance_events(&s, &r);
    assert!(
        events.contains(&("spiky".to_owned(), "anomaly".to_owned(), 1000.0)),
        "{events:?}"
    );
    let shift = events
        .iter()
        .find(|(n, c, _)| n == "shifted" && c == "change_point")
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(
        (shift.2 - 50.0625).abs() < 1.0,
        "the mean after the shift: {shift:?}"
    );
    // The anomaly is also a cross-component event.
    let cross = crate::events_alerts::health_bundle(&s)["events"].clone();
    assert!(
        cross
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event_type"] == "performance_anomaly"
                && e["data"]["metric_name"] == "spiky"
                && e["data"]["value"] == 1000.0),
        "{cross:#}"
    );
    // With log_significant_metrics off, none.
    let quiet = analyze_recipe(
        &s,
        "quiet.yaml",
        find,
        "config: {logging: {log_significant_metrics: false}}\n",
    );
    assert_eq!(performance_events(&s, &quiet), []);
}

#[test]
fn a_regressed_verdict_is_a_regression_performance_event() {
    let s = Scratch::new();
    let series = |level: f64, k: i64| wobbly_series(T0, level, k);
    import_rows(&s, "base.csv", "latency", &series(100.0, 0));
    let establish = analyze_recipe(
        &s,
        "e.yaml",
        "timeframe: last_run, metrics: latency, baseline: {establish: {run: last}}",
        "",
    );
    assert_eq!(s.run_json(&establish, &[]).0, 0);
    import_rows(&s, "slow.csv", "latency", &series(130.0, 1));
    let compare = analyze_recipe(
        &s,
        "c.yaml",
        "timeframe: last_run, metrics: latency, baseline: {compare: true}, \
         anomaly_detection: false, change_points: false",
        "",
    );
    let events = performance_events(&s, &compare);
    assert_eq!(
        events,
        [("latency".to_owned(), "regression".to_owned(), 130.125)]
    );
}

#[test]
fn a_timer_is_significant_when_its_p95_exceeds_threshold_p95_milliseconds() {
    let s = Scratch::new();
    // 5 ms everywhere, stored in ns: p95 = 5 ms.
    let rows: Vec<(i64, f64)> = (0..20).map(|i| (T0 + i, 5_000_000.0)).collect();
    let mut text = String::from("timestamp,value\n");
    for (t, v) in &rows {
        text.push_str(&format!("{t},{v}\n"));
    }
    let p = s.write("t.csv", &text);
    let out = s.run(&[
        "import",
        p.to_str().unwrap(),
        "--name",
        "job_time",
        "--metric-type",
        "timing",
        "--unit",
        "ns",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let judge = |file: &str, threshold: &str| {
        let r = analyze_recipe(
            &s,
            file,
            "timeframe: all, metrics: job_time, anomaly_detection: false, change_points: false",
            &format!("config: {{logging: {{threshold_p95: {threshold}}}}}\n"),
        );
        performance_events(&s, &r)
    };
    assert_eq!(judge("at.yaml", "5"), [], "5 ms is not above 5 ms");
    assert_eq!(
        judge("below.yaml", "4.5"),
        [("job_time:p95".to_owned(), "timing".to_owned(), 5_000_000.0)]
    );
}
