//! `f0 report` on a series with more findings than a chart can show: at most 100 anomaly
//! marks (the most confident, in time order) while the count says how many were flagged, and
//! at most 50 change points drawn while the JSON keeps every one.

use std::collections::BTreeMap;

use framework0::store::{SampleRow, SeriesKey, Store};
use serde_json::Value;

use crate::util::action::ok;
use crate::util::Scratch;

/// `spiky`: a spike of 200 every 16th sample of a flat 10 (far more than 100 anomalies);
/// `steps`: 60 plateaus of 50 samples alternating 10 and 30 (59 change points).
fn busy_series(s: &Scratch) {
    let mut store = Store::open(&s.store()).unwrap();
    let run = store
        .begin_run("busy", "busy.yaml", 1_767_225_600.0)
        .unwrap();
    let key = |name: &str| SeriesKey {
        name: name.to_owned(),
        metric_type: "gauge".to_owned(),
        unit: "ms".to_owned(),
        tags: BTreeMap::new(),
        source: None,
    };
    let (spiky, steps) = (key("spiky"), key("steps"));
    let rows: Vec<SampleRow> = (0..3000i64)
        .flat_map(|i| {
            let noise = (i % 3) as f64 * 0.1;
            let spike = if i % 16 == 7 { 200.0 } else { 10.0 + noise };
            let level = if (i / 50) % 2 == 0 { 10.0 } else { 30.0 } + noise;
            let ts_ns = 1_767_225_600_000_000_000 + i * 1_000_000_000;
            [(&spiky, spike), (&steps, level)].map(|(k, value)| SampleRow {
                series: k.clone(),
                ts_ns,
                value,
                context: None,
            })
        })
        .collect();
    store.insert_samples(Some(run), &rows).unwrap();
    store.finish_run(run, 1_767_229_000.0, "completed").unwrap();
}

/// The chart data the HTML report embeds (`<script type="application/json" id="f0-data">`).
fn chart_data(html: &str) -> Value {
    let start = html.find("id=\"f0-data\">").expect("chart data") + "id=\"f0-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn marks_and_drawn_change_points_are_capped_while_counts_stay_whole() {
    let s = Scratch::new();
    busy_series(&s);
    ok(
        &s,
        &["report", "--run", "1", "-o", "out", "--format", "json,html"],
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("out/report.json")).unwrap()).unwrap();
    let by_name = |name: &str| {
        report["series"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no series {name}"))
    };
    let (spiky, steps) = (by_name("spiky"), by_name("steps"));
    let anomalies = &report["series"][spiky]["anomalies"];
    let marks = anomalies["marks"].as_array().unwrap();
    assert!(anomalies["count"].as_u64().unwrap() > 100, "{anomalies}");
    assert_eq!(marks.len(), 100);
    let idx: Vec<u64> = marks.iter().map(|m| m["index"].as_u64().unwrap()).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "marks in time order");
    let kept = marks
        .iter()
        .map(|m| m["confidence"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(kept > 0.0, "{kept}");
    let cps = report["series"][steps]["change_points"].as_array().unwrap();
    assert!(cps.len() > 50, "{} change points", cps.len());
    let html = std::fs::read_to_string(s.path("out/report.html")).unwrap();
    let drawn = chart_data(&html)["series"][steps]["change_points"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(drawn, 50, "at most 50 drawn of {}", cps.len());
}

#[test]
fn many_series_share_the_drawing_budget_and_the_note_says_how_much_each_gets() {
    let s = Scratch::new();
    let mut store = Store::open(&s.store()).unwrap();
    let run = store
        .begin_run("wide", "wide.yaml", 1_767_225_600.0)
        .unwrap();
    let rows: Vec<SampleRow> = (0..50)
        .flat_map(|h| {
            let key = SeriesKey {
                name: "latency".to_owned(),
                metric_type: "timing".to_owned(),
                unit: "ms".to_owned(),
                tags: BTreeMap::from([("host".to_owned(), format!("h{h:02}"))]),
                source: None,
            };
            (0..10i64).map(move |i| SampleRow {
                series: key.clone(),
                ts_ns: 1_767_225_600_000_000_000 + i * 1_000_000_000,
                value: 10.0 + i as f64,
                context: None,
            })
        })
        .collect();
    store.insert_samples(Some(run), &rows).unwrap();
    store.finish_run(run, 1_767_225_700.0, "completed").unwrap();
    drop(store);
    ok(
        &s,
        &["report", "--run", "1", "-o", "out", "--format", "json"],
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("out/report.json")).unwrap()).unwrap();
    assert_eq!(report["series"].as_array().unwrap().len(), 50);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes.contains(&"50 series share the drawing budget: at most 1600 points per chart (statistics use every sample)"),
        "{notes:?}"
    );
}
