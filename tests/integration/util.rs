//! Helpers for tests that drive the `f0` binary in a scratch directory.
#![allow(dead_code)] // each area uses its own subset

pub mod action;
pub mod collect;
pub mod golden;
pub mod python;
pub mod readme;
pub mod stats;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A scratch directory with its own store.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn store(&self) -> PathBuf {
        self.path("store.db")
    }

    /// Writes `text` to `rel` and returns the full path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A `f0` command with this scratch store, run from the scratch directory.
    pub fn f0(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_f0"));
        c.current_dir(self.dir.path())
            .env("F0_CONTEXT_DB", self.store())
            .env("F0_LOG", "warn");
        c
    }

    /// Runs `f0 <args>` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.f0().args(args).output().expect("run f0")
    }

    /// Runs a recipe with `--json-output` plus `extra` and returns (exit code, JSON).
    pub fn run_json(&self, recipe: &Path, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["run", recipe.to_str().unwrap(), "--json-output"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}): {stdout}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), json)
    }

    /// Opens the store read-only with plain SQLite.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.store(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open store")
    }

    /// Like [`Scratch::ctx`], but tolerates a store that is still being created.
    pub fn ctx_opt(&self, key: &str) -> Option<Value> {
        let c = rusqlite::Connection::open_with_flags(
            self.store(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()?;
        let text: String = c
            .query_row(
                "SELECT value FROM context_data WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The JSON value stored for `key` in `context_data`.
    pub fn ctx(&self, key: &str) -> Option<Value> {
        let text: Option<String> = self
            .sql()
            .query_row(
                "SELECT value FROM context_data WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .ok();
        text.map(|t| serde_json::from_str(&t).unwrap())
    }
}

/// Names of steps in a run's JSON output with the given status.
pub fn steps_with(json: &Value, status: &str) -> Vec<String> {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == status)
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A step line of YAML using the built-ins.
pub fn step(name: &str, idx: i64, function: &str, extra: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: f0.builtin, function: {function}{}{extra}}}\n",
        if extra.is_empty() { "" } else { ", " }
    )
}

/// The shared Framework0 fixtures folder.
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}
