//! The `runs` table: one row per recipe run.

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};

/// One recipe run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    /// Run id.
    pub id: i64,
    /// Recipe display name.
    pub recipe: String,
    /// Recipe path as given.
    pub recipe_path: String,
    /// Start, epoch seconds.
    pub started_at: f64,
    /// End, epoch seconds (none while running or if the process died).
    pub ended_at: Option<f64>,
    /// `running`, `completed`, `partial`, `failed` or `interrupted`.
    pub status: String,
}

impl Store {
    /// Records the start of a run and returns its id.
    pub fn begin_run(
        &mut self,
        recipe: &str,
        recipe_path: &str,
        started_at: f64,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO runs (recipe, recipe_path, started_at, status) VALUES (?1, ?2, ?3, 'running')",
                params![recipe, recipe_path, started_at],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the end of a run.
    pub fn finish_run(&mut self, id: i64, ended_at: f64, status: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET ended_at = ?2, status = ?3 WHERE id = ?1",
                params![id, ended_at, status],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, recipe, recipe_path, started_at, ended_at, status FROM runs ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    recipe: r.get(1)?,
                    recipe_path: r.get(2)?,
                    started_at: r.get(3)?,
                    ended_at: r.get(4)?,
                    status: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}
