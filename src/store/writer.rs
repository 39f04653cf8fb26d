//! The one path by which samples enter `metric_samples`: rows are buffered and written
//! [`ROWS_PER_INSERT`] at a time through one prepared multi-row `INSERT`, which costs one
//! statement execution per 64 rows instead of one per row (`benches/store_layout.rs`
//! compares both).

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

fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO metric_samples (series_id, run_id, ts_ns, value, context) VALUES ",
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
    rows: Vec<Row>,
    written: u64,
}

impl<'t> SampleWriter<'t> {
    /// A writer into `tx` (nothing is prepared until the first full batch).
    pub fn new(tx: &'t Transaction<'t>) -> Self {
        SampleWriter {
            tx,
            full: None,
            rows: Vec::with_capacity(ROWS_PER_INSERT),
            written: 0,
        }
    }

    /// Adds one row, writing a batch when it is full.
    pub fn push(&mut self, row: Row) -> rusqlite::Result<()> {
        self.rows.push(row);
        if self.rows.len() == ROWS_PER_INSERT {
            if self.full.is_none() {
                self.full = Some(self.tx.prepare(&insert_sql(ROWS_PER_INSERT))?);
            }
            if let Some(stmt) = &mut self.full {
                bind_and_run(stmt, &self.rows)?;
            }
            self.written += self.rows.len() as u64;
            self.rows.clear();
        }
        Ok(())
    }

    /// Writes what is buffered; returns the rows written in all.
    pub fn finish(mut self) -> rusqlite::Result<u64> {
        if !self.rows.is_empty() {
            let mut stmt = self.tx.prepare_cached(&insert_sql(self.rows.len()))?;
            bind_and_run(&mut stmt, &self.rows)?;
            self.written += self.rows.len() as u64;
        }
        Ok(self.written)
    }
}

fn bind_and_run(stmt: &mut Statement<'_>, rows: &[Row]) -> rusqlite::Result<()> {
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
