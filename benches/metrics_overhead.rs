//! Overhead of `#[performance_timer]` on a ~10 µs workload, measured with interleaved
//! batches (plain, timed, clocked, ... in rotating order) so that load from other processes
//! hits every side alike. "Clocked" is the workload between two bare clock reads: the floor
//! of any timer. Prints the median and the lowest per-call time of each side and the overhead.
//!
//! Run: `cargo bench --bench metrics_overhead`

use std::hint::black_box;
use std::time::{Duration, Instant};

use framework0::metrics::{self, MemorySink, MetricsConfiguration};
use framework0::performance_timer;

#[inline(never)]
fn work(iters: u64) -> u64 {
    let mut a = 0u64;
    for i in 0..iters {
        a = black_box(a.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    a
}

/// The workload between two raw clock reads, their difference kept: the floor any timer
/// that reads the clock twice pays on this workload.
#[inline(never)]
fn clocked_work(iters: u64) -> u64 {
    let c = framework0::metrics::clock::clock();
    let a = c.raw();
    let r = work(iters);
    black_box(c.raw().wrapping_sub(a));
    r
}

#[performance_timer(metric_name = "overhead_work")]
#[inline(never)]
fn timed_work(iters: u64) -> u64 {
    work(iters)
}

/// Loop turns that take about 10 µs.
fn calibrate() -> u64 {
    let mut iters = 1000u64;
    loop {
        let t = Instant::now();
        for _ in 0..200 {
            black_box(work(iters));
        }
        let per = t.elapsed() / 200;
        if per >= Duration::from_micros(10) {
            return iters;
        }
        iters = iters * 10_500 / (per.as_nanos() as u64).max(1) + 1;
    }
}

/// Rounds per configuration, and calls per batch (three batches a round).
const ROUNDS: usize = 600;
const BATCH: u32 = 50;

fn batch(n: u32, f: impl Fn() -> u64) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // only under `cargo bench`
    }
    let iters = calibrate();
    // The default budget lets the flusher use 1% of a CPU; on a busy 2-core machine that CPU
    // is partly the workload's. Measure with the default and with a 0.1% budget.
    // A control row first: no pipeline installed (the timer is a flag check), which shows the
    // noise floor of the method.
    for limit in [None, Some(0.01), Some(0.001)] {
        let mut config = MetricsConfiguration::default();
        config.performance.collection_overhead_limit = limit.unwrap_or(0.01);
        let handle = limit.map(|_| {
            metrics::install(config, Box::new(MemorySink::with_limit(0))).expect("install pipeline")
        });
        let (mut plain, mut timed, mut clocked) = (Vec::new(), Vec::new(), Vec::new());
        // Paired ratios: each round's timed (clocked) batch against the same round's plain
        // batch, so drifts slower than a round cancel.
        let (mut timed_pct, mut clocked_pct) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            // Rotate which side goes first, so position effects cancel.
            let (mut p, mut t, mut c) = (0.0, 0.0, 0.0);
            for k in 0..3 {
                match (round + k) % 3 {
                    0 => p = batch(BATCH, || work(black_box(iters))),
                    1 => t = batch(BATCH, || timed_work(black_box(iters))),
                    _ => c = batch(BATCH, || clocked_work(black_box(iters))),
                }
            }
            plain.push(p);
            timed.push(t);
            clocked.push(c);
            timed_pct.push((t - p) / p * 100.0);
            clocked_pct.push((c - p) / p * 100.0);
        }
        let stats = handle
            .map(|h| h.shutdown().expect("shutdown"))
            .unwrap_or_default();
        let (pm, tm, cm) = (median(&mut plain), median(&mut timed), median(&mut clocked));
        let (pl, tl) = (plain[0], timed[0]);
        println!(
            "{}",
            serde_json::json!({
                "collection_overhead_limit": limit,
                "workload_iters": iters,
                "plain_median_ns": pm, "timed_median_ns": tm,
                "overhead_median_percent": (tm - pm) / pm * 100.0,
                "overhead_paired_median_percent": median(&mut timed_pct),
                "two_clock_reads_median_ns": cm,
                "two_clock_reads_overhead_median_percent": (cm - pm) / pm * 100.0,
                "two_clock_reads_paired_median_percent": median(&mut clocked_pct),
                "plain_min_ns": pl, "timed_min_ns": tl,
                "overhead_min_percent": (tl - pl) / pl * 100.0,
                "flusher_cpu_ms": stats.flush_cpu_ns as f64 / 1e6,
                "raw_written": stats.metrics_written,
                "raw_thinned": stats.raw_thinned,
            })
        );
    }
}
