//! Descriptive statistics and the summary: exact and scipy references
//! (`tests/fixtures/percentiles/expected.json`), hand-derived values, the JSON shape and errors.

use crate::util::stats::{assert_rel, percentile_fixture};

use framework0::analyze::descriptive::{
    kurtosis, max, mean, median, min, mode, range, skewness, std_dev, variance, Moments,
};
use framework0::analyze::error::StatsError;
use framework0::analyze::quantile::PercentileMethod;
use framework0::analyze::summary::{summarize, Percentiles, StatisticalSummary, SummaryOptions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    values: Vec<f64>,
    descriptive: Expected,
}

#[derive(Deserialize)]
struct Expected {
    mean: f64,
    median: f64,
    mode: Option<f64>,
    variance: Option<f64>,
    std_dev: Option<f64>,
    skewness: Option<f64>,
    kurtosis: Option<f64>,
}

#[test]
fn mean_spread_and_shape_equal_the_exact_values() {
    for case in percentile_fixture::<Fixture>().cases {
        let (x, want, name) = (&case.values, &case.descriptive, &case.name);
        // Exact (rational) mean, variance and shape, rounded once: a few ulps at most.
        assert_rel(mean(x).unwrap(), want.mean, 4e-16, &format!("{name} mean"));
        assert_eq!(median(x).unwrap(), want.median, "{name} median");
        assert_eq!(mode(x).unwrap(), want.mode, "{name} mode");
        match (want.variance, want.std_dev) {
            (Some(v), Some(s)) => {
                assert_rel(variance(x).unwrap(), v, 1e-15, &format!("{name} variance"));
                assert_rel(std_dev(x).unwrap(), s, 1e-15, &format!("{name} std_dev"));
            }
            _ => assert_eq!(std_dev(x), Err(StatsError::TooFew { needed: 2, got: 1 })),
        }
        let moments = Moments::new(x).unwrap();
        for (got, want, what) in [
            (moments.skewness(), want.skewness, "skewness"),
            (moments.kurtosis(), want.kurtosis, "kurtosis"),
        ] {
            match (got, want) {
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= 1e-13 * w.abs() + 1e-15,
                    "{name} {what}: {g} vs exact {w}"
                ),
                (g, w) => assert_eq!(g, w, "{name} {what}"),
            }
        }
    }
}

#[test]
fn hand_derived_values_of_a_small_series() {
    // d = x − 5 = (−3, −1, −1, −1, 0, 0, 2, 4): Σd² = 32, Σd³ = 42, Σd⁴ = 356, n = 8.
    let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    assert_eq!(mean(&x).unwrap(), 5.0);
    assert_eq!(variance(&x).unwrap(), 32.0 / 7.0);
    assert_eq!(std_dev(&x).unwrap(), (32.0f64 / 7.0).sqrt());
    // G₁ = √(8·7)/6 · (42/8)/(32/8)^{3/2}
    let g1 = 56f64.sqrt() / 6.0 * (42.0 / 8.0) / 8.0;
    assert_rel(skewness(&x).unwrap().unwrap(), g1, 1e-15, "skewness");
    // G₂ = ((8² − 1)·m₄/m₂² − 3·7²)/(6·5) with m₄ = 356/8, m₂ = 4
    assert_rel(
        kurtosis(&x).unwrap().unwrap(),
        (63.0 * 44.5 / 16.0 - 147.0) / 30.0,
        1e-15,
        "kurtosis",
    );
    assert_eq!(
        (min(&x).unwrap(), max(&x).unwrap(), range(&x).unwrap()),
        (2.0, 9.0, 7.0)
    );
    assert_eq!(median(&x).unwrap(), 4.5);
    assert_eq!(mode(&x).unwrap(), Some(4.0));
}

#[test]
fn mode_takes_the_smallest_of_tied_values_and_is_none_without_repeats() {
    assert_eq!(mode(&[3.0, 1.0, 3.0, 1.0, 2.0]).unwrap(), Some(1.0));
    assert_eq!(mode(&[3.0, 1.0, 2.0]).unwrap(), None);
    assert_eq!(mode(&[7.0]).unwrap(), None);
    assert_eq!(mode(&[0.0, -0.0, 1.0]).unwrap(), Some(0.0));
}

#[test]
fn constant_series_has_zero_spread_and_no_shape() {
    let x = [0.1; 7];
    assert_eq!(mean(&x).unwrap(), 0.1);
    assert_eq!(variance(&x).unwrap(), 0.0);
    assert_eq!(skewness(&x).unwrap(), None);
    assert_eq!(kurtosis(&x).unwrap(), None);
}

