//! Versioned migrations keyed by `PRAGMA user_version`.

use super::{Store, StoreError};

/// Each entry migrates from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: Framework0's context_data (exactly as its Python adapter creates it) + our tables.
    r#"
    CREATE TABLE IF NOT EXISTS context_data (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT UNIQUE NOT NULL,
        value TEXT NOT NULL,
        timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
        version_id TEXT);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipe TEXT NOT NULL,
        recipe_path TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        status TEXT NOT NULL);
    CREATE TABLE context_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        timestamp REAL NOT NULL,
        key TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        who TEXT,
        operation TEXT NOT NULL);
    CREATE INDEX context_history_key ON context_history(key, id);
    CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        metric_type TEXT NOT NULL,
        unit TEXT NOT NULL,
        tags TEXT NOT NULL,
        source TEXT,
        UNIQUE(name, metric_type, unit, tags));
    CREATE TABLE metric_samples (
        series_id INTEGER NOT NULL REFERENCES metric_series(id),
        run_id INTEGER REFERENCES runs(id),
        ts_ns INTEGER NOT NULL,
        value REAL NOT NULL,
        context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
    CREATE INDEX metric_samples_run ON metric_samples(run_id);
    "#,
    // v2: baselines (the samples a later comparison is judged against) and the analyze action's
    // results per run.
    r#"
    CREATE TABLE baselines (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        metric TEXT NOT NULL,
        created_at REAL NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        source TEXT NOT NULL,
        sample_count INTEGER NOT NULL,
        mean REAL NOT NULL,
        std_dev REAL NOT NULL,
        median REAL NOT NULL,
        sample_values TEXT NOT NULL);
    CREATE INDEX baselines_metric ON baselines(metric, id);
    CREATE TABLE analyses (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        step TEXT,
        created_at REAL NOT NULL,
        result TEXT NOT NULL);
    CREATE INDEX analyses_run ON analyses(run_id, id);
    "#,
    // v3: who runs a run (pid, its start time in clock ticks since boot, the boot id), so that
    // a run whose process is gone is marked `crashed` instead of staying `running` forever.
    r#"
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN proc_start INTEGER;
    ALTER TABLE runs ADD COLUMN boot_id TEXT;
    "#,
    // v4 — profiles (issue #12): every profile's report (call trees included) and folded stacks;
    // named profile baselines with each run's nodes (path -> [total_ns, self_ns]).
    r#"
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        step TEXT,
        created_at REAL NOT NULL,
        target TEXT NOT NULL,
        report TEXT NOT NULL,
        folded TEXT NOT NULL);
    CREATE INDEX profiles_run ON profiles(run_id, id);
    CREATE TABLE profile_baselines (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created_at REAL NOT NULL,
        profile_id INTEGER REFERENCES profiles(id),
        runs TEXT NOT NULL,
        folded TEXT NOT NULL);
    CREATE INDEX profile_baselines_name ON profile_baselines(name, id);
    "#,
    // v5: baselines per series: the tag set (canonical JSON, as metric_series.tags) and the
    // scope (`series`, `group` or `pooled`). The name-keyed rows of v2 pooled every series of
    // their name, so they become pooled baselines without tags.
    r#"
    ALTER TABLE baselines ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE baselines ADD COLUMN scope TEXT NOT NULL DEFAULT 'pooled';
    CREATE INDEX baselines_series ON baselines(metric, scope, tags, id);
    "#,
    // v6: samples laid out for append (issue #16). Each sample used to land in three B-trees
    // (the rowid table, `(series_id, ts_ns)` and `(run_id)`) and cost two foreign-key seeks;
    // now the table (rows in insertion order, `id` the exporter's cursor and the tie-break
    // of equal timestamps) and the `(series_id, ts_ns)` index, nothing else per row. The
    // by-run reads go through `metric_run_series`: which series each run wrote and the id
    // range its samples lie in, one row per (run, series) written once per transaction.
    // Rows keep their ids, so every read returns what it did at v5.
    r#"
    CREATE TABLE metric_samples_v6 (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        run_id INTEGER,
        ts_ns INTEGER NOT NULL,
        value REAL NOT NULL,
        context TEXT);
    INSERT INTO metric_samples_v6 (id, series_id, run_id, ts_ns, value, context)
        SELECT rowid, series_id, run_id, ts_ns, value, context FROM metric_samples ORDER BY rowid;
    DROP TABLE metric_samples;
    ALTER TABLE metric_samples_v6 RENAME TO metric_samples;
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
    CREATE TABLE metric_run_series (
        run_id INTEGER NOT NULL,
        series_id INTEGER NOT NULL,
        first_id INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        PRIMARY KEY (run_id, series_id)) WITHOUT ROWID;
    INSERT INTO metric_run_series (run_id, series_id, first_id, last_id)
        SELECT run_id, series_id, MIN(id), MAX(id) FROM metric_samples
        WHERE run_id IS NOT NULL GROUP BY run_id, series_id;
    "#,
    // v7: series ids without AUTOINCREMENT (issue #16). AUTOINCREMENT reads and rewrites
    // `sqlite_sequence` in every INSERT statement: callgrind put it at 8,500 instructions of a
    // new series' ~14,000, and a run's first steps create six series each. Series are never
    // deleted, so the plain rowid (the largest id plus one) never hands out an id that a
    // sample or a cache could still mean; rows keep their ids.
    r#"
    CREATE TABLE metric_series_v7 (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        metric_type TEXT NOT NULL,
        unit TEXT NOT NULL,
        tags TEXT NOT NULL,
        source TEXT,
        UNIQUE(name, metric_type, unit, tags));
    INSERT INTO metric_series_v7 (id, name, metric_type, unit, tags, source)
        SELECT id, name, metric_type, unit, tags, source FROM metric_series ORDER BY id;
    DROP TABLE metric_series;
    ALTER TABLE metric_series_v7 RENAME TO metric_series;
    "#,
];

