//! Per-call cost of `#[performance_timer]` against, in the same run: the plain function, two
//! clock reads, a `metrics`-crate histogram record through a real recorder (metrics-util's
//! `DebuggingRecorder`: a registry of `AtomicBucket` histograms; no sockets), and a direct
//! hdrhistogram record. Also the overhead on a ~10 µs workload.
//!
//! Run: `cargo bench --bench metrics_timer`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::metrics::{self as f0m, clock::clock, MemorySink, MetricsConfiguration};
use framework0::performance_timer;

#[inline(never)]
fn plain(x: u64) -> u64 {
    black_box(x)
}

#[performance_timer(metric_name = "bench_empty")]
#[inline(never)]
fn timed(x: u64) -> u64 {
    black_box(x)
}

/// Spins for about `iters` loop turns (calibrated to ~10 µs below).
#[inline(never)]
fn work(iters: u64) -> u64 {
    let mut a = 0u64;
    for i in 0..iters {
        a = black_box(a.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    a
}

#[performance_timer(metric_name = "bench_work")]
#[inline(never)]
fn timed_work(iters: u64) -> u64 {
    work(iters)
}

fn calibrate_10us() -> u64 {
    let mut iters = 1000u64;
    loop {
        let t = Instant::now();
        for _ in 0..100 {
            black_box(work(iters));
        }
        let per = t.elapsed() / 100;
        if per >= Duration::from_micros(10) {
            return iters;
        }
        iters = iters * 10_000 / (per.as_nanos() as u64).max(1) + 1;
    }
}

fn per_call(c: &mut Criterion) {
    let info = f0m::clock_info();
    eprintln!("clock: {info:?}");
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    recorder.install().expect("install metrics recorder");
    let mh = metrics::histogram!("bench_metrics_crate");
    let mut hdr = hdrhistogram::Histogram::<u64>::new(3).unwrap();
    let mut g = c.benchmark_group("per_call");
    g.bench_function("plain_fn", |b| b.iter(|| plain(black_box(1))));
    g.bench_function("two_clock_reads", |b| {
        let c = clock();
        b.iter(|| {
            let a = c.raw();
            black_box(a);
            black_box(c.raw())
        })
    });
    g.bench_function("two_instant_reads", |b| {
        b.iter(|| {
            let t = Instant::now();
            black_box(t);
            black_box(Instant::now())
        })
    });
    g.bench_function("timer_disabled", |b| b.iter(|| timed(black_box(1))));
    let sink = MemorySink::with_limit(0);
    let handle = f0m::install(MetricsConfiguration::default(), Box::new(sink)).unwrap();
    g.bench_function("performance_timer", |b| b.iter(|| timed(black_box(1))));
    g.bench_function("metrics_crate_histogram_record", |b| {
        b.iter(|| mh.record(black_box(120.0)))
    });
    g.bench_function("metrics_crate_timed_call", |b| {
        b.iter(|| {
            let t = Instant::now();
            let r = plain(black_box(1));
            mh.record(t.elapsed());
            r
        })
    });
    g.bench_function("hdrhistogram_record", |b| {
        b.iter(|| hdr.record(black_box(120)).unwrap())
    });
    g.finish();
    let stats = handle.shutdown().unwrap();
    eprintln!("pipeline stats after per_call: {stats:?}");
}

fn overhead_10us(c: &mut Criterion) {
    let iters = calibrate_10us();
    let handle = f0m::install(
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    )
    .unwrap();
    let mut g = c.benchmark_group("workload_10us");
    g.bench_function("plain", |b| b.iter(|| work(black_box(iters))));
    g.bench_function("timed", |b| b.iter(|| timed_work(black_box(iters))));
    g.finish();
    handle.shutdown().unwrap();
}

criterion_group!(benches, per_call, overhead_10us);
criterion_main!(benches);
