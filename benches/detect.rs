//! Timing of the detection half of the analysis engine (change points, anomaly detectors,
//! bootstrap comparison, Holt fit). Run: `cargo bench --bench detect`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::analyze::anomaly::{detect, AnomalyConfig, AnomalyMethod};
use framework0::analyze::baseline::{compare, CompareParams};
use framework0::analyze::changepoint::{compute_change_points, divisive_ttest, HunterParams};
use framework0::analyze::rng::Xoshiro256;
use framework0::analyze::trend::{holt, HoltParams};

fn tigerbeetle() -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/changepoint/tigerbeetle.csv"
    );
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1.trim().parse().unwrap())
        .collect()
}

fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut r = Xoshiro256::seed_from_u64(seed);
    (0..n).map(|_| 100.0 + r.standard_normal()).collect()
}

fn change_points(c: &mut Criterion) {
    let tb = tigerbeetle();
    let w30 = HunterParams {
        window_len: 30,
        max_pvalue: 0.01,
        min_magnitude: 0.05,
    };
    c.bench_function("hunter tigerbeetle 365 w30", |b| {
        b.iter(|| compute_change_points(black_box(&tb), None, &w30).unwrap())
    });
    c.bench_function("hunter tigerbeetle 365 defaults", |b| {
        b.iter(|| compute_change_points(black_box(&tb), None, &HunterParams::default()).unwrap())
    });
    c.bench_function("divisive_ttest tigerbeetle 365", |b| {
        b.iter(|| divisive_ttest(black_box(&tb), None, 0.001).unwrap())
    });
    let long = noise(10_000, 1);
    c.bench_function("hunter noise 10k defaults", |b| {
        b.iter(|| compute_change_points(black_box(&long), None, &HunterParams::default()).unwrap())
    });
}

fn anomalies(c: &mut Criterion) {
    let cfg = AnomalyConfig::default();
    let series = noise(10_000, 2);
    for method in [
        AnomalyMethod::Zscore,
        AnomalyMethod::Iqr,
        AnomalyMethod::Ewma,
        AnomalyMethod::IsolationForest,
    ] {
        c.bench_function(&format!("{method:?} 10k"), |b| {
            b.iter(|| detect(black_box(&series), method, &cfg).unwrap())
        });
    }
}

fn baselines(c: &mut Criterion) {
    let (base, cand) = (noise(30, 3), noise(30, 4));
    c.bench_function("compare 30 vs 30, 2000 resamples", |b| {
        b.iter(|| {
            compare(
                black_box(&base),
                black_box(&cand),
                &CompareParams::default(),
            )
            .unwrap()
        })
    });
    let series = noise(1000, 5);
    c.bench_function("holt fit 1000", |b| {
        b.iter(|| holt(black_box(&series), &HoltParams::default()).unwrap())
    });
}

criterion_group!(benches, change_points, anomalies, baselines);
criterion_main!(benches);
