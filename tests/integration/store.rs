//! The context store: persistence across runs, Framework0's table, step metrics,
//! refusal of foreign files, locking and concurrent writers.

use crate::util::{step, Scratch};
use serde_json::json;

#[test]
fn a_second_run_sees_the_first_runs_baselines_and_step_metrics() {
    let s = Scratch::new();
    let first = s.write(
        "first.yaml",
        &format!(
            "steps:\n{}",
            step(
                "seed",
                1,
                "SetContext",
                "args: {values: {shared.value: 41, metrics.baselines.shared: {mean: 41}}}"
            )
        ),
    );
    let (code, _) = s.run_json(&first, &[]);
    assert_eq!(code, 0);
    // Each run starts from a fresh context (Framework0's semantics) holding only what persists
    // across runs: the second recipe succeeds only if it sees the first run's baseline.
    let second = s.write(
        "second.yaml",
        &format!(
            "steps:\n{}",
            step(
                "check",
                1,
                "Noop",
                "success: {ctx_has_keys: [metrics.baselines.shared]}"
            )
        ),
    );
    let (code, j) = s.run_json(&second, &["--strict"]);
    assert_eq!(code, 0, "{j}");
    assert!(!j["context_keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k == "shared.value"));
    assert_eq!(
        s.ctx("shared.value"),
        Some(serde_json::json!(41)),
        "still in the store"
    );
    // Both runs are recorded, and the first run's step metrics are readable by the second.
    let store = framework0::store::Store::open(&s.store()).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs
        .iter()
        .all(|r| r.status == "completed" && r.ended_at.is_some()));
    let tags = [("step".to_owned(), "seed".to_owned())].into();
    let wall = store.samples("step_wall_time", &tags).unwrap();
    assert_eq!(wall.len(), 1);
    assert_eq!(wall[0].run_id, Some(runs[0].id));
    assert_eq!(wall[0].series.unit, "ns");
    assert_eq!(wall[0].series.tags["recipe"], "first");
    assert!(wall[0].value > 0.0);
    for name in [
        "step_cpu_time",
        "step_peak_rss",
        "step_rss_delta",
        "step_read_bytes",
        "step_write_bytes",
    ] {
        assert_eq!(store.samples(name, &tags).unwrap().len(), 1, "{name}");
    }
    let peak = store.samples("step_peak_rss", &tags).unwrap()[0].value;
    assert!(
        peak > 1e5,
        "peak RSS of a step is at least the process's pages: {peak}"
    );
}

#[test]
fn context_data_is_framework0_readable_with_compact_json() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "metadata: {{name: demo}}\nsteps:\n{}",
            step(
                "seed",
                1,
                "SetContext",
                "args: {values: {demo.obj: {a: 1, b: [1, 2]}, demo.text: hi}}"
            )
        ),
    );
    s.run_json(&r, &[]);
    let conn = s.sql();
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('context_data') ORDER BY cid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(cols, ["id", "key", "value", "timestamp", "version_id"]);
    let v: String = conn
        .query_row(
            "SELECT value FROM context_data WHERE key='demo.obj'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, r#"{"a":1,"b":[1,2]}"#);
    let v: String = conn
        .query_row(
            "SELECT value FROM context_data WHERE key='demo.text'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, r#""hi""#);
    assert_eq!(s.ctx("recipe.metadata"), Some(json!({"name": "demo"})));
    assert_eq!(s.ctx("recipe.runner_version"), Some(json!("2.0")));
    for key in [
        "recipe.path",
        "recipe.start_time",
        "recipe.end_time",
        "recipe.execution_time_seconds",
        "recipe.status",
        "recipe.success",
        "recipe.completed_steps",
        "recipe.failed_steps",
        "recipe.skipped_steps",
        "recipe.success_rate",
        "recipe.total_steps",
        "recipe.outputs_created",
    ] {
        assert!(s.ctx(key).is_some(), "{key}");
    }
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, framework0::store::SCHEMA_VERSION);
}

