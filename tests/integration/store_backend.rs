//! The store through its narrow interface (`store::backend::MetricsStore`, what a second
//! backend implements): a metrics batch written and read back by run, and a store of a newer
//! schema refused by name.

use framework0::metrics::{MetricType, MetricUnit, PerformanceMetric};
use framework0::store::backend::MetricsStore;
use framework0::store::{Store, StoreError, SCHEMA_VERSION};

use crate::util::Scratch;

fn metric(shard: &str, ts: i64, value: f64) -> PerformanceMetric {
    let mut m =
        PerformanceMetric::new("queue_depth", value, MetricType::Gauge, MetricUnit::Count).unwrap();
    m.timestamp = ts;
    m.tags.insert("shard".into(), shard.into());
    m
}

#[test]
fn a_metrics_batch_goes_in_and_comes_back_by_run_through_the_trait() {
    let s = Scratch::new();
    let mut store = Store::open(&s.store()).unwrap();
    let db: &mut dyn MetricsStore = &mut store;
    let run = db.begin_run("r", "r.yaml", 1_000.5).unwrap();
    let batch = [
        metric("a", 30, 3.0),
        metric("b", 10, 1.0),
        metric("a", 20, 2.0),
    ];
    assert_eq!(db.insert_metrics(Some(run), &batch).unwrap(), 3);
    db.finish_run(run, 1_001.0, "completed").unwrap();
    let values: Vec<f64> = db
        .samples_of_runs(&[run])
        .unwrap()
        .iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(values, [1.0, 2.0, 3.0], "time order");
    assert_eq!(db.runs_with_samples().unwrap(), [run]);
    assert_eq!(db.run_start_times().unwrap()[&run], 1_000.5);
    let series = db.series_index().unwrap();
    assert_eq!(series.len(), 2);
    let extent = db
        .series_extent(&series.iter().map(|s| s.id).collect::<Vec<_>>())
        .unwrap()
        .unwrap();
    assert_eq!((extent.count, extent.first_ns, extent.last_ns), (3, 10, 30));
    assert_eq!(db.runs().unwrap()[0].status, "completed");
}

#[test]
fn a_store_of_a_newer_schema_is_refused_and_left_alone() {
    let s = Scratch::new();
    drop(Store::open(&s.store()).unwrap());
    let newer = SCHEMA_VERSION + 1;
    rusqlite::Connection::open(s.store())
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = Store::open(&s.store()).err().expect("refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == newer),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade f0"), "{err}");
    let version: i64 = s
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, newer);
}
