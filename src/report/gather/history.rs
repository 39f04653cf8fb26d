//! A series across runs: per run its sample count, mean and p95, and the runs where the per-run
//! mean changed (Hunter / Otava change points over the run means, the Apache Otava / Bencher
//! use case: "the run where a step got slower").

use std::collections::{BTreeMap, HashMap};

use super::select::Columns;
use super::Settings;
use crate::analyze::changepoint::compute_change_points;
use crate::analyze::descriptive::mean;
use crate::analyze::quantile::quantile;
use crate::report::model::{History, RunPoint};

/// The history of `all` (every stored sample of one series); `run_starts` maps run ids to
/// their start (epoch ns).
pub fn history(
    all: &Columns,
    run_starts: &HashMap<i64, i64>,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> History {
    let mut per_run: BTreeMap<i64, (Vec<f64>, i64)> = BTreeMap::new();
    for ((run, v), ts) in all.run_ids.iter().zip(&all.values).zip(&all.timestamps) {
        if let Some(run) = run {
            per_run.entry(*run).or_insert((Vec::new(), *ts)).0.push(*v);
        }
    }
    let mut runs = Vec::with_capacity(per_run.len());
    for (run_id, (values, first_ts)) in per_run {
        let (Ok(m), Ok(p95)) = (
            mean(&values),
            quantile(&values, 0.95, settings.percentile_method),
        ) else {
            continue;
        };
        runs.push(RunPoint {
            run_id,
            started_ns: run_starts.get(&run_id).copied().unwrap_or(first_ts),
            count: values.len(),
            mean: m,
            p95,
        });
    }
    let means: Vec<f64> = runs.iter().map(|r| r.mean).collect();
    let change_runs = if means.len() >= 2 {
        match compute_change_points(&means, None, &settings.change_points) {
            Ok(cps) => cps.iter().map(|cp| runs[cp.index].run_id).collect(),
            Err(e) => {
                warnings.push(format!("change points across runs: {e}"));
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    History { runs, change_runs }
}
