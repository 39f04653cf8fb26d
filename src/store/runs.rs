//! The `runs` table: one row per recipe run, with the process that runs it (pid, its start
//! time in clock ticks since boot, the boot id). A `running` run whose process is gone — killed,
//! crashed, or its machine rebooted — is shown as `crashed` by every reader and marked so in
//! the table by the next writer ([`Store::reap_stale_runs`], run when a store opens for writing).

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
    /// `running`, `completed`, `partial`, `failed`, `interrupted` or `crashed` (its process
    /// ended without finishing it).
    pub status: String,
    /// The process that ran it (none for runs recorded before f0 kept it).
    pub pid: Option<i64>,
}

/// The identity of a process as the `runs` table records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    pid: i64,
    start: Option<i64>,
    boot: Option<String>,
}

impl Owner {
    /// This process.
    fn current() -> Owner {
        let pid = i64::from(std::process::id());
        Owner {
            pid,
            start: process_start(pid),
            boot: boot_id(),
        }
    }

    /// Whether this process still exists (same pid, same start time, same boot).
    fn is_alive(&self) -> bool {
        let now = boot_id();
        if self.boot.is_some() && now.is_some() && self.boot != now {
            return false;
        }
        match (process_start(self.pid), self.start) {
            (Some(now), Some(then)) => now == then,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// Start time of process `pid` in clock ticks since boot (field 22 of `/proc/<pid>/stat`).
fn process_start(pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_owned())
}

impl Store {
    /// Records the start of a run and returns its id.
    pub fn begin_run(
        &mut self,
        recipe: &str,
        recipe_path: &str,
        started_at: f64,
    ) -> Result<i64, StoreError> {
        let me = Owner::current();
        self.conn
            .execute(
                "INSERT INTO runs (recipe, recipe_path, started_at, status, pid, proc_start, boot_id) \
                 VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6)",
                params![recipe, recipe_path, started_at, me.pid, me.start, me.boot],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks `crashed` every `running` run whose process is gone; returns how many.
    pub fn reap_stale_runs(&mut self) -> Result<usize, StoreError> {
        let stale = self.stale_runs()?;
        for id in &stale {
            self.conn
                .execute(
                    "UPDATE runs SET status = 'crashed' WHERE id = ?1 AND status = 'running'",
                    [id],
                )
                .map_err(|e| self.err(e))?;
        }
        if !stale.is_empty() {
            tracing::warn!(target: "f0.store", "marked {} run(s) whose process ended without finishing them as crashed: {stale:?}", stale.len());
        }
        Ok(stale.len())
    }

    /// Ids of `running` runs whose recorded process is gone.
    fn stale_runs(&self) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, pid, proc_start, boot_id FROM runs \
                 WHERE status = 'running' AND pid IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Owner {
                        pid: r.get(1)?,
                        start: r.get(2)?,
                        boot: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, owner) = row.map_err(|e| self.err(e))?;
            if !owner.is_alive() {
                out.push(id);
            }
        }
        Ok(out)
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
            .prepare(
                "SELECT id, recipe, recipe_path, started_at, ended_at, status, pid FROM runs ORDER BY id",
            )
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
                    pid: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut runs: Vec<RunRow> = rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?;
        // A reader shows a dead run as crashed even before a writer marks it.
        let stale = self.stale_runs()?;
        for r in runs.iter_mut().filter(|r| stale.contains(&r.id)) {
            r.status = "crashed".to_owned();
        }
        Ok(runs)
    }
}
