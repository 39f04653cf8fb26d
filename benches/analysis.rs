//! Criterion benches of the statistics in `src/analyze/`.
//!
//! `cargo bench --bench analysis` (add a filter such as `quantiles_select_vs_sort` to run one
//! group). The select-vs-sort group is what `OrderStrategy::Auto`'s thresholds were read from.

use std::hint::black_box;
use std::time::Duration;

#[path = "analysis_support/latencies.rs"]
mod latencies;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use framework0::analyze::descriptive::{mean, std_dev, Moments};
use framework0::analyze::hdr::HdrQuantiles;
use framework0::analyze::moving::{ema, sma};
use framework0::analyze::order::OrderStrategy;
use framework0::analyze::quantile::{quantiles_with, PercentileMethod};
use framework0::analyze::regression::ols;
use framework0::analyze::summary::{summarize, SummaryOptions};
use latencies::latencies;

fn probabilities(m: usize) -> Vec<f64> {
    (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect()
}

fn select_vs_sort(c: &mut Criterion) {
    let mut group = c.benchmark_group("quantiles_select_vs_sort");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for n in [16usize, 64, 256, 1024, 4096, 65_536, 1 << 20] {
        let x = latencies(n);
        for m in [1usize, 5, 20, 60] {
            let ps = probabilities(m);
            for strategy in [OrderStrategy::Sort, OrderStrategy::Select] {
                let id = BenchmarkId::new(format!("{strategy:?}/m={m}"), n);
                group.bench_with_input(id, &x, |b, x| {
                    b.iter(|| {
                        quantiles_with(black_box(x), &ps, PercentileMethod::Linear, strategy)
                            .unwrap()
                    })
                });
            }
        }
    }
    group.finish();
}

fn one_million(c: &mut Criterion) {
    let x = latencies(1 << 20);
    let t: Vec<f64> = (0..x.len()).map(|i| i as f64).collect();
    let mut group = c.benchmark_group("one_million");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.bench_function("summarize", |b| {
        b.iter(|| summarize(black_box(&x), &SummaryOptions::default()).unwrap())
    });
    group.bench_function("mean", |b| b.iter(|| mean(black_box(&x)).unwrap()));
    group.bench_function("std_dev", |b| b.iter(|| std_dev(black_box(&x)).unwrap()));
    group.bench_function("moments", |b| {
        b.iter(|| Moments::new(black_box(&x)).unwrap())
    });
    group.bench_function("ols", |b| {
        b.iter(|| ols(black_box(&t), black_box(&x)).unwrap())
    });
    group.bench_function("sma_100", |b| b.iter(|| sma(black_box(&x), 100).unwrap()));
    group.bench_function("ema", |b| b.iter(|| ema(black_box(&x), 0.1).unwrap()));
    group.bench_function("hdr_3_digits", |b| {
        b.iter(|| {
            HdrQuantiles::from_values(black_box(&x), 3, 1.0)
                .unwrap()
                .quantiles(&[0.5, 0.9, 0.95, 0.99, 0.999])
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, select_vs_sort, one_million);
criterion_main!(benches);
