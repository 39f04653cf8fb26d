//! Property tests of the descriptive statistics, quantiles, moving averages and regression.

use framework0::analyze::descriptive::{max, mean, median, min, mode, std_dev, variance, Moments};
use framework0::analyze::moving::{ema, sma};
use framework0::analyze::order::OrderStrategy;
use framework0::analyze::quantile::{quantile, quantiles_with, PercentileMethod};
use framework0::analyze::regression::ols;
use proptest::prelude::*;

/// Series mixing magnitudes, with repeated values likely.
fn series(min_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![-1e6f64..1e6, -1.0f64..1.0, (-20i32..20).prop_map(f64::from)],
        min_len..300,
    )
}

fn any_method() -> impl Strategy<Value = PercentileMethod> {
    prop::sample::select(PercentileMethod::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mean_and_median_lie_within_min_and_max(x in series(1)) {
        let (lo, hi) = (min(&x).unwrap(), max(&x).unwrap());
        let m = mean(&x).unwrap();
        prop_assert!(lo <= m && m <= hi, "{lo} <= {m} <= {hi}");
        let md = median(&x).unwrap();
        prop_assert!(lo <= md && md <= hi);
    }

    #[test]
    fn variance_is_non_negative_and_shift_invariant(x in series(2), shift in -1e6f64..1e6) {
        let v = variance(&x).unwrap();
        prop_assert!(v >= 0.0);
        let shifted: Vec<f64> = x.iter().map(|&xi| xi + shift).collect();
        let vs = variance(&shifted).unwrap();
        // Each shifted value is rounded by at most u·|xᵢ + c|, which moves every deviation by at
        // most e; the variance then moves by at most 2·s·e + e² (plus its own rounding).
        let peak = x.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        let e = 2.0 * f64::EPSILON * (shift.abs() + peak);
        let tolerance = 2.0 * (4.0 * v.sqrt() * e + e * e) + 1e-13 * v;
        prop_assert!((vs - v).abs() <= tolerance, "{v} vs shifted {vs} (tolerance {tolerance})");
    }

    #[test]
    fn scaling_by_a_power_of_two_is_exact(x in series(4)) {
        let doubled: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
        prop_assert_eq!(variance(&doubled).unwrap(), 4.0 * variance(&x).unwrap());
        prop_assert_eq!(std_dev(&doubled).unwrap(), 2.0 * std_dev(&x).unwrap());
        let (m, md) = (Moments::new(&x).unwrap(), Moments::new(&doubled).unwrap());
        prop_assert_eq!(m.skewness(), md.skewness());
    }

    #[test]
    fn quantiles_are_monotone_in_p_and_within_range(
        x in series(1),
        mut ps in prop::collection::vec(0.0f64..=1.0, 1..12),
        method in prop::sample::select(PercentileMethod::ALL[..9].to_vec()),
    ) {
        ps.sort_by(f64::total_cmp);
        let q = quantiles_with(&x, &ps, method, OrderStrategy::Auto).unwrap();
        let (lo, hi) = (min(&x).unwrap(), max(&x).unwrap());
        for pair in q.windows(2) {
            prop_assert!(pair[0] <= pair[1], "{method}: {q:?} at {ps:?}");
        }
        // The nine Hyndman–Fan methods (ALL[..9]) never leave the sample's range.
        prop_assert!(q.iter().all(|&v| lo <= v && v <= hi), "{method}: {q:?} outside [{lo}, {hi}]");
        prop_assert_eq!(quantile(&x, 0.0, method).unwrap(), lo);
        prop_assert_eq!(quantile(&x, 1.0, method).unwrap(), hi);
    }

    #[test]
    fn selection_equals_sorting(
        x in series(1),
        ps in prop::collection::vec(0.0f64..=1.0, 1..12),
        method in any_method(),
    ) {
        let sorted = quantiles_with(&x, &ps, method, OrderStrategy::Sort).unwrap();
        let selected = quantiles_with(&x, &ps, method, OrderStrategy::Select).unwrap();
        prop_assert_eq!(sorted, selected);
    }

    #[test]
    fn the_mode_occurs_at_least_as_often_as_any_value(x in series(1)) {
        let count = |v: f64| x.iter().filter(|&&y| y == v).count();
        match mode(&x).unwrap() {
            Some(m) => prop_assert!(x.iter().all(|&v| count(v) <= count(m) && (count(v) < count(m) || m <= v))),
            None => prop_assert!(x.iter().all(|&v| count(v) == 1)),
        }
    }

    #[test]
    fn moving_averages_of_a_constant_are_that_constant(
        c in -1e9f64..1e9, n in 1usize..200, window in 1usize..50, alpha in 0.001f64..=1.0,
    ) {
        let x = vec![c; n];
        prop_assert!(ema(&x, alpha).unwrap().iter().all(|&v| v == c));
        if window <= n {
            let out = sma(&x, window).unwrap();
            prop_assert_eq!(out.len(), n - window + 1);
            prop_assert!(out.iter().all(|&v| v == c));
        }
    }

    #[test]
    fn sma_lies_within_each_window(x in series(1), window in 1usize..40) {
        prop_assume!(window <= x.len());
        for (i, v) in sma(&x, window).unwrap().into_iter().enumerate() {
            let w = &x[i..i + window];
            let (lo, hi) = (min(w).unwrap(), max(w).unwrap());
            let slack = 4.0 * f64::EPSILON * (lo.abs().max(hi.abs()) + x[0].abs());
            prop_assert!(lo - slack <= v && v <= hi + slack, "window {i}: {v} outside [{lo}, {hi}]");
        }
    }

    #[test]
    fn ols_recovers_an_exact_line(
        a in -1000i32..1000, b in -100i32..100, start in -1e4f64..1e4, n in 3usize..100,
    ) {
        let x: Vec<f64> = (0..n).map(|i| start + i as f64 * 0.5).collect();
        let y: Vec<f64> = x.iter().map(|&xi| f64::from(a) + f64::from(b) * xi).collect();
        let fit = ols(&x, &y).unwrap();
        let scale = f64::from(a).abs() + f64::from(b).abs() * (start.abs() + n as f64);
        prop_assert!((fit.slope.estimate - f64::from(b)).abs() <= 1e-12 * (scale + 1.0));
        prop_assert!((fit.intercept.unwrap().estimate - f64::from(a)).abs() <= 1e-10 * (scale + 1.0) * (start.abs() + 1.0));
        prop_assert!(fit.residual_std_dev <= 1e-12 * (scale + 1.0));
    }
}
