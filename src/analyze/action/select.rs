//! Which samples an analysis reads: metric names from exact names and globs, then each
//! metric's samples inside the timeframe.
//!
//! An exact name the store does not know is an error (most likely a typo); a glob that matches
//! nothing, and a metric without samples in the timeframe, are reported as skipped — unless
//! nothing at all is left, which is an error naming every metric's newest sample.

use super::args::MetricPattern;
use super::error::AnalyzeError;
use super::report::Skipped;
use super::timeframe::Timeframe;
use crate::store::timestamp::format_rfc3339;
use crate::store::{MetricSamples, SampleWindow, Store};

/// The samples an analysis works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The run `last_run` resolved to.
    pub analysed_run_id: Option<i64>,
    /// Metrics with at least one sample in the timeframe, by name order of the patterns.
    pub series: Vec<MetricSamples>,
    /// Patterns and metrics left out, with the reason.
    pub skipped: Vec<Skipped>,
}

/// The stored metric names `patterns` select, in pattern order without repeats, and the globs
/// that matched nothing.
pub fn resolve_names(
    store: &Store,
    patterns: &[MetricPattern],
) -> Result<(Vec<String>, Vec<Skipped>), AnalyzeError> {
    let known = store.metric_names()?;
    if known.is_empty() {
        return Err(AnalyzeError::EmptyStore);
    }
    let mut names: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    for pattern in patterns {
        let matched: Vec<&String> = match pattern {
            MetricPattern::Exact(name) => match known.iter().find(|k| *k == name) {
                Some(k) => vec![k],
                None => {
                    return Err(AnalyzeError::UnknownMetric {
                        name: name.clone(),
                        known,
                    })
                }
            },
            MetricPattern::Glob(g) => known.iter().filter(|k| g.matches(k)).collect(),
        };
        if matched.is_empty() {
            skipped.push(Skipped {
                metric: pattern.as_str().to_owned(),
                reason: "no stored metric matches this pattern".to_owned(),
            });
        }
        for name in matched {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    if names.is_empty() {
        return Err(AnalyzeError::NothingAnalysable {
            reasons: skipped
                .iter()
                .map(|s| format!("{}: {}", s.metric, s.reason))
                .collect(),
        });
    }
    Ok((names, skipped))
}

/// The window a timeframe stands for; `last_run` resolves to the newest run (below
/// `current_run`, when given) holding samples of any of `names`, `this_run` to `current_run`.
pub fn window(
    store: &Store,
    timeframe: Timeframe,
    names: &[String],
    now_ns: i64,
    current_run: Option<i64>,
) -> Result<SampleWindow, AnalyzeError> {
    let run_id = match timeframe {
        Timeframe::LastRun => Some(
            store
                .latest_run_with_samples(names, current_run)?
                .ok_or_else(|| AnalyzeError::NoRun {
                    metrics: names.to_vec(),
                    excluding_current: current_run.is_some(),
                })?,
        ),
        Timeframe::ThisRun => Some(current_run.ok_or(AnalyzeError::NotInRun)?),
        Timeframe::Last { .. } | Timeframe::All => None,
    };
    Ok(SampleWindow {
        since_ns: timeframe.since_ns(now_ns),
        run_id,
    })
}

/// Selects the samples of `patterns` inside `timeframe` at `now_ns`.
pub fn select(
    store: &Store,
    patterns: &[MetricPattern],
    timeframe: Timeframe,
    now_ns: i64,
    current_run: Option<i64>,
) -> Result<Selection, AnalyzeError> {
    let (names, mut skipped) = resolve_names(store, patterns)?;
    let window = window(store, timeframe, &names, now_ns, current_run)?;
    let mut series = Vec::new();
    let mut details = Vec::new();
    for name in &names {
        let samples = store.metric_samples(name, window)?;
        if samples.is_empty() {
            let extent = match store.metric_extent(name)? {
                Some(e) => format!(
                    "{} stored, the newest at {}",
                    e.count,
                    format_rfc3339(e.last_ns)
                ),
                None => "none stored".to_owned(),
            };
            let run = window
                .run_id
                .map_or(String::new(), |r| format!(" = run {r}"));
            let reason = format!("no samples in timeframe {timeframe}{run} ({extent})");
            details.push(format!("'{name}' ({extent})"));
            skipped.push(Skipped {
                metric: name.clone(),
                reason,
            });
        } else {
            series.push(samples);
        }
    }
    if series.is_empty() {
        return Err(AnalyzeError::NoSamples {
            timeframe: timeframe.to_string(),
            details,
        });
    }
    Ok(Selection {
        analysed_run_id: window.run_id,
        series,
        skipped,
    })
}
