//! The prediction-interval t-test of one new observation against a sample, and
//! `compare_samples`, which uses it when one side holds a single value (a step's wall time in
//! one run): a closed-form golden value, its false-positive rate under the null hypothesis by
//! simulation, and its properties.

use framework0::analyze::baseline::*;
use framework0::analyze::rng::Xoshiro256;
use proptest::prelude::*;

/// Two-sided p of Student's t with 4 degrees of freedom in closed form: with
/// s = t/√(t² + 4), P(|T| ≥ t) = 1 − 3s/2 + s³/2.
fn p_df4(t: f64) -> f64 {
    let s = t.abs() / (t * t + 4.0).sqrt();
    1.0 - 1.5 * s + 0.5 * s * s * s
}

#[test]
fn one_observation_against_five_matches_the_closed_form() {
    let sample = [10.0, 12.0, 11.0, 13.0, 9.0];
    let t = prediction_t_test(&sample, 15.0).unwrap();
    // x̄ = 11, s² = 2.5: t = 4 / (√2.5 · √(1 + 1/5)) = 4/√3.
    assert!((t.statistic - 4.0 / 3f64.sqrt()).abs() < 1e-12, "{t:?}");
    assert_eq!(t.df, 4.0);
    assert_eq!(t.mean_difference, 4.0);
    assert!(
        (t.p_value - p_df4(t.statistic)).abs() < 1e-10,
        "{} vs {}",
        t.p_value,
        p_df4(t.statistic)
    );
    assert!((t.p_value - 0.082_089).abs() < 1e-5);
    let below = prediction_t_test(&sample, 7.0).unwrap();
    assert!(
        (below.statistic + t.statistic).abs() < 1e-12 && (below.p_value - t.p_value).abs() < 1e-15
    );
    assert_eq!(prediction_t_test(&sample, 11.0).unwrap().p_value, 1.0);
}

#[test]
fn constant_samples_and_too_few_points_are_handled() {
    let flat = [5.0, 5.0, 5.0];
    assert_eq!(prediction_t_test(&flat, 5.0).unwrap().p_value, 1.0);
    let off = prediction_t_test(&flat, 5.5).unwrap();
    assert_eq!((off.p_value, off.statistic), (0.0, f64::MAX));
    assert!(prediction_t_test(&[1.0], 2.0).is_err());
    assert!(prediction_t_test(&[1.0, 2.0], f64::NAN).is_err());
    assert!(compare_samples(&[1.0], &[2.0], &CompareParams::default()).is_err());
}

#[test]
fn compare_samples_judges_a_single_candidate_with_the_prediction_interval() {
    let base = [60.0, 60.5, 59.5, 60.2, 59.8];
    let params = CompareParams::default();
    let slower = compare_samples(&base, &[120.0], &params).unwrap();
    assert_eq!(
        (slower.verdict, slower.test),
        (Verdict::Regressed, SignificanceTest::PredictionInterval)
    );
    assert!((slower.relative_change - 1.0).abs() < 1e-12);
    assert!(
        slower.interval.lower > 0.9 && slower.interval.upper < 1.1,
        "{:?}",
        slower.interval
    );
    let same = compare_samples(&base, &[60.3], &params).unwrap();
    assert_eq!(same.verdict, Verdict::Unchanged);
    let reversed = compare_samples(&[120.0], &base, &params).unwrap();
    assert_eq!(
        (reversed.verdict, reversed.test),
        (Verdict::Improved, SignificanceTest::PredictionInterval)
    );
    let both = compare_samples(&base, &[120.0, 121.0], &params).unwrap();
    assert_eq!(
        both.test,
        SignificanceTest::Welch,
        "two or more on each side: the chosen test"
    );
    assert_eq!(both, compare(&base, &[120.0, 121.0], &params).unwrap());
}

#[test]
fn under_the_null_the_prediction_test_rejects_at_rate_alpha() {
    const TRIALS: usize = 4000;
    let mut rng = Xoshiro256::seed_from_u64(7);
    let mut rejected = 0;
    for _ in 0..TRIALS {
        let sample: Vec<f64> = (0..5).map(|_| 100.0 + rng.standard_normal()).collect();
        let x = 100.0 + rng.standard_normal();
        rejected += usize::from(prediction_t_test(&sample, x).unwrap().p_value < 0.05);
    }
    let rate = rejected as f64 / TRIALS as f64;
    let tol = 3.0 * (0.05f64 * 0.95 / TRIALS as f64).sqrt();
    assert!(
        (rate - 0.05).abs() <= tol,
        "false-positive rate {rate} (±{tol})"
    );
}

proptest! {
    #[test]
    fn p_falls_as_the_observation_moves_away(
        sample in prop::collection::vec(-1e6f64..1e6, 2..20),
        step in 0.001f64..1e3,
    ) {
        let m = sample.iter().sum::<f64>() / sample.len() as f64;
        let near = prediction_t_test(&sample, m + step).unwrap();
        let far = prediction_t_test(&sample, m + 2.0 * step).unwrap();
        prop_assert!((0.0..=1.0).contains(&near.p_value) && (0.0..=1.0).contains(&far.p_value));
        prop_assert!(far.p_value <= near.p_value + 1e-12, "{near:?} {far:?}");
        prop_assert_eq!(near.df, (sample.len() - 1) as f64);
    }
}
