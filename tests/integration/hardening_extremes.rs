//! Statistics at the edges of `f64` (issue 13, item 7), held out against exact rational
//! arithmetic: series near `f64::MAX`, near the smallest normal and subnormal get the standard
//! deviation, skewness and kurtosis of their exact moments wherever those fit in `f64`.

use framework0::analyze::descriptive::{kurtosis, skewness, std_dev, variance, Moments};
use framework0::analyze::summary::{summarize, SummaryOptions};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use proptest::prelude::*;

fn exact(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite")
}

fn int(n: usize) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// `f64` of a positive rational, also where `to_f64` gives up (beyond the range or subnormal):
/// ±∞ above `f64::MAX`, and the nearest multiple of 2⁻¹⁰⁷⁴ below the normal range.
fn to_f64(r: &BigRational) -> f64 {
    if r.is_zero() {
        return 0.0;
    }
    let sign = if r.is_negative() { -1.0 } else { 1.0 };
    let a = r.abs();
    if a > exact(f64::MAX) {
        return sign * f64::INFINITY;
    }
    if a < exact(f64::MIN_POSITIVE) {
        // Count of 2⁻¹⁰⁷⁴ units, rounded to nearest (exact: at most 2⁵² of them).
        let units = (a * exact(2f64.powi(1000)) * exact(2f64.powi(74))).round();
        return sign * units.to_integer().to_f64().unwrap() * 5e-324;
    }
    sign * a.to_f64().unwrap()
}

/// `√r` for a positive rational: the `f64` root of the scaled value, then one exact Newton
/// step (error far below an ulp), rounded once.
fn exact_sqrt(r: &BigRational) -> f64 {
    // r = q · 4^k with q in the f64 range, so √r = √q · 2^k.
    let mut q = r.clone();
    let mut k = 0i32;
    let four = int(4);
    while q > exact(1e300) {
        q /= &four;
        k += 1;
    }
    while q < exact(1e-300) {
        q *= &four;
        k -= 1;
    }
    let s0 = exact(q.to_f64().unwrap().sqrt());
    let s1 = (&s0 + &q / &s0) / int(2);
    let root = s1 * exact(2f64.powi(k.signum())).pow(k.abs());
    to_f64(&root)
}

/// Exact reference: (sample variance, sample sd, G₁, G₂) of the given `f64` values.
struct Reference {
    variance: f64,
    sd: f64,
    skewness: Option<f64>,
    kurtosis: Option<f64>,
}

fn reference(values: &[f64]) -> Reference {
    let xs: Vec<BigRational> = values.iter().map(|&v| exact(v)).collect();
    let n = xs.len();
    let nr = int(n);
    let mean = xs.iter().sum::<BigRational>() / &nr;
    let moment = |k: i32| xs.iter().map(|x| (x - &mean).pow(k)).sum::<BigRational>() / &nr;
    let (m2, m3, m4) = (moment(2), moment(3), moment(4));
    let var = &m2 * &nr / int(n - 1);
    let constant = m2.is_zero();
    // G₁ = √(n(n−1))/(n−2) · m₃/m₂^{3/2}: the square of m₃/m₂^{3/2} is rational.
    let skewness = (!constant && n >= 3).then(|| {
        let g_sq = &m3 * &m3 / (&m2 * &m2 * &m2);
        let g = exact_sqrt(&g_sq) * if m3.is_negative() { -1.0 } else { 1.0 };
        let nf = n as f64;
        (nf * (nf - 1.0)).sqrt() / (nf - 2.0) * g
    });
    let kurtosis = (!constant && n >= 4).then(|| {
        let (a, b) = (int(n * n - 1), int(3 * (n - 1) * (n - 1)));
        let g2 = (a * &m4 / (&m2 * &m2) - b) / (int(n - 2) * int(n - 3));
        to_f64(&g2)
    });
    Reference {
        variance: to_f64(&var),
        sd: if constant { 0.0 } else { exact_sqrt(&var) },
        skewness,
        kurtosis,
    }
}

/// `got` within `rel` of `want`, or within two subnormal steps where `want` is below the normal
/// range (where every `f64` is a multiple of 2⁻¹⁰⁷⁴).
fn close(got: f64, want: f64, rel: f64, what: &str) {
    let ok = if want.is_infinite() {
        got == want
    } else if want.abs() < f64::MIN_POSITIVE {
        (got - want).abs() <= 2.0 * 5e-324
    } else {
        (got - want).abs() <= rel * want.abs()
    };
    assert!(ok, "{what}: got {got:e}, exact {want:e}");
}

