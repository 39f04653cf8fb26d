//! Opening a store safely: the path must be absent or a regular file that starts with
//! SQLite's header (checked before SQLite touches it, so a FIFO never hangs and another
//! program's file is never overwritten); read-only commands open with
//! `SQLITE_OPEN_READ_ONLY`, never migrate, and refuse an SQLite file that is not an f0 store.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{busy_timeout_from_env, schema, Store, StoreError, SQLITE_MAGIC};

/// Refuses what is not a regular file (a FIFO would block the open forever), and an existing,
/// non-empty file that does not start with SQLite's header.
pub(super) fn check_file(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    if !meta.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        let kind = if t.is_dir() {
            "a directory"
        } else if t.is_fifo() {
            "a FIFO"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else {
            "not a file"
        };
        return Err(StoreError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(io(e)),
        }
    }
    if got == 0 || &head == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        })
    }
}

impl Store {
    /// Opens an existing store for reading only: nothing is created, migrated or written.
    /// A missing path, an SQLite file without f0's tables, and a store of an older schema
    /// (a writing command migrates it) are refused with their own errors.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        check_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::sqlite(path, e))?;
        let busy_timeout = busy_timeout_from_env()?;
        let store = Store::over(conn, path, busy_timeout)?;
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.err(e))?;
        let has_runs: bool = store
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| store.err(e))?;
        if version == 0 || !has_runs {
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
            });
        }
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if version < schema::SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                path: path.to_path_buf(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        Ok(store)
    }
}
