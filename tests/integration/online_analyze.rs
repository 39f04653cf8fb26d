//! Online mode of analysis: `f0 analyze --online` and the analyze action's
//! `anomaly_detection: {mode: online, …}` replay each stored series in time order through the
//! online detectors; the report's `online_anomalies` lists the events (schema-checked), and
//! bad online settings are findings at their path or errors naming the flag.

use crate::util::action::{fails, import_rows, json, ok};
use crate::util::Scratch;
use framework0::analyze::rng::Xoshiro256;
use serde_json::Value;

const T0: i64 = 1_767_225_600;

/// 2000 samples a minute apart: noise around 100 with a spike at 1200 and a shift at 1600.
fn import_planted(s: &Scratch) {
    let mut g = Xoshiro256::seed_from_u64(4);
    let rows: Vec<(i64, f64)> = (0..2000)
        .map(|i| {
            let mut x = 100.0 + g.standard_normal();
            if i == 1200 {
                x += 15.0;
            }
            if i >= 1600 {
                x += 6.0;
            }
            (T0 + 60 * i, (x * 1000.0).round() / 1000.0)
        })
        .collect();
    import_rows(s, "lat.csv", "latency", &rows);
}

fn starts(online: &Value) -> Vec<u64> {
    online["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start_index"].as_u64().unwrap())
        .collect()
}

#[test]
fn analyze_online_replays_the_stored_series_point_by_point() {
    let s = Scratch::new();
    import_planted(&s);
    let report = json(&s, &["analyze", "--metric", "latency", "--online"]);
    let m = &report["metrics"][0];
    assert_eq!(
        m["anomalies"],
        serde_json::json!([]),
        "no batch detector ran"
    );
    let online = &m["online_anomalies"];
    assert_eq!(
        online["detectors"],
        serde_json::json!(["seasonal", "zscore", "knn"])
    );
    assert_eq!(online["threshold"], 0.7);
    let st = starts(online);
    assert!(st.contains(&1200), "{st:?}");
    assert!(st.iter().any(|&i| (1600..=1605).contains(&i)), "{st:?}");
    let spike = &online["events"][st.iter().position(|&i| i == 1200).unwrap()];
    assert_eq!(spike["start_time"], "2026-01-01T20:00:00Z");
    let text = ok(
        &s,
        &[
            "analyze",
            "--metric",
            "latency",
            "--online",
            "--online-detectors",
            "mad",
        ],
    );
    assert!(text.contains("online anomaly events ("), "{text}");
    assert!(text.contains("detectors mad, threshold 0.7"), "{text}");
    // The batch report has no online part.
    let batch = json(&s, &["analyze", "--metric", "latency"]);
    assert!(batch["metrics"][0].get("online_anomalies").is_none());
}

#[test]
fn bad_online_flags_name_the_flag() {
    let s = Scratch::new();
    import_planted(&s);
    let err = fails(
        &s,
        &[
            "analyze",
            "--metric",
            "latency",
            "--online",
            "--online-detectors",
            "zscore,iqr",
        ],
    );
    assert!(
        err.contains("--online-detectors: unknown online detector 'iqr'"),
        "{err}"
    );
    let err = fails(
        &s,
        &[
            "analyze",
            "--metric",
            "latency",
            "--online",
            "--threshold",
            "1.5",
        ],
    );
    assert!(
        err.contains("--threshold: must be a score in (0, 1]"),
        "{err}"
    );
}

fn recipe(s: &Scratch, file: &str, anomaly: &str) -> std::path::PathBuf {
    s.write(
        file,
        &format!(
            "steps:\n  - {{name: watch, idx: 1, type: python, \
             module: scriptlets.foundation.performance_metrics, function: PerformanceMetricsScriptlet, \
             args: {{action: analyze, timeframe: all, metrics: [latency], change_points: false, \
             anomaly_detection: {anomaly}}}}}\n"
        ),
    )
}

#[test]
fn the_analyze_action_in_online_mode_writes_events_to_the_context() {
    let s = Scratch::new();
    import_planted(&s);
    let r = recipe(
        &s,
        "online.yaml",
        "{mode: online, methods: [zscore, seasonal], threshold: 0.6, suppression: 50}",
    );
    let (code, out) = s.run_json(&r, &[]);
    assert_eq!(code, 0, "{out:#}");
    let v = s.ctx("metrics.last_analysis").unwrap();
    crate::util::action::assert_schema_valid(&v);
    let online = &v["metrics"][0]["online_anomalies"];
    assert_eq!(online["threshold"], 0.6);
    assert!(starts(online).contains(&1200), "{online}");
}

#[test]
fn online_settings_are_validated_at_their_path() {
    let s = Scratch::new();
    let base = "at recipe.steps[0].args.anomaly_detection";
    for (anomaly, want) in [
        ("{mode: online, methods: [lstm]}", format!("ERROR [INVALID_ARG] {base}.methods[0]: unknown online detector 'lstm'")),
        ("{mode: online, sensitivity: 3}", format!("ERROR [INVALID_ARG] {base}.sensitivity: is the batch detectors' setting; online mode takes 'threshold'")),
        ("{mode: streaming}", format!("ERROR [INVALID_ARG] {base}.mode: must be 'batch' or 'online', got \"streaming\"")),
        ("{methods: [zscore], threshold: 0.5}", format!("ERROR [INVALID_ARG] {base}.threshold: 'threshold' applies to mode: online only")),
        ("{mode: online, gap: -2}", format!("ERROR [INVALID_ARG] {base}.gap: must be a whole number ≥ 0")),
    ] {
        let r = recipe(&s, "bad.yaml", anomaly);
        let out = s.run(&["validate", r.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{anomaly}: {text}");
        assert!(text.lines().any(|l| l.starts_with(&want)), "missing {want:?} in:\n{text}");
    }
}
