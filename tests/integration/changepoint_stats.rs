//! Change-point statistics (means, population stddevs, p-values, magnitudes) against Apache
//! Otava 0.8.0 itself, on the shared reference series with parameter settings beyond the ones
//! its test-suite asserts (tests/changepoint_fixtures/gen_otava_stats.py made the fixture).

use framework0::analyze::changepoint::{
    compute_change_points, divisive_ttest, ChangePoint, HunterParams,
};
use golden::close;
use serde_json::Value;

use crate::util::golden;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/changepoint/");

fn series(name: &str) -> Vec<f64> {
    let path = format!("{DATA}{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1.trim().parse().unwrap())
        .collect()
}

fn compare(got: &[ChangePoint], want: &Value, what: &str) {
    let want = want.as_array().unwrap();
    let got_idx: Vec<usize> = got.iter().map(|c| c.index).collect();
    let want_idx: Vec<usize> = want
        .iter()
        .map(|c| c["index"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(got_idx, want_idx, "{what}");
    for (g, w) in got.iter().zip(want) {
        let at = format!("{what} @{}", g.index);
        let f = |k: &str| w[k].as_f64().unwrap();
        close(g.mean_before, f("mean_before"), 1e-13, &at);
        close(g.mean_after, f("mean_after"), 1e-13, &at);
        close(g.stddev_before, f("stddev_before"), 1e-12, &at);
        close(g.stddev_after, f("stddev_after"), 1e-12, &at);
        close(g.magnitude, f("magnitude"), 1e-12, &at);
        // p-values (some below 1e-100): relative agreement with SciPy's Boost t CDF.
        close(g.p_value, f("p_value"), 1e-12, &at);
    }
}

#[test]
fn statistics_match_otava_for_every_change_point() {
    let fixture: Value = serde_json::from_str(include_str!(
        "../changepoint_fixtures/otava_stats_golden.json"
    ))
    .unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let values = series(case["series"].as_str().unwrap());
        let p = case["max_pvalue"].as_f64().unwrap();
        let got = if case["method"] == "divisive_ttest" {
            divisive_ttest(&values, None, p).unwrap()
        } else {
            let params = HunterParams {
                window_len: case["window_len"].as_u64().unwrap() as usize,
                max_pvalue: p,
                min_magnitude: case["min_magnitude"].as_f64().unwrap(),
            };
            compute_change_points(&values, None, &params).unwrap()
        };
        let what = format!(
            "{} {} p={p} w={}",
            case["method"], case["series"], case["window_len"]
        );
        compare(&got, &case["change_points"], &what);
    }
}