fn check_against_exact(values: &[f64], what: &str) {
    let want = reference(values);
    close(
        std_dev(values).unwrap(),
        want.sd,
        1e-15,
        &format!("{what} sd"),
    );
    close(
        variance(values).unwrap(),
        want.variance,
        1e-15,
        &format!("{what} variance"),
    );
    for (got, want, stat) in [
        (skewness(values).ok().flatten(), want.skewness, "skewness"),
        (kurtosis(values).ok().flatten(), want.kurtosis, "kurtosis"),
    ] {
        match (got, want) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() <= 1e-12 * w.abs() + 1e-14,
                "{what} {stat}: got {g}, exact {w}"
            ),
            (None, None) => {}
            (g, w) => {
                if values.len() >= if stat == "skewness" { 3 } else { 4 } {
                    panic!("{what} {stat}: got {g:?}, exact {w:?}")
                }
            }
        }
    }
}

/// Series named in the issue, plus the far corners of the range.
fn edge_series() -> Vec<(&'static str, Vec<f64>)> {
    let max = f64::MAX;
    vec![
        (
            "near 1e308",
            vec![1e308, 1.1e308, 1.2e308, 1.05e308, 1.3e308],
        ),
        (
            "up to f64::MAX",
            vec![max, 0.9 * max, 0.5 * max, max, 0.1 * max],
        ),
        ("±f64::MAX", vec![-max, max, 0.0, max, -max / 3.0]),
        (
            "1e308 and one ulp",
            vec![1e308, 1e308, f64::from_bits(1e308f64.to_bits() + 1), 1e308],
        ),
        ("near 1e-308", vec![1e-308, 2e-308, 3e-308, 5e-308, 8e-308]),
        ("subnormal", vec![5e-324, 1e-323, 1.5e-323, 2e-323, 5e-323]),
        (
            "subnormal with zeros",
            vec![0.0, 5e-324, 0.0, 0.0, 1e-323, 0.0],
        ),
        (
            "smallest normal and subnormal",
            vec![f64::MIN_POSITIVE, 5e-324, f64::MIN_POSITIVE / 2.0, 0.0],
        ),
        (
            "1e-200 spread 1e-216",
            vec![1e-200, 1e-200 + 1e-216, 1e-200 - 3e-216, 1e-200],
        ),
        ("1e150 spread", vec![1e150, -2e150, 3e150, 1e149, 7e150]),
    ]
}

#[test]
fn extreme_series_get_the_exact_sd_skewness_and_kurtosis() {
    for (what, values) in edge_series() {
        check_against_exact(&values, what);
    }
}

#[test]
fn non_constant_series_near_1e308_no_longer_gets_sd_zero() {
    // Broke: d² overflowed, Σd² − (Σd)²/n was ∞ − ∞ = NaN and clamped to 0, so sd and variance
    // were 0 and skewness/kurtosis null for a series spread over 0.3e308.
    let x = [1e308, 1.1e308, 1.2e308, 1.05e308, 1.3e308];
    let m = Moments::new(&x).unwrap();
    let sd = m.std_dev().unwrap();
    assert!((sd - 1.2041594578792297e307).abs() < 1e293, "{sd:e}");
    assert_eq!(
        m.variance(),
        Some(f64::INFINITY),
        "1.4e614 is not representable"
    );
    assert!(m.skewness().is_some() && m.kurtosis().is_some());
}

#[test]
fn subnormal_series_no_longer_gets_sd_zero() {
    // Broke: every d² underflowed to 0, so a series of 5e-324 … 5e-323 had sd 0.
    let x = [5e-324, 1e-323, 1.5e-323, 2e-323, 5e-323];
    let sd = std_dev(&x).unwrap();
    assert!(sd > 0.0, "sd {sd:e}");
    assert_eq!(sd, reference(&x).sd);
    let tiny = [1e-308, 2e-308, 3e-308, 5e-308, 8e-308];
    assert!(std_dev(&tiny).unwrap() > 2e-308);
    assert!(skewness(&tiny).unwrap().is_some() && kurtosis(&tiny).unwrap().is_some());
}

#[test]
fn summary_of_extreme_series_keeps_shape_and_saturates_only_the_variance() {
    let x = [1e308, 1.1e308, 1.2e308, 1.05e308, 1.3e308];
    let s = summarize(&x, &SummaryOptions::default())
        .unwrap()
        .saturated();
    assert!(s.std_dev > 1e307, "{}", s.std_dev);
    assert_eq!(
        s.variance,
        f64::MAX,
        "the unrepresentable variance saturates for JSON"
    );
    assert!(s.skewness.is_some() && s.kurtosis.is_some());
    let mean_exact = exact_mean(&x);
    assert!(
        (s.mean - mean_exact).abs() <= 1e-15 * mean_exact,
        "{}",
        s.mean
    );
    let t = summarize(
        &[5e-324, 1e-323, 1.5e-323, 2e-323],
        &SummaryOptions::default(),
    )
    .unwrap();
    assert!(
        t.std_dev > 0.0 && t.variance == 0.0,
        "variance ~1e-646 underflows, sd does not"
    );
    assert!(t.skewness.is_some());
}

