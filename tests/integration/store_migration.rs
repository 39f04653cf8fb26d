//! A store written at schema v2 (`tests/fixtures/store_v2/`, made by the f0 of that schema:
//! two runs of `make_v2`, two name-keyed baselines of `step_wall_time` pooling its sleep
//! steps) opens, migrates to the current schema and keeps its baselines, now pooled ones: a
//! pooled comparison uses them, a per-series one says they exist and does not use them.

use std::collections::BTreeMap;

use framework0::store::{BaselineScope, Store, SCHEMA_VERSION};
use serde_json::{json, Value};

use crate::util::action::{fails, json, json_as};
use crate::util::Scratch;

/// A scratch store that is a copy of the v2 fixture.
fn v2_store() -> Scratch {
    let s = Scratch::new();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store_v2/store_v2.db"
    );
    std::fs::copy(fixture, s.store()).unwrap();
    let version: i64 = s
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2, "the fixture is a v2 store");
    s
}

/// The v2 fixture migrated by opening it for writing (what `f0 run` or `f0 import` does).
fn migrated() -> Scratch {
    let s = v2_store();
    drop(Store::open(&s.store()).unwrap());
    s
}

#[test]
fn a_version_2_store_migrates_and_keeps_its_baselines_as_pooled_ones() {
    let s = v2_store();
    let refused = fails(&s, &["compare"]);
    assert!(
        refused.contains("has schema version 2; this f0 reads version")
            && refused.contains("run any writing command (f0 run, f0 import) once to migrate it"),
        "a read-only command does not migrate: {refused}"
    );
    let store = Store::open(&s.store()).unwrap();
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let rows = store.baselines_of("step_wall_time").unwrap();
    assert_eq!(rows.len(), 2);
    for (b, (id, run)) in rows.iter().zip([(1, 1), (2, 2)]) {
        assert_eq!(
            (b.id, b.run_id, b.scope),
            (id, Some(run), BaselineScope::Pooled)
        );
        assert!(b.tags.is_empty());
        assert_eq!(b.sample_count, 2);
        assert_eq!(b.values.len(), 2);
        assert_eq!(
            b.source,
            json!({"kind": "selection", "run_id": run, "timeframe": "this_run"})
        );
    }
    let current = store
        .latest_baseline_for("step_wall_time", BaselineScope::Pooled, &BTreeMap::new())
        .unwrap()
        .unwrap();
    assert_eq!(current.id, 2);
    assert_eq!(current.mean, (current.values[0] + current.values[1]) / 2.0);
    assert_eq!(store.runs().unwrap().len(), 2);
    drop(store);
    let again = Store::open(&s.store()).unwrap();
    assert_eq!(
        again.baselines_of("step_wall_time").unwrap().len(),
        2,
        "a second open changes nothing"
    );
}

#[test]
fn old_pooled_baselines_serve_pooled_comparisons_and_are_named_not_used_for_series() {
    let s = migrated();
    let base = [
        "analyze",
        "--metric",
        r#"step_wall_time{step=~"fast|slow"}"#,
        "--timeframe",
        "all",
        "--compare-baseline",
        "--anomaly-methods",
        "none",
    ];
    let per_series = json(&s, &base);
    for m in per_series["metrics"].as_array().unwrap() {
        assert_eq!(m["baseline_comparison"], Value::Null);
        assert_eq!(
            m["warnings"],
            json!(["baseline comparison: no baseline is stored for this series; the pooled baseline #2 of 'step_wall_time' mixes every series of the name and is not used for one of them (compare the pool with pool: true, or establish per-series baselines with baseline.establish)"])
        );
    }
    let pooled = json(&s, &[&base[..], &["--pool"]].concat());
    let c = &pooled["metrics"][0]["baseline_comparison"];
    assert_eq!(
        (
            &c["baseline_id"],
            &c["baseline_scope"],
            &c["baseline_series"]
        ),
        (&json!(2), &json!("pooled"), &json!("*"))
    );
    assert_eq!(c["candidate_sample_count"], 4, "both steps of both runs");

    let cmp = json_as(
        &s,
        "compare",
        &["compare", "--baseline", "--metric", "step_wall_time"],
    );
    for r in cmp["rows"].as_array().unwrap() {
        assert_eq!(r["verdict"], "insufficient_data");
        assert_eq!(r["reason"], "no baseline is stored for this series; the pooled baseline #2 of 'step_wall_time' mixes every series of the name and is not used for one of them");
    }
}

#[test]
fn new_per_series_baselines_join_the_old_context_entry_kept_under_star() {
    let s = v2_store();
    let old = s.ctx("metrics.baselines.step_wall_time").unwrap();
    assert_eq!(old["id"], 2, "the v2 shape: one summary for the name");
    let recipe = s.write(
        "per_series.yaml",
        "metadata: {name: make_v2}\nsteps:\n  - {idx: 1, name: establish, module: scriptlets.foundation.performance_metrics, \
         function: PerformanceMetricsScriptlet, args: {action: analyze, timeframe: all, metrics: 'step_wall_time{step=~\"fast|slow\"}', \
         anomaly_detection: false, baseline: {establish: true}}}\n",
    );
    let (code, out) = s.run_json(&recipe, &[]);
    assert_eq!(code, 0, "{out:#}");
    let now = s.ctx("metrics.baselines.step_wall_time").unwrap();
    let keys: Vec<&String> = now.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["*", "recipe=make_v2,step=fast", "recipe=make_v2,step=slow"]
    );
    assert_eq!(now["*"], old, "the old entry is kept as the pooled one");
    assert_eq!(now["recipe=make_v2,step=fast"]["scope"], "series");
    assert_eq!(
        now["recipe=make_v2,step=fast"]["sample_count"], 2,
        "one sample from each of the two v2 runs"
    );
    let stored: Vec<(String, String)> = {
        let conn = s.sql();
        let mut stmt = conn
            .prepare("SELECT scope, tags FROM baselines ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        stored,
        [
            ("pooled".to_owned(), "{}".to_owned()),
            ("pooled".to_owned(), "{}".to_owned()),
            (
                "series".to_owned(),
                r#"{"recipe":"make_v2","step":"fast"}"#.to_owned()
            ),
            (
                "series".to_owned(),
                r#"{"recipe":"make_v2","step":"slow"}"#.to_owned()
            ),
        ]
    );
}
