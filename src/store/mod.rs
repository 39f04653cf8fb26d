//! The SQLite context store (rusqlite, bundled SQLite).
//!
//! Holds Framework0's `context_data` table exactly as its Python adapter reads it
//! (COMPAT §3), and this project's tables beside it: `runs`, `context_history`,
//! `metric_series`, `metric_samples`, `metric_run_series`, `baselines` (per series: name,
//! tags, scope) and `analyses`; [`import`] loads measurements from files. Versioned migrations (`PRAGMA user_version`),
//! WAL and a busy timeout let several `f0` processes share one store. A file that is not an
//! SQLite database is refused and never written. Every operation is also reachable through
//! the [`backend::MetricsStore`] trait, the seam for a second backend.
//!
//! **PRAGMA choices** (measured with `benches/store_speed.sh`, `benches/store_layout.rs` and
//! the `sqlite3` shell on this project's schema; see README "The store: speed"):
//! - `journal_mode=WAL`: readers never block the one writer, so four `f0 run` processes
//!   share a store without `database is locked` (test `store_reliability`), and a commit
//!   appends pages to the log instead of rewriting the database.
//! - `synchronous=NORMAL`: in WAL mode a commit is not `fsync`ed (the log is synced at
//!   checkpoints). A killed process loses nothing committed — the pages are in the kernel's
//!   page cache — and a power cut may lose the last commits but never corrupts the file.
//!   `FULL` would add one `fsync` (milliseconds on most disks) per commit for power-cut
//!   durability that the runner's grouped commits (`batch.rs`) already trade away by design.
//! - `page_size` and `cache_size` stay SQLite's defaults (4096 bytes, 2 MiB): appends in
//!   time order touch only the right edge of each B-tree, so a bigger cache bought nothing
//!   measurable for a 1 M-row import (1.17 s at 2 MiB against 1.53 s at 16 MiB, 1.07 s with
//!   16 KiB pages, all within this machine's noise) while costing its size in RSS; the
//!   import's peak memory stays bounded by it.
//! - `foreign_keys=ON`, busy timeout 10 s (`F0_BUSY_TIMEOUT_MS`).
//! - **The import connection** (`f0 import`) keeps all of these; its one transaction holds
//!   the whole file, so a bad line leaves nothing and a crash leaves the store as it was.
//!   Considered and rejected (instruction counts: callgrind, 200,000 lines): `cache_size`
//!   16 MiB (853 M against 852 M: a spilled page is written to the log once either way, and
//!   the cache would be 14 MiB more RSS); 16 KiB pages (-5 % of SQLite's instructions, but the
//!   page size is the whole store's, fixed when it is created, and every small runner commit
//!   would write 16 KiB per page touched); `locking_mode=EXCLUSIVE` (no shared-memory index,
//!   but every reader locked out for the import's duration); `synchronous=OFF` (a power cut
//!   mid-checkpoint could corrupt the file). The checkpoint is paid by the import itself: its
//!   commit passes the 1,000-page auto-checkpoint, so SQLite `fsync`s the log, copies it into
//!   the database, `fsync`s that, and the close deletes the log (1 M lines: about 50 MB each
//!   way, 0.1 s of waiting on this machine's disk, against the shell's 21 MB). The log's
//!   pages are asked to go to disk as the import writes them (`write_behind.rs`), so its
//!   `fsync` there waits 2-9 ms instead of about 40 ms. In a 1 M-line import of one series,
//!   index maintenance is the largest share of SQLite's work: the seek is cheap (rows arrive
//!   in `ts_ns` order, so SQLite's append shortcut lands on the rightmost leaf, about 300
//!   instructions a row) but each overflow of that leaf rebalances three siblings
//!   (`balance_nonroot`, about 7 per index page, about 575 instructions a row, pages left
//!   88 % full); the table's own splits take SQLite's cheap `balance_quick`.
//!
//! **Layout of `metric_samples` (schema v6)**, chosen by instruction counts (callgrind, which
//! this loaded 2-core machine cannot move) of a 200,000-line `f0 import` against the `sqlite3`
//! shell's `.import` of the same file (1,357 M instructions, 6,780 per line):
//! - v5 (a rowid table, indexes `(series_id, ts_ns)` and `(run_id)`, two `REFERENCES` checked
//!   per row): 1,629 M, 0.83x the shell's work-rate.
//! - v6: rows in insertion order (`id INTEGER PRIMARY KEY`: the exporter's cursor and the
//!   tie-break of equal timestamps), the one `(series_id, ts_ns)` index, no foreign keys on the
//!   samples (the writer takes series ids from `metric_series` and run ids from `runs` itself):
//!   1,124 M, 1.21x. By-run reads go through `metric_run_series` (run, series, id range),
//!   written once per (run, series) per transaction, not per row.
//! - plus `INSERT OR FAIL` (no statement journal, `writer.rs`) and a fast path for whole-second
//!   timestamps: 972 M, 1.40x; 256 rows per statement instead of 64: 962 M (kept at 64).
//! - plus a byte-level fast path for `digits,number` lines (`CsvLines::fast`): 918 M, 1.48x
//!   (wall clock, 1 M lines, `benches/store_speed.sh` medians: 1.09x to 1.65x over four runs
//!   at load 1.4-2.5, median 1.41x; 1.28x at load 5; the v5 build 0.76x to 0.82x). Peak
//!   RSS 12 MiB (v5: 13 MiB).
//! - plus lines parsed in place in the read buffer (no per-line copy), the value read exactly
//!   by Clinger's fast path or `fast_float2` (`csv_fast.rs`), and one-series batches written
//!   with 2 bindings a row (`writer.rs`): 751 M, 1.81x (wall clock, 1 M lines,
//!   `benches/store_speed.sh` with 10 paired runs: 1.42x-1.64x over four runs at load
//!   3.5-5.8, median 1.52x, where the build before gave 1.31x-1.45x, median 1.39x).
//! - the metrics sink (`cargo bench --bench store_sink`, 10 interleaved series): 11,560
//!   instructions per sample at v5, 8,277 with the borrowed-key path, 6,120 at v6 (the
//!   floor's unindexed single-row insert: about 2,800); 1.01-1.49 M samples/s at load 2
//!   (v5: 0.68 M), 0.68-0.83 M at load 5.
//! - `benches/store_layout.rs` (300 k rows of one series, one transaction, 64 rows per
//!   statement, rows/s of one run at load 5): the v5 table 1.32 M, the v6 table 1.92 M, the
//!   unindexed floor 3.86 M, a covering `(series_id, ts_ns, value, run_id)` index 1.35 M, and
//!   `WITHOUT ROWID` clustered on `(series_id, ts_ns, id)` with a run index 1.68 M. The last
//!   would also need a second index on `id` for the exporter's "samples after id N" reads,
//!   so it buys nothing over the v6 table.
//!
//! **Series (schema v7)**: `metric_series` ids are plain rowids, not `AUTOINCREMENT` (which
//! reads and rewrites `sqlite_sequence` in every `INSERT`: 8,500 of a new series' ~14,000
//! instructions in the `sqlite3` shell); series are never deleted, so no id is handed out
//! twice. A series new to a connection costs one `SELECT` or one `INSERT`: each lookup
//! guesses from the previous one whether the series exists (`creator.rs`), with statements
//! prepared once per commit, and the new series' keys move from the committed samples into
//! the connection's cache instead of being cloned. 1,000 no-op steps on a fresh store (6,000
//! new series; callgrind of the whole `f0 run`): 374 M instructions at v6, 260 M at v7.
//!
//! **Step groups**: a step's six measurements are staged as one `SampleGroup` (`group.rs`),
//! their tags held once; the connection's group cache finds a group's six series ids in one
//! lookup, and a recipe run again has its step groups preloaded from the identity index
//! alone (`preload.rs`). 1,000 no-op steps on the store a first run left: 200.7 M
//! instructions before, 131.3 M with groups.
//!
//! **Writes**: samples enter through one multi-row `INSERT` path (`writer.rs`, 64 rows per
//! statement; their runs' `metric_run_series` rows through 64-pair upserts); the metrics pipeline's batches go straight from the metrics
//! ([`Store::insert_metrics`]: each series found through a key borrowed from the metric, so a
//! known series costs one hash and no allocation); the runner groups a run's commits
//! (`batch.rs`, at most [`FLUSH_INTERVAL`] of finished work in memory, and a batch of
//! [`FLUSH_BATCH`] samples is committed by the run's watchdog beside the steps); `f0 import` streams a
//! file inside one transaction (`import_stream.rs`, [`ImportSource`]).

