//! Pushing one run's series to a Pushgateway at the end of `f0 run --pushgateway URL`.
//!
//! The group is `job` + `instance` (a `PUT`, so the group then holds exactly this run's
//! series); every series carries the run id as its `run_id` label. Gauges and counters push
//! the run's last value, timing and histogram series the buckets of the run's samples.

use std::collections::BTreeMap;

use crate::exposition::{push, Accumulator, Family, FamilySet, Kind, PushError, PushTarget, Value};
use crate::store::exposition::ExposedSample;
use crate::store::{Store, StoreError};

use super::mapping::{labels, Shape};

/// Labels the push sets itself; tags of these names are pushed as `exported_<name>`.
const OWN_LABELS: &[&str] = &["job", "instance", "run_id"];

/// Pushing a run failed.
#[derive(Debug, thiserror::Error)]
pub enum PushRunError {
    /// Reading the run's samples failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The push itself failed.
    #[error(transparent)]
    Push(#[from] PushError),
}

/// What a push sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// The group URL pushed to.
    pub url: String,
    /// Families sent.
    pub families: usize,
    /// Series sent.
    pub series: usize,
}

/// The families of run `run_id`: its series labelled with their tags and `run_id`.
pub fn run_families(store: &Store, run_id: i64) -> Result<Vec<Family>, StoreError> {
    struct Acc {
        shape: Shape,
        last: Option<ExposedSample>,
        hist: Option<Accumulator>,
    }
    let (series, accs) = store.read_snapshot(|store| {
        let series = store.run_series(run_id)?;
        let mut accs: BTreeMap<i64, Acc> = series
            .iter()
            .map(|s| {
                let shape = Shape::of(&s.key);
                let hist = (shape.kind == Kind::Histogram).then(|| shape.accumulator());
                (
                    s.id,
                    Acc {
                        shape,
                        last: None,
                        hist,
                    },
                )
            })
            .collect();
        store.run_samples(run_id, |s| {
            if let Some(a) = accs.get_mut(&s.series_id) {
                if let Some(h) = a.hist.as_mut() {
                    h.observe(s.value * a.shape.unit.scale);
                }
                a.last = Some(s);
            }
        })?;
        Ok((series, accs))
    })?;
    let run = run_id.to_string();
    let mut set = FamilySet::new();
    for s in &series {
        let Some(a) = accs.get(&s.id) else { continue };
        let value = match (&a.hist, a.last) {
            (Some(h), _) => Value::Histogram(h.value()),
            (None, Some(l)) if a.shape.kind == Kind::Counter => {
                Value::Counter(l.value * a.shape.unit.scale)
            }
            (None, Some(l)) => Value::Gauge(l.value * a.shape.unit.scale),
            (None, None) => continue,
        };
        let family = a.shape.family(&mut set, &s.key);
        let tags = labels(&s.key, OWN_LABELS).chain([("run_id".to_owned(), run.clone())]);
        // The value was built for the series' kind, so it always fits its family.
        let _ = set.push(family, tags, value);
    }
    Ok(set.into_families())
}

/// Pushes run `run_id`'s series to the Pushgateway at `url`, grouped by `job` and `instance`.
pub fn push_run(
    store: &Store,
    run_id: i64,
    url: &str,
    job: &str,
    instance: &str,
) -> Result<PushReport, PushRunError> {
    let target = PushTarget::parse(url)?;
    let families = run_families(store, run_id)?;
    let grouping = [("job", job), ("instance", instance)];
    push(&target, &grouping, &families)?;
    Ok(PushReport {
        url: target.group_url(&grouping),
        families: families.len(),
        series: families.iter().map(|f| f.series().len()).sum(),
    })
}
