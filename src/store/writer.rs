//! The one path by which samples enter `metric_samples`: rows are buffered and written
//! [`ROWS_PER_INSERT`] at a time through one prepared multi-row `INSERT`, which costs one
//! statement execution per 64 rows instead of one per row (`benches/store_layout.rs`
//! compares both). When the transaction's rows are written, `metric_run_series` learns which
//! series each run wrote and the id range they lie in (one upsert row per pair, not per
//! sample; [`PAIRS_PER_UPSERT`] pairs per statement, in key order).
//!
//! A batch whose rows share one series and one run and carry no context (a CSV import, a
//! single-series pipeline batch) goes through a second statement of 4 columns that names the
//! series and the run once (`VALUES (?1,?2,?3,?4),(?1,?2,?5,?6),…`): 2 bindings per row
//! instead of 5 and one register copy less per row in SQLite's program (callgrind, 200,000
//! rows of one series: 3,500 instructions of SQLite work per row against 3,200).
//!
//! `INSERT OR FAIL`, not the default `ABORT`: an aborting multi-row statement must be able to
//! undo its own earlier rows, so SQLite copies every page it touches into a statement journal
//! first (callgrind: 2 % of an import's instructions plus as many `memcpy`s). A failing row
//! fails the whole transaction here anyway (the caller rolls it back), so nothing is lost.

use std::sync::OnceLock;

use rusqlite::{Statement, Transaction};

/// Rows per `INSERT` statement (5 parameters each, well under SQLite's 32,766).
pub(super) const ROWS_PER_INSERT: usize = 64;

/// One row of `metric_samples`.
pub(super) struct Row {
    pub series: i64,
    pub run: Option<i64>,
    pub ts_ns: i64,
    pub value: f64,
    pub context: Option<String>,
}

/// `INSERT` of `rows` rows of one series and one run, without context: `?1` is the series,
/// `?2` the run, then `ts_ns, value` per row.
fn uniform_insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR FAIL INTO metric_samples (series_id, run_id, ts_ns, value) VALUES ",
    );
    for i in 0..rows {
        let at = 3 + 2 * i;
        let sep = if i == 0 { "" } else { "," };
        sql.push_str(&format!("{sep}(?1,?2,?{},?{})", at, at + 1));
    }
    sql
}

/// The statement of `rows` rows: [`uniform_insert_sql`] or [`insert_sql`].
fn batch_sql(rows: usize, uniform: bool) -> String {
    if uniform {
        uniform_insert_sql(rows)
    } else {
        insert_sql(rows)
    }
}

fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR FAIL INTO metric_samples (series_id, run_id, ts_ns, value, context) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 {
            "(?,?,?,?,?)"
        } else {
            ",(?,?,?,?,?)"
        });
    }
    sql
}

/// Buffers rows and writes them inside `tx`.
pub(super) struct SampleWriter<'t> {
    tx: &'t Transaction<'t>,
    full: Option<Statement<'t>>,
    /// The full batch's statement for rows of one series and run without context.
    uniform: Option<Statement<'t>>,
    rows: Vec<Row>,
    written: u64,
    /// The (run, series) pairs written, the last one first checked.
    pairs: hashbrown::HashSet<(i64, i64), foldhash::fast::RandomState>,
    last_pair: Option<(i64, i64)>,
    /// The id of the first row this writer wrote (ids grow by one per row: `id` is the
    /// rowid and the writer holds the write lock).
    first_id: Option<i64>,
}

impl<'t> SampleWriter<'t> {
    /// A writer into `tx` (nothing is prepared until the first full batch).
    pub fn new(tx: &'t Transaction<'t>) -> Self {
        SampleWriter {
            tx,
            full: None,
            uniform: None,
            rows: Vec::with_capacity(ROWS_PER_INSERT),
            written: 0,
            pairs: Default::default(),
            last_pair: None,
            first_id: None,
        }
    }

    /// Adds one row, writing a batch when it is full.
    pub fn push(&mut self, row: Row) -> rusqlite::Result<()> {
        if let Some(run) = row.run {
            let pair = (run, row.series);
            if self.last_pair != Some(pair) {
                self.pairs.insert(pair);
                self.last_pair = Some(pair);
            }
        }
        self.rows.push(row);
        if self.rows.len() == ROWS_PER_INSERT {
            self.note_first_id()?;
            let uniform = is_uniform(&self.rows);
            let slot = if uniform {
                &mut self.uniform
            } else {
                &mut self.full
            };
            if slot.is_none() {
                *slot = Some(self.tx.prepare(&batch_sql(ROWS_PER_INSERT, uniform))?);
            }
            if let Some(stmt) = slot {
                bind_and_run(stmt, &self.rows, uniform)?;
            }
            self.written += self.rows.len() as u64;
            self.rows.clear();
        }
        Ok(())
    }

    fn note_first_id(&mut self) -> rusqlite::Result<()> {
        if self.first_id.is_none() {
            let max: i64 =
                self.tx
                    .query_row("SELECT COALESCE(MAX(id), 0) FROM metric_samples", [], |r| {
                        r.get(0)
                    })?;
            self.first_id = Some(max + 1);
        }
        Ok(())
    }

