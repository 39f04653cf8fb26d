//! Property tests: trend analysis accepts any finite series without panicking and returns
//! JSON-clean numbers.

use framework0::analyze::changepoint::HunterParams;
use framework0::analyze::error::StatsError;
use framework0::analyze::trend::*;
use proptest::prelude::*;

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        -1e3..1e3f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn trend_analysis_is_total_on_finite_input(
        values in prop::collection::vec(finite(), 2..60),
        step_ns in 1i64..10_000_000_000,
    ) {
        let ts: Vec<i64> = (0..values.len() as i64).map(|i| 1_700_000_000_000_000_000 + i * step_ns).collect();
        let t = analyze_trend("m", &values, &ts, &HunterParams::default()).unwrap();
        prop_assert!(t.slope.is_finite() && t.forecast_next_hour.is_finite());
        prop_assert!((0.0..=1.0).contains(&t.r_squared));
        prop_assert_eq!(t.forecast_confidence, t.r_squared);
        prop_assert!(!serde_json::to_string(&t).unwrap().contains("null"));
        let line = linear_trend(&values, &ts).unwrap();
        if values.len() > 2 {
            let p = line.predict(line.span_seconds + 60.0, 0.95).unwrap();
            let (lo, hi) = (p.lower.unwrap(), p.upper.unwrap());
            prop_assert!(lo <= p.value && p.value <= hi, "{:?}", p);
        }
    }

    #[test]
    fn holt_is_total_on_finite_input(values in prop::collection::vec(finite(), 0..40)) {
        match holt(&values, &HoltParams::default()) {
            Ok(model) => {
                prop_assert!((0.0..=1.0).contains(&model.alpha) && (0.0..=1.0).contains(&model.beta));
                for f in model.forecast(5, 0.9).unwrap() {
                    prop_assert!(f.value.is_finite() && f.std_error >= 0.0);
                    prop_assert!(f.lower <= f.value && f.value <= f.upper);
                }
            }
            Err(StatsError::Empty) => prop_assert!(values.is_empty()),
            Err(StatsError::TooFew { got, .. }) => prop_assert!(got < 5),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    #[test]
    fn exact_lines_are_recovered(
        a in -1e3..1e3f64,
        b in -10.0..10.0f64,
        n in 3usize..50,
    ) {
        let ts: Vec<i64> = (0..n as i64).map(|i| i * 500_000_000).collect();
        let values: Vec<f64> = (0..n).map(|i| a + b * 0.5 * i as f64).collect();
        let line = linear_trend(&values, &ts).unwrap();
        prop_assert!((line.slope - b).abs() <= 1e-9 * (1.0 + b.abs() + a.abs()));
        prop_assert!((line.intercept - a).abs() <= 1e-9 * (1.0 + a.abs() + b.abs() * n as f64));
    }
}
