//! Which series a report covers, and their samples: every sample of each series (for its
//! history across runs) and those inside the report's window (for everything else).
//!
//! Selection is by series selector ([`crate::metrics::selector`]), resolved exactly as the
//! analyze action resolves it ([`resolve`]: an unknown exact name lists the stored names, an
//! unknown tag key lists the keys the store has for that name); every selected series (name +
//! tag set) is reported on its own, never pooled.

use crate::analyze::action::resolve::resolve;
use crate::analyze::action::select::window;
use crate::metrics::selector::Selector;
use crate::report::args::WindowSpec;
use crate::report::error::ReportError;
use crate::report::escape::series_label;
use crate::report::model::Skipped;
use crate::store::{SampleWindow, SeriesKey, Store, StoredSeries};

/// The source of the system collector's series (shown in the system overview, not as series
/// of their own unless selected by name).
pub const SYSTEM_SOURCE: &str = "system_collector";

/// Samples in time order, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// Values.
    pub values: Vec<f64>,
    /// Epoch ns, non-decreasing.
    pub timestamps: Vec<i64>,
    /// The run of each sample.
    pub run_ids: Vec<Option<i64>>,
}

impl Columns {
    fn push(&mut self, value: f64, ts: i64, run: Option<i64>) {
        self.values.push(value);
        self.timestamps.push(ts);
        self.run_ids.push(run);
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True without samples.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One series: its window's samples and every stored sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesData {
    /// Name, type, unit, tags, source.
    pub key: SeriesKey,
    /// `name{tags}`.
    pub label: String,
    /// Samples inside the window.
    pub window: Columns,
    /// Every stored sample.
    pub all: Columns,
}

/// The sample window of `spec` over `names` at `now_ns`.
pub fn sample_window(
    store: &Store,
    spec: WindowSpec,
    names: &[String],
    now_ns: i64,
    current_run: Option<i64>,
) -> Result<SampleWindow, ReportError> {
    Ok(match spec {
        WindowSpec::Run(id) => SampleWindow {
            since_ns: None,
            run_id: Some(id),
        },
        WindowSpec::Timeframe(t) => window(store, t, names, now_ns, current_run)?,
    })
}

fn inside(w: &SampleWindow, ts: i64, run: Option<i64>) -> bool {
    w.since_ns.map_or(true, |s| ts >= s) && w.run_id.map_or(true, |r| run == Some(r))
}

/// The stored series `key` (row `id`) with every sample and those inside `w`, or none when it
/// has no sample at all.
fn read_one(
    store: &Store,
    id: i64,
    key: SeriesKey,
    w: &SampleWindow,
) -> Result<Option<SeriesData>, ReportError> {
    let all = super::read::samples_of(store, id)?;
    if all.is_empty() {
        return Ok(None);
    }
    let mut window = Columns::default();
    for i in 0..all.len() {
        if inside(w, all.timestamps[i], all.run_ids[i]) {
            window.push(all.values[i], all.timestamps[i], all.run_ids[i]);
        }
    }
    Ok(Some(SeriesData {
        label: series_label(&key.name, &key.tags),
        key,
        window,
        all,
    }))
}

/// Every series of `name`, with all its samples and those inside `w`, by label.
pub fn read_series(
    store: &Store,
    name: &str,
    w: &SampleWindow,
) -> Result<Vec<SeriesData>, ReportError> {
    let mut out = Vec::new();
    for (id, key) in super::read::series_named(store, name)? {
        out.extend(read_one(store, id, key, w)?);
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(out)
}

/// The stored series `selectors` select (none: every series not from the system collector),
/// and the selectors that selected nothing.
fn resolved(
    store: &Store,
    selectors: &[Selector],
) -> Result<(Vec<StoredSeries>, Vec<Skipped>), ReportError> {
    let index = store.series_index()?;
    if selectors.is_empty() {
        let every = Selector {
            name: None,
            matchers: Vec::new(),
        };
        let (mut series, _) = resolve(&index, &[every])?;
        series.retain(|s| s.key.source.as_deref() != Some(SYSTEM_SOURCE));
        return Ok((series, Vec::new()));
    }
    let (series, skipped) = resolve(&index, selectors)?;
    let skipped = skipped
        .into_iter()
        .map(|s| Skipped {
            what: s.metric,
            reason: s.reason,
        })
        .collect();
    Ok((series, skipped))
}

/// What a report reads: the selected stored series and the window, before any sample is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The selected series, in selector order.
    pub stored: Vec<StoredSeries>,
    /// Selectors that selected nothing.
    pub skipped: Vec<Skipped>,
    /// The window the samples are cut by.
    pub window: SampleWindow,
    /// The window as asked for.
    pub spec: WindowSpec,
    /// Whether no selector was given.
    pub by_default: bool,
}

impl Plan {
    /// Reads series `s` of the plan: `Ok(None)` when it has no sample at all, else its data
    /// (with an empty window when it has none inside it: see [`Plan::left_out`]).
    pub fn read(&self, store: &Store, s: &StoredSeries) -> Result<Option<SeriesData>, ReportError> {
        read_one(store, s.id, s.key.clone(), &self.window)
    }

    /// Why `s` (no sample in the window) is left out.
    pub fn left_out(&self, s: &SeriesData) -> Skipped {
        Skipped {
            what: s.label.clone(),
            reason: format!(
                "no samples in timeframe {} ({} stored in other runs or earlier)",
                self.spec,
                s.all.len()
            ),
        }
    }

    /// The error when no series has a sample in the window (`skipped`: everything left out).
    pub fn nothing(&self, skipped: &[Skipped]) -> ReportError {
        ReportError::Empty {
            timeframe: self.spec.to_string(),
            reason: nothing_reason(skipped, self.by_default, &self.window),
        }
    }
}

/// The plan of `selectors` (none: every series not from the system collector) in the window
/// of `spec`.
pub fn plan(
    store: &Store,
    selectors: &[Selector],
    spec: WindowSpec,
    now_ns: i64,
    current_run: Option<i64>,
) -> Result<Plan, ReportError> {
    let (stored, skipped) = resolved(store, selectors)?;
    let mut names: Vec<String> = stored.iter().map(|s| s.key.name.clone()).collect();
    names.sort();
    names.dedup();
    Ok(Plan {
        window: sample_window(store, spec, &names, now_ns, current_run)?,
        stored,
        skipped,
        spec,
        by_default: selectors.is_empty(),
    })
}

fn nothing_reason(skipped: &[Skipped], by_default: bool, w: &SampleWindow) -> String {
    let run = w.run_id.map_or(String::new(), |r| format!(" (run {r})"));
    if skipped.is_empty() && by_default {
        return format!(
            "no series outside the system collector's has samples{run}; select system \
             metrics by name (metrics: [cpu_usage_total]) to report on them"
        );
    }
    let listed: Vec<String> = skipped
        .iter()
        .take(10)
        .map(|s| format!("{}: {}", s.what, s.reason))
        .collect();
    format!("no selected series has samples{run}; {}", listed.join("; "))
}