mod analyses;
pub mod backend;
mod baselines;
mod batch;
mod context;
mod creator;
mod csv_fast;
mod error;
pub mod exposition;
mod group;
pub mod import;
mod import_json;
mod import_stream;
mod metrics;
mod open;
mod preload;
mod profiles;
mod query;
mod retention;
mod runs;
mod schema;
mod series;
mod sink;
mod sink_write;
pub mod timestamp;
mod write_behind;
mod writer;

pub use analyses::AnalysisRow;
pub use baselines::{BaselineRecord, BaselineScope, NewBaseline};
pub use batch::SharedStore;
pub use batch::{FLUSH_BATCH, FLUSH_INTERVAL};
pub use context::{ContextRow, HistoryRow};
pub use error::StoreError;
pub use group::SampleGroup;
pub use import_stream::{ImportSource, ImportSummary};
pub use metrics::{SampleRow, SeriesKey, StoredSample};
pub use preload::SeriesShape;
pub use profiles::{ProfileBaselineRow, ProfileRow};
pub use query::{MetricExtent, MetricSamples, RunSamples, SampleWindow, SeriesColumns};
pub use retention::RetentionReport;
pub use runs::RunRow;
pub use schema::SCHEMA_VERSION;
pub use series::{RunSample, StoredSeries};
pub use sink::StoreSink;

