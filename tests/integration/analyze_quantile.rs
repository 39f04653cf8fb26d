//! Quantiles against numpy and Python references (`tests/fixtures/percentiles/expected.json`,
//! made by `gen.py` beside it), method names, input errors and HDR-histogram percentiles.

use crate::util::stats::{assert_rel, percentile_fixture};

use framework0::analyze::error::StatsError;
use framework0::analyze::hdr::{histogram_quantiles, HdrQuantiles};
use framework0::analyze::order::OrderStrategy;
use framework0::analyze::quantile::{
    quantile, quantiles, quantiles_sorted, quantiles_with, PercentileMethod,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    probabilities: Vec<f64>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    values: Vec<f64>,
    quantiles: std::collections::BTreeMap<String, Vec<f64>>,
    exclusive: Option<Exclusive>,
}

#[derive(Deserialize)]
struct Exclusive {
    probabilities: Vec<f64>,
    values: Vec<f64>,
}

/// The fixture tolerance: 1e-12 relative.
#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert_rel(got, want, 1e-12, what);
}

#[test]
fn all_nine_methods_match_numpy_on_every_series_and_probability() {
    let fx = percentile_fixture::<Fixture>();
    let mut checked = 0;
    for case in &fx.cases {
        assert_eq!(
            case.quantiles.len(),
            9,
            "{}: nine methods in the fixture",
            case.name
        );
        for (name, expected) in &case.quantiles {
            let method: PercentileMethod = name.parse().unwrap();
            for strategy in [
                OrderStrategy::Sort,
                OrderStrategy::Select,
                OrderStrategy::Auto,
            ] {
                let got =
                    quantiles_with(&case.values, &fx.probabilities, method, strategy).unwrap();
                for ((&p, &g), &want) in fx.probabilities.iter().zip(&got).zip(expected) {
                    assert_close(g, want, &format!("{} {name} {strategy:?} p={p}", case.name));
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 10 * 9 * 23 * 3);
}

#[test]
fn exclusive_matches_python_statistics_quantiles() {
    let fx = percentile_fixture::<Fixture>();
    let mut checked = 0;
    for case in &fx.cases {
        let Some(ex) = &case.exclusive else {
            assert_eq!(
                case.values.len(),
                1,
                "{}: only n=1 lacks a Python reference",
                case.name
            );
            continue;
        };
        let got = quantiles(&case.values, &ex.probabilities, PercentileMethod::Exclusive).unwrap();
        for ((&p, &g), &want) in ex.probabilities.iter().zip(&got).zip(&ex.values) {
            assert_close(g, want, &format!("{} exclusive p={p}", case.name));
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 13);
}

#[test]
fn exclusive_extrapolates_where_weibull_clamps() {
    let x: Vec<f64> = (0..10).map(|i| f64::from(i) * 10.0).collect();
    assert_close(
        quantile(&x, 0.99, PercentileMethod::Exclusive).unwrap(),
        98.9,
        "exclusive p99",
    );
    assert_eq!(quantile(&x, 0.99, PercentileMethod::Weibull).unwrap(), 90.0);
    assert_close(
        quantile(&x, 0.9, PercentileMethod::Exclusive).unwrap(),
        89.0,
        "exclusive p90",
    );
    assert_close(
        quantile(&x, 0.9, PercentileMethod::Weibull).unwrap(),
        89.0,
        "weibull p90",
    );
    assert_eq!(
        quantile(&[4.5], 0.3, PercentileMethod::Exclusive).unwrap(),
        4.5
    );
}

#[test]
fn names_parse_serialize_and_round_trip() {
    for method in PercentileMethod::ALL {
        assert_eq!(method.name().parse::<PercentileMethod>().unwrap(), method);
        let json = serde_json::to_string(&method).unwrap();
        assert_eq!(json, format!("\"{}\"", method.name()));
        assert_eq!(
            serde_json::from_str::<PercentileMethod>(&json).unwrap(),
            method
        );
    }
    assert_eq!(
        "inclusive".parse::<PercentileMethod>().unwrap(),
        PercentileMethod::Linear
    );
    assert_eq!(PercentileMethod::default(), PercentileMethod::Linear);
    assert_eq!(PercentileMethod::Exclusive.hyndman_fan_type(), 6);
    assert_eq!(PercentileMethod::Linear.hyndman_fan_type(), 7);
}

#[test]
fn unknown_method_error_lists_every_accepted_name() {
    let err = "type7".parse::<PercentileMethod>().unwrap_err();
    let StatsError::Invalid {
        name,
        value,
        accepted,
    } = &err
    else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(
        (name.as_str(), value.as_str()),
        ("percentile method", "type7")
    );
    for method in PercentileMethod::ALL {
        assert!(accepted.contains(method.name()), "{accepted}");
    }
    assert!(accepted.contains("inclusive"));
    let serde_err = serde_json::from_str::<PercentileMethod>("\"nearest\"").unwrap_err();
    assert!(
        serde_err.to_string().contains("normal_unbiased"),
        "{serde_err}"
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let m = PercentileMethod::Linear;
    assert_eq!(quantile(&[], 0.5, m), Err(StatsError::Empty));
    assert!(matches!(
        quantile(&[1.0, f64::NAN, 2.0], 0.5, m),
        Err(StatsError::NonFinite { index: 1, value }) if value.is_nan()
    ));
    assert_eq!(
        quantile(&[1.0, 2.0, f64::NEG_INFINITY], 0.5, m),
        Err(StatsError::NonFinite {
            index: 2,
            value: f64::NEG_INFINITY
        })
    );
    for p in [-0.01, 1.5, f64::NAN] {
        let err = quantile(&[1.0, 2.0], p, m).unwrap_err();
        assert!(
            matches!(&err, StatsError::InvalidParameter { name, .. } if *name == "p"),
            "{err:?}"
        );
    }
    let err = quantiles_sorted(&[1.0, 3.0, 2.0], &[0.5], m).unwrap_err();
    assert!(err.to_string().contains("index 2"), "{err}");
    assert_eq!(
        quantiles_sorted(&[1.0, 2.0, 2.0, 5.0], &[0.5, 1.0], m).unwrap(),
        vec![2.0, 5.0]
    );
}

#[test]
fn hdr_percentiles_stay_within_the_documented_error() {
    // Latencies in nanoseconds with a heavy tail: 50 000 values from 1 µs to ~10 s.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let values: Vec<f64> = (0..50_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            (1000.0 * (-(1.0 - u).ln() * 3.0).exp()).round() + 0.25
        })
        .collect();
    let ps = [0.0, 0.001, 0.5, 0.9, 0.99, 0.999, 1.0];
    for digits in [2u8, 3, 4] {
        let hdr = HdrQuantiles::from_values(&values, digits, 1.0).unwrap();
        assert_eq!(hdr.len(), values.len() as u64);
        let rounded: Vec<f64> = values.iter().map(|v| v.round()).collect();
        let exact = quantiles(&rounded, &ps, PercentileMethod::InvertedCdf).unwrap();
        let approx = hdr.quantiles(&ps).unwrap();
        assert_eq!(
            approx,
            histogram_quantiles(hdr.histogram(), &ps, 1.0).unwrap()
        );
        for ((&p, &q), &a) in ps.iter().zip(&exact).zip(&approx) {
            let bound = hdr.error_bound(q);
            assert!(
                (a - q).abs() <= bound,
                "d={digits} p={p}: hdr {a}, exact {q}, bound {bound}"
            );
        }
        // With fewer digits the error is allowed to be, and is, larger than exact.
        if digits == 2 {
            assert!(exact.iter().zip(&approx).any(|(q, a)| q != a));
        }
    }
}

#[test]
fn hdr_rejects_what_it_cannot_record() {
    assert_eq!(
        HdrQuantiles::new(3, 1.0).unwrap().quantiles(&[0.5]),
        Err(StatsError::Empty)
    );
    assert!(HdrQuantiles::new(6, 1.0).is_err());
    assert!(HdrQuantiles::new(3, 0.0).is_err());
    let err = HdrQuantiles::from_values(&[1.0, -2.0], 3, 1.0).unwrap_err();
    assert!(
        matches!(&err, StatsError::Invalid { name, .. } if name == "values[1]"),
        "{err:?}"
    );
    let err = HdrQuantiles::from_values(&[1.0, 2.0, f64::NAN], 3, 1.0).unwrap_err();
    assert!(
        matches!(err, StatsError::NonFinite { index: 2, .. }),
        "{err:?}"
    );
    // A scale keeps sub-unit resolution: milliseconds recorded in µs; below 2·10³ units the
    // 3-digit histogram is exact, above it a bucket is 2 units wide and reports its upper edge.
    let hdr = HdrQuantiles::from_values(&[1.5, 1.75, 2.0, 2.5], 3, 1000.0).unwrap();
    assert_eq!(
        hdr.quantiles(&[0.0, 0.5, 0.75, 1.0]).unwrap(),
        vec![1.5, 1.75, 2.0, 2.501]
    );
}

#[test]
fn hdr_single_records_reject_nan_and_negatives() {
    let mut hdr = HdrQuantiles::new(3, 1.0).unwrap();
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
        let err = hdr.record(bad).unwrap_err();
        assert!(
            matches!(&err, StatsError::Invalid { name, .. } if name == "value"),
            "{err:?}"
        );
    }
    assert!(hdr.is_empty());
    hdr.record(7.0).unwrap();
    assert_eq!(hdr.quantiles(&[0.5]).unwrap(), vec![7.0]);
}
