//! What can go wrong while gathering or writing a report.

use std::path::PathBuf;

use crate::analyze::action::AnalyzeError;
use crate::diagnostic::Finding;
use crate::store::StoreError;

/// A report that could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The arguments are invalid.
    #[error("invalid report arguments: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidArgs(Vec<Finding>),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Selecting samples failed (unknown metric, empty store, no run).
    #[error(transparent)]
    Select(#[from] AnalyzeError),
    /// Nothing to report.
    #[error("nothing to report for timeframe {timeframe}: {reason}")]
    Empty {
        /// The timeframe as written.
        timeframe: String,
        /// Why.
        reason: String,
    },
    /// The output folder is refused.
    #[error("output_dir '{given}' is refused: {reason}")]
    OutputDir {
        /// The folder as given.
        given: String,
        /// Why.
        reason: String,
    },
    /// An existing file is not one of ours.
    #[error(
        "refusing to overwrite {path}: it was not written by f0 report ({reason}); move it \
         away or choose another output_dir"
    )]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// What was found there.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The recipe's metrics configuration is invalid.
    #[error("{0}")]
    Config(String),
    /// The model could not be serialised.
    #[error("the report cannot be encoded as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl ReportError {
    /// An I/O error at `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }
}
