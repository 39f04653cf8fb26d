//! The rows of a comparison: per series, its two sides' samples and the verdict.

use std::collections::{BTreeMap, HashMap};

use super::{Basis, CompareRequest, CompareRow, RowVerdict, RunPair, Side, ROW_SCOPE};
use crate::analyze::action::error::AnalyzeError;
use crate::analyze::baseline::{compare_samples, CompareParams, Verdict};
use crate::metrics::selector::tag_string;
use crate::store::{BaselineScope, Store, StoredSeries};

/// Per series id, per run, the values in time order.
type ByRun = HashMap<i64, BTreeMap<i64, Vec<f64>>>;

fn read(store: &Store, runs: &[i64]) -> Result<ByRun, AnalyzeError> {
    let mut out: ByRun = HashMap::new();
    for s in store.samples_of_runs(runs)? {
        out.entry(s.series_id)
            .or_default()
            .entry(s.run_id)
            .or_default()
            .push(s.value);
    }
    Ok(out)
}

fn mean(v: &[f64]) -> Option<f64> {
    crate::analyze::descriptive::mean(v).ok()
}

fn side(runs: Vec<i64>, values: &[f64]) -> Side {
    Side {
        runs,
        baseline_id: None,
        n: values.len(),
        mean: mean(values),
    }
}

fn higher_is_better(s: &StoredSeries) -> bool {
    s.key.metric_type == "throughput" || s.key.unit == "ops/s"
}

/// A row for `s` with its sides filled and no verdict yet.
fn row(s: &StoredSeries, basis: Basis, before: Side, after: Side) -> CompareRow {
    CompareRow {
        metric_name: s.key.name.clone(),
        tags: s.key.tags.clone(),
        series: tag_string(&s.key.tags),
        metric_type: s.key.metric_type.clone(),
        unit: s.key.unit.clone(),
        basis,
        before,
        after,
        relative_change: None,
        interval: None,
        p_value: None,
        test: None,
        verdict: RowVerdict::InsufficientData,
        higher_is_better: higher_is_better(s),
        reason: None,
    }
}

/// Fills the verdict of `r` from the two samples.
fn judge(mut r: CompareRow, before: &[f64], after: &[f64], req: &CompareRequest) -> CompareRow {
    let why = match (before.len(), after.len()) {
        (0, _) => Some("no sample before: the series is new".to_owned()),
        (_, 0) => Some("no sample after: the series is gone".to_owned()),
        (1, 1) => Some(
            "1 sample on each side; a verdict needs at least 2 on one side (raise --window, \
             or run the recipe again)"
                .to_owned(),
        ),
        _ => None,
    };
    if let Some(why) = why {
        r.reason = Some(why);
        return r;
    }
    if before.iter().chain(after).all(|v| *v == 0.0) {
        // Nothing to compare relatively, and nothing changed.
        r.verdict = RowVerdict::Unchanged;
        r.relative_change = Some(0.0);
        r.reason = Some("every sample on both sides is 0".to_owned());
        return r;
    }
    let params = CompareParams {
        higher_is_better: r.higher_is_better,
        alpha: req.alpha,
        regression_threshold: req.threshold,
        test: req.test,
        ..CompareParams::default()
    };
    match compare_samples(before, after, &params) {
        Ok(c) => {
            r.verdict = match c.verdict {
                Verdict::Regressed => RowVerdict::Regressed,
                Verdict::Improved => RowVerdict::Improved,
                Verdict::Unchanged => RowVerdict::Unchanged,
            };
            r.relative_change = Some(c.relative_change);
            r.interval = Some(c.interval);
            r.p_value = Some(c.p_value);
            r.test = Some(c.test);
        }
        Err(e) => r.reason = Some(e.to_string()),
    }
    r
}

fn values_of(runs: Option<&BTreeMap<i64, Vec<f64>>>, ids: &[i64]) -> (Vec<i64>, Vec<f64>) {
    let mut held = Vec::new();
    let mut values = Vec::new();
    for id in ids {
        if let Some(v) = runs.and_then(|r| r.get(id)) {
            held.push(*id);
            values.extend_from_slice(v);
        }
    }
    (held, values)
}

/// Every selected series present in run A or B, against the other run (or, with one sample
/// per run, across the windows).
pub fn against_run(
    store: &Store,
    pair: &RunPair,
    series: &[StoredSeries],
    req: &CompareRequest,
) -> Result<Vec<CompareRow>, AnalyzeError> {
    let a = pair.a.unwrap_or(pair.b);
    let mut ids: Vec<i64> = pair.side_a.iter().chain(&pair.side_b).copied().collect();
    ids.extend([a, pair.b]);
    ids.sort_unstable();
    ids.dedup();
    let by = read(store, &ids)?;
    let mut out = Vec::new();
    for s in series {
        let runs = by.get(&s.id);
        let (_, in_a) = values_of(runs, &[a]);
        let (_, in_b) = values_of(runs, &[pair.b]);
        if in_a.is_empty() && in_b.is_empty() {
            continue;
        }
        let r = if in_a.len() >= 2 && in_b.len() >= 2 {
            let r = row(
                s,
                Basis::Runs,
                side(vec![a], &in_a),
                side(vec![pair.b], &in_b),
            );
            judge(r, &in_a, &in_b, req)
        } else {
            let (ra, va) = values_of(runs, &pair.side_a);
            let (rb, vb) = values_of(runs, &pair.side_b);
            let r = row(s, Basis::Window, side(ra, &va), side(rb, &vb));
            judge(r, &va, &vb, req)
        };
        out.push(r);
    }
    Ok(out)
}

/// Why `s` has no series baseline.
fn no_baseline(store: &Store, s: &StoredSeries) -> Result<String, AnalyzeError> {
    Ok(
        match store.latest_baseline_for(&s.key.name, BaselineScope::Pooled, &BTreeMap::new())? {
            Some(p) => format!(
                "no baseline is stored for this series; the pooled baseline #{} of '{}' mixes \
                 every series of the name and is not used for one of them",
                p.id, s.key.name
            ),
            None => "no baseline is stored for this series".to_owned(),
        },
    )
}

/// Every selected series present in run B, against its stored baseline.
pub fn against_baselines(
    store: &Store,
    pair: &RunPair,
    series: &[StoredSeries],
    req: &CompareRequest,
) -> Result<Vec<CompareRow>, AnalyzeError> {
    let by = read(store, &[pair.b])?;
    let mut out = Vec::new();
    for s in series {
        let (_, in_b) = values_of(by.get(&s.id), &[pair.b]);
        if in_b.is_empty() {
            continue;
        }
        let after = side(vec![pair.b], &in_b);
        let Some(base) = store.latest_baseline_for(&s.key.name, ROW_SCOPE, &s.key.tags)? else {
            let before = Side {
                runs: Vec::new(),
                baseline_id: None,
                n: 0,
                mean: None,
            };
            let mut r = row(s, Basis::Baseline, before, after);
            r.reason = Some(no_baseline(store, s)?);
            out.push(r);
            continue;
        };
        let before = Side {
            runs: base.run_id.into_iter().collect(),
            baseline_id: Some(base.id),
            n: base.values.len(),
            mean: Some(base.mean),
        };
        let r = row(s, Basis::Baseline, before, after);
        out.push(judge(r, &base.values, &in_b, req));
    }
    Ok(out)
}
