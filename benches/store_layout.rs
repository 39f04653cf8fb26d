//! Layouts of `metric_samples` and ways of inserting into it, measured side by side: rows per
//! second appending N samples of one series in one transaction (what `f0 import` and the
//! runner's writer do), and the cost of the read queries the layout must still serve.
//!
//! Run: `cargo bench --bench store_layout -- [ROWS]` (default 1,000,000). Prints one line per
//! variant: rows/s (median of 3), the file size, and the time of a per-series time-ordered
//! read and a per-run read.

use std::path::Path;
use std::time::Instant;

use rusqlite::{params_from_iter, Connection};

struct Layout {
    name: &'static str,
    ddl: &'static str,
    /// Columns inserted, in order.
    insert: &'static str,
    /// Rows per INSERT statement.
    rows_per_stmt: usize,
    /// Whether the insert binds an explicit sequence number (WITHOUT ROWID layouts).
    explicit_id: bool,
}

const CURRENT: &str = "CREATE TABLE metric_samples (series_id INTEGER NOT NULL, run_id INTEGER, \
    ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
    CREATE INDEX metric_samples_run ON metric_samples(run_id);";

const NO_RUN_INDEX: &str =
    "CREATE TABLE metric_samples (series_id INTEGER NOT NULL, run_id INTEGER, \
    ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);";

const COVERING: &str = "CREATE TABLE metric_samples (series_id INTEGER NOT NULL, run_id INTEGER, \
    ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns, value, run_id);
    CREATE INDEX metric_samples_run ON metric_samples(run_id);";

const WITHOUT_ROWID: &str = "CREATE TABLE metric_samples (series_id INTEGER NOT NULL, \
    ts_ns INTEGER NOT NULL, id INTEGER NOT NULL, run_id INTEGER, value REAL NOT NULL, \
    context TEXT, PRIMARY KEY (series_id, ts_ns, id)) WITHOUT ROWID;
    CREATE INDEX metric_samples_run ON metric_samples(run_id);";

/// The v1..v5 store's table as `f0` had it: foreign keys checked on every row (`REFERENCES`
/// with `foreign_keys=ON`), two indexes.
const V5_STORE: &str = "CREATE TABLE metric_series (id INTEGER PRIMARY KEY); \
    INSERT INTO metric_series VALUES (1); CREATE TABLE runs (id INTEGER PRIMARY KEY); \
    INSERT INTO runs VALUES (7); \
    CREATE TABLE metric_samples (series_id INTEGER NOT NULL REFERENCES metric_series(id), \
    run_id INTEGER REFERENCES runs(id), ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
    CREATE INDEX metric_samples_run ON metric_samples(run_id);";

/// Schema v6: an explicit insertion-order id, the series index, no foreign keys, and the
/// by-run reads served through a small `(run, series) -> id range` table (written once per
/// transaction, not per row).
const V6_STORE: &str = "CREATE TABLE metric_samples (id INTEGER PRIMARY KEY, \
    series_id INTEGER NOT NULL, run_id INTEGER, ts_ns INTEGER NOT NULL, value REAL NOT NULL, \
    context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);";

const BARE: &str = "CREATE TABLE metric_samples (series_id INTEGER NOT NULL, run_id INTEGER, \
    ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);";

fn layouts() -> Vec<Layout> {
    let rowid = "series_id, run_id, ts_ns, value";
    let mut v = Vec::new();
    for (name, ddl) in [
        ("v5 store (FKs, 2 indexes)", V5_STORE),
        ("v6 store (series index)", V6_STORE),
        ("current (2 indexes)", CURRENT),
        ("no run index", NO_RUN_INDEX),
        ("covering series index", COVERING),
        ("no index (floor)", BARE),
    ] {
        for rows_per_stmt in [1, 64] {
            v.push(Layout {
                name,
                ddl,
                insert: rowid,
                rows_per_stmt,
                explicit_id: false,
            });
        }
    }
    for rows_per_stmt in [1, 64] {
        v.push(Layout {
            name: "WITHOUT ROWID pk(series,ts,id)",
            ddl: WITHOUT_ROWID,
            insert: "series_id, run_id, ts_ns, value, id",
            rows_per_stmt,
            explicit_id: true,
        });
    }
    v
}

