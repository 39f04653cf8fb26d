//! The store's analysis side: the v1 → current migration, atomic imports, sample queries, baselines and
//! stored analyses.

use std::collections::BTreeMap;

use framework0::store::{
    BaselineScope, NewBaseline, SampleRow, SampleWindow, SeriesKey, Store, SCHEMA_VERSION,
};
use serde_json::json;

fn series(name: &str, step: &str) -> SeriesKey {
    SeriesKey {
        name: name.to_owned(),
        metric_type: "timing".to_owned(),
        unit: "ns".to_owned(),
        tags: BTreeMap::from([("step".to_owned(), step.to_owned())]),
        source: Some("runner".to_owned()),
    }
}

fn row(name: &str, step: &str, ts_ns: i64, value: f64) -> SampleRow {
    SampleRow {
        series: series(name, step),
        ts_ns,
        value,
        context: None,
    }
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .connection()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_version_1_store_gains_the_baselines_and_analyses_tables_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE context_data (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE NOT NULL,
                 value TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, version_id TEXT);
             CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, recipe TEXT NOT NULL,
                 recipe_path TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL, status TEXT NOT NULL);
             CREATE TABLE context_history (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER REFERENCES runs(id),
                 timestamp REAL NOT NULL, key TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL,
                 who TEXT, operation TEXT NOT NULL);
             CREATE INDEX context_history_key ON context_history(key, id);
             CREATE TABLE metric_series (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
                 metric_type TEXT NOT NULL, unit TEXT NOT NULL, tags TEXT NOT NULL, source TEXT,
                 UNIQUE(name, metric_type, unit, tags));
             CREATE TABLE metric_samples (series_id INTEGER NOT NULL REFERENCES metric_series(id),
                 run_id INTEGER REFERENCES runs(id), ts_ns INTEGER NOT NULL, value REAL NOT NULL, context TEXT);
             CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
             CREATE INDEX metric_samples_run ON metric_samples(run_id);
             INSERT INTO context_data (key, value) VALUES ('k.v', '1');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(store.context_value("k.v").unwrap(), Some(json!(1)));
    assert_eq!(count(&store, "baselines"), 0);
    assert_eq!(count(&store, "analyses"), 0);
}

#[test]
fn an_import_that_fails_in_the_store_leaves_neither_run_nor_samples() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    // SQLite stores NaN as NULL, which the NOT NULL value column refuses mid-batch.
    let rows = [row("m", "a", 1, 1.0), row("m", "a", 2, f64::NAN)];
    assert!(store.import_samples("bad.csv", &rows).is_err());
    assert_eq!(
        (count(&store, "runs"), count(&store, "metric_samples")),
        (0, 0)
    );
    assert_eq!(
        count(&store, "metric_series"),
        0,
        "the series insert is rolled back too"
    );
    let run = store.import_samples("good.csv", &rows[..1]).unwrap();
    assert_eq!(store.runs().unwrap()[0].recipe, "import");
    assert_eq!(store.runs().unwrap()[0].status, "completed");
    assert_eq!(store.runs().unwrap()[0].recipe_path, "good.csv");
    assert_eq!(
        store
            .metric_samples("m", SampleWindow::default())
            .unwrap()
            .run_ids,
        [Some(run)]
    );
}

#[test]
fn queries_select_by_glob_window_and_run_across_series() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let r1 = store
        .import_samples(
            "one",
            &[
                row("wall", "a", 30, 3.0),
                row("wall", "b", 10, 1.0),
                row("cpu", "a", 10, 9.0),
            ],
        )
        .unwrap();
    let r2 = store
        .import_samples(
            "two",
            &[row("wall", "a", 40, 4.0), row("wall", "b", 20, 2.0)],
        )
        .unwrap();
    let r3 = store
        .import_samples("three", &[row("cpu", "a", 50, 5.0)])
        .unwrap();
    assert_eq!(store.metric_names().unwrap(), ["cpu", "wall"]);
    let w = glob::Pattern::new("w*").unwrap();
    assert_eq!(store.metric_names_matching(&w).unwrap(), ["wall"]);

    let all = store
        .metric_samples("wall", SampleWindow::default())
        .unwrap();
    assert_eq!(
        all.values,
        [1.0, 2.0, 3.0, 4.0],
        "time order across both step series"
    );
    assert_eq!(all.timestamps, [10, 20, 30, 40]);
    assert_eq!(all.run_ids, [Some(r1), Some(r2), Some(r1), Some(r2)]);
    let steps: Vec<&str> = (0..4)
        .map(|i| all.series_at(i).tags["step"].as_str())
        .collect();
    assert_eq!(steps, ["b", "b", "a", "a"]);
    let recent = store
        .metric_samples(
            "wall",
            SampleWindow {
                since_ns: Some(20),
                run_id: None,
            },
        )
        .unwrap();
    assert_eq!(recent.values, [2.0, 3.0, 4.0]);
    let run1 = store
        .metric_samples(
            "wall",
            SampleWindow {
                since_ns: None,
                run_id: Some(r1),
            },
        )
        .unwrap();
    assert_eq!(run1.values, [1.0, 3.0]);

    let names = ["wall".to_owned()];
    assert_eq!(
        store.latest_run_with_samples(&names, None).unwrap(),
        Some(r2)
    );
    assert_eq!(
        store.latest_run_with_samples(&names, Some(r2)).unwrap(),
        Some(r1)
    );
    assert_eq!(
        store.latest_run_with_samples(&names, Some(r1)).unwrap(),
        None
    );
    let both = ["wall".to_owned(), "cpu".to_owned()];
    assert_eq!(
        store.latest_run_with_samples(&both, None).unwrap(),
        Some(r3)
    );

    let per_run = store.samples_per_run("wall").unwrap();
    assert_eq!(per_run.len(), 2);
    assert_eq!(
        (per_run[0].run_id, &per_run[0].values[..]),
        (r1, &[1.0, 3.0][..])
    );
    assert_eq!(
        (per_run[1].run_id, &per_run[1].values[..]),
        (r2, &[2.0, 4.0][..])
    );
    let extent = store.metric_extent("cpu").unwrap().unwrap();
    assert_eq!((extent.count, extent.first_ns, extent.last_ns), (2, 10, 50));
    assert_eq!(store.metric_extent("nope").unwrap(), None);
}

#[test]
fn the_newest_baseline_is_current_and_analyses_are_kept_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    assert_eq!(store.latest_baseline("m").unwrap(), None);
    let source = json!({"kind": "values"});
    for (mean, values) in [(1.5, vec![1.0, 2.0]), (3.5, vec![3.0, 4.0])] {
        store
            .insert_baseline(&NewBaseline {
                metric: "m",
                tags: &BTreeMap::new(),
                scope: BaselineScope::Series,
                run_id: None,
                source: &source,
                mean,
                std_dev: 0.5f64.sqrt(),
                median: mean,
                values: &values,
            })
            .unwrap();
    }
    let b = store.latest_baseline("m").unwrap().unwrap();
    assert_eq!((b.id, b.mean, b.sample_count), (2, 3.5, 2));
    assert_eq!(b.values, [3.0, 4.0]);
    assert_eq!(b.source, source);
    let run = store.begin_run("r", "r.yaml", 0.0).unwrap();
    store
        .insert_analysis(Some(run), Some("analyze"), &json!({"kind": "analysis"}))
        .unwrap();
    let rows = store.analyses(run).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].step.as_deref(), Some("analyze"));
    assert_eq!(rows[0].result, json!({"kind": "analysis"}));
    assert!(store.analyses(run + 1).unwrap().is_empty());
}