/// A new store's schema at [`SCHEMA_VERSION`], created in one batch: what [`MIGRATIONS`]
/// build step by step, without their table rebuilds and the re-read of the schema after each
/// (callgrind: 9.7 M of a fresh one-step `f0 run`'s 12.8 M instructions went to migrating an
/// empty file). `a_fresh_store_has_the_schema_the_migrations_build` keeps the two equal.
const FRESH: &str = r#"
    CREATE TABLE context_data (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT UNIQUE NOT NULL,
        value TEXT NOT NULL,
        timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
        version_id TEXT);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipe TEXT NOT NULL,
        recipe_path TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        status TEXT NOT NULL,
        pid INTEGER,
        proc_start INTEGER,
        boot_id TEXT);
    CREATE TABLE context_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        timestamp REAL NOT NULL,
        key TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        who TEXT,
        operation TEXT NOT NULL);
    CREATE INDEX context_history_key ON context_history(key, id);
    CREATE TABLE baselines (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        metric TEXT NOT NULL,
        created_at REAL NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        source TEXT NOT NULL,
        sample_count INTEGER NOT NULL,
        mean REAL NOT NULL,
        std_dev REAL NOT NULL,
        median REAL NOT NULL,
        sample_values TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        scope TEXT NOT NULL DEFAULT 'pooled');
    CREATE INDEX baselines_metric ON baselines(metric, id);
    CREATE INDEX baselines_series ON baselines(metric, scope, tags, id);
    CREATE TABLE analyses (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        step TEXT,
        created_at REAL NOT NULL,
        result TEXT NOT NULL);
    CREATE INDEX analyses_run ON analyses(run_id, id);
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs(id),
        step TEXT,
        created_at REAL NOT NULL,
        target TEXT NOT NULL,
        report TEXT NOT NULL,
        folded TEXT NOT NULL);
    CREATE INDEX profiles_run ON profiles(run_id, id);
    CREATE TABLE profile_baselines (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created_at REAL NOT NULL,
        profile_id INTEGER REFERENCES profiles(id),
        runs TEXT NOT NULL,
        folded TEXT NOT NULL);
    CREATE INDEX profile_baselines_name ON profile_baselines(name, id);
    CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        metric_type TEXT NOT NULL,
        unit TEXT NOT NULL,
        tags TEXT NOT NULL,
        source TEXT,
        UNIQUE(name, metric_type, unit, tags));
    CREATE TABLE metric_samples (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        run_id INTEGER,
        ts_ns INTEGER NOT NULL,
        value REAL NOT NULL,
        context TEXT);
    CREATE INDEX metric_samples_series_ts ON metric_samples(series_id, ts_ns);
    CREATE TABLE metric_run_series (
        run_id INTEGER NOT NULL,
        series_id INTEGER NOT NULL,
        first_id INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        PRIMARY KEY (run_id, series_id)) WITHOUT ROWID;
