//! Framework0 parity goldens (shared/framework0/COMPAT.md §5) and exact hand-computed values.

use framework0::analyze::anomaly::*;
use framework0::analyze::error::StatsError;

const SERIES: [f64; 10] = [10.0, 11.0, 9.5, 10.5, 10.2, 9.8, 10.1, 9.9, 10.0, 50.0];

fn flagged(points: &[AnomalyPoint]) -> Vec<f64> {
    points
        .iter()
        .filter(|p| p.is_anomaly)
        .map(|p| p.value)
        .collect()
}

#[test]
fn zscore_flags_only_50_with_framework0_numbers() {
    let points = zscore(&SERIES, DEFAULT_SENSITIVITY).unwrap();
    assert_eq!(points.len(), 10);
    assert_eq!(flagged(&points), [50.0]);
    let p = &points[9];
    assert!((p.deviation_magnitude - 2.844571501081413).abs() < 1e-13);
    assert!((p.confidence - 0.7111428752703532).abs() < 1e-13);
    assert!((p.baseline_value - 14.1).abs() < 1e-13);
    assert_eq!(p.method, AnomalyMethod::Zscore);
}

#[test]
fn zscore_needs_ten_points() {
    assert_eq!(
        zscore(&SERIES[..9], 2.0),
        Err(StatsError::TooFew { needed: 10, got: 9 })
    );
}

#[test]
fn framework0_iqr_quartiles_and_distance() {
    let points = iqr_nearest_rank(&SERIES, DEFAULT_SENSITIVITY).unwrap();
    assert_eq!(flagged(&points), [50.0]);
    // q1 = sorted[2] = 9.9, q3 = sorted[7] = 10.5, k = 3: upper fence 10.5 + 3·0.6 = 12.3.
    let p = &points[9];
    assert!((p.deviation_magnitude - 37.7).abs() < 1e-12);
    // confidence = min(37.7 / (0.6 + 1), 1) = 1.
    assert_eq!(p.confidence, 1.0);
    assert!((p.baseline_value - 10.05).abs() < 1e-13);
    for q in &points[..9] {
        assert_eq!((q.deviation_magnitude, q.confidence), (0.0, 0.0));
    }
}

#[test]
fn tukey_iqr_uses_interpolated_quartiles() {
    // Type-7 quartiles of SERIES: q1 = 9.925, q3 = 10.425, IQR = 0.5, fence = 10.425 + 1.5 = 11.925.
    let points = iqr(&SERIES, DEFAULT_SENSITIVITY).unwrap();
    assert_eq!(flagged(&points), [50.0]);
    assert!((points[9].deviation_magnitude - (50.0 - 11.925)).abs() < 1e-12);
    // 11.0 sits 0.575 = 1.15 IQR above q3: inside (k = 3), confidence 1.15/6.
    assert!(!points[1].is_anomaly);
    assert!((points[1].confidence - 1.15 / 6.0).abs() < 1e-12);
    // Sensitivity 1 (k = 1.5): 11.0 is still inside (1.15 < 1.5); 50 outside.
    assert_eq!(flagged(&iqr(&SERIES, 1.0).unwrap()), [50.0]);
    // Sensitivity 0.5 (k = 0.75): 11.0 (1.15 IQR above q3) and 9.5 (0.85 below q1) now flag.
    assert_eq!(flagged(&iqr(&SERIES, 0.5).unwrap()), [11.0, 9.5, 50.0]);
}

#[test]
fn modified_zscore_iglewicz_hoaglin() {
    // median 10.05, |x − median| sorted: .05 .05 .05 .15 .15 .25 .45 .55 .95 39.95 → MAD 0.2.
    let points = modified_zscore(&SERIES, DEFAULT_SENSITIVITY).unwrap();
    assert_eq!(flagged(&points), [50.0]);
    let m = 0.6745 * 39.95 / 0.2;
    assert!((points[9].deviation_magnitude - m).abs() < 1e-9);
    assert_eq!(points[9].confidence, 1.0);
    // 9.5: M = 0.6745·0.55/0.2 = 1.854875 < 3.5.
    assert!((points[2].deviation_magnitude - 1.854875).abs() < 1e-12);
    assert!(!points[2].is_anomaly);
}

