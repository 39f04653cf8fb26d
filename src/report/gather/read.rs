//! Read-only queries of the report over [`Store::connection`]: a name's series, then each
//! series' samples through the `(series_id, ts_ns)` index — no join and no sort of the whole
//! name, which made reading a million samples through the name-wide query the slowest part of
//! a report.

use super::select::Columns;
use crate::report::error::ReportError;
use crate::store::{SeriesKey, Store, StoreError};

fn failed(store: &Store, e: rusqlite::Error) -> ReportError {
    ReportError::Store(StoreError::Sqlite {
        path: store.path().to_path_buf(),
        source: e,
    })
}

/// Every series named `name` with its id, in id order.
pub fn series_named(store: &Store, name: &str) -> Result<Vec<(i64, SeriesKey)>, ReportError> {
    store.series_named(name).map_err(ReportError::Store)
}

/// Every sample of series `id`, oldest first (ties in insertion order).
pub fn samples_of(store: &Store, id: i64) -> Result<Columns, ReportError> {
    let conn = store.connection();
    let mut stmt = conn
        .prepare_cached(
            "SELECT run_id, ts_ns, value FROM metric_samples WHERE series_id = ?1 \
             ORDER BY ts_ns, rowid",
        )
        .map_err(|e| failed(store, e))?;
    let mut rows = stmt.query([id]).map_err(|e| failed(store, e))?;
    let mut out = Columns::default();
    while let Some(row) = rows.next().map_err(|e| failed(store, e))? {
        let run: Option<i64> = row.get(0).map_err(|e| failed(store, e))?;
        let ts: i64 = row.get(1).map_err(|e| failed(store, e))?;
        let v: f64 = row.get(2).map_err(|e| failed(store, e))?;
        out.values.push(v);
        out.timestamps.push(ts);
        out.run_ids.push(run);
    }
    Ok(out)
}
