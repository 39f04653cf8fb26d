//! Moving averages and least-squares lines: hand-derived values, accuracy on awkward data, errors.

use crate::util::stats::assert_rel;

use framework0::analyze::error::StatsError;
use framework0::analyze::moving::{ema, ema_alpha_for_span, sma};
use framework0::analyze::regression::{ols, ols_through_origin};
use framework0::analyze::summation::sum;

#[test]
fn sma_averages_each_full_window() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(sma(&x, 2).unwrap(), vec![1.5, 2.5, 3.5, 4.5]);
    assert_eq!(sma(&x, 5).unwrap(), vec![3.0]);
    assert_eq!(sma(&x, 1).unwrap(), x.to_vec());
}

#[test]
fn sma_running_sum_does_not_drift_on_a_long_offset_series() {
    // 200 000 values around 1e8 with unit-scale wiggles; every 997th window is recomputed
    // directly with a compensated sum.
    let x: Vec<f64> = (0..200_000)
        .map(|i| 1e8 + (f64::from(i) * 0.37).sin() * 3.0 + f64::from(i % 7))
        .collect();
    let w = 250;
    let out = sma(&x, w).unwrap();
    assert_eq!(out.len(), x.len() - w + 1);
    for i in (0..out.len()).step_by(997).chain([out.len() - 1]) {
        let direct = sum(&x[i..i + w]) / w as f64;
        assert_rel(out[i], direct, 1e-15, &format!("window {i}"));
    }
}

#[test]
fn ema_follows_its_recurrence() {
    assert_eq!(ema(&[0.0, 2.0, 4.0], 0.5).unwrap(), vec![0.0, 1.0, 2.5]);
    assert_eq!(ema(&[3.0, -1.0, 7.0], 1.0).unwrap(), vec![3.0, -1.0, 7.0]);
    assert_eq!(ema_alpha_for_span(9.0).unwrap(), 0.2);
}

#[test]
fn moving_average_errors() {
    let err = sma(&[1.0, 2.0], 0).unwrap_err();
    assert!(
        matches!(&err, StatsError::InvalidParameter { name, .. } if *name == "window"),
        "{err:?}"
    );
    assert_eq!(
        sma(&[1.0, 2.0], 3),
        Err(StatsError::TooFew { needed: 3, got: 2 })
    );
    assert_eq!(sma(&[], 3), Err(StatsError::Empty));
    assert!(matches!(
        sma(&[1.0, f64::NAN, 2.0], 2),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
    for alpha in [0.0, -0.1, 1.5, f64::NAN] {
        let err = ema(&[1.0], alpha).unwrap_err();
        assert!(
            matches!(&err, StatsError::InvalidParameter { name, .. } if *name == "alpha"),
            "{err:?}"
        );
    }
    assert_eq!(ema(&[], 0.5), Err(StatsError::Empty));
    assert!(ema_alpha_for_span(0.5).is_err());
}

#[test]
fn ols_hand_derived_fit() {
    // x̄ = 2.5, ȳ = 3.75, Sxx = 5, Sxy = 3.5, Syy = 4.75 → b = 0.7, a = 2, RSS = 2.3.
    let fit = ols(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 5.0, 4.0]).unwrap();
    let s = (2.3f64 / 2.0).sqrt();
    let a = fit.intercept.unwrap();
    assert_rel(fit.slope.estimate, 0.7, 1e-15, "slope");
    assert_rel(a.estimate, 2.0, 1e-15, "intercept");
    assert_rel(fit.residual_std_dev, s, 1e-15, "residual sd");
    assert_rel(fit.slope.std_error, s / 5f64.sqrt(), 1e-15, "se slope");
    assert_rel(a.std_error, s * 1.5f64.sqrt(), 1e-15, "se intercept");
    assert_rel(fit.r_squared, 1.0 - 2.3 / 4.75, 1e-15, "r²");
    assert_eq!(fit.n, 4);
    assert_rel(fit.predict(10.0), 9.0, 1e-15, "predict");
}

#[test]
fn ols_centres_large_offsets() {
    // Epoch seconds: x ≈ 1.7e9 with a 100 s span; naive normal equations lose ~all digits here.
    let x: Vec<f64> = (0..100).map(|i| 1.7e9 + f64::from(i)).collect();
    let y: Vec<f64> = (0..100).map(|i| 5.0 + 0.25 * f64::from(i)).collect();
    let fit = ols(&x, &y).unwrap();
    assert_rel(fit.slope.estimate, 0.25, 1e-13, "slope");
    assert_rel(fit.predict(1.7e9 + 200.0), 55.0, 1e-13, "forecast");
    assert!(fit.residual_std_dev < 1e-6, "{}", fit.residual_std_dev);
}

#[test]
fn ols_through_origin_fit() {
    let fit = ols_through_origin(&[1.0, 2.0, 4.0], &[2.0, 4.0, 8.0]).unwrap();
    assert_eq!(fit.slope.estimate, 2.0);
    assert_eq!(fit.intercept, None);
    assert_eq!((fit.r_squared, fit.residual_std_dev), (1.0, 0.0));
    assert_eq!(fit.predict(3.0), 6.0);
}

#[test]
fn constant_response_has_zero_r_squared() {
    let fit = ols(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]).unwrap();
    assert_eq!((fit.slope.estimate, fit.r_squared), (0.0, 0.0));
    assert_eq!(
        ols_through_origin(&[1.0, 2.0], &[0.0, 0.0])
            .unwrap()
            .r_squared,
        0.0
    );
}

#[test]
fn regression_errors() {
    let err = ols(&[1.0, 2.0, 3.0], &[1.0, 2.0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid y `2 values`: accepted as many values as x (3)"
    );
    let err = ols(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).unwrap_err();
    assert!(
        matches!(&err, StatsError::InvalidParameter { name, .. } if *name == "x"),
        "{err:?}"
    );
    assert!(ols_through_origin(&[0.0, 0.0], &[1.0, 2.0]).is_err());
    assert_eq!(
        ols(&[1.0, 2.0], &[1.0, 2.0]),
        Err(StatsError::TooFew { needed: 3, got: 2 })
    );
    assert_eq!(
        ols_through_origin(&[1.0], &[1.0]),
        Err(StatsError::TooFew { needed: 2, got: 1 })
    );
    assert_eq!(ols(&[], &[]), Err(StatsError::Empty));
    assert!(matches!(
        ols(&[1.0, 2.0, 3.0], &[1.0, f64::INFINITY, 3.0]),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
}
