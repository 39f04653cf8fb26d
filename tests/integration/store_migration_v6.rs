//! Schema v5 -> v6 (samples laid out for append, by-run reads through `metric_run_series`):
//! the v5 fixture (`tests/fixtures/store_v5/`, written by the f0 of that schema) migrates, every
//! command prints what the v5 f0 printed on it, the by-run reads return the rows the v5 table
//! held, retention still works, and a migration that fails half-way leaves the store at v5.

use std::path::PathBuf;

use framework0::store::{Store, SCHEMA_VERSION};
use serde_json::Value;

use crate::util::action::ok;
use crate::util::Scratch;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store_v5"
    ))
    .join(rel)
}

/// A scratch store that is a copy of the v5 fixture (not migrated yet).
fn v5_store() -> Scratch {
    let s = Scratch::new();
    std::fs::copy(fixture("store_v5.db"), s.store()).unwrap();
    assert_eq!(user_version(&s), 5, "the fixture is a v5 store");
    s
}

fn user_version(s: &Scratch) -> i64 {
    s.sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// `(run, series, value)` of every sample of `run`, in time order, then insertion order.
fn run_rows(c: &rusqlite::Connection, run: i64) -> Vec<(i64, i64, f64)> {
    let mut st = c
        .prepare(
            "SELECT run_id, series_id, value FROM metric_samples WHERE run_id = ?1 \
             ORDER BY ts_ns, rowid",
        )
        .unwrap();
    st.query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every sample row in insertion order, with its rowid.
fn all_rows(c: &rusqlite::Connection) -> Vec<(i64, i64, Option<i64>, i64, f64)> {
    let mut st = c
        .prepare("SELECT rowid, series_id, run_id, ts_ns, value FROM metric_samples ORDER BY rowid")
        .unwrap();
    st.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// `text` as JSON with every `generated_at*` stamp removed (plain text stays as it is).
fn comparable(text: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !k.starts_with("generated_at"));
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(mut v) => {
            strip(&mut v);
            v
        }
        Err(_) => Value::String(text.to_owned()),
    }
}

#[test]
fn a_version_5_store_migrates_with_every_sample_and_id_kept() {
    let s = v5_store();
    let before = all_rows(&s.sql());
    assert_eq!(before.len(), 63);
    drop(Store::open(&s.store()).unwrap());
    assert_eq!(user_version(&s), SCHEMA_VERSION);
    let c = s.sql();
    assert_eq!(all_rows(&c), before, "same rows, same ids, same order");
    let indexes: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metric_samples'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        indexes,
        ["metric_samples_series_ts"],
        "one index per sample, no run index"
    );
    let integrity: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn every_command_prints_what_the_v5_f0_printed() {
    let s = v5_store();
    drop(Store::open(&s.store()).unwrap());
    let commands: [(&str, &[&str]); 7] = [
        ("context_list.txt", &["context", "list"]),
        ("context_runs.txt", &["context", "runs"]),
        (
            "analyze_latency.json",
            &[
                "analyze",
                "--metric",
                "latency",
                "--timeframe",
                "all",
                "--json",
            ],
        ),
        (
            "analyze_steps.json",
            &[
                "analyze",
                "--metric",
                "step_wall_time",
                "--timeframe",
                "all",
                "--json",
            ],
        ),
        ("compare.json", &["compare", "--json"]),
        (
            "history_steps.json",
            &["history", "step_wall_time", "--json"],
        ),
        ("history_latency.json", &["history", "latency", "--json"]),
    ];
    for (file, args) in commands {
        let want = std::fs::read_to_string(fixture("expected").join(file)).unwrap();
        assert_eq!(
            comparable(&ok(&s, args)),
            comparable(&want),
            "f0 {args:?} ({file})"
        );
    }
    let dir = s.path("rep");
    ok(
        &s,
        &["report", "--format", "json", "-o", dir.to_str().unwrap()],
    );
    let got = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let want = std::fs::read_to_string(fixture("expected/report.json")).unwrap();
    assert_eq!(comparable(&got), comparable(&want), "f0 report");
}

#[test]
fn by_run_reads_return_the_rows_the_v5_table_held() {
    let s = v5_store();
    let runs: Vec<i64> = (1..=7).collect();
    let v5: Vec<Vec<(i64, i64, f64)>> = runs.iter().map(|&r| run_rows(&s.sql(), r)).collect();
    let store = Store::open(&s.store()).unwrap();
    assert_eq!(store.runs_with_samples().unwrap(), runs);
    for (&run, want) in runs.iter().zip(&v5) {
        let got: Vec<(i64, i64, f64)> = store
            .samples_of_runs(&[run])
            .unwrap()
            .iter()
            .map(|r| (r.run_id, r.series_id, r.value))
            .collect();
        assert_eq!(&got, want, "samples_of_runs({run})");
        let mut exposed = Vec::new();
        store
            .run_samples(run, |e| exposed.push((run, e.series_id, e.value)))
            .unwrap();
        assert_eq!(&exposed, want, "run_samples({run})");
        let mut series: Vec<i64> = want.iter().map(|r| r.1).collect();
        series.sort_unstable();
        series.dedup();
        let got: Vec<i64> = store
            .run_series(run)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(got, series, "run_series({run})");
    }
    let names = ["latency".to_owned()];
    assert_eq!(
        store.latest_run_with_samples(&names, None).unwrap(),
        Some(5)
    );
    assert_eq!(
        store.latest_run_with_samples(&names, Some(5)).unwrap(),
        Some(4)
    );
    let per_run = store.samples_per_run("latency").unwrap();
    let got: Vec<(i64, usize)> = per_run.iter().map(|r| (r.run_id, r.values.len())).collect();
    assert_eq!(
        got,
        [(4, 5), (5, 3)],
        "the sample outside a run is left out"
    );
}

#[test]
fn samples_written_after_the_migration_join_their_runs() {
    let s = v5_store();
    drop(Store::open(&s.store()).unwrap());
    ok(&s, &["run", fixture("make_v5.yaml").to_str().unwrap()]);
    let store = Store::open(&s.store()).unwrap();
    assert_eq!(
        store.runs_with_samples().unwrap(),
        (1..=8).collect::<Vec<_>>()
    );
    let rows = store.samples_of_runs(&[8]).unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.run_id == 8));
    assert_eq!(rows.len(), run_rows(store.connection(), 8).len());
    let mut after = Vec::new();
    store
        .samples_after_rowid(63, |e| after.push(e.rowid))
        .unwrap();
    assert_eq!(
        after.len(),
        rows.len(),
        "new ids continue after the migrated ones"
    );
    assert!(after.iter().all(|&id| id > 63));
}