"#;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(store: &mut Store) -> Result<(), StoreError> {
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| store.err(e))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: store.path.clone(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    store.write_tx(|tx| {
        // Re-read under the write lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let empty: bool =
            tx.query_row("SELECT COUNT(*) = 0 FROM sqlite_master", [], |r| r.get(0))?;
        if current == 0 && empty {
            tx.execute_batch(FRESH)?;
            return tx.pragma_update(None, "user_version", SCHEMA_VERSION);
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// Every table's columns, indexes (with their columns), foreign keys and kind
    /// (`AUTOINCREMENT`, `WITHOUT ROWID`), as lines of text, in name order.
    fn shape(c: &Connection) -> Vec<String> {
        let rows = |sql: &str| -> Vec<Vec<rusqlite::types::Value>> {
            let mut st = c.prepare(sql).unwrap();
            let n = st.column_count();
            st.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let text = |v: &rusqlite::types::Value| match v {
            rusqlite::types::Value::Text(t) => t.clone(),
            other => format!("{other:?}"),
        };
        let mut out = Vec::new();
        let tables = rows(
            "SELECT name, upper(sql) FROM sqlite_master WHERE type = 'table' \
             AND name != 'sqlite_sequence' ORDER BY name",
        );
        for t in &tables {
            let (name, sql) = (text(&t[0]), text(&t[1]));
            out.push(format!(
                "{name}: autoincrement {} without rowid {}",
                sql.contains("AUTOINCREMENT"),
                sql.contains("WITHOUT ROWID")
            ));
            for col in rows(&format!("PRAGMA table_xinfo('{name}')")) {
                out.push(format!("{name} column {col:?}"));
            }
            for fk in rows(&format!("PRAGMA foreign_key_list('{name}')")) {
                out.push(format!("{name} foreign key {fk:?}"));
            }
            let mut indexes = rows(&format!("PRAGMA index_list('{name}')"));
            indexes.sort_by_key(|ix| text(&ix[1]));
            for ix in &indexes {
                let ix_name = text(&ix[1]);
                out.push(format!("{name} index {:?}", &ix[1..]));
                for col in rows(&format!("PRAGMA index_xinfo('{ix_name}')")) {
                    out.push(format!("{name} index {ix_name} column {col:?}"));
                }
            }
        }
        out
    }

    #[test]
    fn a_fresh_store_has_the_schema_the_migrations_build() {
        let migrated = Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS {
            migrated.execute_batch(sql).unwrap();
        }
        let fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(FRESH).unwrap();
        let (a, b) = (shape(&migrated), shape(&fresh));
        assert!(a.len() > 60, "the shape reads the schema: {a:#?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "first difference");
        }
        assert_eq!(a.len(), b.len());
    }

    #[test]
    fn a_fresh_file_is_created_at_the_current_version_and_a_framework0_one_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        drop(Store::open(&fresh).unwrap());
        let c = Connection::open(&fresh).unwrap();
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // A store Framework0's Python adapter made (context_data only, version 0) is not
        // empty: it takes the migrations, which keep its rows.
        let f0py = dir.path().join("python.db");
        let c = Connection::open(&f0py).unwrap();
        c.execute_batch(
            "CREATE TABLE context_data (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE \
             NOT NULL, value TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, \
             version_id TEXT); INSERT INTO context_data (key, value) VALUES ('a.b', '1');",
        )
        .unwrap();
        drop(c);
        let store = Store::open(&f0py).unwrap();
        assert_eq!(
            store.context_value("a.b").unwrap(),
            Some(serde_json::json!(1))
        );
        drop(store);
        let c = Connection::open(&f0py).unwrap();
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(shape(&c), shape(&Connection::open(&fresh).unwrap()));
    }
}
