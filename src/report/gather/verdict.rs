//! The verdict of one series: its window's samples against a reference, with the engine's
//! [`compare`] (significance by Welch's t-test, bootstrap interval of the relative change, the
//! regression threshold; see [`crate::analyze::baseline`]).
//!
//! The reference, first found wins:
//! 1. the comparison the recipe's analyze step made in this run (`metrics.last_analysis`),
//!    when it covered exactly this window's samples of a name that has one series;
//! 2. the metric's stored baseline, when its name has one series (baselines are keyed by name
//!    until per-series baselines land; a name with several series would pool them);
//! 3. the same series in the runs before the window (up to [`PREVIOUS_RUNS`] of them).
//!
//! Without one, or with fewer than 2 samples on a side, the verdict is `insufficient`, with
//! the reason. "Better" is lower unless the series is a throughput (type `throughput` or unit
//! `ops/s`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::select::SeriesData;
use super::Settings;
use crate::analyze::baseline::{compare, CompareParams, Comparison, Interval, SignificanceTest};
use crate::analyze::descriptive::Moments;
use crate::report::model::{Band, Headline, VerdictCounts, VerdictKind};
use crate::store::{SeriesKey, Store};

/// How many earlier runs make the run-over-run reference.
pub const PREVIOUS_RUNS: usize = 5;

/// What the window is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Its samples.
    pub values: Vec<f64>,
    /// `baseline #3`, `runs 2–6`.
    pub basis: String,
}

/// The verdict and the band it implies.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The headline row (its `series` id is filled in by the caller).
    pub headline: Headline,
    /// The reference's mean ± 2 sd, when there is a reference.
    pub band: Option<Band>,
}

/// Whether larger values of the series are better.
pub fn higher_is_better(key: &SeriesKey) -> bool {
    key.metric_type == "throughput" || key.unit == "ops/s"
}

/// Judges `s`; `series_of_name` is how many series its name has in the store.
pub fn judge(
    store: &Store,
    s: &SeriesData,
    series_of_name: usize,
    last_analysis: Option<&Value>,
    settings: &Settings,
) -> Judged {
    let mut notes = Vec::new();
    if series_of_name == 1 {
        if let Some(mut j) = last_analysis.and_then(|a| from_analysis(a, s, settings)) {
            j.band = stored_baseline(store, s, series_of_name, &mut notes)
                .filter(|r| r.basis == j.headline.basis)
                .and_then(|r| band_of(&r));
            return j;
        }
    }
    let reference = match stored_baseline(store, s, series_of_name, &mut notes) {
        Some(r) => Some(r),
        None => previous_runs(s, &mut notes),
    };
    let Some(reference) = reference else {
        return insufficient(s, "none".to_owned(), None, notes.join("; "));
    };
    let band = band_of(&reference);
    let params = CompareParams {
        higher_is_better: higher_is_better(&s.key),
        regression_threshold: settings.regression_threshold,
        ..CompareParams::default()
    };
    let candidate = &s.window.values;
    if candidate.len() < 2 || reference.values.len() < 2 {
        let why = format!(
            "{} sample(s) in the window and {} in the reference; a verdict needs at least 2 on \
             each side",
            candidate.len(),
            reference.values.len()
        );
        return insufficient(s, reference.basis, band, why);
    }
    match compare(&reference.values, candidate, &params) {
        Ok(c) => Judged {
            headline: row(s, reference.basis, &c, reference.values.len(), None),
            band,
        },
        Err(e) => insufficient(s, reference.basis, band, format!("comparison: {e}")),
    }
}

fn band_of(r: &Reference) -> Option<Band> {
    let m = Moments::new(&r.values).ok()?;
    let sd = m.std_dev()?;
    Some(Band {
        lower: m.mean - 2.0 * sd,
        centre: m.mean,
        upper: m.mean + 2.0 * sd,
        source: format!("{}: mean ± 2 sd", r.basis),
    })
}

fn stored_baseline(
    store: &Store,
    s: &SeriesData,
    series_of_name: usize,
    notes: &mut Vec<String>,
) -> Option<Reference> {
    let base = match store.latest_baseline(&s.key.name) {
        Ok(Some(b)) => b,
        Ok(None) => return None,
        Err(e) => {
            notes.push(format!("baseline: {e}"));
            return None;
        }
    };
    if series_of_name != 1 {
        notes.push(format!(
            "the stored baseline #{} of '{}' pools its {series_of_name} series, so it is not \
             used for one of them",
            base.id, s.key.name
        ));
        return None;
    }
    Some(Reference {
        values: base.values,
        basis: format!("baseline #{}", base.id),
    })
}