#[test]
fn retention_on_the_migrated_layout_forgets_runs_left_without_samples() {
    let s = v5_store();
    let mut store = Store::open(&s.store()).unwrap();
    // The imported samples (runs 4 and 5) are stamped 1767225600..=1767225602 s, the one
    // outside a run 1767225603 s; the recipe runs' samples are newer.
    let day = 86_400_000_000_000;
    let report = store
        .enforce_retention(1_767_225_602_500_000_000 + 30 * day, 30.0, u64::MAX)
        .unwrap();
    assert_eq!(report.expired, 8, "every imported sample");
    assert_eq!(store.runs_with_samples().unwrap(), [1, 2, 3, 6, 7]);
    assert!(store.run_series(4).unwrap().is_empty());
    let report = store.enforce_retention(i64::MAX / 2, 1e9, 10).unwrap();
    assert_eq!(report.over_limit, 63 - 8 - 10);
    let left = store.runs_with_samples().unwrap();
    let c = store.connection();
    let mut with_rows: Vec<i64> = c
        .prepare("SELECT DISTINCT run_id FROM metric_samples WHERE run_id IS NOT NULL ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    with_rows.sort_unstable();
    assert_eq!(
        left, with_rows,
        "runs_with_samples matches the table after retention"
    );
    assert!(
        !left.is_empty() && !left.contains(&1),
        "the oldest run lost all: {left:?}"
    );
}

#[test]
fn a_migration_that_fails_half_way_leaves_the_store_at_v5() {
    let s = v5_store();
    // A table of the name the migration creates makes its second statement fail after the
    // first succeeded (inside the migration's one transaction).
    rusqlite::Connection::open(s.store())
        .unwrap()
        .execute_batch("CREATE TABLE metric_run_series (x INTEGER)")
        .unwrap();
    let before = all_rows(&s.sql());
    let err = Store::open(&s.store()).err().expect("the migration fails");
    assert!(err.to_string().contains("metric_run_series"), "{err}");
    assert_eq!(user_version(&s), 5);
    assert_eq!(all_rows(&s.sql()), before);
    let tables: i64 = s
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('metric_samples_v6') \
             OR (name = 'metric_samples_run' AND type = 'index')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "the v5 run index is still there, no v6 table");
}
