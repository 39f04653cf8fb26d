//! Which samples an analysis reads: selectors → stored series ([`super::resolve`]) → the sets
//! that are analysed one by one ([`SeriesSet`]: one series by default, the series agreeing on
//! `group_by` tags, or every series of a name with `pool`) → each set's samples inside the
//! timeframe.
//!
//! A set without samples in the timeframe is reported as skipped — unless nothing at all is
//! left, which is an error naming every set's newest sample.

use std::collections::BTreeMap;

use super::args::Grouping;
use super::error::AnalyzeError;
use super::report::Skipped;
use super::resolve::{resolve, tag_keys};
use super::timeframe::Timeframe;
use crate::metrics::selector::{series_label, tag_string, Selector};
use crate::store::timestamp::format_rfc3339;
use crate::store::{BaselineScope, MetricSamples, SampleWindow, Store, StoredSeries};

/// What one analysis result stands for: one series, a group of series, or a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSet {
    /// The metric name.
    pub name: String,
    /// The series' tags; the group's tags; for a pool, the tags every member shares.
    pub tags: BTreeMap<String, String>,
    /// Series, group or pooled.
    pub scope: BaselineScope,
    /// The grouping keys (for `group`).
    pub grouped_by: Vec<String>,
    /// The stored series it covers.
    pub members: Vec<StoredSeries>,
}

impl SeriesSet {
    /// The key of its result and baseline entry: the canonical tag string, `*` when pooled.
    pub fn key(&self) -> String {
        match self.scope {
            BaselineScope::Pooled => "*".to_owned(),
            _ => tag_string(&self.tags),
        }
    }

    /// How messages name it: `name{k="v"}`, `name{k="v"} (by k)`, `name (pooled, 3 series)`.
    pub fn label(&self) -> String {
        match self.scope {
            BaselineScope::Series => series_label(&self.name, &self.tags),
            BaselineScope::Group => format!(
                "{} (by {})",
                series_label(&self.name, &self.tags),
                self.grouped_by.join(", ")
            ),
            BaselineScope::Pooled => {
                format!("{} (pooled, {} series)", self.name, self.members.len())
            }
        }
    }

    /// The tags its baselines are stored under (none for a pool).
    pub fn baseline_tags(&self) -> BTreeMap<String, String> {
        match self.scope {
            BaselineScope::Pooled => BTreeMap::new(),
            _ => self.tags.clone(),
        }
    }

    /// The canonical tag strings of its members.
    pub fn member_keys(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| tag_string(&m.key.tags))
            .collect()
    }
}

/// One set and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSamples {
    /// The set.
    pub set: SeriesSet,
    /// Its samples in the timeframe, oldest first.
    pub samples: MetricSamples,
}

/// The samples an analysis works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The run `last_run` resolved to.
    pub analysed_run_id: Option<i64>,
    /// Sets with at least one sample in the timeframe.
    pub sets: Vec<SetSamples>,
    /// Selectors and sets left out, with the reason.
    pub skipped: Vec<Skipped>,
}

fn common_tags(members: &[StoredSeries]) -> BTreeMap<String, String> {
    let mut tags = members[0].key.tags.clone();
    tags.retain(|k, v| members.iter().all(|m| m.key.tags.get(k) == Some(v)));
    tags
}

/// Splits `series` into the sets `grouping` asks for, in order of first appearance.
pub fn group(
    series: Vec<StoredSeries>,
    grouping: &Grouping,
) -> Result<Vec<SeriesSet>, AnalyzeError> {
    if let Grouping::By(keys) = grouping {
        let mut names: Vec<&str> = series.iter().map(|s| s.key.name.as_str()).collect();
        names.dedup();
        for name in names {
            let carried = tag_keys(&series, &[name]);
            if let Some(key) = keys.iter().find(|k| !carried.contains(k.as_str())) {
                return Err(AnalyzeError::UnknownGroupKey {
                    key: key.clone(),
                    name: name.to_owned(),
                    known: carried.into_iter().map(str::to_owned).collect(),
                });
            }
        }
    }
    let mut sets: Vec<SeriesSet> = Vec::new();
    for s in series {
        let (tags, scope, grouped_by) = match grouping {
            Grouping::Series => (s.key.tags.clone(), BaselineScope::Series, vec![]),
            Grouping::By(keys) => {
                let mut t = s.key.tags.clone();
                t.retain(|k, _| keys.contains(k));
                (t, BaselineScope::Group, keys.clone())
            }
            Grouping::Pool => (BTreeMap::new(), BaselineScope::Pooled, vec![]),
        };
        match sets
            .iter_mut()
            .find(|x| x.name == s.key.name && (scope == BaselineScope::Pooled || x.tags == tags))
        {
            Some(set) => set.members.push(s),
            None => sets.push(SeriesSet {
                name: s.key.name.clone(),
                tags,
                scope,
                grouped_by,
                members: vec![s],
            }),
        }
    }
    for set in sets.iter_mut().filter(|s| s.scope == BaselineScope::Pooled) {
        set.tags = common_tags(&set.members);
    }
    Ok(sets)
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

/// What to select and how to split it.
#[derive(Debug, Clone, Copy)]
pub struct SelectSpec<'a> {
    /// The selectors.
    pub selectors: &'a [Selector],
    /// Per series, by group or pooled.
    pub grouping: &'a Grouping,
    /// Which samples.
    pub timeframe: Timeframe,
    /// Now, epoch ns.
    pub now_ns: i64,
    /// The running run, if any.
    pub current_run: Option<i64>,
}

/// Selects the sets of `spec` and their samples.
pub fn select(store: &Store, spec: SelectSpec<'_>) -> Result<Selection, AnalyzeError> {
    let (series, mut skipped) = resolve(&store.series_index()?, spec.selectors)?;
    let sets = group(series, spec.grouping)?;
    let mut names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    names.dedup();
    let window = window(store, spec.timeframe, &names, spec.now_ns, spec.current_run)?;
    let mut out = Vec::new();
    let mut details = Vec::new();
    for set in sets {
        let samples = store.samples_of_series(&set.name, &set.members, window)?;
        if !samples.is_empty() {
            out.push(SetSamples { set, samples });
            continue;
        }
        let ids: Vec<i64> = set.members.iter().map(|m| m.id).collect();
        let extent = match store.series_extent(&ids)? {
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
        details.push(format!("'{}' ({extent})", set.label()));
        skipped.push(Skipped {
            metric: set.label(),
            reason: format!("no samples in timeframe {}{run} ({extent})", spec.timeframe),
        });
    }
    if out.is_empty() {
        return Err(AnalyzeError::NoSamples {
            timeframe: spec.timeframe.to_string(),
            details,
        });
    }
    Ok(Selection {
        analysed_run_id: window.run_id,
        sets: out,
        skipped,
    })
}
