//! The context store, exposed to Prometheus: [`StoreExporter`] (what `f0 serve` answers a
//! scrape with) and [`push_run`] (what `f0 run --pushgateway URL` sends at the end of a run).
//! Formats, the HTTP endpoint and the Pushgateway client are in [`crate::exposition`].

mod exporter;
mod mapping;
mod push;

pub use exporter::StoreExporter;
pub use push::{push_run, run_families, PushReport, PushRunError};
