//! Shared test support: one pipeline per test binary, writing to a memory sink.
//! Included by the metrics_* tests with `#[path = "metrics_support.rs"] mod support;`.
#![allow(dead_code)]

use std::sync::OnceLock;

use framework0::metrics::{
    self, MemorySink, MetricsConfiguration, PerformanceMetric, PipelineHandle, SeriesSnapshot,
};

struct Installed {
    sink: MemorySink,
    _handle: PipelineHandle,
}

static PIPELINE: OnceLock<Installed> = OnceLock::new();

/// Installs (once) a pipeline with the default configuration and returns its sink.
pub fn sink() -> &'static MemorySink {
    &PIPELINE
        .get_or_init(|| {
            let sink = MemorySink::new();
            // Budget of a whole CPU: the flusher never thins raw samples, so tests can count them.
            let mut config = MetricsConfiguration::default();
            config.performance.collection_overhead_limit = 1.0;
            let handle =
                metrics::install(config, Box::new(sink.reader())).expect("install pipeline");
            Installed {
                sink,
                _handle: handle,
            }
        })
        .sink
}

/// Flushes and returns the metrics the sink received with this name.
pub fn written(name: &str) -> Vec<PerformanceMetric> {
    metrics::flush();
    sink()
        .metrics()
        .into_iter()
        .filter(|m| m.name == name)
        .collect()
}

/// The snapshot series with this name (all tag sets).
pub fn series(name: &str) -> Vec<SeriesSnapshot> {
    metrics::snapshot()
        .into_iter()
        .filter(|s| s.aggregation.metric_name == name)
        .collect()
}

/// The single series with this name; panics with the list of names otherwise.
pub fn one_series(name: &str) -> SeriesSnapshot {
    let mut s = series(name);
    assert_eq!(s.len(), 1, "expected one series `{name}`, got {s:?}");
    s.remove(0)
}
