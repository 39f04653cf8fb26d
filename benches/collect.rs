//! Cost of the collectors on this machine:
//! - `system_sample/full`: one full sample of a primed `SystemMetricsCollector` (CPU, memory,
//!   swap, disk space and I/O, every network interface, this process, its own overhead);
//! - `alloc/*`: one 64-byte allocation + free through the system allocator and through
//!   `CountingAllocator` (the price of installing it as the global allocator).
//!
//! The 60 s background measurement is `examples/collect_overhead.rs`.
//!
//! Run: `cargo bench --bench collect`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use framework0::collect::{Collector, CountingAllocator, SystemMetricsCollector};

fn system_sample(c: &mut Criterion) {
    let mut col = SystemMetricsCollector::new("/").expect("statvfs /");
    let mut out = Vec::with_capacity(256);
    col.sample(&mut out).expect("priming sample");
    eprintln!("one sample = {} metrics", {
        out.clear();
        col.sample(&mut out).unwrap();
        out.len()
    });
    let mut g = c.benchmark_group("system_sample");
    g.bench_function("full", |b| {
        b.iter(|| {
            out.clear();
            col.sample(&mut out).unwrap();
            black_box(out.len())
        })
    });
    g.finish();
}

fn alloc(c: &mut Criterion) {
    let layout = Layout::from_size_align(64, 8).unwrap();
    let counting = CountingAllocator::new();
    let mut g = c.benchmark_group("alloc");
    g.bench_function("system_64b", |b| {
        b.iter(|| {
            // SAFETY: valid layout; freed with the same layout.
            unsafe {
                let p = System.alloc(black_box(layout));
                System.dealloc(black_box(p), layout);
            }
        })
    });
    g.bench_function("counting_64b", |b| {
        b.iter(|| {
            // SAFETY: valid layout; freed with the same layout.
            unsafe {
                let p = counting.alloc(black_box(layout));
                counting.dealloc(black_box(p), layout);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, system_sample, alloc);
criterion_main!(benches);
