//! Baselines of the analyze action, per series (or group, or pool): establishing them from the
//! analysed samples, a run, a timeframe, the last N runs or given values; comparing analysed
//! samples with the stored one ([`crate::analyze::baseline::compare_samples`]: Welch or
//! Mann–Whitney significance — the prediction-interval test when a side has one sample —,
//! bootstrap interval of the relative change, noise threshold); and drift of the per-run
//! means across the run history ([`crate::analyze::baseline::drift`], Mann–Kendall).
//!
//! A series is compared with its own baseline only: when it has none but its name has a pooled
//! one (every baseline of schema v2 is pooled), the comparison is left out with a warning
//! saying so, never silently replaced by the pool.
//!
//! "Better" is lower unless the arguments say otherwise or the metric is a throughput (type
//! `throughput` or unit `ops/s`), so a slower timing is a regression.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::args::{BaselineSettings, EstablishFrom, Grouping, RunRef};
use super::baseline_args::series_of_label;
use super::error::AnalyzeError;
use super::report::{BaselineComparison, DriftReport, EstablishedBaseline};
use super::select::{window, Selection, SeriesSet, SetSamples};
use super::timeframe::Timeframe;
use crate::analyze::baseline::{compare_samples, drift, CompareParams};
use crate::analyze::descriptive::{self, Moments};
use crate::analyze::hypothesis::{mann_whitney_u, welch_t_test};
use crate::metrics::selector::{series_label, tag_string};
use crate::store::{BaselineScope, MetricSamples, NewBaseline, SampleWindow, Store};

/// Whether larger values of `set`'s metric are better.
pub fn higher_is_better(settings: &BaselineSettings, set: &SeriesSet) -> bool {
    settings.higher_is_better.unwrap_or_else(|| {
        set.members
            .first()
            .is_some_and(|s| s.key.metric_type == "throughput" || s.key.unit == "ops/s")
    })
}

/// Why `set` has no baseline to compare with.
fn missing(store: &Store, set: &SeriesSet) -> String {
    let what = match set.scope {
        BaselineScope::Series => "series",
        BaselineScope::Group => "group",
        BaselineScope::Pooled => "pool",
    };
    let pooled = match set.scope {
        BaselineScope::Pooled => None,
        _ => store
            .latest_baseline_for(&set.name, BaselineScope::Pooled, &BTreeMap::new())
            .ok()
            .flatten(),
    };
    match pooled {
        Some(p) => format!(
            "no baseline is stored for this {what}; the pooled baseline #{} of '{}' mixes every \
             series of the name and is not used for one of them (compare the pool with \
             pool: true, or establish per-{what} baselines with baseline.establish)",
            p.id, set.name
        ),
        None => {
            format!("no baseline is stored for this {what} (establish one with baseline.establish)")
        }
    }
}

/// Why a series was not compared with its baseline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoComparison {
    /// None is stored yet (a first run): there is nothing to judge against.
    #[error("{0}")]
    NotStored(String),
    /// One is stored but cannot be read or compared with: a regression gate cannot judge.
    #[error("{0}")]
    Unusable(String),
}

/// Compares `set`'s samples with its stored baseline; `Err` says why it could not.
pub fn compare_with_stored(
    store: &Store,
    set: &SetSamples,
    settings: &BaselineSettings,
    regression_threshold: f64,
) -> Result<BaselineComparison, NoComparison> {
    let unusable = |e: &dyn std::fmt::Display| NoComparison::Unusable(e.to_string());
    let s = &set.set;
    let base = store
        .latest_baseline_for(&s.name, s.scope, &s.baseline_tags())
        .map_err(|e| unusable(&e))?
        .ok_or_else(|| NoComparison::NotStored(missing(store, s)))?;
    let higher_is_better = higher_is_better(settings, s);
    let params = CompareParams {
        higher_is_better,
        alpha: settings.alpha,
        regression_threshold,
        test: settings.test,
        ..CompareParams::default()
    };
    let candidate = &set.samples.values[..];
    let comparison = compare_samples(&base.values, candidate, &params).map_err(|e| unusable(&e))?;
    let two_sided = candidate.len() >= 2 && base.values.len() >= 2;
    let welch = two_sided
        .then(|| welch_t_test(candidate, &base.values).map(|t| t.p_value))
        .transpose()
        .map_err(|e| unusable(&e))?;
    let mann_whitney = two_sided
        .then(|| mann_whitney_u(candidate, &base.values).map(|t| t.p_value))
        .transpose()
        .map_err(|e| unusable(&e))?;
    Ok(BaselineComparison {
        comparison,
        welch_p_value: welch,
        mann_whitney_p_value: mann_whitney,
        regression_threshold,
        higher_is_better,
        baseline_id: base.id,
        baseline_scope: base.scope,
        baseline_series: match base.scope {
            BaselineScope::Pooled => "*".to_owned(),
            _ => tag_string(&base.tags),
        },
        baseline_source: base.source,
        baseline_sample_count: base.sample_count,
        candidate_sample_count: candidate.len(),
    })
}

