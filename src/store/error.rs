//! Store errors, each naming the store's path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::ErrorCode;

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database; it was left untouched.
    #[error("context store {path} is not an SQLite database; refusing to use or overwrite it (pass another path with --context-db)")]
    NotSqlite {
        /// The store path.
        path: PathBuf,
    },
    /// The path names something other than a regular file (a FIFO, a device, a directory).
    #[error("context store {path} is not a regular file ({kind}); refusing to open it (pass a file path with --context-db)")]
    NotRegular {
        /// The store path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The file is an SQLite database but not an f0 context store (another program's).
    #[error("{path} is an SQLite database but not an f0 context store (it has none of f0's tables); refusing to read it as one")]
    NotAStore {
        /// The store path.
        path: PathBuf,
    },
    /// A read-only command met a store written by an older f0; a writing command migrates it.
    #[error("context store {path} has schema version {found}; this f0 reads version {supported}: run any writing command (f0 run, f0 import) once to migrate it")]
    OlderSchema {
        /// The store path.
        path: PathBuf,
        /// `PRAGMA user_version` found.
        found: i64,
        /// The version this build reads.
        supported: i64,
    },
    /// The database is damaged.
    #[error("context store {path} is corrupt: {message}; it was not modified")]
    Corrupt {
        /// The store path.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// Another process held the lock for longer than the busy timeout.
    #[error("context store {path} is locked by another process (waited {waited:?}; set F0_BUSY_TIMEOUT_MS to wait longer)")]
    Locked {
        /// The store path.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// The store was written by a newer f0 with a schema this build does not know.
    #[error("context store {path} has schema version {found}, newer than this f0 understands ({supported}); upgrade f0")]
    NewerSchema {
        /// The store path.
        path: PathBuf,
        /// `PRAGMA user_version` found.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// A read-only command was pointed at a store that does not exist.
    #[error(
        "no context store at {path}: `f0 run` or `f0 import` creates one (or pass --context-db)"
    )]
    Missing {
        /// The path asked for.
        path: PathBuf,
    },
    /// An environment variable that configures the store holds a value it cannot use.
    #[error("{name}={value:?} is not accepted: {accepted}")]
    BadEnv {
        /// The variable, e.g. `F0_BUSY_TIMEOUT_MS`.
        name: &'static str,
        /// Its value (at most ~200 characters of it).
        value: String,
        /// What would have been accepted.
        accepted: String,
    },
    /// A stored value could not be decoded.
    #[error("context store {path}: {message}")]
    Data {
        /// The store path.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A file-system error.
    #[error("context store {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Any other SQLite error.
    #[error("context store {path}: {source}")]
    Sqlite {
        /// The store path.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl StoreError {
    pub(super) fn sqlite(path: &Path, e: rusqlite::Error) -> Self {
        Self::from_sqlite(path, Duration::ZERO, e)
    }

    pub(super) fn from_sqlite(path: &Path, waited: Duration, e: rusqlite::Error) -> Self {
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path,
                message: e.to_string(),
            },
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path, waited }
            }
            _ => StoreError::Sqlite { path, source: e },
        }
    }
}
