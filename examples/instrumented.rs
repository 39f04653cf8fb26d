//! A small program instrumented end to end: timers on functions (sync, async, fallible),
//! a tracker around the job, counters, gauges, histograms and custom metrics, all flushed
//! through the pipeline into the SQLite context store; prints the aggregates, the call tree and
//! what landed in the store.
//!
//! Run: `cargo run --example instrumented [-- STORE.db]`
//! (default: `instrumented.db` in the system temp directory; `f0 --context-db STORE.db ...`
//! reads it afterwards).

use std::path::PathBuf;

use framework0::metrics::{
    self, counter, histogram, CallTree, CustomMetrics, MetricUnit, MetricsConfiguration,
};
use framework0::store::{Store, StoreSink};
use framework0::{performance_timer, performance_tracker};

/// Splits a line into words.
#[performance_timer]
fn tokenize(line: &str) -> Vec<String> {
    line.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Parses a `key=value` record; malformed records are errors (recorded as `parse_record_error`).
#[performance_timer(metric_name = "parse_record", tags(format = "kv"))]
fn parse_record(line: &str) -> Result<(String, i64), String> {
    let (k, v) = line
        .split_once('=')
        .ok_or_else(|| format!("no `=` in {line:?}"))?;
    let v: i64 = v
        .trim()
        .parse()
        .map_err(|e| format!("bad value in {line:?}: {e}"))?;
    Ok((k.trim().to_string(), v))
}

/// Pretends to fetch a document asynchronously.
#[performance_timer(metric_name = "fetch_document")]
async fn fetch_document(id: u32) -> String {
    format!("document {id}: the quick brown fox jumps over the lazy dog {id}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("instrumented.db"));
    let (config, warnings) = MetricsConfiguration::from_value(&serde_json::json!({
        "analysis": {"percentiles": [50, 90, 99]},
        "performance": {"batch_size": 256},
    }))?;
    assert!(warnings.is_empty());
    let handle = metrics::install(config, Box::new(StoreSink::open(&out, None)?))?;

    let words = counter("words_seen", &[]);
    let lengths = histogram("word_length", MetricUnit::Count, &[]);
    let mut custom = CustomMetrics::new();
    {
        let mut job = performance_tracker("file_processing");
        job.add_tag("input", "generated")
            .add_metadata("documents", 20);
        for id in 0..20 {
            let doc = pollster::block_on(fetch_document(id));
            let _step = performance_tracker("document");
            for w in tokenize(&doc) {
                words.increment(1);
                lengths.record(w.len() as u64);
            }
        }
        for line in ["a=1", "b = 2", "broken", "c=x", "d=4"] {
            match parse_record(line) {
                Ok((_, v)) => {
                    custom.record_counter("records_ok", 1, &[])?;
                    custom.record_histogram("record_value", v as f64, MetricUnit::Count, &[])?;
                }
                Err(_) => {
                    custom.record_counter("records_failed", 1, &[])?;
                }
            }
        }
        custom.record_business_metric("documents_per_run", 20.0, MetricUnit::Count, &[])?;
    }

    println!("clock: {:?}", metrics::clock_info());
    for s in metrics::snapshot() {
        let a = &s.aggregation;
        println!(
            "{:<40} {:>6} calls  mean {:>10.1} {}  p99 {:>10.1}",
            a.metric_name, a.count, a.mean, s.unit, a.percentiles["99"]
        );
    }
    let tree = CallTree::build(&metrics::call_records());
    println!("call tree:\n{}", serde_json::to_string_pretty(&tree)?);
    let stats = handle.shutdown()?;
    println!(
        "wrote {} metrics in {} batches to {}",
        stats.metrics_written,
        stats.batches_written,
        out.display()
    );
    let store = Store::open(&out)?;
    let parsed = store.samples("parse_record", &Default::default())?;
    let failed = store.samples("parse_record_error", &Default::default())?;
    println!(
        "store holds {} parse_record and {} parse_record_error samples",
        parsed.len(),
        failed.len()
    );
    assert!(!parsed.is_empty() && !failed.is_empty());
    Ok(())
}