#[test]
fn errors_name_the_problem() {
    assert_eq!(mean(&[]), Err(StatsError::Empty));
    assert_eq!(median(&[]), Err(StatsError::Empty));
    assert_eq!(
        mean(&[1.0, 2.0, f64::INFINITY]),
        Err(StatsError::NonFinite {
            index: 2,
            value: f64::INFINITY
        })
    );
    let err = std_dev(&[1.0, f64::NAN]).unwrap_err();
    assert!(
        matches!(err, StatsError::NonFinite { index: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "non-finite value NaN at index 1: every value must be a finite number"
    );
    assert_eq!(
        variance(&[4.0]),
        Err(StatsError::TooFew { needed: 2, got: 1 })
    );
    assert_eq!(
        skewness(&[1.0, 2.0]),
        Err(StatsError::TooFew { needed: 3, got: 2 })
    );
    assert_eq!(
        kurtosis(&[1.0, 2.0, 3.0]),
        Err(StatsError::TooFew { needed: 4, got: 3 })
    );
    assert_eq!(
        StatsError::TooFew { needed: 2, got: 1 }.to_string(),
        "too few values: 2 needed, got 1"
    );
}

#[test]
fn summary_serializes_in_framework0_shape() {
    let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let options = SummaryOptions {
        metric_name: "latency_ms".into(),
        time_range: Some((1_700_000_000_000_000_000, 1_700_000_007_000_000_000)),
        percentiles: vec![99.9, 50.0, 90.0, 50.0],
        method: PercentileMethod::Linear,
    };
    let summary = summarize(&x, &options).unwrap();
    let json = serde_json::to_string(&summary).unwrap();
    let keys = [
        "metric_name",
        "sample_count",
        "time_range",
        "mean",
        "median",
        "mode",
        "std_dev",
        "variance",
        "range_span",
        "min_value",
        "max_value",
        "percentiles",
        "skewness",
        "kurtosis",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| json.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order: {json}"
    );
    assert!(json.starts_with(
        r#"{"metric_name":"latency_ms","sample_count":8,"time_range":[1700000000000000000,1700000007000000000],"mean":5.0,"median":4.5,"mode":4.0,"#
    ), "{json}");
    // Linear percentiles, keys in ascending numeric order, duplicates dropped:
    // p50 at index 3.5 → 4.5; p90 at 6.3 → 7 + 0.3·2; p99.9 at 6.993 → 9 − 0.007·2.
    assert!(
        json.contains(r#""percentiles":{"50":4.5,"90":7.6,"99.9":8.986"#),
        "{json}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["range_span"], 7.0);
    assert_eq!(value.as_object().unwrap().len(), 14);
    let back: StatisticalSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(back, summary);
    assert_eq!(back.percentiles.get(99.9), summary.percentiles.get(99.9));
    assert_eq!(Percentiles::key(99.9), "99.9");
}

#[test]
fn summary_nulls_and_errors() {
    let two = summarize(&[1.0, 3.0], &SummaryOptions::default()).unwrap();
    assert_eq!(
        (two.mode, two.skewness, two.kurtosis, two.time_range),
        (None, None, None, None)
    );
    let json = serde_json::to_value(&two).unwrap();
    assert!(json["mode"].is_null() && json["skewness"].is_null() && json["time_range"].is_null());
    assert_eq!(two.percentiles.len(), 5);
    assert_eq!(
        summarize(&[1.0], &SummaryOptions::default()),
        Err(StatsError::TooFew { needed: 2, got: 1 })
    );
    assert_eq!(
        summarize(&[], &SummaryOptions::default()),
        Err(StatsError::Empty)
    );
    let bad = SummaryOptions {
        percentiles: vec![50.0, 101.0],
        ..SummaryOptions::default()
    };
    let err = summarize(&[1.0, 2.0], &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid percentile `101`: accepted a percent in [0, 100]"
    );
    let err = serde_json::from_str::<Percentiles>(r#"{"p50": 1.0}"#).unwrap_err();
    assert!(err.to_string().contains("`p50`"), "{err}");
}

#[test]
fn extreme_magnitudes_give_finite_answers_or_none() {
    // Shape is scale-free: 1e-170·(1, 2, 4, 8) has the shape of (1, 2, 4, 8) (the moments are
    // taken in a scaled form; see tests/integration/hardening_extremes.rs).
    let tiny = [1e-170, 2e-170, 4e-170, 8e-170];
    let unit = [1.0, 2.0, 4.0, 8.0];
    assert_eq!(mean(&tiny).unwrap(), 3.75e-170);
    for (got, want, what) in [
        (
            skewness(&tiny).unwrap(),
            skewness(&unit).unwrap(),
            "skewness",
        ),
        (
            kurtosis(&tiny).unwrap(),
            kurtosis(&unit).unwrap(),
            "kurtosis",
        ),
    ] {
        assert_rel(got.unwrap(), want.unwrap(), 1e-14, what);
    }
    let huge = [1e300, 1.5e300, -1e300];
    assert_rel(
        mean(&huge).unwrap(),
        0.5e300,
        1e-15,
        "mean without overflow",
    );
    assert_eq!(variance(&huge).unwrap(), f64::INFINITY);
    assert_rel(std_dev(&huge).unwrap(), 1.3228756555322954e300, 1e-15, "sd");
    assert!(skewness(&huge).unwrap().is_some());
}
