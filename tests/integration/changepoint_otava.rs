//! Reproduces every change-point expectation of Apache Otava's test-suite, read from
//! shared/data/changepoint (see its README for provenance and the meaning of each field).

use framework0::analyze::changepoint::{compute_change_points, divisive_ttest, HunterParams};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/changepoint/");

fn read(name: &str) -> String {
    let path = format!("{DATA}{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `index,value` CSV → values, checking the index column counts up from 0.
fn series(name: &str) -> Vec<f64> {
    read(name)
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let (idx, value) = line.split_once(',').expect("two columns");
            assert_eq!(idx.trim().parse::<usize>().unwrap(), i, "{name} row {i}");
            value.trim().parse().unwrap()
        })
        .collect()
}

fn expectations(name: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(&read(name))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn expected_indexes(e: &Value) -> Vec<usize> {
    e["change_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect()
}

fn hunter_params(e: &Value) -> HunterParams {
    HunterParams {
        window_len: e["window_len"].as_u64().unwrap() as usize,
        max_pvalue: e["max_pvalue"].as_f64().unwrap(),
        min_magnitude: e["min_magnitude"].as_f64().unwrap(),
    }
}

/// Runs every `compute_change_points` expectation of one JSON file.
fn check_hunter_file(json: &str, default_csv: Option<&str>) -> usize {
    let cases = expectations(json);
    for e in &cases {
        assert_eq!(e["method"], "compute_change_points");
        let csv = e["series"].as_str().or(default_csv).expect("series file");
        let values = series(csv);
        let params = hunter_params(e);
        let got: Vec<usize> = compute_change_points(&values, None, &params)
            .unwrap()
            .iter()
            .map(|cp| cp.index)
            .collect();
        assert_eq!(
            got,
            expected_indexes(e),
            "{} ({csv}, {params:?})",
            e["test"]
        );
    }
    cases.len()
}

#[test]
fn tigerbeetle_all_ten_parameter_settings() {
    assert_eq!(
        check_hunter_file("tigerbeetle_expected.json", Some("tigerbeetle.csv")),
        10
    );
}

#[test]
fn otava_single_series() {
    assert_eq!(
        check_hunter_file(
            "otava_single_series_expected.json",
            Some("otava_single_series.csv")
        ),
        1
    );
}

#[test]
fn otava_series_test_both_series_and_min_magnitude() {
    assert_eq!(
        check_hunter_file("otava_series_test_expected.json", None),
        4
    );
}

#[test]
fn otava_divisive_sequence() {
    let cases = expectations("otava_divisive_sequence_expected.json");
    assert_eq!(cases.len(), 1);
    for e in &cases {
        assert_eq!(e["method"], "divisive_ttest");
        let values = series("otava_divisive_sequence.csv");
        let p = e["max_pvalue"].as_f64().unwrap();
        let got: Vec<usize> = divisive_ttest(&values, None, p)
            .unwrap()
            .iter()
            .map(|cp| cp.index)
            .collect();
        assert_eq!(got, expected_indexes(e));
    }
}