#[test]
fn context_commands_list_get_history_and_runs() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}",
            step("seed", 1, "SetContext", "args: {values: {k.v: 1}}")
        ),
    );
    s.run_json(&r, &[]);
    let r2 = s.write(
        "r2.yaml",
        &format!(
            "steps:\n{}",
            step("seed", 1, "SetContext", "args: {values: {k.v: 2}}")
        ),
    );
    s.run_json(&r2, &[]);
    let out = s.run(&["context", "get", "k.v"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "2");
    let out = s.run(&["context", "history", "k.v", "--json"]);
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h.as_array().unwrap().len(), 2);
    // A fresh context per run: the second run's change starts from no value.
    assert_eq!(h[1]["before"], serde_json::Value::Null);
    assert_eq!(h[1]["after"], 2);
    assert_eq!(h[1]["who"], "seed");
    assert_eq!(h[1]["operation"], "set");
    assert_eq!(h[1]["run_id"], 2);
    let out = s.run(&["context", "list"]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .any(|l| l == "k.v = 2"));
    let out = s.run(&["context", "runs", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    let out = s.run(&["context", "get", "no.such"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no context key 'no.such'"));
}

#[test]
fn the_context_db_flag_overrides_the_environment() {
    let s = Scratch::new();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    let other = s.path("other/place.db");
    let out = s.run(&[
        "--context-db",
        other.to_str().unwrap(),
        "run",
        r.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(other.exists());
    assert!(!s.store().exists());
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let s = Scratch::new();
    let bogus = s.write("store.db", "these are somebody's notes, not a database\n");
    let before = std::fs::read(&bogus).unwrap();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    let out = s.run(&["run", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not an SQLite database"), "{err}");
    assert!(err.contains("store.db"), "{err}");
    assert_eq!(std::fs::read(&bogus).unwrap(), before);
    assert!(!s.path("store.db-wal").exists());
}

#[test]
fn a_corrupt_database_is_reported_not_repaired() {
    let s = Scratch::new();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    s.run_json(&r, &[]);
    // Checkpoint the WAL so the main file holds everything, then damage it past the header.
    {
        let c = rusqlite::Connection::open(s.store()).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
            .unwrap();
    }
    let mut bytes = std::fs::read(s.store()).unwrap();
    for b in bytes.iter_mut().skip(100) {
        *b = 0xA5;
    }
    std::fs::write(s.store(), &bytes).unwrap();
    let out = s.run(&["run", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("store.db") && (err.contains("corrupt") || err.contains("not an SQLite")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(s.store()).unwrap(),
        bytes,
        "the damaged file was modified"
    );
}

#[test]
fn a_locked_store_waits_then_fails_clearly() {
    let s = Scratch::new();
    let r = s.write("r.yaml", &format!("steps:\n{}", step("a", 1, "Noop", "")));
    s.run_json(&r, &[]);
    let holder = rusqlite::Connection::open(s.store()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let out = s
        .f0()
        .env("F0_BUSY_TIMEOUT_MS", "300")
        .args(["run", r.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is locked by another process"), "{err}");
    holder.execute_batch("ROLLBACK;").unwrap();
    let runs: i64 = s
        .sql()
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert!(runs <= 2, "no half-recorded runs beyond the attempt");
}

#[test]
fn two_processes_share_one_store() {
    let s = Scratch::new();
    let mut steps = String::new();
    for i in 0..40 {
        steps.push_str(&step(
            &format!("s{i}"),
            i,
            "SetContext",
            &format!("args: {{values: {{p.k{i}: {i}}}}}"),
        ));
    }
    let r = s.write("r.yaml", &format!("steps:\n{steps}"));
    let children: Vec<_> = (0..2)
        .map(|_| {
            s.f0()
                .args(["run", r.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    let conn = s.sql();
    let runs: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE status='completed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 2);
    let samples: i64 = conn.query_row("SELECT COUNT(*) FROM metric_samples m JOIN metric_series s ON s.id=m.series_id WHERE s.name='step_wall_time'", [], |r| r.get(0)).unwrap();
    assert_eq!(samples, 80);
}

#[test]
fn retention_configured_in_the_recipe_is_enforced_at_the_end_of_a_run() {
    let s = Scratch::new();
    let mut steps = String::new();
    for i in 0..5 {
        steps.push_str(&step(&format!("s{i}"), i, "Noop", ""));
    }
    let r = s.write(
        "r.yaml",
        &format!("config:\n  retention: {{max_metrics_count: 12}}\nsteps:\n{steps}"),
    );
    let (code, _) = s.run_json(&r, &[]);
    assert_eq!(code, 0);
    let n: i64 = s
        .sql()
        .query_row("SELECT COUNT(*) FROM metric_samples", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 12, "5 steps x 6 metrics, trimmed to the newest 12");
    let bad = s.write(
        "bad.yaml",
        &format!("config:\n  storage: {{max_age_days: -1}}\nsteps:\n{steps}"),
    );
    let out = s.run(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "ERROR [INVALID_ARG] at recipe.config: metrics config `storage.max_age_days` = -1"
        ),
        "{text}"
    );
}

#[test]
fn a_recipe_without_config_does_not_inherit_the_previous_runs_config() {
    let s = Scratch::new();
    let with = s.write(
        "with.yaml",
        &format!(
            "config:\n  health: {{regression_threshold: 0.5}}\nmetadata: {{name: a}}\nsteps:\n{}",
            step("a", 1, "Noop", "")
        ),
    );
    s.run_json(&with, &[]);
    assert_eq!(
        s.ctx("recipe.config"),
        Some(json!({"health": {"regression_threshold": 0.5}}))
    );
    let without = s.write(
        "without.yaml",
        &format!("steps:\n{}", step("a", 1, "Noop", "")),
    );
    s.run_json(&without, &[]);
    assert_eq!(s.ctx("recipe.config"), Some(serde_json::Value::Null));
    assert_eq!(s.ctx("recipe.metadata"), Some(serde_json::Value::Null));
}

/// Regression guard for the step groups (`store/group.rs`): a recipe's second run finds its
/// step series through the preloaded group cache, so each of its samples must land in the
/// series of its own metric and step, and no series may be created twice.
#[test]
fn a_recipe_run_again_writes_each_step_metric_into_its_own_series() {
    let s = Scratch::new();
    let steps: String = (1..=3)
        .map(|i| step(&format!("s{i}"), i, "Noop", ""))
        .collect();
    let recipe = s.write("again.yaml", &format!("steps:\n{steps}"));
    for _ in 0..2 {
        let (code, j) = s.run_json(&recipe, &[]);
        assert_eq!(code, 0, "{j}");
    }
    let conn = rusqlite::Connection::open(s.store()).unwrap();
    let series: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM metric_series WHERE name LIKE 'step\\_%' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        series, 18,
        "six step series for each of the three steps, once"
    );
    let store = framework0::store::Store::open(&s.store()).unwrap();
    let runs: Vec<i64> = store.runs().unwrap().iter().map(|r| r.id).collect();
    for i in 1..=3 {
        let tags = [("step".to_owned(), format!("s{i}"))].into();
        let of = |name: &str| {
            let samples = store.samples(name, &tags).unwrap();
            let by: Vec<Option<i64>> = samples.iter().map(|x| x.run_id).collect();
            assert_eq!(
                by,
                runs.iter().map(|&r| Some(r)).collect::<Vec<_>>(),
                "{name}"
            );
            assert!(samples
                .iter()
                .all(|x| x.series.tags["step"] == format!("s{i}")));
            samples.iter().map(|x| x.value).collect::<Vec<f64>>()
        };
        // A no-op takes far less than a second, and the process's peak resident set is
        // megabytes: a sample filed under another metric's series shows.
        for wall in of("step_wall_time") {
            assert!(wall > 0.0 && wall < 1e9, "s{i} wall {wall}");
        }
        for peak in of("step_peak_rss") {
            assert!(peak > 1e6, "s{i} peak {peak}");
        }
        for name in [
            "step_cpu_time",
            "step_rss_delta",
            "step_read_bytes",
            "step_write_bytes",
        ] {
            assert_eq!(of(name).len(), 2, "{name}");
        }
    }
}