/// Every sample of `set`, whatever the timeframe.
fn all_samples(store: &Store, set: &SeriesSet) -> Result<MetricSamples, AnalyzeError> {
    Ok(store.samples_of_series(&set.name, &set.members, SampleWindow::default())?)
}

/// The values of `samples` per run, in run order (samples outside runs left out).
pub fn per_run(samples: &MetricSamples) -> BTreeMap<i64, Vec<f64>> {
    let mut out: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (run, v) in samples.run_ids.iter().zip(&samples.values) {
        if let Some(run) = run {
            out.entry(*run).or_default().push(*v);
        }
    }
    out
}

/// Drift of `set` across every run holding samples of it; `Ok(None)` below 3 runs.
pub fn drift_across_runs(
    store: &Store,
    set: &SeriesSet,
    alpha: f64,
    higher_is_better: bool,
) -> Result<Option<DriftReport>, String> {
    let runs = per_run(&all_samples(store, set).map_err(|e| e.to_string())?);
    if runs.len() < 3 {
        return Ok(None);
    }
    let mut run_means = Vec::with_capacity(runs.len());
    for (run, values) in &runs {
        run_means.push(descriptive::mean(values).map_err(|e| format!("run {run}: {e}"))?);
    }
    let drift = drift(&run_means, alpha, higher_is_better).map_err(|e| e.to_string())?;
    Ok(Some(DriftReport {
        drift,
        runs: runs.keys().copied().collect(),
        run_means,
    }))
}

/// Where the analysis stands: for resolving `run: last` and relative timeframes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Current time, epoch ns.
    pub now_ns: i64,
    /// The running run, if any.
    pub run_id: Option<i64>,
}

/// One set's baseline samples and where they came from.
fn baseline_samples(
    store: &Store,
    from: &EstablishFrom,
    set: &SetSamples,
    selection: &Selection,
    timeframe: Timeframe,
    now: Now,
) -> Result<(Vec<f64>, Value), AnalyzeError> {
    let s = &set.set;
    let read = |w: SampleWindow| -> Result<Vec<f64>, AnalyzeError> {
        Ok(store.samples_of_series(&s.name, &s.members, w)?.values)
    };
    Ok(match from {
        EstablishFrom::Selection => (
            set.samples.values.clone(),
            json!({"kind": "selection", "timeframe": timeframe.to_string(), "run_id": selection.analysed_run_id}),
        ),
        EstablishFrom::Run(RunRef::Id(id)) => (
            read(SampleWindow {
                since_ns: None,
                run_id: Some(*id),
            })?,
            json!({"kind": "run", "run_id": id}),
        ),
        EstablishFrom::Run(RunRef::Last) => {
            let runs = per_run(&all_samples(store, s)?);
            let last = runs
                .keys()
                .copied()
                .rfind(|r| now.run_id.map_or(true, |cur| *r < cur));
            let values = last.and_then(|r| runs.get(&r).cloned()).unwrap_or_default();
            (values, json!({"kind": "run", "run_id": last}))
        }
        EstablishFrom::Timeframe(t) => {
            let w = window(
                store,
                *t,
                std::slice::from_ref(&s.name),
                now.now_ns,
                now.run_id,
            )?;
            (
                read(w)?,
                json!({"kind": "timeframe", "timeframe": t.to_string(), "run_id": w.run_id}),
            )
        }
        EstablishFrom::LastRuns(n) => {
            let runs = per_run(&all_samples(store, s)?);
            let chosen: Vec<i64> = runs.keys().rev().take(*n).rev().copied().collect();
            let values = chosen
                .iter()
                .flat_map(|r| runs[r].iter().copied())
                .collect();
            (
                values,
                json!({"kind": "runs", "last_runs": n, "runs": chosen}),
            )
        }
        // Given values name their series themselves (see `given`).
        EstablishFrom::Values(_) => (Vec::new(), json!({"kind": "values"})),
    })
}

