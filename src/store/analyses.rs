//! The `analyses` table: every result of the analyze action, as compact JSON, with the run and
//! step that produced it.

use rusqlite::params;
use serde::Serialize;
use serde_json::Value;

use super::{Store, StoreError};

/// One stored analysis result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisRow {
    /// Row id.
    pub id: i64,
    /// The run that produced it.
    pub run_id: Option<i64>,
    /// The step that produced it.
    pub step: Option<String>,
    /// When, epoch seconds.
    pub created_at: f64,
    /// The result.
    pub result: Value,
}

impl Store {
    /// Stores an analysis result; returns its id.
    pub fn insert_analysis(
        &mut self,
        run_id: Option<i64>,
        step: Option<&str>,
        result: &Value,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO analyses (run_id, step, created_at, result) VALUES (?1, ?2, ?3, ?4)",
                params![
                    run_id,
                    step,
                    crate::util::epoch_seconds(),
                    result.to_string()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The analyses stored for `run_id`, oldest first.
    pub fn analyses(&self, run_id: i64) -> Result<Vec<AnalysisRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, step, created_at, result FROM analyses WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, step, created_at, text) = row.map_err(|e| self.err(e))?;
            let result = serde_json::from_str(&text).map_err(|e| StoreError::Data {
                path: self.path.clone(),
                message: format!("analysis {id} is not valid JSON: {e}"),
            })?;
            out.push(AnalysisRow {
                id,
                run_id: Some(run_id),
                step,
                created_at,
                result,
            });
        }
        Ok(out)
    }
}
