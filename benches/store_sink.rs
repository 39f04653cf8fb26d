//! The metrics pipeline's store sink: samples per second through `StoreSink::write_batch`
//! (what the collectors' writer calls), in batches of 10,000 samples over 10 series, one
//! transaction per batch, against the same rows inserted by the bare SQLite floor (one
//! prepared single-row INSERT into a table without indexes) in the same run.
//!
//! Run: `cargo bench --bench store_sink -- [SAMPLES]` (default 1,000,000). Prints the median
//! of 3 runs of each and the ratio.

use std::time::Instant;

use framework0::metrics::{MetricSink, MetricType, MetricUnit, PerformanceMetric};
use framework0::store::StoreSink;

const BATCH: usize = 10_000;

fn metrics(n: usize) -> Vec<PerformanceMetric> {
    (0..n)
        .map(|i| {
            let mut m = PerformanceMetric::new(
                "bench_latency",
                (i % 977) as f64 * 0.25,
                MetricType::Timing,
                MetricUnit::Nanoseconds,
            )
            .unwrap();
            m.timestamp = 1_767_225_600_000_000_000 + i as i64;
            m.tags.insert("shard".into(), (i % 10).to_string());
            m
        })
        .collect()
}

fn sink_rate(dir: &std::path::Path, rep: usize, all: &[PerformanceMetric]) -> f64 {
    let mut sink = StoreSink::open(&dir.join(format!("sink{rep}.db")), None).unwrap();
    let t = Instant::now();
    for batch in all.chunks(BATCH) {
        sink.write_batch(batch).unwrap();
    }
    all.len() as f64 / t.elapsed().as_secs_f64()
}

fn floor_rate(dir: &std::path::Path, rep: usize, all: &[PerformanceMetric]) -> f64 {
    let mut c = rusqlite::Connection::open(dir.join(format!("floor{rep}.db"))).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
         CREATE TABLE s (series INTEGER, ts INTEGER, value REAL);",
    )
    .unwrap();
    let t = Instant::now();
    for batch in all.chunks(BATCH) {
        let tx = c.transaction().unwrap();
        {
            let mut ins = tx
                .prepare_cached("INSERT INTO s VALUES (?1, ?2, ?3)")
                .unwrap();
            for m in batch {
                let series = m.tags.get("shard").map_or(0, |s| s.len() as i64);
                ins.execute(rusqlite::params![series, m.timestamp, m.value])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    all.len() as f64 / t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let all = metrics(n);
    let dir = tempfile::tempdir().unwrap();
    let (mut sink, mut floor) = (Vec::new(), Vec::new());
    for rep in 0..3 {
        sink.push(sink_rate(dir.path(), rep, &all));
        floor.push(floor_rate(dir.path(), rep, &all));
    }
    let (s, f) = (median(sink), median(floor));
    println!("{n} samples, batches of {BATCH}, 10 series (medians of 3)");
    println!("  StoreSink (series, samples + 1 index):  {s:>12.0} samples/s (target >= 1,000,000)");
    println!("  bare SQLite floor (1 table, no index):   {f:>12.0} samples/s");
    println!("  sink / floor: {:.2}x", s / f);
}
