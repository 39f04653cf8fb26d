//! Welch, pooled t, Mann–Whitney and Mann–Kendall against SciPy / pymannkendall reference values
//! (generators in tests/hypothesis_fixtures/).

use framework0::analyze::error::StatsError;
use framework0::analyze::hypothesis::*;
use golden::{close, floats};
use serde_json::Value;

use crate::util::golden;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn welch_and_mann_whitney_match_scipy() {
    let g = json(include_str!("../hypothesis_fixtures/special_golden.json"));
    for (name, case) in g["welch"].as_object().unwrap() {
        let r = welch_t_test(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        close(r.statistic, case["t"].as_f64().unwrap(), 1e-12, name);
        close(r.df, case["df"].as_f64().unwrap(), 1e-12, name);
        close(r.p_value, case["p"].as_f64().unwrap(), 1e-12, name);
    }
    for (name, case) in g["mann_whitney"].as_object().unwrap() {
        let r = mann_whitney_u(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        assert_eq!(r.u, case["u"].as_f64().unwrap(), "{name}");
        close(r.p_value, case["p"].as_f64().unwrap(), 1e-12, name);
    }
    for case in g["pooled"].as_array().unwrap() {
        let f = |k: &str| case[k].as_f64().unwrap();
        let n = |k: &str| case[k].as_u64().unwrap() as usize;
        let r = pooled_t_test_from_stats(f("m1"), f("s1"), n("n1"), f("m2"), f("s2"), n("n2"));
        close(r.statistic, f("t"), 1e-12, "pooled t");
        close(r.p_value, f("p"), 1e-12, "pooled p");
    }
}

#[test]
fn mann_kendall_matches_pymannkendall() {
    let g = json(include_str!(
        "../hypothesis_fixtures/mann_kendall_golden.json"
    ));
    for (name, case) in g["cases"].as_object().unwrap() {
        let r = mann_kendall(&floats(&case["series"])).unwrap();
        assert_eq!(r.s, case["s"].as_i64().unwrap(), "{name}");
        close(r.variance, case["var_s"].as_f64().unwrap(), 1e-13, name);
        close(r.z, case["z"].as_f64().unwrap(), 1e-13, name);
        close(r.p_value, case["p"].as_f64().unwrap(), 1e-12, name);
        close(r.tau, case["tau"].as_f64().unwrap(), 1e-13, name);
        close(
            r.sen_slope,
            case["sen_slope"].as_f64().unwrap(),
            1e-12,
            name,
        );
    }
}

#[test]
fn degenerate_samples_have_documented_answers() {
    let same = welch_t_test(&[3.0, 3.0, 3.0], &[3.0, 3.0]).unwrap();
    assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
    let apart = welch_t_test(&[3.0, 3.0, 3.0], &[4.0, 4.0]).unwrap();
    assert_eq!((apart.statistic, apart.p_value), (-f64::MAX, 0.0));
    let tied = mann_whitney_u(&[1.0, 1.0], &[1.0, 1.0, 1.0]).unwrap();
    assert_eq!((tied.u, tied.p_value), (3.0, 1.0));
    let flat = mann_kendall(&[2.0; 6]).unwrap();
    assert_eq!(
        (flat.s, flat.z, flat.p_value, flat.sen_slope),
        (0, 0.0, 1.0, 0.0)
    );
    let nan = pooled_t_test_from_stats(1.0, 0.0, 3, 1.0, 0.0, 3);
    assert!(nan.statistic.is_nan() && nan.p_value.is_nan());
}

#[test]
fn input_errors_are_typed() {
    assert_eq!(
        welch_t_test(&[1.0], &[1.0, 2.0]),
        Err(StatsError::TooFew { needed: 2, got: 1 })
    );
    assert_eq!(mann_whitney_u(&[], &[1.0]), Err(StatsError::Empty));
    assert!(matches!(
        mann_kendall(&[1.0, f64::INFINITY, 2.0]),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
}
