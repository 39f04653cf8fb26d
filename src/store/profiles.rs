//! The `profiles` and `profile_baselines` tables: each profile's JSON report (call trees,
//! bottlenecks, files) and folded stacks, with the run and step that made it; named
//! baselines holding every run's nodes for node-by-node comparison.

use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::{Store, StoreError};

/// One stored profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRow {
    /// Row id.
    pub id: i64,
    /// The run that produced it.
    pub run_id: Option<i64>,
    /// The step that produced it.
    pub step: Option<String>,
    /// When, epoch seconds.
    pub created_at: f64,
    /// What was profiled (`command`, `step:NAME`, `in_process`).
    pub target: String,
    /// The report.
    pub report: Value,
    /// Folded stacks (`a;b;c self_ns` lines).
    pub folded: String,
}

/// One stored profile baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileBaselineRow {
    /// Row id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// When, epoch seconds.
    pub created_at: f64,
    /// The profile it was saved from.
    pub profile_id: Option<i64>,
    /// Each run's nodes: `[{path: [total_ns, self_ns]}]`.
    pub runs: Value,
    /// Folded stacks (for the differential flamegraph).
    pub folded: String,
}

impl Store {
    fn json(&self, what: &str, id: i64, text: &str) -> Result<Value, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::Data {
            path: self.path.clone(),
            message: format!("{what} {id} is not valid JSON: {e}"),
        })
    }

    /// Stores a profile; returns its id.
    pub fn insert_profile(
        &mut self,
        run_id: Option<i64>,
        step: Option<&str>,
        target: &str,
        report: &Value,
        folded: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO profiles (run_id, step, created_at, target, report, folded) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run_id, step, crate::util::epoch_seconds(), target, report.to_string(), folded],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The profiles stored for `run_id`, oldest first.
    pub fn profiles(&self, run_id: i64) -> Result<Vec<ProfileRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, step, created_at, target, report, folded FROM profiles WHERE run_id = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, String>(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, step, created_at, target, text, folded) = row.map_err(|e| self.err(e))?;
            out.push(ProfileRow {
                id,
                run_id: Some(run_id),
                step,
                created_at,
                target,
                report: self.json("profile", id, &text)?,
                folded,
            });
        }
        Ok(out)
    }

    /// Saves a baseline called `name` (a later save of the same name supersedes it).
    pub fn save_profile_baseline(
        &mut self,
        name: &str,
        profile_id: Option<i64>,
        runs: &Value,
        folded: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO profile_baselines (name, created_at, profile_id, runs, folded) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, crate::util::epoch_seconds(), profile_id, runs.to_string(), folded],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest baseline called `name`, if any.
    pub fn profile_baseline(&self, name: &str) -> Result<Option<ProfileBaselineRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, created_at, profile_id, runs, folded FROM profile_baselines WHERE name = ?1 ORDER BY id DESC LIMIT 1",
                [name],
                |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(id, created_at, profile_id, text, folded)| {
            Ok(ProfileBaselineRow {
                id,
                name: name.to_owned(),
                created_at,
                profile_id,
                runs: self.json("profile baseline", id, &text)?,
                folded,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn profiles_and_baselines_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("p.db")).unwrap();
        let run = s.begin_run("r", "r.yaml", 1.0).unwrap();
        let id = s
            .insert_profile(
                Some(run),
                Some("prof"),
                "command",
                &json!({"kind": "profile"}),
                "main 1\n",
            )
            .unwrap();
        let rows = s.profiles(run).unwrap();
        assert_eq!(
            (rows[0].id, rows[0].step.as_deref(), rows[0].folded.as_str()),
            (id, Some("prof"), "main 1\n")
        );
        assert!(s.profile_baseline("b").unwrap().is_none());
        s.save_profile_baseline("b", Some(id), &json!([{"main": [1, 1]}]), "main 1\n")
            .unwrap();
        s.save_profile_baseline("b", Some(id), &json!([{"main": [2, 2]}]), "main 2\n")
            .unwrap();
        let b = s.profile_baseline("b").unwrap().unwrap();
        assert_eq!(
            (b.runs.clone(), b.folded.as_str()),
            (json!([{"main": [2, 2]}]), "main 2\n")
        );
    }
}