fn open(path: &Path, page_size: u32, cache_kib: i64) -> Connection {
    let c = Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "PRAGMA page_size={page_size}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
         PRAGMA cache_size=-{cache_kib}; PRAGMA foreign_keys=ON;"
    ))
    .unwrap();
    c
}

fn insert_rows(c: &mut Connection, l: &Layout, rows: usize) -> f64 {
    let cols = if l.explicit_id { 5 } else { 4 };
    let one = format!("({})", vec!["?"; cols].join(","));
    let sql = |n: usize| {
        format!(
            "INSERT INTO metric_samples ({}) VALUES {}",
            l.insert,
            vec![one.as_str(); n].join(",")
        )
    };
    let t = Instant::now();
    let tx = c.transaction().unwrap();
    {
        let mut full = tx.prepare(&sql(l.rows_per_stmt)).unwrap();
        let mut args: Vec<rusqlite::types::Value> = Vec::with_capacity(cols * l.rows_per_stmt);
        let mut i = 0;
        while i < rows {
            let n = l.rows_per_stmt.min(rows - i);
            args.clear();
            for k in i..i + n {
                args.push(1i64.into());
                args.push(7i64.into());
                args.push((1_700_000_000_000_000_000i64 + k as i64 * 1_000_000).into());
                args.push(((k * 7919 % 1000) as f64 * 0.5).into());
                if l.explicit_id {
                    args.push((k as i64 + 1).into());
                }
            }
            if n == l.rows_per_stmt {
                full.execute(params_from_iter(args.iter())).unwrap();
            } else {
                tx.execute(&sql(n), params_from_iter(args.iter())).unwrap();
            }
            i += n;
        }
    }
    tx.commit().unwrap();
    rows as f64 / t.elapsed().as_secs_f64()
}

fn read_times(c: &Connection) -> (f64, f64) {
    let t = Instant::now();
    let n: f64 = c
        .query_row(
            "SELECT SUM(value) FROM (SELECT value FROM metric_samples WHERE series_id = 1 \
             AND ts_ns >= 0 ORDER BY ts_ns)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let series = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let m: f64 = c
        .query_row(
            "SELECT SUM(value) FROM metric_samples WHERE run_id = 7",
            [],
            |r| r.get(0),
        )
        .unwrap();
    std::hint::black_box((n, m));
    (series, t.elapsed().as_secs_f64())
}

fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    println!("{rows} rows of one series, one transaction, WAL, synchronous=NORMAL");
    // PAGES=4096,16384 (default 4096: the page size the store uses).
    let pages: Vec<u32> = std::env::var("PAGES")
        .unwrap_or_else(|_| "4096".into())
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    for page_size in pages {
        for l in layouts() {
            let mut rates = Vec::new();
            let mut last = (0.0, 0.0, 0u64);
            for rep in 0..3 {
                let path = dir.path().join(format!("l{rep}.db"));
                let mut c = open(&path, page_size, 32 * 1024);
                c.execute_batch(l.ddl).unwrap();
                rates.push(insert_rows(&mut c, &l, rows));
                let (s, r) = read_times(&c);
                drop(c);
                last = (s, r, std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            rates.sort_by(f64::total_cmp);
            println!(
                "page {page_size:>5} | {:<32} x{:<3} | {:>9.0} rows/s | {:>6.1} MB | series read {:>6.1} ms | run read {:>6.1} ms",
                l.name,
                l.rows_per_stmt,
                rates[1],
                last.2 as f64 / 1e6,
                last.0 * 1e3,
                last.1 * 1e3
            );
        }
    }
}
