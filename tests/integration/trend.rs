//! Linear trend (Framework0 TrendAnalysis) and Holt smoothing against golden values
//! (tests/trend_fixtures/gen_trend_golden.py: SciPy linregress, statsmodels ETSModel).

use framework0::analyze::changepoint::{compute_change_points, HunterParams};
use framework0::analyze::error::StatsError;
use framework0::analyze::rng::Xoshiro256;
use framework0::analyze::special::normal_quantile;
use framework0::analyze::trend::*;
use golden::{close, floats};
use serde_json::Value;

use crate::util::golden;

const NS: i64 = 1_000_000_000;

fn fixture() -> Value {
    serde_json::from_str(include_str!("../trend_fixtures/trend_golden.json")).unwrap()
}

#[test]
fn framework0_golden_ramp() {
    let values: Vec<f64> = (0..10).map(|i| 10.0 * i as f64).collect();
    let ts: Vec<i64> = (0..10).map(|i| 1_700_000_000 * NS + i * NS).collect();
    let params = HunterParams::default();
    let t = analyze_trend("cpu_usage_total", &values, &ts, &params).unwrap();
    assert_eq!(t.metric_name, "cpu_usage_total");
    assert_eq!(t.trend_direction, TrendDirection::Increasing);
    assert!((t.slope - 10.0).abs() < 1e-12);
    assert!((t.r_squared - 1.0).abs() < 1e-12);
    // 3600 s after the last sample (t = 9 s): 10 · 3609.
    assert!((t.forecast_next_hour - 36_090.0).abs() < 1e-8);
    assert_eq!(t.forecast_confidence, t.r_squared.min(1.0));
    let cps: Vec<usize> = compute_change_points(&values, Some(&ts), &params)
        .unwrap()
        .iter()
        .map(|c| c.index)
        .collect();
    // E-divisive models piecewise-constant means, so a ramp is cut once in its middle.
    assert_eq!(cps, [5]);
    assert_eq!(t.change_points, cps);
    // Field order of COMPAT §4 in the serialized text.
    let text = serde_json::to_string(&t).unwrap();
    let keys = [
        "metric_name",
        "trend_direction",
        "slope",
        "r_squared",
        "change_points",
        "forecast_next_hour",
        "forecast_confidence",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json.as_object().unwrap().len(), keys.len());
    assert_eq!(json["trend_direction"], "increasing");
}

#[test]
fn direction_thresholds_and_change_points() {
    let ts: Vec<i64> = (0..40).map(|i| i * 60 * NS).collect();
    // A level step of 20 % at index 20 with tiny alternating noise: slope > 0 over time.
    let step: Vec<f64> = (0..40)
        .map(|i| if i < 20 { 100.0 } else { 120.0 } + if i % 2 == 0 { 0.1 } else { -0.1 })
        .collect();
    let t = analyze_trend("m", &step, &ts, &HunterParams::default()).unwrap();
    assert_eq!(t.change_points, [20]);
    assert_eq!(t.trend_direction, TrendDirection::Increasing);
    // 0.0005 per second is inside Framework0's stable band, −0.002 is not.
    let slow: Vec<f64> = (0..40).map(|i| 5.0 + 0.0005 * 60.0 * i as f64).collect();
    let line = linear_trend(&slow, &ts).unwrap();
    assert!((line.slope - 0.0005).abs() < 1e-12);
    assert_eq!(line.direction(), TrendDirection::Stable);
    let falling: Vec<f64> = (0..40).map(|i| 5.0 - 0.002 * 60.0 * i as f64).collect();
    assert_eq!(
        linear_trend(&falling, &ts).unwrap().direction(),
        TrendDirection::Decreasing
    );
}

#[test]
fn ols_line_and_prediction_interval_match_scipy() {
    for case in fixture()["ols"].as_array().unwrap() {
        let x = floats(&case["x"]);
        let y = floats(&case["y"]);
        let ts: Vec<i64> = x.iter().map(|s| (s * 1e9) as i64).collect();
        let line = linear_trend(&y, &ts).unwrap();
        let f = |k: &str| case[k].as_f64().unwrap();
        close(line.slope, f("slope"), 1e-12, "slope");
        close(line.intercept, f("intercept"), 1e-12, "intercept");
        close(line.r_squared, f("r_squared"), 1e-12, "r²");
        let p = line.predict(f("x0"), 0.95).unwrap();
        close(p.value, f("value"), 1e-12, "value");
        close(p.lower.unwrap(), f("lower"), 1e-11, "lower");
        close(p.upper.unwrap(), f("upper"), 1e-11, "upper");
    }
}

#[test]
fn linear_trend_rejects_degenerate_input() {
    assert_eq!(
        linear_trend(&[1.0, 2.0], &[5, 5]),
        Err(StatsError::Undefined {
            what: "linear trend",
            why: "all timestamps are equal"
        })
    );
    assert_eq!(
        linear_trend(&[1.0, 2.0, 3.0], &[0, 2]),
        Err(StatsError::LengthMismatch {
            values: 3,
            timestamps: 2
        })
    );
    assert!(matches!(
        linear_trend(&[1.0, 2.0, 3.0], &[0, 2, 1]),
        Err(StatsError::UnsortedTimestamps { index: 2, .. })
    ));
    let two = linear_trend(&[1.0, 3.0], &[0, NS]).unwrap();
    assert_eq!(two.predict(2.0, 0.9).unwrap().lower, None);
    assert!(matches!(
        two.predict(2.0, 1.0),
        Err(StatsError::InvalidParameter { name: "level", .. })
    ));
}