#[test]
fn baseline_evaluates_the_last_ten_against_the_median() {
    let mut series = vec![10.0; 15];
    series.extend([10.5, 9.5, 10.0, 13.0, 10.0]);
    let points = baseline_deviation(&series, DEFAULT_SENSITIVITY).unwrap();
    assert_eq!(points.len(), BASELINE_TAIL);
    assert_eq!(points[0].index, 10);
    assert_eq!(
        points
            .iter()
            .filter(|p| p.is_anomaly)
            .map(|p| p.index)
            .collect::<Vec<_>>(),
        [18]
    );
    let s = {
        let m = series.iter().sum::<f64>() / 20.0;
        (series.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 19.0).sqrt()
    };
    let p = &points[8];
    assert_eq!(p.baseline_value, 10.0);
    assert_eq!(p.deviation_magnitude, 3.0);
    assert!((p.confidence - (3.0 / (4.0 * s)).min(1.0)).abs() < 1e-12);
}

#[test]
fn ewma_limits_grow_with_time() {
    // Constant 0 then one value: centre 0, σ falls back to s. The first point's limit is
    // L·σ·λ (σ_z,1 = σλ), the asymptotic one L·σ·√(λ/(2−λ)).
    let mut series = vec![0.0; 30];
    series[0] = 1.0;
    let points = ewma(
        &series,
        DEFAULT_SENSITIVITY,
        &EwmaParams {
            lambda: 0.2,
            reference_len: None,
            limit: None,
        },
    )
    .unwrap();
    let s = (1.0f64 / 30.0 * (1.0 - 1.0 / 30.0) * 30.0 / 29.0).sqrt();
    // z_1 = 0.2, σ_z,1 = s·√(0.2/1.8·(1 − 0.64)) = 0.2·s.
    assert!((points[0].deviation_magnitude - 0.2 / (0.2 * s)).abs() < 1e-12);
    assert_eq!(points[0].is_anomaly, 1.0 / s > 3.0);
    // An explicit L replaces 1.5·sensitivity: the first ratio is 1/s = √30 ≈ 5.48.
    let with_limit = |l: f64| {
        let p = EwmaParams {
            limit: Some(l),
            ..Default::default()
        };
        ewma(&series, DEFAULT_SENSITIVITY, &p).unwrap()[0].is_anomaly
    };
    assert!(with_limit(5.4));
    assert!(!with_limit(5.5));
    assert!(matches!(
        ewma(
            &series,
            2.0,
            &EwmaParams {
                limit: Some(0.0),
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter { name: "limit", .. })
    ));
}

#[test]
fn bad_parameters_are_typed_errors() {
    assert!(matches!(
        zscore(&SERIES, 0.0),
        Err(StatsError::InvalidParameter {
            name: "sensitivity",
            ..
        })
    ));
    assert!(matches!(
        ewma(
            &SERIES,
            2.0,
            &EwmaParams {
                lambda: 1.5,
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter { name: "lambda", .. })
    ));
    assert!(matches!(
        ewma(
            &SERIES,
            2.0,
            &EwmaParams {
                reference_len: Some(2),
                ..Default::default()
            }
        ),
        Err(StatsError::InvalidParameter {
            name: "reference_len",
            ..
        })
    ));
    let bad = IsolationForestParams {
        contamination: Some(0.9),
        ..Default::default()
    };
    assert!(matches!(
        isolation_forest(&SERIES, &bad),
        Err(StatsError::InvalidParameter {
            name: "contamination",
            ..
        })
    ));
    assert_eq!(
        iqr(&[1.0, f64::NAN, 2.0, 3.0], 2.0)
            .unwrap_err()
            .to_string(),
        "non-finite value NaN at index 1: every value must be a finite number"
    );
    assert_eq!(modified_zscore(&[], 2.0), Err(StatsError::Empty));
}

#[test]
fn results_serialize_with_snake_case_methods() {
    let points = detect(
        &SERIES,
        AnomalyMethod::IqrNearestRank,
        &AnomalyConfig::default(),
    )
    .unwrap();
    let json = serde_json::to_value(&points[9]).unwrap();
    assert_eq!(json["method"], "iqr_nearest_rank");
    assert_eq!(json["index"], 9);
    assert_eq!(json["is_anomaly"], true);
    let names: Vec<String> = [
        AnomalyMethod::Zscore,
        AnomalyMethod::ModifiedZscore,
        AnomalyMethod::Iqr,
        AnomalyMethod::Baseline,
        AnomalyMethod::Ewma,
        AnomalyMethod::IsolationForest,
    ]
    .iter()
    .map(|m| {
        serde_json::to_value(m)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect();
    assert_eq!(
        names,
        [
            "zscore",
            "modified_zscore",
            "iqr",
            "baseline",
            "ewma",
            "isolation_forest"
        ]
    );
}