fn previous_runs(s: &SeriesData, notes: &mut Vec<String>) -> Option<Reference> {
    let Some(first) = s.window.run_ids.iter().flatten().min().copied() else {
        notes.push("the window's samples belong to no run, so there are no earlier runs".into());
        return None;
    };
    let earlier: BTreeSet<i64> = s
        .all
        .run_ids
        .iter()
        .flatten()
        .filter(|r| **r < first)
        .copied()
        .collect();
    let runs: BTreeSet<i64> = earlier.into_iter().rev().take(PREVIOUS_RUNS).collect();
    let (Some(lo), Some(hi)) = (runs.first(), runs.last()) else {
        notes.push(format!(
            "no stored baseline and no run before run {first} holds this series"
        ));
        return None;
    };
    let values = s
        .all
        .run_ids
        .iter()
        .zip(&s.all.values)
        .filter(|(r, _)| r.is_some_and(|r| runs.contains(&r)))
        .map(|(_, v)| *v)
        .collect();
    let basis = if lo == hi {
        format!("run {lo}")
    } else {
        format!("runs {lo}–{hi}")
    };
    Some(Reference { values, basis })
}

fn row(
    s: &SeriesData,
    basis: String,
    c: &Comparison,
    reference_count: usize,
    reason: Option<String>,
) -> Headline {
    let verdict = match c.verdict {
        crate::analyze::baseline::Verdict::Regressed => VerdictKind::Regressed,
        crate::analyze::baseline::Verdict::Improved => VerdictKind::Improved,
        crate::analyze::baseline::Verdict::Unchanged => VerdictKind::Unchanged,
    };
    Headline {
        series: String::new(),
        label: s.label.clone(),
        name: s.key.name.clone(),
        tags: s.key.tags.clone(),
        unit: s.key.unit.clone(),
        verdict,
        basis,
        sample_count: s.window.len(),
        mean: c.candidate_mean,
        reference_count: Some(reference_count),
        reference_mean: Some(c.baseline_mean),
        relative_change: Some(c.relative_change),
        interval: Some(c.interval),
        p_value: Some(c.p_value),
        test: Some(c.test),
        reason,
    }
}

fn insufficient(s: &SeriesData, basis: String, band: Option<Band>, reason: String) -> Judged {
    let mean = Moments::new(&s.window.values).map_or(0.0, |m| m.mean);
    Judged {
        headline: Headline {
            series: String::new(),
            label: s.label.clone(),
            name: s.key.name.clone(),
            tags: s.key.tags.clone(),
            unit: s.key.unit.clone(),
            verdict: VerdictKind::Insufficient,
            basis,
            sample_count: s.window.len(),
            mean,
            reference_count: None,
            reference_mean: band.as_ref().map(|b| b.centre),
            relative_change: None,
            interval: None,
            p_value: None,
            test: None,
            reason: Some(reason),
        },
        band,
    }
}

/// The comparison an analyze step of this run made for this series' name, when it judged
/// exactly the window's samples.
fn from_analysis(analysis: &Value, s: &SeriesData, settings: &Settings) -> Option<Judged> {
    if analysis.get("run_id").and_then(Value::as_i64) != settings.current_run {
        return None;
    }
    let metric = analysis
        .get("metrics")?
        .as_array()?
        .iter()
        .find(|m| m.get("metric_name").and_then(Value::as_str) == Some(s.key.name.as_str()))?;
    let b = metric.get("baseline_comparison")?;
    let num = |k: &str| b.get(k).and_then(Value::as_f64);
    if b.get("candidate_sample_count").and_then(Value::as_u64) != Some(s.window.len() as u64) {
        return None;
    }
    let c = Comparison {
        verdict: serde_json::from_value(b.get("verdict")?.clone()).ok()?,
        relative_change: num("relative_change")?,
        interval: serde_json::from_value::<Interval>(b.get("interval")?.clone()).ok()?,
        p_value: num("p_value")?,
        test: serde_json::from_value::<SignificanceTest>(b.get("test")?.clone()).ok()?,
        baseline_mean: num("baseline_mean")?,
        candidate_mean: num("candidate_mean")?,
    };
    let id = b.get("baseline_id").and_then(Value::as_i64)?;
    let count = b.get("baseline_sample_count").and_then(Value::as_u64)? as usize;
    let reason = Some("as judged by this run's analyze step".to_owned());
    Some(Judged {
        headline: row(s, format!("baseline #{id}"), &c, count, reason),
        band: None,
    })
}

/// Series per verdict.
pub fn counts(rows: &[Headline]) -> VerdictCounts {
    let mut out = VerdictCounts::default();
    for r in rows {
        *match r.verdict {
            VerdictKind::Regressed => &mut out.regressed,
            VerdictKind::Improved => &mut out.improved,
            VerdictKind::Unchanged => &mut out.unchanged,
            VerdictKind::Insufficient => &mut out.insufficient,
        } += 1;
    }
    out
}
