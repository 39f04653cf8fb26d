//! Times the analysis pipeline on one series, for `benches/analysis_vs_numpy.py`.
//!
//! One repetition: the statistical summary (mean, median, mode, sd, variance, range, skewness,
//! kurtosis, p50/p90/p95/p99/p99.9 linear), an OLS trend over seconds (`t = 0, 1, …`), a z-score
//! outlier count (`|x − x̄|/s > 2`) and Framework0's IQR outlier count (`q1 = sorted[n/4]`,
//! `q3 = sorted[3n/4]`, fences at `3·IQR` for sensitivity 2).
//!
//! ```text
//! cargo run --release --example analyze_bench                  # 1 Mi generated samples, 5 runs
//! cargo run --release --example analyze_bench -- --input x.f64 --serve
//! ```
//! `--input` reads raw little-endian `f64`s. `--serve` reads lines from stdin and answers each
//! `run` with one JSON line (the repetition's seconds and its results) until end of input.

use std::io::{BufRead, Write};
use std::time::Instant;

use framework0::analyze::order::order_statistics;
use framework0::analyze::regression::ols;
use framework0::analyze::summary::{summarize, SummaryOptions};
use serde_json::json;

#[path = "../benches/analysis_support/latencies.rs"]
mod latencies;

fn read_f64s(path: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(bytes.len() % 8 == 0, "{path}: not a whole number of f64s");
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// One repetition; returns its wall time in seconds and its results.
fn run(x: &[f64], t: &[f64]) -> (f64, serde_json::Value) {
    let start = Instant::now();
    let summary = summarize(x, &SummaryOptions::default()).expect("summary");
    let trend = ols(t, x).expect("trend");
    let (mean, sd) = (summary.mean, summary.std_dev);
    let z_count = x.iter().filter(|&&v| ((v - mean) / sd).abs() > 2.0).count();
    let n = x.len();
    let quartiles = order_statistics(x, &[n / 4, 3 * n / 4]).expect("quartiles");
    let (q1, q3) = (quartiles[0], quartiles[1]);
    let k = 1.5 * 2.0;
    let (low, high) = (q1 - k * (q3 - q1), q3 + k * (q3 - q1));
    let iqr_count = x.iter().filter(|&&v| v < low || v > high).count();
    let seconds = start.elapsed().as_secs_f64();
    let results = json!({
        "summary": summary, "slope": trend.slope.estimate, "intercept": trend.intercept.map(|a| a.estimate),
        "r_squared": trend.r_squared, "z_count": z_count, "q1": q1, "q3": q3, "iqr_count": iqr_count,
    });
    (seconds, results)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = args
        .iter()
        .position(|a| a == "--input")
        .map(|i| args[i + 1].clone());
    let x = input
        .as_deref()
        .map_or_else(|| latencies::latencies(1 << 20), read_f64s);
    let t: Vec<f64> = (0..x.len()).map(|i| i as f64).collect();
    if args.iter().any(|a| a == "--serve") {
        let stdout = std::io::stdout();
        for line in std::io::stdin().lock().lines() {
            if line.expect("stdin").trim() != "run" {
                continue;
            }
            let (seconds, results) = run(&x, &t);
            let mut out = stdout.lock();
            writeln!(out, "{}", json!({"seconds": seconds, "results": results})).unwrap();
            out.flush().unwrap();
        }
        return;
    }
    let mut times: Vec<f64> = (0..5).map(|_| run(&x, &t).0 * 1e3).collect();
    times.sort_by(f64::total_cmp);
    let (_, results) = run(&x, &t);
    println!(
        "{} samples: median {:.2} ms over 5 runs (min {:.2} ms)",
        x.len(),
        times[2],
        times[0]
    );
    println!("{results}");
}
