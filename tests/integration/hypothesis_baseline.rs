//! Baseline comparison API: Framework0 change bands, the interval, errors and JSON shape.

use framework0::analyze::baseline::*;
use framework0::analyze::error::StatsError;

#[test]
fn framework0_change_bands() {
    let c = |recent: f64, base: f64| framework0_change(recent, base).unwrap();
    assert_eq!(c(104.0, 100.0).severity, ChangeSeverity::Stable);
    assert!((c(104.0, 100.0).change_percent - 4.0).abs() < 1e-12);
    assert_eq!(c(110.0, 100.0).severity, ChangeSeverity::Medium);
    assert_eq!(c(105.0, 100.0).severity, ChangeSeverity::Medium);
    assert_eq!(c(75.0, 100.0).severity, ChangeSeverity::Medium);
    assert_eq!(c(126.0, 100.0).severity, ChangeSeverity::High);
    assert_eq!(c(50.0, 100.0).change_percent, -50.0);
    assert_eq!(c(50.0, 100.0).severity, ChangeSeverity::High);
    assert!(matches!(
        framework0_change(1.0, 0.0),
        Err(StatsError::Undefined { .. })
    ));
    assert!(matches!(
        framework0_change(f64::NAN, 1.0),
        Err(StatsError::NonFinite { index: 0, .. })
    ));
}

#[test]
fn interval_brackets_the_point_estimate_and_is_seeded() {
    let base = [10.0, 10.4, 9.7, 10.1, 9.9, 10.3, 10.0, 9.8];
    let cand = [11.0, 11.3, 10.8, 11.1, 11.4, 10.9, 11.2, 11.0];
    let a = bootstrap_relative_change(&base, &cand, 0.9, 1000, 7).unwrap();
    let b = bootstrap_relative_change(&base, &cand, 0.9, 1000, 7).unwrap();
    assert_eq!(a, b);
    let point = (cand.iter().sum::<f64>() - base.iter().sum::<f64>()) / base.iter().sum::<f64>();
    assert!(a.lower < point && point < a.upper, "{a:?} vs {point}");
    assert_eq!(a.level, 0.9);
    let wide = bootstrap_relative_change(&base, &cand, 0.99, 1000, 7).unwrap();
    assert!(wide.lower <= a.lower && wide.upper >= a.upper);
}

#[test]
fn comparison_serializes_with_snake_case_enums() {
    let base = [10.0, 10.4, 9.7, 10.1, 9.9, 10.3, 10.0, 9.8];
    let cand = [14.0, 14.3, 13.8, 14.1, 14.4, 13.9, 14.2, 14.0];
    let c = compare(&base, &cand, &CompareParams::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Regressed);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["verdict"], "regressed");
    assert_eq!(json["test"], "welch");
    // Means 10.025 and 14.0875: Δ = 4.0625 / 10.025.
    assert!((json["relative_change"].as_f64().unwrap() - 4.0625 / 10.025).abs() < 1e-12);
    let round_trip: Comparison = serde_json::from_value(json).unwrap();
    assert_eq!(round_trip, c);
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let ok = [1.0, 2.0, 3.0];
    assert!(matches!(
        compare(
            &ok,
            &ok,
            &CompareParams {
                alpha: 0.0,
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter { name: "alpha", .. })
    ));
    assert!(matches!(
        compare(
            &ok,
            &ok,
            &CompareParams {
                regression_threshold: -0.1,
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter {
            name: "regression_threshold",
            ..
        })
    ));
    assert!(matches!(
        compare(
            &ok,
            &ok,
            &CompareParams {
                resamples: 10,
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter {
            name: "resamples",
            ..
        })
    ));
    assert_eq!(
        bootstrap_relative_change(&[-1.0, 1.0], &ok, 0.95, 200, 1),
        Err(StatsError::Undefined {
            what: "relative change",
            why: "the baseline mean is 0"
        })
    );
    assert_eq!(
        compare(&[1.0], &ok, &CompareParams::default()),
        Err(StatsError::TooFew { needed: 2, got: 1 })
    );
    assert!(matches!(
        drift(&[1.0, 2.0], 0.05, false),
        Err(StatsError::TooFew { needed: 3, got: 2 })
    ));
}