    /// Writes what is buffered and the runs' id ranges; returns the rows written in all.
    pub fn finish(mut self) -> rusqlite::Result<u64> {
        if !self.rows.is_empty() {
            self.note_first_id()?;
            let uniform = is_uniform(&self.rows);
            let mut stmt = self
                .tx
                .prepare_cached(&batch_sql(self.rows.len(), uniform))?;
            bind_and_run(&mut stmt, &self.rows, uniform)?;
            self.written += self.rows.len() as u64;
        }
        if let (Some(first), false) = (self.first_id, self.pairs.is_empty()) {
            let last = self.tx.last_insert_rowid();
            let mut pairs: Vec<(i64, i64)> = self.pairs.drain().collect();
            // In key order, so the upserts walk the table's B-tree from left to right.
            pairs.sort_unstable();
            let full = pairs.len() / PAIRS_PER_UPSERT * PAIRS_PER_UPSERT;
            let (chunks, rest) = pairs.split_at(full);
            // Full chunks through one statement, the rest one pair at a time (both cached).
            for chunk in chunks.chunks(PAIRS_PER_UPSERT).chain(rest.chunks(1)) {
                let mut stmt = self.tx.prepare_cached(upsert_sql(chunk.len()))?;
                stmt.raw_bind_parameter(1, first)?;
                stmt.raw_bind_parameter(2, last)?;
                for (i, (run, series)) in chunk.iter().enumerate() {
                    stmt.raw_bind_parameter(3 + 2 * i, run)?;
                    stmt.raw_bind_parameter(4 + 2 * i, series)?;
                }
                stmt.raw_execute()?;
            }
        }
        Ok(self.written)
    }
}

/// (run, series) pairs per `metric_run_series` upsert.
const PAIRS_PER_UPSERT: usize = 64;

/// The multi-row upsert of `pairs` (1 or [`PAIRS_PER_UPSERT`]) (run, series) pairs into
/// `metric_run_series`: `?1` and `?2` are the transaction's first and last sample ids, then
/// two parameters per pair. Built once per size.
fn upsert_sql(pairs: usize) -> &'static str {
    debug_assert!(pairs == 1 || pairs == PAIRS_PER_UPSERT);
    static ONE: OnceLock<String> = OnceLock::new();
    static FULL: OnceLock<String> = OnceLock::new();
    let cell = if pairs == 1 { &ONE } else { &FULL };
    cell.get_or_init(|| {
        let mut sql = String::from(
            "INSERT INTO metric_run_series (run_id, series_id, first_id, last_id) VALUES ",
        );
        for i in 0..pairs {
            let at = 3 + 2 * i;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(?{at},?{},?1,?2)", at + 1));
        }
        sql.push_str(
            " ON CONFLICT (run_id, series_id) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
        );
        sql
    })
}

/// Whether `rows` share one series and one run and carry no context.
fn is_uniform(rows: &[Row]) -> bool {
    let Some(first) = rows.first() else {
        return false;
    };
    rows.iter()
        .all(|r| r.series == first.series && r.run == first.run && r.context.is_none())
}

/// Binds `rows` to `stmt` and runs it: a statement of [`uniform_insert_sql`] when `uniform`
/// (the rows are [`is_uniform`]), else of [`insert_sql`].
fn bind_and_run(stmt: &mut Statement<'_>, rows: &[Row], uniform: bool) -> rusqlite::Result<()> {
    if uniform {
        stmt.raw_bind_parameter(1, rows[0].series)?;
        stmt.raw_bind_parameter(2, rows[0].run)?;
        for (i, r) in rows.iter().enumerate() {
            stmt.raw_bind_parameter(3 + 2 * i, r.ts_ns)?;
            stmt.raw_bind_parameter(4 + 2 * i, r.value)?;
        }
        return stmt.raw_execute().map(drop);
    }
    for (i, r) in rows.iter().enumerate() {
        let at = i * 5;
        stmt.raw_bind_parameter(at + 1, r.series)?;
        stmt.raw_bind_parameter(at + 2, r.run)?;
        stmt.raw_bind_parameter(at + 3, r.ts_ns)?;
        stmt.raw_bind_parameter(at + 4, r.value)?;
        stmt.raw_bind_parameter(at + 5, r.context.as_deref())?;
    }
    stmt.raw_execute().map(drop)
}

#[cfg(test)]
mod tests {
    use super::{Row, SampleWriter, ROWS_PER_INSERT};

    type Stored = (i64, Option<i64>, i64, f64, Option<String>);

    #[test]
    fn uniform_and_mixed_batches_store_every_row_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        let n = ROWS_PER_INSERT as i64;
        let mut want: Vec<Stored> = Vec::new();
        // A full uniform batch, a full batch whose last row has a context, a full batch of
        // two series, then a short uniform tail without a run.
        for i in 0..n {
            want.push((3, Some(9), i, i as f64 + 0.5, None));
        }
        for i in 0..n {
            let context = (i == n - 1).then(|| "{\"k\":1}".to_owned());
            want.push((3, Some(9), n + i, -(i as f64), context));
        }
        for i in 0..n {
            want.push((3 + i % 2, Some(9), 2 * n + i, 1.0, None));
        }
        for i in 0..5 {
            want.push((4, None, 3 * n + i, 2.0, None));
        }
        let tx = store.conn.transaction().unwrap();
        let mut out = SampleWriter::new(&tx);
        for (series, run, ts_ns, value, context) in want.clone() {
            out.push(Row {
                series,
                run,
                ts_ns,
                value,
                context,
            })
            .unwrap();
        }
        assert_eq!(out.finish().unwrap(), want.len() as u64);
        tx.commit().unwrap();
        let mut stmt = store
            .conn
            .prepare(
                "SELECT series_id, run_id, ts_ns, value, context FROM metric_samples ORDER BY id",
            )
            .unwrap();
        let got: Vec<Stored> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, want);
        let ranges: Vec<(i64, i64, i64, i64)> = store
            .conn
            .prepare(
                "SELECT run_id, series_id, first_id, last_id FROM metric_run_series ORDER BY 1, 2",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let last = want.len() as i64;
        assert_eq!(ranges, vec![(9, 3, 1, last), (9, 4, 1, last)]);
    }
}
