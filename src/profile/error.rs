//! Errors of the profile action and `f0 profile`.

use crate::diagnostic::Finding;

/// Why a profile could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The arguments are invalid.
    #[error("invalid profile arguments:\n{}", .0.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n"))]
    InvalidArgs(Vec<Finding>),
    /// The command could not be started.
    #[error("cannot start {program:?}: {source}")]
    Spawn {
        /// The program as given.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Waiting for the command failed.
    #[error("waiting for {program:?} failed: {source}")]
    Wait {
        /// The program as given.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The step was cancelled (timeout or Ctrl-C); the command was killed.
    #[error("profile cancelled; the command was killed")]
    Cancelled,
    /// Nothing was recorded for the target.
    #[error("{0}")]
    NothingRecorded(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The flamegraph could not be rendered.
    #[error("flamegraph {path}: {message}")]
    Flamegraph {
        /// The file.
        path: std::path::PathBuf,
        /// What inferno said.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A baseline could not be used.
    #[error("baseline {name:?}: {message}")]
    Baseline {
        /// The baseline's name.
        name: String,
        /// What is wrong.
        message: String,
    },
}
