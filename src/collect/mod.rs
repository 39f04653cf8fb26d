//! Collectors and the `collect` action of `PerformanceMetricsScriptlet` (issue #4).
//!
//! - [`SystemMetricsCollector`]: CPU, memory, swap, disk, network, this process — deltas
//!   between samples, never a blocking sleep; the first sample primes.
//! - [`BackgroundCollector`]: any [`Collector`] on its own thread at a fixed rate, feeding a
//!   bounded queue drained by one [`MetricWriter`] into a [`MetricSink`](crate::metrics::MetricSink)
//!   (the store through [`StoreSink`](crate::store::StoreSink)).
//!
//! Every collector implements [`Collector`]: one `sample` call appends the metrics of one
//! pass to a buffer.

pub mod action;
pub mod alloc;
pub mod application;
pub mod args;
pub mod background;
pub mod custom;
pub mod emit;
mod error;
pub mod http;
pub mod network;
pub mod online;
pub mod plugins;
pub mod pool;
pub mod progress;
pub mod summary;
pub mod system;
pub mod workload;
mod workload_trace;
pub mod writer;

pub use crate::util::duration::{parse_duration, parse_duration_str, DurationError};
pub use action::{execute, run_step, validate_args, CollectOutcome, ACTION, SUMMARY_KEY};
pub use alloc::CountingAllocator;
pub use application::ApplicationMetricsCollector;
pub use args::CollectPlan;
pub use background::{BackgroundCollector, BackgroundReport};
pub use custom::CustomMetricsCollector;
pub use error::CollectError;
pub use network::{throughput, Endpoint, NetworkMetricsCollector, NETWORK_SOURCE};
pub use pool::{ConnectionPoolMetrics, PoolCollector};
pub use progress::Progress;
pub use summary::CollectSummary;
pub use system::{SystemMetricsCollector, SYSTEM_SOURCE};
pub use workload::{Workload, WorkloadReport};
pub use writer::{BatchSender, MetricWriter, WriteReport, WriterOptions};

use crate::metrics::PerformanceMetric;

/// A source of metrics sampled one pass at a time.
pub trait Collector: Send {
    /// The `source` its metrics carry (`system_collector`, …).
    fn source(&self) -> &str;

    /// Takes one sample, appending its metrics to `out`. An error leaves what was appended
    /// before it in place.
    fn sample(&mut self, out: &mut Vec<PerformanceMetric>) -> Result<(), CollectError>;
}
