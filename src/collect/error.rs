//! Errors of the collectors and of the `collect` action.

use crate::metrics::{MetricError, SinkError};

/// A collector or the `collect` action failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A system probe (a `/proc` file, a `statvfs` call) failed.
    #[error("cannot read {what}: {source}")]
    Probe {
        /// What was being read, e.g. `/proc/diskstats`.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A metric could not be built (empty name, non-finite value).
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// The sink refused metrics.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// A background thread could not be started.
    #[error("cannot start the {what} thread: {source}")]
    Spawn {
        /// Which thread.
        what: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An argument that validated turned out unusable when the collection started.
    #[error("{field}: {message}")]
    Setup {
        /// The argument's path, e.g. `args.collectors.system.disk_path`.
        field: String,
        /// What went wrong.
        message: String,
    },
    /// A workload command could not be run or failed.
    #[error("{0}")]
    Workload(String),
    /// A network probe's configuration is unusable (e.g. an `https://` URL).
    #[error("{0}")]
    Network(String),
    /// A plugin collector's sample failed (see [`crate::plugin`]).
    #[error("{0}")]
    Plugin(String),
    /// The collection was cancelled (step timeout or Ctrl-C).
    #[error("collection cancelled")]
    Cancelled,
}

impl CollectError {
    /// A probe error for `what`.
    pub fn probe(what: impl Into<String>, source: std::io::Error) -> Self {
        CollectError::Probe {
            what: what.into(),
            source,
        }
    }
}
