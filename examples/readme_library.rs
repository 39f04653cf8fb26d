//! The README's library example, verbatim (a test checks that the README block and this file
//! agree and runs it): timers on functions, a tracker around a job, the pipeline into the store.
//!
//! Run: `cargo run --example readme_library` (writes `context/framework0.db` under the current
//! directory).

use framework0::metrics::{self, MetricsConfiguration};
use framework0::store::StoreSink;
use framework0::{performance_timer, performance_tracker};

#[performance_timer] // name: module path + function
fn tokenize(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

#[performance_timer(metric_name = "db_query", tags(db = "main"))]
fn query(sql: &str) -> Result<u64, String> {
    /* an Err records db_query_error, status=error */
    Ok(sql.len() as u64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (config, _warnings) = MetricsConfiguration::from_value(&serde_json::json!({
        "performance": {"batch_size": 1000}
    }))?;
    let pipeline = metrics::install(
        config,
        Box::new(StoreSink::open("context/framework0.db".as_ref(), None)?),
    )?;
    {
        let mut job = performance_tracker("file_processing"); // wall + thread CPU on drop
        job.add_metadata("files", 3).add_tag("input", "demo");
        tokenize("a b c");
        query("select 1")?;
    }
    for s in metrics::snapshot() {
        // count, mean, p50..p99.9 per series
        println!(
            "{} {} calls",
            s.aggregation.metric_name, s.aggregation.count
        );
    }
    pipeline.shutdown()?; // drains and flushes to the store
    Ok(())
}
