//! 10 million timed calls over 2 threads: counts reconcile exactly with what was recorded
//! (minus configured sampling, which is reported) and memory stays flat. Not timed.

use std::sync::{Arc, Barrier};

use framework0::metrics::{self, MemorySink, MetricFilter, MetricsConfiguration};
use framework0::performance_timer;
use framework0::util::procfs::resident_set_bytes;

const THREADS: u64 = 2;
const PER_THREAD: u64 = 5_000_000; // half to each timer
const WARMUP: u64 = 500_000;

#[performance_timer(metric_name = "vol_all")]
fn timed_all(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[performance_timer(metric_name = "vol_sampled")]
fn timed_sampled(x: u64) -> u64 {
    x.wrapping_add(7)
}

fn count(name: &str) -> (u64, u64) {
    metrics::snapshot()
        .into_iter()
        .find(|s| s.aggregation.metric_name == name)
        .map(|s| (s.aggregation.count, s.filtered.sampled_out))
        .unwrap_or((0, 0))
}

#[test]
fn ten_million_calls_reconcile_and_memory_stays_flat() {
    let _serial = crate::serial();
    let config = MetricsConfiguration {
        filters: vec![MetricFilter {
            sample_rate: 0.5,
            ..MetricFilter::new("vol_sampled")
        }],
        ..MetricsConfiguration::default()
    };
    let sink = MemorySink::with_limit(0);
    let handle = metrics::install(config, Box::new(sink.reader())).unwrap();
    let barrier = Arc::new(Barrier::new(THREADS as usize + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut acc = 0u64;
                for i in 0..PER_THREAD / 2 {
                    if i == WARMUP {
                        b.wait(); // warm-up done
                        b.wait(); // RSS measured
                    }
                    acc = acc
                        .wrapping_add(timed_all(i))
                        .wrapping_add(timed_sampled(i));
                }
                std::hint::black_box(acc);
            })
        })
        .collect();
    barrier.wait();
    metrics::flush();
    let rss_warm = resident_set_bytes().unwrap();
    barrier.wait();
    for w in workers {
        w.join().unwrap();
    }
    let rss_end = resident_set_bytes().unwrap();
    let (all, all_sampled_out) = count("vol_all");
    let (kept, sampled_out) = count("vol_sampled");
    let stats = handle.shutdown().unwrap();
    let half = THREADS * PER_THREAD / 2;
    assert_eq!(
        (all, all_sampled_out),
        (half, 0),
        "every unsampled call is counted"
    );
    assert_eq!(kept + sampled_out, half, "kept + reported sampling = calls");
    let sd = (half as f64 * 0.25).sqrt();
    assert!(
        (kept as f64 - half as f64 / 2.0).abs() < 6.0 * sd,
        "kept {kept}"
    );
    assert_eq!(
        stats.events_drained + stats.raw_dropped + stats.raw_thinned,
        all + kept,
        "{stats:?}"
    );
    assert_eq!(
        sink.written() + stats.raw_capped,
        stats.events_drained,
        "{stats:?}"
    );
    let growth = rss_end.saturating_sub(rss_warm);
    assert!(
        growth < 16 << 20,
        "RSS grew {growth} bytes after warm-up ({rss_warm} -> {rss_end})"
    );
}
