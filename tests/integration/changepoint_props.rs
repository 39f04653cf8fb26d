//! Property tests of the change-point detectors.

use framework0::analyze::changepoint::*;
use proptest::prelude::*;

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        -100.0..100.0f64,
        (0i32..5).prop_map(|k| k as f64),
    ]
}

fn params() -> impl Strategy<Value = HunterParams> {
    (2usize..40, 1e-6..1.0f64, 0.0..0.5f64).prop_map(|(window_len, max_pvalue, min_magnitude)| {
        HunterParams {
            window_len,
            max_pvalue,
            min_magnitude,
        }
    })
}

fn indexes(cps: &[ChangePoint]) -> Vec<usize> {
    cps.iter().map(|c| c.index).collect()
}

fn check(values: &[f64], cps: &[ChangePoint]) {
    let idx = indexes(cps);
    assert!(
        idx.windows(2).all(|w| w[0] < w[1]),
        "not strictly sorted: {idx:?}"
    );
    for cp in cps {
        assert!(
            cp.index >= 1 && cp.index < values.len(),
            "{} out of 1..{}",
            cp.index,
            values.len()
        );
        assert!((0.0..=1.0).contains(&cp.p_value));
        for v in [
            cp.mean_before,
            cp.mean_after,
            cp.stddev_before,
            cp.stddev_after,
            cp.magnitude,
        ] {
            assert!(v.is_finite());
        }
    }
    assert!(!serde_json::to_string(cps).unwrap().contains("null"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hunter_points_are_sorted_in_range_and_clean(
        values in prop::collection::vec(finite(), 1..120),
        p in params(),
    ) {
        let cps = compute_change_points(&values, None, &p).unwrap();
        check(&values, &cps);
        // The merge step returns only when every remaining point is significant and larger
        // than the magnitude floor (as judged on the statistics it reports).
        for cp in &cps {
            prop_assert!(cp.p_value < p.max_pvalue, "{:?}", cp);
            prop_assert!(cp.magnitude > p.min_magnitude, "{:?}", cp);
        }
    }

    #[test]
    fn divisive_points_are_sorted_in_range_and_significant(
        values in prop::collection::vec(finite(), 1..80),
        max_pvalue in 1e-6..0.5f64,
    ) {
        let cps = divisive_ttest(&values, None, max_pvalue).unwrap();
        check(&values, &cps);
        // Each point passed the t-test on the interval it split when it was found.
        prop_assert!(cps.iter().all(|cp| cp.p_value <= max_pvalue));
    }

    #[test]
    fn power_of_two_scaling_does_not_move_change_points(
        values in prop::collection::vec(-1e6..1e6f64, 2..100),
        k in -20i32..20,
        p in params(),
    ) {
        let scaled: Vec<f64> = values.iter().map(|v| v * 2f64.powi(k)).collect();
        let a = compute_change_points(&values, None, &p).unwrap();
        let b = compute_change_points(&scaled, None, &p).unwrap();
        prop_assert_eq!(indexes(&a), indexes(&b));
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!(x.p_value, y.p_value);
        }
    }

    #[test]
    fn timestamps_are_attached_to_each_point(values in prop::collection::vec(-50.0..50.0f64, 2..60)) {
        let ts: Vec<i64> = (0..values.len() as i64).map(|i| 1_000 + 7 * i).collect();
        let cps = compute_change_points(&values, Some(&ts), &HunterParams { window_len: 10, max_pvalue: 0.2, min_magnitude: 0.0 }).unwrap();
        for cp in cps {
            prop_assert_eq!(cp.time, Some(ts[cp.index]));
        }
    }
}
