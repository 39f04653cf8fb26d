//! Baselines of the analyze action: establishing them from a run, a timeframe, given values or
//! the analysed samples; comparing analysed samples with the stored one
//! ([`crate::analyze::baseline::compare`]: Welch or Mann–Whitney significance, bootstrap
//! interval of the relative change, noise threshold); and drift of the per-run means across the
//! run history ([`crate::analyze::baseline::drift`], Mann–Kendall).
//!
//! "Better" is lower unless the arguments say otherwise or the metric is a throughput (type
//! `throughput` or unit `ops/s`), so a slower timing is a regression.

use serde_json::{json, Value};

use super::args::{BaselineSettings, EstablishFrom, RunRef};
use super::error::AnalyzeError;
use super::report::{BaselineComparison, DriftReport, EstablishedBaseline};
use super::select::{window, Selection};
use super::timeframe::Timeframe;
use crate::analyze::baseline::{compare, drift, CompareParams};
use crate::analyze::descriptive::{self, Moments};
use crate::analyze::hypothesis::{mann_whitney_u, welch_t_test};
use crate::store::{MetricSamples, NewBaseline, SampleWindow, Store};

/// Whether larger values of `samples`' metric are better.
pub fn higher_is_better(settings: &BaselineSettings, samples: &MetricSamples) -> bool {
    settings.higher_is_better.unwrap_or_else(|| {
        samples
            .series
            .first()
            .is_some_and(|s| s.metric_type == "throughput" || s.unit == "ops/s")
    })
}

/// Compares `samples` with the metric's stored baseline; `Err` says why it could not.
pub fn compare_with_stored(
    store: &Store,
    samples: &MetricSamples,
    settings: &BaselineSettings,
    regression_threshold: f64,
) -> Result<BaselineComparison, String> {
    let base = store
        .latest_baseline(&samples.name)
        .map_err(|e| e.to_string())?
        .ok_or("no baseline is stored for this metric (establish one with baseline.establish)")?;
    let higher_is_better = higher_is_better(settings, samples);
    let params = CompareParams {
        higher_is_better,
        alpha: settings.alpha,
        regression_threshold,
        test: settings.test,
        ..CompareParams::default()
    };
    let candidate = &samples.values[..];
    let comparison = compare(&base.values, candidate, &params).map_err(|e| e.to_string())?;
    let welch = welch_t_test(candidate, &base.values).map_err(|e| e.to_string())?;
    let mann_whitney = mann_whitney_u(candidate, &base.values).map_err(|e| e.to_string())?;
    Ok(BaselineComparison {
        comparison,
        welch_p_value: welch.p_value,
        mann_whitney_p_value: mann_whitney.p_value,
        regression_threshold,
        higher_is_better,
        baseline_id: base.id,
        baseline_source: base.source,
        baseline_sample_count: base.sample_count,
        candidate_sample_count: candidate.len(),
    })
}

/// Drift of metric `name` across every run holding samples of it; `Ok(None)` below 3 runs.
pub fn drift_across_runs(
    store: &Store,
    name: &str,
    alpha: f64,
    higher_is_better: bool,
) -> Result<Option<DriftReport>, String> {
    let per_run = store.samples_per_run(name).map_err(|e| e.to_string())?;
    if per_run.len() < 3 {
        return Ok(None);
    }
    let mut run_means = Vec::with_capacity(per_run.len());
    for run in &per_run {
        run_means
            .push(descriptive::mean(&run.values).map_err(|e| format!("run {}: {e}", run.run_id))?);
    }
    let drift = drift(&run_means, alpha, higher_is_better).map_err(|e| e.to_string())?;
    Ok(Some(DriftReport {
        drift,
        runs: per_run.iter().map(|r| r.run_id).collect(),
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

/// One metric's baseline samples and where they came from.
fn baseline_samples(
    store: &Store,
    from: &EstablishFrom,
    samples: Option<&MetricSamples>,
    name: &str,
    selection: &Selection,
    timeframe: Timeframe,
    now: Now,
) -> Result<(Vec<f64>, Value), AnalyzeError> {
    let names = [name.to_owned()];
    let read = |w: SampleWindow| -> Result<Vec<f64>, AnalyzeError> {
        Ok(store.metric_samples(name, w)?.values)
    };
    Ok(match from {
        EstablishFrom::Selection => (
            samples.map(|s| s.values.clone()).unwrap_or_default(),
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
            let w = window(store, Timeframe::LastRun, &names, now.now_ns, now.run_id)?;
            (read(w)?, json!({"kind": "run", "run_id": w.run_id}))
        }
        EstablishFrom::Timeframe(t) => {
            let w = window(store, *t, &names, now.now_ns, now.run_id)?;
            (
                read(w)?,
                json!({"kind": "timeframe", "timeframe": t.to_string(), "run_id": w.run_id}),
            )
        }
        EstablishFrom::Values(map) => (
            map.get(name).cloned().unwrap_or_default(),
            json!({"kind": "values"}),
        ),
    })
}

/// Stores one baseline per metric (the selection's metrics, or the metrics of given values)
/// and returns what was stored.
pub fn establish(
    store: &mut Store,
    from: &EstablishFrom,
    selection: &Selection,
    timeframe: Timeframe,
    now: Now,
) -> Result<Vec<EstablishedBaseline>, AnalyzeError> {
    let names: Vec<String> = match from {
        EstablishFrom::Values(map) => map.keys().cloned().collect(),
        _ => selection.series.iter().map(|s| s.name.clone()).collect(),
    };
    let mut out = Vec::new();
    for name in names {
        let samples = selection.series.iter().find(|s| s.name == name);
        let (values, source) =
            baseline_samples(store, from, samples, &name, selection, timeframe, now)?;
        let fail = |reason: String| AnalyzeError::Establish {
            metric: name.clone(),
            reason,
        };
        if values.len() < 2 {
            return Err(fail(format!(
                "{} sample(s) from {source}; a baseline needs at least 2",
                values.len()
            )));
        }
        let moments = Moments::new(&values).map_err(|e| fail(e.to_string()))?;
        let median = descriptive::median(&values).map_err(|e| fail(e.to_string()))?;
        let std_dev = moments.std_dev().unwrap_or_default();
        let id = store.insert_baseline(&NewBaseline {
            metric: &name,
            run_id: now.run_id,
            source: &source,
            mean: moments.mean,
            std_dev,
            median,
            values: &values,
        })?;
        out.push(EstablishedBaseline {
            id,
            metric: name.clone(),
            source,
            sample_count: values.len(),
            mean: moments.mean,
            std_dev: crate::analyze::basic::json_clean(std_dev),
            median,
            min_value: moments.min,
            max_value: moments.max,
        });
    }
    Ok(out)
}
