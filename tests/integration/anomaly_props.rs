//! Property tests: every detector accepts any finite series without panicking and returns
//! JSON-clean, in-range results (or a typed error when the series is too short).

use framework0::analyze::anomaly::*;
use framework0::analyze::error::StatsError;
use proptest::prelude::*;

/// Any finite f64 (including subnormals and values near ±f64::MAX) mixed with ordinary ones.
fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        -1e3..1e3f64,
        Just(f64::MAX),
        Just(-f64::MAX),
    ]
}

const METHODS: [AnomalyMethod; 7] = [
    AnomalyMethod::Zscore,
    AnomalyMethod::ModifiedZscore,
    AnomalyMethod::Iqr,
    AnomalyMethod::IqrNearestRank,
    AnomalyMethod::Baseline,
    AnomalyMethod::Ewma,
    AnomalyMethod::IsolationForest,
];

fn check_points(values: &[f64], points: &[AnomalyPoint], method: AnomalyMethod) {
    let expected_len = if method == AnomalyMethod::Baseline {
        values.len().min(BASELINE_TAIL)
    } else {
        values.len()
    };
    assert_eq!(points.len(), expected_len, "{method:?}");
    for p in points {
        assert!(p.index < values.len());
        assert_eq!(p.value.to_bits(), values[p.index].to_bits());
        assert_eq!(p.method, method);
        assert!(
            (0.0..=1.0).contains(&p.confidence),
            "{method:?} confidence {}",
            p.confidence
        );
        assert!(
            p.baseline_value.is_finite() && p.deviation_magnitude.is_finite(),
            "{p:?}"
        );
        assert!(p.deviation_magnitude >= 0.0);
    }
    let json = serde_json::to_string(points).unwrap();
    assert!(!json.contains("null"), "{json}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn detectors_never_panic_and_stay_json_clean(
        values in prop::collection::vec(finite(), 0..60),
        sensitivity in 0.1..5.0f64,
    ) {
        let config = AnomalyConfig {
            sensitivity,
            isolation_forest: IsolationForestParams { trees: 20, ..Default::default() },
            ..Default::default()
        };
        for method in METHODS {
            match detect(&values, method, &config) {
                Ok(points) => check_points(&values, &points, method),
                Err(StatsError::Empty) => prop_assert!(values.is_empty()),
                Err(StatsError::TooFew { needed, got }) => {
                    prop_assert_eq!(got, values.len());
                    prop_assert!(got < needed);
                }
                Err(other) => prop_assert!(false, "{:?}: unexpected {}", method, other),
            }
        }
    }

    #[test]
    fn confidence_is_on_the_half_scale(
        values in prop::collection::vec(-1e6..1e6f64, 10..80),
        sensitivity in 0.2..4.0f64,
    ) {
        for method in [AnomalyMethod::Zscore, AnomalyMethod::ModifiedZscore, AnomalyMethod::Iqr,
                       AnomalyMethod::Baseline, AnomalyMethod::Ewma] {
            let config = AnomalyConfig { sensitivity, ..Default::default() };
            for p in detect(&values, method, &config).unwrap() {
                if p.is_anomaly {
                    prop_assert!(p.confidence >= 0.5, "{:?} {:?}", method, p);
                } else {
                    prop_assert!(p.confidence <= 0.5, "{:?} {:?}", method, p);
                }
            }
        }
    }

    #[test]
    fn non_finite_values_are_rejected_with_their_index(
        mut values in prop::collection::vec(-1e3..1e3f64, 12..40),
        at in 0usize..12,
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ) {
        values[at] = bad;
        for method in METHODS {
            match detect(&values, method, &AnomalyConfig::default()) {
                Err(StatsError::NonFinite { index, .. }) => prop_assert_eq!(index, at),
                other => prop_assert!(false, "{:?}: {:?}", method, other),
            }
        }
    }
}