use metrics::SeriesIds;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Default store location, relative to the working directory.
pub const DEFAULT_STORE_PATH: &str = "context/framework0.db";
/// Environment variable that overrides the default store path.
pub const STORE_PATH_ENV: &str = "F0_CONTEXT_DB";
/// Environment variable: how long to wait for a store locked by another process (ms).
pub const BUSY_TIMEOUT_ENV: &str = "F0_BUSY_TIMEOUT_MS";
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    series_ids: SeriesIds,
    /// Samples accepted but not yet written ([`batch`]), with their run.
    staged: Vec<(Option<i64>, SampleRow)>,
    /// Sample groups accepted but not yet written ([`batch`]), with their run.
    staged_groups: Vec<(Option<i64>, SampleGroup)>,
    /// Series ids of sample groups ([`group`]) this connection wrote or preloaded.
    group_ids: group::GroupIds,
    /// When this connection last committed (or opened).
    last_commit: std::time::Instant,
}

impl Store {
    /// Opens (creating if absent) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        open::check_file(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let busy_timeout = busy_timeout_from_env()?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::sqlite(path, e))?;
        let mut store = Store::over(conn, path, busy_timeout)?;
        // SQLite answers BUSY at once, without its busy handler, where waiting could deadlock
        // (two processes setting up WAL or migrating a new file together): retry with backoff
        // until the busy timeout is spent.
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match store.prepare_schema() {
                Err(StoreError::Locked { .. }) if started.elapsed() < busy_timeout => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                other => return other.map(|()| store),
            }
        }
    }

    /// Sets the connection's pragmas and brings the schema up to date.
    fn prepare_schema(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            )
            .map_err(|e| self.err(e))?;
        schema::migrate(self)?;
        self.reap_stale_runs().map(drop)
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for read-only queries by tests and tools.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, self.busy_timeout, e)
    }

    /// Runs `f` in one IMMEDIATE (write-locking) transaction: everything `f` writes lands,
    /// or nothing does.
    pub(crate) fn write_tx<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let (path, waited) = (self.path.clone(), self.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, waited, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let out = f(&tx).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(out)
    }
}

/// The largest busy timeout SQLite takes (its `int` milliseconds, ~24.8 days).
const MAX_BUSY_TIMEOUT_MS: u64 = i32::MAX as u64;

/// [`BUSY_TIMEOUT_ENV`] as a duration: unset or empty is the default (10 s); anything but an
/// integer number of milliseconds in `0..=2147483647` is refused (SQLite's limit; beyond it
/// rusqlite would panic).
fn busy_timeout_from_env() -> Result<Duration, StoreError> {
    let raw = match std::env::var(BUSY_TIMEOUT_ENV) {
        Ok(v) if !v.trim().is_empty() => v,
        Ok(_) | Err(std::env::VarError::NotPresent) => return Ok(DEFAULT_BUSY_TIMEOUT),
        Err(std::env::VarError::NotUnicode(v)) => v.to_string_lossy().into_owned(),
    };
    match raw.trim().parse::<u64>() {
        Ok(ms) if ms <= MAX_BUSY_TIMEOUT_MS => Ok(Duration::from_millis(ms)),
        _ => Err(StoreError::BadEnv {
            name: BUSY_TIMEOUT_ENV,
            value: raw.chars().take(200).collect(),
            accepted: format!(
                "a whole number of milliseconds from 0 to {MAX_BUSY_TIMEOUT_MS} (unset: {} ms)",
                DEFAULT_BUSY_TIMEOUT.as_millis()
            ),
        }),
    }
}

impl Store {
    /// A store over an opened connection, with SQLite's busy handler set to `busy_timeout`.
    fn over(
        conn: Connection,
        path: &Path,
        busy_timeout: std::time::Duration,
    ) -> Result<Store, StoreError> {
        let store = Store {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
            series_ids: SeriesIds::default(),
            staged: Vec::new(),
            staged_groups: Vec::new(),
            group_ids: group::GroupIds::default(),
            last_commit: std::time::Instant::now(),
        };
        store
            .conn
            .busy_timeout(busy_timeout)
            .map_err(|e| store.err(e))?;
        Ok(store)
    }
}
