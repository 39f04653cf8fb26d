//! Property tests of the hypothesis tests.

use framework0::analyze::hypothesis::*;
use proptest::prelude::*;

/// Values on a grid of quarter units, so distinct inputs stay distinct after the transforms.
fn grid_sample(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-4000i32..4000).prop_map(|k| k as f64 / 4.0), 2..max_len)
}

/// Strictly increasing maps on [-1000, 1000].
fn transforms() -> Vec<fn(f64) -> f64> {
    vec![
        |x| 3.0 * x - 7.0,
        |x| (x / 250.0).exp(),
        |x| x * x * x + x,
        |x| (x + 1001.0).ln(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn welch_p_in_unit_interval_and_symmetric(x in grid_sample(40), y in grid_sample(40)) {
        let a = welch_t_test(&x, &y).unwrap();
        let b = welch_t_test(&y, &x).unwrap();
        prop_assert!((0.0..=1.0).contains(&a.p_value), "p = {}", a.p_value);
        prop_assert_eq!(a.p_value, b.p_value);
        prop_assert_eq!(a.statistic, -b.statistic);
        prop_assert_eq!(a.df, b.df);
    }

    #[test]
    fn mann_whitney_is_rank_invariant_and_symmetric(x in grid_sample(30), y in grid_sample(30)) {
        let base = mann_whitney_u(&x, &y).unwrap();
        prop_assert!((0.0..=1.0).contains(&base.p_value));
        for f in transforms() {
            let (fx, fy): (Vec<f64>, Vec<f64>) = (x.iter().map(|&v| f(v)).collect(), y.iter().map(|&v| f(v)).collect());
            let t = mann_whitney_u(&fx, &fy).unwrap();
            prop_assert_eq!(t, base);
        }
        let swapped = mann_whitney_u(&y, &x).unwrap();
        prop_assert_eq!(swapped.p_value, base.p_value);
        prop_assert_eq!(swapped.u + base.u, (x.len() * y.len()) as f64);
    }

    #[test]
    fn mann_kendall_reversal_negates_s(x in grid_sample(40)) {
        prop_assume!(x.len() >= 3);
        let fwd = mann_kendall(&x).unwrap();
        let rev: Vec<f64> = x.iter().rev().copied().collect();
        let back = mann_kendall(&rev).unwrap();
        prop_assert_eq!(fwd.s, -back.s);
        prop_assert_eq!(fwd.p_value, back.p_value);
        prop_assert!((0.0..=1.0).contains(&fwd.p_value));
        prop_assert!((-1.0..=1.0).contains(&fwd.tau));
    }

    #[test]
    fn tests_accept_any_finite_values(
        x in prop::collection::vec(prop::num::f64::NORMAL | prop::num::f64::ZERO, 2..20),
        y in prop::collection::vec(prop::num::f64::NORMAL | prop::num::f64::ZERO, 2..20),
    ) {
        let w = welch_t_test(&x, &y).unwrap();
        prop_assert!((0.0..=1.0).contains(&w.p_value) && w.statistic.is_finite() && w.df.is_finite());
        let m = mann_whitney_u(&x, &y).unwrap();
        prop_assert!((0.0..=1.0).contains(&m.p_value));
        if x.len() >= 3 {
            let k = mann_kendall(&x).unwrap();
            prop_assert!((0.0..=1.0).contains(&k.p_value) && k.sen_slope.is_finite());
        }
    }
}
