//! The verdict of one series: its window's samples against a reference, judged the way the
//! analyze action judges them ([`compare_samples`]: Welch's t-test, or the prediction-interval
//! t-test when a side holds one sample — a step's wall time has one per run —; the bootstrap
//! interval of the relative change; the regression threshold; see
//! [`crate::analyze::baseline`]).
//!
//! The reference, first found wins:
//! 1. the comparison the recipe's analyze step made in this run (`metrics.last_analysis`) for
//!    this very series (its result's name, canonical tag string and scope `series`), when it
//!    covered exactly this window's samples;
//! 2. the series' own stored baseline (keyed by name + tags, scope `series`), the newest one
//!    established before the window's run; a pooled baseline of its name mixes every series
//!    of the name and is never used for one of them;
//! 3. the same series in the runs before the window (up to [`PREVIOUS_RUNS`] of them).
//!
//! Without one, with an empty side or with one sample on each side, the verdict is
//! `insufficient`, with the reason. "Better" is lower unless the series is a throughput (type
//! `throughput` or unit `ops/s`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::select::SeriesData;
use super::Settings;
use crate::analyze::baseline::{
    compare_samples, CompareParams, Comparison, Interval, SignificanceTest,
};
use crate::analyze::descriptive::Moments;
use crate::metrics::selector::tag_string;
use crate::report::model::{Band, Headline, VerdictCounts, VerdictKind};
#[cfg(doc)]
use crate::store::Store;
use crate::store::{BaselineRecord, BaselineScope, SeriesKey};

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

/// Judges `s`; `stored` holds every baseline of its name ([`Store::baselines_of`]).
pub fn judge(
    s: &SeriesData,
    stored: &[BaselineRecord],
    last_analysis: Option<&Value>,
    settings: &Settings,
) -> Judged {
    let mut notes = Vec::new();
    let stored = stored_baseline(s, stored, settings.window_run, &mut notes);
    if let Some(mut j) = last_analysis.and_then(|a| from_analysis(a, s, settings)) {
        j.band = stored
            .filter(|r| r.basis == j.headline.basis)
            .and_then(|r| band_of(&r));
        return j;
    }
    let Some(reference) = stored.or_else(|| previous_runs(s, &mut notes)) else {
        return insufficient(s, "none".to_owned(), None, notes.join("; "));
    };
    let band = band_of(&reference);
    let candidate = &s.window.values;
    let (c, r) = (candidate.len(), reference.values.len());
    if c == 0 || r == 0 || (c == 1 && r == 1) {
        let why = format!(
            "{c} sample(s) in the window and {r} in the reference; a verdict needs a sample on \
             each side and at least 2 on one of them"
        );
        return insufficient(s, reference.basis, band, why);
    }
    let params = CompareParams {
        higher_is_better: higher_is_better(&s.key),
        regression_threshold: settings.regression_threshold,
        ..CompareParams::default()
    };
    match compare_samples(&reference.values, candidate, &params) {
        Ok(c) => Judged {
            headline: row(s, reference.basis, &c, r, None),
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

/// The series' own stored baseline (scope `series`, its exact tags) among `stored` (every
/// baseline of its name, oldest first): the newest one, except that a report over run R never
/// uses a baseline established in run R or later (it would judge the run against itself).
fn stored_baseline(
    s: &SeriesData,
    stored: &[BaselineRecord],
    window_run: Option<i64>,
    notes: &mut Vec<String>,
) -> Option<Reference> {
    let usable = |b: &&BaselineRecord| match (window_run, b.run_id) {
        (Some(window), Some(made_in)) => made_in < window,
        _ => true,
    };
    let own = stored
        .iter()
        .rev()
        .filter(|b| b.scope == BaselineScope::Series && b.tags == s.key.tags)
        .find(usable);
    if let Some(base) = own {
        return Some(Reference {
            values: base.values.clone(),
            basis: format!("baseline #{}", base.id),
        });
    }
    if let Some(p) = stored
        .iter()
        .rev()
        .find(|b| b.scope == BaselineScope::Pooled)
    {
        notes.push(format!(
            "the pooled baseline #{} of '{}' mixes every series of the name, so it is not \
             used for one of them",
            p.id, s.key.name
        ));
    }
    None
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
            "no baseline of this series is stored and no run before run {first} holds it"
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

/// The comparison an analyze step of this run made for this series (same name, tags and scope
/// `series`), when it judged exactly the window's samples.
fn from_analysis(analysis: &Value, s: &SeriesData, settings: &Settings) -> Option<Judged> {
    if analysis.get("run_id").and_then(Value::as_i64) != settings.current_run {
        return None;
    }
    let key = tag_string(&s.key.tags);
    let text = |m: &Value, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let metric = analysis.get("metrics")?.as_array()?.iter().find(|m| {
        text(m, "metric_name").as_deref() == Some(s.key.name.as_str())
            && text(m, "series").as_deref() == Some(key.as_str())
            && text(m, "scope").as_deref() == Some("series")
    })?;
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