/// What to store: the set's identity and its samples.
struct Pending {
    name: String,
    tags: BTreeMap<String, String>,
    scope: BaselineScope,
    label: String,
    values: Vec<f64>,
    source: Value,
}

fn store_one(
    store: &mut Store,
    p: Pending,
    run_id: Option<i64>,
) -> Result<EstablishedBaseline, AnalyzeError> {
    let fail = |reason: String| AnalyzeError::Establish {
        metric: p.label.clone(),
        reason,
    };
    let moments = Moments::new(&p.values).map_err(|e| fail(e.to_string()))?;
    let median = descriptive::median(&p.values).map_err(|e| fail(e.to_string()))?;
    let std_dev = moments.std_dev().unwrap_or_default();
    let id = store.insert_baseline(&NewBaseline {
        metric: &p.name,
        tags: &p.tags,
        scope: p.scope,
        run_id,
        source: &p.source,
        mean: moments.mean,
        std_dev,
        median,
        values: &p.values,
    })?;
    Ok(EstablishedBaseline {
        id,
        series: match p.scope {
            BaselineScope::Pooled => "*".to_owned(),
            _ => tag_string(&p.tags),
        },
        metric: p.name,
        tags: p.tags,
        scope: p.scope,
        source: p.source,
        sample_count: p.values.len(),
        mean: moments.mean,
        std_dev: crate::analyze::basic::json_clean(std_dev),
        median,
        min_value: moments.min,
        max_value: moments.max,
    })
}

/// A baseline that could not be established for one set without failing the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct NotEstablished {
    /// The metric.
    pub metric: String,
    /// The set's key (canonical tag string or `*`).
    pub series: String,
    /// Why.
    pub reason: String,
}

/// The baselines given as values, by series label, in the scope of `grouping`.
fn given(map: &BTreeMap<String, Vec<f64>>, grouping: &Grouping) -> Vec<Pending> {
    map.iter()
        .filter_map(|(label, values)| {
            let (name, tags) = series_of_label(label).ok()?;
            let (scope, tags) = match grouping {
                Grouping::Series => (BaselineScope::Series, tags),
                Grouping::By(_) => (BaselineScope::Group, tags),
                Grouping::Pool => (BaselineScope::Pooled, BTreeMap::new()),
            };
            Some(Pending {
                label: series_label(&name, &tags),
                name,
                tags,
                scope,
                values: values.clone(),
                source: json!({"kind": "values"}),
            })
        })
        .collect()
}

/// Stores one baseline per set of the selection (or per series of the given values) and
/// returns what was stored, and the sets a rolling baseline could not cover yet.
pub fn establish(
    store: &mut Store,
    from: &EstablishFrom,
    selection: &Selection,
    grouping: &Grouping,
    timeframe: Timeframe,
    now: Now,
) -> Result<(Vec<EstablishedBaseline>, Vec<NotEstablished>), AnalyzeError> {
    let mut pending = Vec::new();
    let mut not_yet = Vec::new();
    if let EstablishFrom::Values(map) = from {
        pending = given(map, grouping);
    } else {
        let mut seen = BTreeSet::new();
        for set in &selection.sets {
            if !seen.insert((set.set.name.clone(), set.set.key())) {
                continue;
            }
            let (values, source) = baseline_samples(store, from, set, selection, timeframe, now)?;
            pending.push(Pending {
                name: set.set.name.clone(),
                tags: set.set.baseline_tags(),
                scope: set.set.scope,
                label: set.set.label(),
                values,
                source,
            });
        }
    }
    let mut out = Vec::new();
    for p in pending {
        if p.values.len() >= 2 {
            out.push(store_one(store, p, now.run_id)?);
            continue;
        }
        let reason = format!(
            "{} sample(s) from {}; a baseline needs at least 2",
            p.values.len(),
            p.source
        );
        match from {
            EstablishFrom::LastRuns(_) => not_yet.push(NotEstablished {
                metric: p.name.clone(),
                series: if p.scope == BaselineScope::Pooled {
                    "*".to_owned()
                } else {
                    tag_string(&p.tags)
                },
                reason: format!("baseline not established: {reason} (it grows with every run)"),
            }),
            EstablishFrom::Selection => {
                return Err(AnalyzeError::Establish {
                    metric: p.label,
                    reason: format!(
                        "{reason} (each series is analysed on its own: pool: true pools \
                         them, or establish from {{last_runs: N}} across runs)"
                    ),
                })
            }
            _ => {
                return Err(AnalyzeError::Establish {
                    metric: p.label,
                    reason,
                })
            }
        }
    }
    Ok((out, not_yet))
}
