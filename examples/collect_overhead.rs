//! Measures what background system collection costs: a `SystemMetricsCollector` sampling
//! every second on its own thread, its samples written to an SQLite store through
//! `StoreSink` (as `f0`'s `collect` action does), for the seconds given (default 5, short
//! enough for CI; the README's figure is from 60). The main thread only sleeps, so the
//! process's CPU time is the collection's.
//!
//! Run: `cargo run --release --example collect_overhead -- 60 1` (SECONDS, INTERVAL_SECONDS)
//!
//! Prints the CPU used as a percentage of one core, the samples taken and the mean time of
//! one sample.

use std::time::{Duration, Instant};

use framework0::collect::{
    BackgroundCollector, MetricWriter, SystemMetricsCollector, WriterOptions,
};
use framework0::store::StoreSink;
use framework0::util::procfs::process_cpu_ns;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().map_or(Ok(5.0), |a| a.parse())?;
    let interval: f64 = args.next().map_or(Ok(1.0), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let sink = StoreSink::open(&dir.path().join("overhead.db"), None)?;
    let writer = MetricWriter::spawn(Box::new(sink), WriterOptions::default())?;
    let collector = SystemMetricsCollector::new("/")?;

    let cpu0 = process_cpu_ns();
    let t0 = Instant::now();
    let bg = BackgroundCollector::spawn(
        Box::new(collector),
        Some(Duration::from_secs_f64(interval)),
        true,
        writer.sender(),
    )?;
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let report = bg.stop();
    let written = writer.finish();
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (process_cpu_ns() - cpu0) as f64 / 1e9;

    println!("background system collection, interval {interval} s, {wall:.1} s wall");
    println!(
        "samples: {}  metrics stored: {}  mean sample: {:.3} ms",
        report.samples,
        written.written,
        report.mean_sample_ns / 1e6
    );
    println!(
        "process CPU: {:.3} s = {:.3} % of one core (sampling + store writes)",
        cpu,
        cpu / wall * 100.0
    );
    Ok(())
}
