//! Why a report cannot judge a series, in its headline row's reason: a pooled baseline of the
//! name is not used for one tagged series (and the note says so), and samples outside any
//! run have no earlier runs to compare with.

use std::collections::BTreeMap;

use framework0::store::{BaselineScope, NewBaseline, SampleRow, SeriesKey, Store};
use serde_json::{json, Value};

use crate::util::action::ok;
use crate::util::Scratch;

const T0: i64 = 1_767_225_600_000_000_000;

fn rows(key: &SeriesKey, t0: i64, n: i64) -> Vec<SampleRow> {
    (0..n)
        .map(|i| SampleRow {
            series: key.clone(),
            ts_ns: t0 + i * 1_000_000_000,
            value: 10.0 + (i % 5) as f64,
            context: None,
        })
        .collect()
}

fn latency(tags: &[(&str, &str)]) -> SeriesKey {
    SeriesKey {
        name: "latency".to_owned(),
        metric_type: "timing".to_owned(),
        unit: "ms".to_owned(),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        source: None,
    }
}

fn report_json(s: &Scratch, args: &[&str]) -> Value {
    let mut all = vec!["report", "-o", "out", "--format", "json"];
    all.extend_from_slice(args);
    ok(s, &all);
    serde_json::from_str(&std::fs::read_to_string(s.path("out/report.json")).unwrap()).unwrap()
}

/// The one headline row's verdict and reason.
fn verdict(report: &Value) -> (String, String) {
    let rows = report["headline"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{report}");
    (
        rows[0]["verdict"].as_str().unwrap().to_owned(),
        rows[0]["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn a_pooled_baseline_is_not_used_for_one_tagged_series_and_the_note_says_why() {
    let s = Scratch::new();
    let mut store = Store::open(&s.store()).unwrap();
    let key = latency(&[("host", "a")]);
    let run = store.begin_run("ci", "ci.yaml", 1_767_225_600.0).unwrap();
    store
        .insert_samples(Some(run), &rows(&key, T0, 30))
        .unwrap();
    store.finish_run(run, 1_767_225_700.0, "completed").unwrap();
    let values = [10.0, 11.0, 12.0, 13.0, 14.0];
    store
        .insert_baseline(&NewBaseline {
            metric: "latency",
            tags: &BTreeMap::new(),
            scope: BaselineScope::Pooled,
            run_id: None,
            source: &json!({"kind": "values"}),
            mean: 12.0,
            std_dev: 1.58,
            median: 12.0,
            values: &values,
        })
        .unwrap();
    drop(store);
    let r = report_json(&s, &["--run", "1"]);
    let (kind, text) = verdict(&r);
    assert_eq!(kind, "insufficient");
    assert!(
        text.contains("the pooled baseline #1 of 'latency' mixes every series of the name, so it is not used for one of them"),
        "{text}"
    );
}

#[test]
fn samples_outside_any_run_have_no_earlier_runs_to_compare_with() {
    let s = Scratch::new();
    let mut store = Store::open(&s.store()).unwrap();
    let now = framework0::util::epoch_nanos() - 60_000_000_000;
    store
        .insert_samples(None, &rows(&latency(&[]), now, 30))
        .unwrap();
    drop(store);
    let r = report_json(&s, &["--since", "1h"]);
    let (kind, text) = verdict(&r);
    assert_eq!(kind, "insufficient");
    assert!(
        text.contains("the window's samples belong to no run, so there are no earlier runs"),
        "{text}"
    );
}

#[test]
fn samples_all_at_one_instant_get_no_trend_and_a_warning_saying_why() {
    let s = Scratch::new();
    let mut store = Store::open(&s.store()).unwrap();
    let run = store
        .begin_run("burst", "burst.yaml", 1_767_225_600.0)
        .unwrap();
    let key = latency(&[]);
    let burst: Vec<SampleRow> = (0..10)
        .map(|i| SampleRow {
            series: key.clone(),
            ts_ns: T0,
            value: 10.0 + f64::from(i),
            context: None,
        })
        .collect();
    store.insert_samples(Some(run), &burst).unwrap();
    store.finish_run(run, 1_767_225_700.0, "completed").unwrap();
    drop(store);
    let r = report_json(&s, &["--run", "1"]);
    let series = &r["series"][0];
    assert!(series["trend"].is_null(), "{}", series["trend"]);
    let warnings: Vec<&str> = series["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        warnings
            .contains(&"trend: linear trend is undefined for this input: all timestamps are equal"),
        "{warnings:?}"
    );
}
