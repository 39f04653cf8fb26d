//! Write-behind for a long import's write-ahead log: every [`ROWS_PER_WRITEBACK`] rows the
//! kernel is asked to start writing the WAL's dirty pages to disk (`sync_file_range` with
//! `SYNC_FILE_RANGE_WRITE`, which returns without waiting), as PostgreSQL's
//! `wal_writer_flush_after` and RocksDB's `bytes_per_sync` do. Without it the whole log
//! (≈ 50 MB for a 1 M-line CSV) is still only in the page cache when the commit's checkpoint
//! `fsync`s it, and the import waits for all of it there; with it the disk writes while the
//! import parses and inserts, and that `fsync` finds little left to do.
//!
//! Durability is SQLite's alone and unchanged: this asks for nothing to be durable and
//! SQLite still `fsync`s the log before its checkpoint. The log is opened read-only and only
//! the log, never the database file, whose POSIX locks a second descriptor's close would drop.
//! Best effort: a log that cannot be opened, or a kernel that refuses, costs nothing.

use std::fs::File;
use std::path::Path;

/// Rows between two write-back requests (≈ 1.6 MB of log at ≈ 50 bytes of table and index
/// per row).
pub(super) const ROWS_PER_WRITEBACK: u64 = 1 << 15;

/// The write-ahead log of one store, asked to write back as rows are added.
pub(super) struct WalWriteBehind {
    wal: Option<File>,
    rows: u64,
}

impl WalWriteBehind {
    /// The log of the store at `store` (`<store>-wal`), or nothing to do if it cannot be
    /// opened.
    pub fn open(store: &Path) -> WalWriteBehind {
        let mut name = store.as_os_str().to_owned();
        name.push("-wal");
        WalWriteBehind {
            wal: File::open(name).ok(),
            rows: 0,
        }
    }

    /// Counts one row written; every [`ROWS_PER_WRITEBACK`] rows, starts the log's write-back.
    pub fn row(&mut self) {
        self.rows += 1;
        if self.rows % ROWS_PER_WRITEBACK == 0 {
            // A refusal only means the pages wait for SQLite's own fsync.
            let _ = self.start_writeback();
        }
    }

    /// Asks the kernel to start writing the log's dirty pages (no wait, no durability).
    pub fn start_writeback(&self) -> std::io::Result<()> {
        match &self.wal {
            Some(file) => start_writeback(file),
            None => Ok(()),
        }
    }
}

#[cfg(target_os = "linux")]
fn start_writeback(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: `file` is an open descriptor for the duration of the call; offset 0 and
    // length 0 name the whole file; the call reads no memory of this process.
    let r = unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::WalWriteBehind;

    #[test]
    fn a_store_without_a_log_has_nothing_to_write_back() {
        let dir = tempfile::tempdir().unwrap();
        let w = WalWriteBehind::open(&dir.path().join("none.db"));
        assert!(w.wal.is_none());
        w.start_writeback().unwrap();
    }

    #[test]
    fn the_log_is_written_back_without_changing_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.db");
        let wal = dir.path().join("s.db-wal");
        std::fs::write(&wal, vec![7u8; 64 << 10]).unwrap();
        let mut w = WalWriteBehind::open(&store);
        assert!(w.wal.is_some(), "the log is opened");
        w.start_writeback().unwrap();
        for _ in 0..super::ROWS_PER_WRITEBACK {
            w.row();
        }
        assert_eq!(w.rows, super::ROWS_PER_WRITEBACK);
        assert_eq!(std::fs::read(&wal).unwrap(), vec![7u8; 64 << 10]);
    }
}
