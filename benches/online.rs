//! Per-point cost of the online detectors, side by side with the naive way of running the
//! batch z-score online: recomputing `anomaly::zscore` over the last 576 points for every new
//! point (what "scoring each point from its past" costs without incremental state). Run:
//! `cargo bench --bench online`; the ratio is the batch time over the online time.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use framework0::analyze::anomaly::zscore;
use framework0::analyze::online::{DetectorKind, DetectorSet, OnlineParams, DEFAULT_DETECTORS};
use framework0::analyze::rng::Xoshiro256;

const POINTS: usize = 10_000;
const WINDOW: usize = 576;

fn stream() -> Vec<f64> {
    let mut g = Xoshiro256::seed_from_u64(3);
    (0..POINTS)
        .map(|i| {
            let day = (i % 288) as f64 / 288.0 * std::f64::consts::TAU;
            50.0 + 20.0 * day.sin() + 2.0 * g.standard_normal()
        })
        .collect()
}

fn online(c: &mut Criterion) {
    let xs = stream();
    let mut group = c.benchmark_group("online 10k points");
    group.throughput(Throughput::Elements(POINTS as u64));
    group.sample_size(10);
    let mut sets: Vec<(String, Vec<DetectorKind>)> = DetectorKind::ALL
        .iter()
        .map(|&k| (k.name().to_owned(), vec![k]))
        .collect();
    sets.push(("default".to_owned(), DEFAULT_DETECTORS.to_vec()));
    for (name, kinds) in sets {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut set = DetectorSet::new(&kinds, &OnlineParams::default()).unwrap();
                for &x in &xs {
                    black_box(set.update(x).unwrap());
                }
            })
        });
    }
    group.bench_function("batch zscore over the last 576 points, per point", |b| {
        b.iter(|| {
            for end in 30..=xs.len() {
                let window = &xs[end.saturating_sub(WINDOW)..end];
                black_box(zscore(window, 2.0).unwrap().pop());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, online);
criterion_main!(benches);
