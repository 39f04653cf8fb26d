//! `f0 import FILE`: streams measurements from a CSV or PerformanceMetric JSON file into the
//! store, all or nothing, in bounded memory (see [`framework0::store::import`] for the formats).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use framework0::metrics::MetricError;
use framework0::store::import::{CsvOptions, ImportError};
use framework0::store::ImportSource;

/// Flags of `f0 import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV (`timestamp,value` or `index,value` lines) or PerformanceMetric JSON lines.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Metric name of a CSV file's samples (required for CSV).
    #[arg(long)]
    pub name: Option<String>,
    /// Framework0 metric type of a CSV file's samples (timing, throughput, resource, counter,
    /// gauge, histogram).
    #[arg(long, default_value = "gauge")]
    pub metric_type: String,
    /// Framework0 unit of a CSV file's samples (ns, μs, ms, s, bytes, KB, MB, %, count, ops/s).
    #[arg(long, default_value = "count")]
    pub unit: String,
    /// A tag of a CSV file's samples, `KEY=VALUE` (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
pub fn run(store_path: &Path, args: ImportArgs) -> u8 {
    match import(store_path, &args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn csv_options(args: &ImportArgs) -> Result<CsvOptions, ImportError> {
    let mut tags = BTreeMap::new();
    for t in &args.tags {
        match t.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                tags.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            _ => return Err(ImportError::Option(format!("--tag '{t}' is not KEY=VALUE"))),
        }
    }
    let option = |e: MetricError| ImportError::Option(e.to_string());
    Ok(CsvOptions {
        name: args.name.clone(),
        metric_type: args.metric_type.parse().map_err(option)?,
        unit: args.unit.parse().map_err(option)?,
        tags,
    })
}

fn import(store_path: &Path, args: &ImportArgs) -> anyhow::Result<()> {
    let csv = csv_options(args)?;
    // The file and the options are checked before the store is opened.
    let source = ImportSource::open(&args.file, &csv)?;
    let mut store = super::open_store(store_path)?;
    let file = args.file.display().to_string();
    let done = store.import_from(source)?;
    let (run_id, metrics) = (done.run_id, &done.metrics);
    if args.json {
        let out =
            json!({"file": file, "run_id": run_id, "samples": done.samples, "metrics": metrics});
        println!("{out}");
    } else {
        println!(
            "Imported {} samples of {} ({}) from {file} as run {run_id} into {}",
            done.samples,
            if metrics.len() == 1 {
                "1 metric".to_owned()
            } else {
                format!("{} metrics", metrics.len())
            },
            metrics.join(", "),
            store_path.display()
        );
    }
    Ok(())
}
