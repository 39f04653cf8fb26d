//! The report's reads of the store: a name's series, then each series' samples through the
//! `(series_id, ts_ns)` index ([`Store::series_columns`]) — no join and no sort of the whole
//! name, which made reading a million samples through the name-wide query the slowest part
//! of a report. Both go through the store's interface; the report runs no SQL of its own.

use super::select::Columns;
use crate::report::error::ReportError;
use crate::store::{SeriesKey, Store};

/// Every series named `name` with its id, in id order.
pub fn series_named(store: &Store, name: &str) -> Result<Vec<(i64, SeriesKey)>, ReportError> {
    store.series_named(name).map_err(ReportError::Store)
}

/// Every sample of series `id`, oldest first (ties in insertion order).
pub fn samples_of(store: &Store, id: i64) -> Result<Columns, ReportError> {
    let c = store.series_columns(id).map_err(ReportError::Store)?;
    Ok(Columns {
        values: c.values,
        timestamps: c.timestamps,
        run_ids: c.run_ids,
    })
}
