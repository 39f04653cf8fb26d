//! A long-running program that exposes its own recorder to Prometheus (the README's
//! `metrics::serve` example, verbatim; a test checks that the README block and this file agree
//! and scrapes it).
//!
//! Run: `cargo run --example serve_recorder` and scrape `http://127.0.0.1:9464/metrics`;
//! `F0_METRICS_LISTEN=127.0.0.1:0` picks a free port. It serves until its standard input closes
//! (Ctrl-D).

use std::io::BufRead;

use framework0::metrics::{counter, timer, MemorySink, MetricsConfiguration};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, sink) = (
        MetricsConfiguration::default(),
        Box::new(MemorySink::with_limit(0)),
    );
    let listen = std::env::var("F0_METRICS_LISTEN").unwrap_or_else(|_| "127.0.0.1:9464".into());
    let _pipeline = framework0::metrics::install(config, sink)?;
    let server = framework0::metrics::serve(&listen)?; // shut down on drop
    println!("http://{}/metrics", server.local_addr());
    let requests = counter("requests", &[("route", "/")]);
    let handle = timer("handle", &[("route", "/")]);
    for line in std::io::stdin().lock().lines() {
        let len = line?.len() as u64;
        handle.time(|| requests.increment(len));
    }
    Ok(())
}
