//! Pushing one run's series to a Pushgateway at the end of `f0 run --pushgateway URL`.
//!
//! The group is `job` + `instance` (a `PUT`, so the group then holds exactly this run's
//! series); every series carries the run id as its `run_id` label. Gauges and counters push
//! the run's last value, timing and histogram series the buckets of the run's samples.

use std::collections::BTreeMap;

use crate::exposition::{push, Family, FamilySet, PushError, PushTarget};
use crate::store::{Store, StoreError};

use super::mapping::SeriesState;

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
    let series = store.read_snapshot(|store| {
        let mut series: BTreeMap<i64, SeriesState> = store
            .run_series(run_id)?
            .into_iter()
            .map(|s| (s.id, SeriesState::new(s.key)))
            .collect();
        store.run_samples(run_id, |s| {
            if let Some(t) = series.get_mut(&s.series_id) {
                t.observe(s, true);
            }
        })?;
        Ok(series)
    })?;
    let run = run_id.to_string();
    let mut set = FamilySet::new();
    for t in series.values() {
        t.expose(&mut set, OWN_LABELS, &[("run_id", &run)]);
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
