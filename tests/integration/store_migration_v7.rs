//! Schema v6 -> v7 (series ids without AUTOINCREMENT): the v5 fixture migrates through v6 to
//! v7 with every series id, name, tag set and source kept, the identity stays unique, new
//! series take the next id after the largest, and a run of a recipe on the migrated store
//! adds its step series and reads back the old ones.

use std::path::PathBuf;

use framework0::store::Store;

use crate::util::{step, Scratch};

type SeriesRow = (i64, String, String, String, String, Option<String>);

fn series(c: &rusqlite::Connection) -> Vec<SeriesRow> {
    let mut st = c
        .prepare("SELECT id, name, metric_type, unit, tags, source FROM metric_series ORDER BY id")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn migrated() -> (Scratch, Vec<SeriesRow>) {
    let s = Scratch::new();
    let fixture = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store_v5/store_v5.db"
    ));
    std::fs::copy(fixture, s.store()).unwrap();
    let before = series(&s.sql());
    assert!(before.len() > 3, "the fixture has series: {before:?}");
    drop(Store::open(&s.store()).unwrap());
    (s, before)
}

#[test]
fn a_migrated_store_keeps_every_series_id_and_drops_autoincrement() {
    let (s, before) = migrated();
    let c = s.sql();
    assert_eq!(series(&c), before, "same series, same ids");
    let sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'metric_series'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!sql.contains("AUTOINCREMENT"), "{sql}");
    let seq: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_sequence WHERE name LIKE 'metric_series%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seq, 0, "no sequence row is left for the series table");
    let (_, name, metric_type, unit, tags, _) = before[0].clone();
    let dup = c.execute(
        "INSERT INTO metric_series (name, metric_type, unit, tags) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![name, metric_type, unit, tags],
    );
    assert!(dup.is_err(), "the identity is still unique");
    let integrity: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn a_run_on_the_migrated_store_adds_series_after_the_largest_id() {
    let (s, before) = migrated();
    let largest = before.iter().map(|r| r.0).max().unwrap();
    let recipe = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}",
            step("brand_new_a", 1, "Noop", ""),
            step("brand_new_b", 2, "Noop", "")
        ),
    );
    let out = s.run(&["run", recipe.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let after = series(&s.sql());
    assert_eq!(&after[..before.len()], &before[..], "old series untouched");
    let added = &after[before.len()..];
    assert_eq!(added.len(), 12, "six series per step: {added:?}");
    let ids: Vec<i64> = added.iter().map(|r| r.0).collect();
    assert_eq!(ids, (largest + 1..=largest + 12).collect::<Vec<_>>());
    assert!(added.iter().any(|r| r.4.contains("brand_new_b")));
    // The same recipe again finds its series instead of adding them.
    let out = s.run(&["run", recipe.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(series(&s.sql()).len(), after.len());
}

fn sample(name: &str, value: f64) -> framework0::store::SampleRow {
    framework0::store::SampleRow {
        series: framework0::store::SeriesKey {
            name: name.to_owned(),
            metric_type: "timing".to_owned(),
            unit: "ns".to_owned(),
            tags: [("step".to_owned(), "s".to_owned())].into(),
            source: Some("runner".to_owned()),
        },
        ts_ns: 1,
        value,
        context: None,
    }
}

/// Series creation guesses from the series before whether the next exists (a `SELECT` or an
/// `INSERT` first): a commit that alternates between new series and series another
/// connection created must still find each existing one and create each new one once.
#[test]
fn a_commit_alternating_new_and_existing_series_creates_each_once() {
    let s = Scratch::new();
    Store::open(&s.store())
        .unwrap()
        .insert_samples(None, &[sample("b_old", 1.0), sample("d_old", 1.0)])
        .unwrap();
    let mut other = Store::open(&s.store()).unwrap(); // a cache that knows nothing
    let names = [
        "a_new", "b_old", "c_new", "d_old", "e_new", "f_new", "b_old",
    ];
    let rows: Vec<_> = names.iter().map(|n| sample(n, 2.0)).collect();
    other.insert_samples(None, &rows).unwrap();
    let got = series(&s.sql());
    let mut by_name: Vec<&str> = got.iter().map(|r| r.1.as_str()).collect();
    by_name.sort_unstable();
    assert_eq!(
        by_name,
        ["a_new", "b_old", "c_new", "d_old", "e_new", "f_new"]
    );
    let per_series: Vec<(String, i64)> = {
        let c = s.sql();
        let mut st = c
            .prepare(
                "SELECT s.name, COUNT(*) FROM metric_samples m JOIN metric_series s \
                 ON s.id = m.series_id GROUP BY s.name ORDER BY s.name",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let expect = [
        ("a_new", 1),
        ("b_old", 3),
        ("c_new", 1),
        ("d_old", 2),
        ("e_new", 1),
        ("f_new", 1),
    ];
    assert_eq!(
        per_series,
        expect.map(|(n, c)| (n.to_owned(), c)).to_vec(),
        "every sample joined its own series"
    );
}
