//! 10 million timed calls over 2 threads with the default pipeline: wall time per call,
//! RSS before/after, and the pipeline's reconciliation counters. Prints one JSON object.
//!
//! Run: `cargo bench --bench metrics_volume`

use std::time::Instant;

use framework0::metrics::{self, MemorySink, MetricsConfiguration};
use framework0::performance_timer;
use framework0::util::procfs::resident_set_bytes;

const THREADS: u64 = 2;
const PER_THREAD: u64 = 5_000_000;

#[performance_timer(metric_name = "volume_call")]
#[inline(never)]
fn call(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_mul(31))
}

fn mib(bytes: u64) -> f64 {
    (bytes as f64 / 1048576.0 * 10.0).round() / 10.0
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // only under `cargo bench`, not when `cargo test --all-targets` runs benches
    }
    let sink = MemorySink::with_limit(0);
    let handle =
        metrics::install(MetricsConfiguration::default(), Box::new(sink.reader())).unwrap();
    let rss_start = resident_set_bytes();
    let t0 = Instant::now();
    let mut rss_samples = Vec::new();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            std::thread::spawn(|| {
                let mut acc = 0u64;
                for i in 0..PER_THREAD {
                    acc = acc.wrapping_add(call(i));
                }
                acc
            })
        })
        .collect();
    while !workers.iter().all(|w| w.is_finished()) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        rss_samples.push(resident_set_bytes().unwrap_or(0));
    }
    for w in workers {
        std::hint::black_box(w.join().unwrap());
    }
    let elapsed = t0.elapsed();
    let count = metrics::snapshot()
        .into_iter()
        .find(|s| s.aggregation.metric_name == "volume_call")
        .map(|s| s.aggregation.count)
        .unwrap_or(0);
    let stats = handle.shutdown().unwrap();
    let calls = THREADS * PER_THREAD;
    let report = serde_json::json!({
        "calls": calls,
        "counted": count,
        "reconciled": count == calls,
        "wall_ns_per_call_per_thread": elapsed.as_nanos() as f64 / (calls / THREADS) as f64,
        "rss_start_mib": mib(rss_start.unwrap_or(0)),
        "rss_every_50ms_mib": rss_samples.iter().map(|&b| mib(b)).collect::<Vec<_>>(),
        "rss_end_mib": mib(resident_set_bytes().unwrap_or(0)),
        "sink_written": sink.written(),
        "stats": stats,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
