//! Parity with Framework0's Python statistics: the golden values of COMPAT §5.

use crate::util::stats::assert_rel;

use framework0::analyze::descriptive::{mean, median, std_dev};
use framework0::analyze::quantile::{quantile, PercentileMethod};
use framework0::analyze::regression::ols;
use framework0::analyze::summary::{summarize, SummaryOptions};

#[test]
fn zero_to_ninety_summary_with_framework0_exclusive_percentiles() {
    let x: Vec<f64> = (0..10).map(|i| f64::from(i) * 10.0).collect();
    let options = SummaryOptions {
        metric_name: "golden".into(),
        percentiles: vec![90.0, 99.0],
        method: PercentileMethod::Exclusive,
        ..SummaryOptions::default()
    };
    let s = summarize(&x, &options).unwrap();
    assert_eq!(s.mean, 45.0);
    assert_eq!(s.std_dev, 30.276503540974918);
    assert_rel(
        s.percentiles.get(90.0).unwrap(),
        89.0,
        1e-15,
        "exclusive p90",
    );
    assert_rel(
        s.percentiles.get(99.0).unwrap(),
        98.9,
        1e-15,
        "exclusive p99",
    );
}

#[test]
fn zero_to_ninety_trend_over_seconds() {
    // One sample per second: x is seconds since the first sample.
    let t: Vec<f64> = (0..10).map(f64::from).collect();
    let y: Vec<f64> = t.iter().map(|s| s * 10.0).collect();
    let fit = ols(&t, &y).unwrap();
    assert_eq!(fit.slope.estimate, 10.0);
    assert_eq!(fit.r_squared, 1.0);
    assert_eq!(fit.predict(9.0 + 3600.0), 36_090.0);
}

#[test]
fn series_with_one_outlier() {
    let x = [10.0, 11.0, 9.5, 10.5, 10.2, 9.8, 10.1, 9.9, 10.0, 50.0];
    let m = mean(&x).unwrap();
    let s = std_dev(&x).unwrap();
    assert_rel(m, 14.1, 1e-15, "mean");
    assert_eq!(median(&x).unwrap(), 10.05);
    assert_rel(s, 12.6205300117617, 1e-14, "sd");
    // The z-score Framework0 reported for 50.0 follows from these two.
    assert_rel((50.0 - m) / s, 2.844571501081413, 1e-15, "z of 50");
}

#[test]
fn numbers_csv_from_the_framework0_sample_data() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/framework0/data/numbers.csv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let x: Vec<f64> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(x.len(), 10);
    assert_eq!(mean(&x).unwrap(), 5.75);
    assert_eq!(median(&x).unwrap(), 5.75);
    assert_rel(std_dev(&x).unwrap(), 2.993047499344662, 1e-15, "sd");
}

#[test]
fn timing_p95_of_the_bottleneck_example() {
    // 19 calls of 100 ns and one of 5000 ns: exclusive p95 = 100 + 0.95·4900.
    let mut x = vec![100.0; 19];
    x.push(5000.0);
    assert_eq!(mean(&x).unwrap(), 345.0);
    assert_rel(
        quantile(&x, 0.95, PercentileMethod::Exclusive).unwrap(),
        4755.0,
        1e-15,
        "p95",
    );
}