fn exact_mean(x: &[f64]) -> f64 {
    to_f64(&(x.iter().map(|&v| exact(v)).sum::<BigRational>() / int(x.len())))
}

/// Finite values of one of a few magnitudes, each scaled by 2^k for one k of the whole range.
fn scaled_series() -> impl Strategy<Value = Vec<f64>> {
    (
        prop::collection::vec(-1000.0f64..1000.0, 4..12),
        -1080i32..1020,
    )
        .prop_map(|(base, k)| {
            base.iter()
                .map(|v| v * 2f64.powi(k / 2) * 2f64.powi(k - k / 2))
                .filter(|v| v.is_finite())
                .collect::<Vec<f64>>()
        })
        .prop_filter("at least 4 values", |v| v.len() >= 4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn moments_match_exact_arithmetic_at_every_magnitude(x in scaled_series()) {
        check_against_exact(&x, &format!("{x:?}"));
    }

    #[test]
    fn power_of_two_scaling_commutes_with_sd_and_shape(
        base in prop::collection::vec(-1000.0f64..1000.0, 4..12),
        k in -900i32..900,
    ) {
        // All values stay normal, so x·2^k is exact and so must be sd(x)·2^k.
        let factor = 2f64.powi(k);
        let scaled: Vec<f64> = base.iter().map(|v| v * factor).collect();
        prop_assume!(scaled.iter().all(|v| *v == 0.0 || v.abs() >= f64::MIN_POSITIVE));
        let (m, ms) = (Moments::new(&base).unwrap(), Moments::new(&scaled).unwrap());
        prop_assert_eq!(ms.std_dev().unwrap(), m.std_dev().unwrap() * factor);
        prop_assert_eq!(ms.skewness(), m.skewness());
        prop_assert_eq!(ms.kurtosis(), m.kurtosis());
    }
}

mod zero_spread {
    //! A zero-spread series has no anomalies, for every detector and every constant.
    #![allow(clippy::approx_constant)] // 3.14 is the series, not an approximation of π

    use framework0::analyze::anomaly::{
        detect, ewma, isolation_forest, AnomalyConfig, AnomalyMethod, EwmaParams,
        IsolationForestParams,
    };
    use proptest::prelude::*;

    const CONSTANTS: [f64; 9] = [
        3.14,
        0.1,
        1.0 / 3.0,
        123_456.789,
        -2.718281828,
        0.0,
        1e308,
        -f64::MAX,
        5e-324,
    ];

    fn configs() -> Vec<AnomalyConfig> {
        let mut with_reference = AnomalyConfig::default();
        with_reference.ewma.reference_len = Some(5);
        let mut contaminated = AnomalyConfig::default();
        contaminated.isolation_forest.contamination = Some(0.1);
        let mut shewhart = AnomalyConfig::default();
        shewhart.ewma.lambda = 1.0;
        vec![
            AnomalyConfig::default(),
            with_reference,
            contaminated,
            shewhart,
        ]
    }

    fn flagged(values: &[f64], method: AnomalyMethod, config: &AnomalyConfig) -> Vec<usize> {
        detect(values, method, config)
            .unwrap()
            .into_iter()
            .filter(|p| p.is_anomaly)
            .map(|p| p.index)
            .collect()
    }

    #[test]
    fn no_detector_flags_a_point_of_a_constant_series() {
        for c in CONSTANTS {
            for n in [10, 11, 37, 200] {
                let values = vec![c; n];
                for config in configs() {
                    for method in AnomalyMethod::ALL {
                        let hits = flagged(&values, method, &config);
                        assert!(hits.is_empty(), "{method:?} on {n} × {c:e} flags {hits:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn ewma_no_longer_flags_a_constant_series_of_3_14_or_0_1() {
        // Broke: z_t = λ·3.14 + (1 − λ)·z_{t−1} drifts off 3.14 by rounding while σ = 0, so the
        // control limit was 0 and every point was flagged.
        for c in [3.14, 0.1] {
            let points = ewma(&[c; 20], 2.0, &EwmaParams::default()).unwrap();
            assert!(points
                .iter()
                .all(|p| !p.is_anomaly && p.deviation_magnitude == 0.0));
        }
    }

    #[test]
    fn isolation_forest_no_longer_flags_a_point_of_a_constant_series() {
        // Broke: the rolling-mean feature picked up rounding noise, so some point of a constant
        // series was isolated; with contamination, all tied scores were flagged.
        for contamination in [None, Some(0.1), Some(0.5)] {
            let params = IsolationForestParams {
                contamination,
                ..Default::default()
            };
            for c in [3.14, 0.1, 7.3] {
                let points = isolation_forest(&[c; 64], &params).unwrap();
                assert!(points.iter().all(|p| !p.is_anomaly && p.confidence == 0.0));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_constant_series_has_no_anomalies(
            c in prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
            n in 10usize..80,
            method in prop::sample::select(AnomalyMethod::ALL.to_vec()),
        ) {
            for config in configs() {
                prop_assert!(flagged(&vec![c; n], method, &config).is_empty());
            }
        }
    }
}

mod mann_whitney_small_samples {
    //! Mann–Whitney U: exact distribution for small samples without ties (as SciPy's
    //! `method="auto"`), normal approximation otherwise, and the result says which.

    use framework0::analyze::hypothesis::{mann_whitney_u, MannWhitneyMethod};
    use proptest::prelude::*;

    /// Brute force: min(2·P(U' ≥ u_max), 1) over every choice of `m` ranks out of `m + n`.
    fn enumerated_p(m: usize, n: usize, u_max: f64) -> f64 {
        let total = m + n;
        let (mut hits, mut all) = (0u64, 0u64);
        for mask in 0u32..(1 << total) {
            if mask.count_ones() as usize != m {
                continue;
            }
            let rank_sum: usize = (0..total)
                .filter(|b| mask >> b & 1 == 1)
                .map(|b| b + 1)
                .sum();
            let u = (rank_sum - m * (m + 1) / 2) as f64;
            all += 1;
            hits += u64::from(u >= u_max);
        }
        (2.0 * hits as f64 / all as f64).min(1.0)
    }

    #[test]
    fn seven_against_seven_uses_the_exact_p_not_the_normal_one() {
        // Broke: U = 47 of 49 gave the normal approximation's 0.00494; SciPy's exact answer is
        // 2·4/3432 = 0.00233.
        // Ranks {6, 9, …, 14} for x: R_x = 75, U_x = 75 − 28 = 47.
        let x = [6.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0];
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0];
        let r = mann_whitney_u(&x, &y).unwrap();
        assert_eq!(r.u, 47.0);
        assert_eq!(r.method, MannWhitneyMethod::Exact);
        assert!((r.p_value - 8.0 / 3432.0).abs() < 1e-15, "{}", r.p_value);
        assert!((r.p_value - 0.00233).abs() < 5e-6);
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["method"], "exact");
    }

    #[test]
    fn ties_or_two_large_samples_use_the_normal_approximation() {
        let tied = mann_whitney_u(&[1.0, 2.0, 2.0], &[3.0, 4.0, 5.0]).unwrap();
        assert_eq!(tied.method, MannWhitneyMethod::Asymptotic);
        let x: Vec<f64> = (0..9).map(f64::from).collect();
        let y: Vec<f64> = (0..9).map(|i| f64::from(i) + 0.5).collect();
        let large = mann_whitney_u(&x, &y).unwrap();
        assert_eq!(large.method, MannWhitneyMethod::Asymptotic);
        assert_eq!(serde_json::to_value(large).unwrap()["method"], "asymptotic");
        // One side ≤ 8 is enough (SciPy: exact unless both exceed 8).
        let y: Vec<f64> = (0..40).map(|i| f64::from(i) + 0.25).collect();
        assert_eq!(
            mann_whitney_u(&x[..8], &y).unwrap().method,
            MannWhitneyMethod::Exact
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn exact_p_equals_full_enumeration(
            (m, n) in (1usize..=8, 1usize..=8).prop_filter("≤ 14 points", |(m, n)| m + n <= 14),
            seed in any::<u64>(),
        ) {
            // Distinct values in a seeded random order, split into the two samples.
            let mut pool: Vec<f64> = (0..m + n).map(|i| i as f64 * 1.5 - 3.0).collect();
            let mut state = seed | 1;
            for i in (1..pool.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                pool.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let (x, y) = pool.split_at(m);
            let r = mann_whitney_u(x, y).unwrap();
            prop_assert_eq!(r.method, MannWhitneyMethod::Exact);
            let want = enumerated_p(m, n, r.u.max((m * n) as f64 - r.u));
            prop_assert!((r.p_value - want).abs() <= 1e-14, "{} vs {}", r.p_value, want);
        }
    }
}

#[test]
fn percentiles_between_opposite_extremes_no_longer_overflow() {
    // Broke: linear interpolation took b − a = +∞ between −f64::MAX and f64::MAX, so p50 of
    // (−MAX, MAX) was −∞ and every interior percentile of the summary was infinite.
    let max = f64::MAX;
    let s = summarize(&[-max, max], &SummaryOptions::default()).unwrap();
    assert_eq!(s.percentiles.get(50.0), Some(0.0));
    for (p, v) in s.percentiles.iter() {
        assert!(v.is_finite() && (-max..=max).contains(&v), "p{p} = {v}");
        assert!(
            (v - max * (p / 50.0 - 1.0)).abs() <= 1e-15 * max,
            "p{p} = {v:e}"
        );
    }
}
