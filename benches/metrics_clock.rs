//! Clock read cost on this machine: quanta's TSC read, `std::time::Instant::now()`, and the
//! clock this crate chose (`framework0::metrics::clock::clock().raw()`).
//!
//! Run: `cargo bench --bench metrics_clock`

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::metrics::clock::{clock, kernel_clocksource};

fn clocks(c: &mut Criterion) {
    eprintln!(
        "kernel clocksource: {:?}; chosen: {:?}",
        kernel_clocksource(),
        clock().info()
    );
    let q = quanta::Clock::new();
    let mut g = c.benchmark_group("clock_read");
    g.bench_function("quanta_raw", |b| b.iter(|| black_box(q.raw())));
    g.bench_function("quanta_now", |b| b.iter(|| black_box(q.now())));
    g.bench_function("std_instant_now", |b| b.iter(|| black_box(Instant::now())));
    g.bench_function("framework0_clock_raw", |b| {
        let c = clock();
        b.iter(|| black_box(c.raw()))
    });
    g.finish();
}

criterion_group!(benches, clocks);
criterion_main!(benches);