#[test]
fn holt_with_fixed_parameters_matches_statsmodels() {
    for case in fixture()["holt"].as_array().unwrap() {
        let y = floats(&case["series"]);
        let (a, b) = (
            case["alpha"].as_f64().unwrap(),
            case["beta"].as_f64().unwrap(),
        );
        let model = holt(
            &y,
            &HoltParams {
                alpha: Some(a),
                beta: Some(b),
            },
        )
        .unwrap();
        close(model.sse, case["sse"].as_f64().unwrap(), 1e-12, "sse");
        let fc = model.forecast(6, 0.95).unwrap();
        let want = floats(&case["forecast"]);
        let ratio = floats(&case["half_width_ratio"]);
        for (i, f) in fc.iter().enumerate() {
            assert_eq!(f.step, i + 1);
            close(f.value, want[i], 1e-12, "forecast");
            close(f.std_error / fc[0].std_error, ratio[i], 1e-12, "σ_h/σ_1");
            close(
                f.upper - f.value,
                normal_quantile(0.975) * f.std_error,
                1e-12,
                "half width",
            );
        }
        // Both parameters fixed: σ̂² = SSE / (n − 2).
        close(
            model.sigma,
            (model.sse / (y.len() - 2) as f64).sqrt(),
            1e-12,
            "σ̂",
        );
    }
}

#[test]
fn holt_fit_is_exact_on_a_line_and_beats_the_grid() {
    let line: Vec<f64> = (0..12).map(|i| 3.0 + 2.0 * i as f64).collect();
    let m = holt(&line, &HoltParams::default()).unwrap();
    assert!(m.sse < 1e-20);
    let fc = m.forecast(3, 0.95).unwrap();
    assert!((fc[2].value - (3.0 + 2.0 * 14.0)).abs() < 1e-9);
    assert!(fc[2].upper - fc[2].lower < 1e-9);

    let y = floats(&fixture()["holt"][0]["series"]);
    let fitted = holt(&y, &HoltParams::default()).unwrap();
    for i in 1..=20 {
        for j in 0..=20 {
            let (a, b) = (i as f64 * 0.05, j as f64 * 0.05);
            let g = holt(
                &y,
                &HoltParams {
                    alpha: Some(a),
                    beta: Some(b),
                },
            )
            .unwrap();
            assert!(fitted.sse <= g.sse + 1e-12, "grid ({a}, {b}) beats the fit");
        }
    }
    let only_beta = holt(
        &y,
        &HoltParams {
            alpha: Some(0.5),
            beta: None,
        },
    )
    .unwrap();
    assert_eq!(only_beta.alpha, 0.5);
    assert!((0.0..=1.0).contains(&only_beta.beta));
}

/// Simulates ETS(A,A,N) with α = 0.5, β = 0.1 (error-correction form) and N(0, 1) errors.
fn simulate(rng: &mut Xoshiro256, n: usize) -> Vec<f64> {
    let (mut level, mut trend) = (50.0, 0.3);
    (0..n)
        .map(|_| {
            let e = rng.standard_normal();
            let y = level + trend + e;
            level += trend + 0.5 * e;
            trend += 0.1 * e;
            y
        })
        .collect()
}

#[test]
fn holt_prediction_intervals_cover_at_the_nominal_rate() {
    // 400 simulated series of 60 points; the 95 % interval should hold the next value and the
    // one 4 steps ahead about 95 % of the time. Binomial sd of a rate over 400 trials ≈ 1.1 %;
    // fitted parameters make intervals slightly narrow, so the band is [0.90, 0.99].
    let mut rng = Xoshiro256::seed_from_u64(2024);
    let (mut hit1, mut hit4, trials) = (0, 0, 400);
    for _ in 0..trials {
        let y = simulate(&mut rng, 64);
        let model = holt(&y[..60], &HoltParams::default()).unwrap();
        let fc = model.forecast(4, 0.95).unwrap();
        hit1 += usize::from(fc[0].lower <= y[60] && y[60] <= fc[0].upper);
        hit4 += usize::from(fc[3].lower <= y[63] && y[63] <= fc[3].upper);
    }
    for (h, hits) in [(1, hit1), (4, hit4)] {
        let rate = hits as f64 / trials as f64;
        assert!((0.90..=0.99).contains(&rate), "h = {h}: coverage {rate}");
    }
}

#[test]
fn holt_rejects_bad_input() {
    assert_eq!(
        holt(&[1.0, 2.0, 3.0, 4.0], &HoltParams::default()),
        Err(StatsError::TooFew { needed: 5, got: 4 })
    );
    assert!(matches!(
        holt(
            &[1.0; 6],
            &HoltParams {
                alpha: Some(1.5),
                beta: None
            }
        ),
        Err(StatsError::InvalidParameter { name: "alpha", .. })
    ));
}
