//! The one narrow interface every read and write of the store goes through: runs, context,
//! series, samples, baselines and analyses. [`Store`] (SQLite) is its only implementation
//! today; a second backend (a shared PostgreSQL store of baselines and history across CI
//! runners) implements this trait in a new file, and code written against
//! `&mut dyn MetricsStore` runs on it unchanged.
//!
//! The methods carry the names and meanings of [`Store`]'s own (each is documented there);
//! the trait adds nothing but the seam. Two of `Store`'s are not here, being SQLite's own:
//! [`Store::read_snapshot`] (one read transaction around several reads) and
//! [`Store::connection`] (read-only SQL for tests and tools; no action runs SQL of its own).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::exposition::{ExposedSample, ExposedSeries};
use super::{
    AnalysisRow, BaselineRecord, BaselineScope, ContextRow, HistoryRow, MetricExtent,
    MetricSamples, NewBaseline, ProfileBaselineRow, ProfileRow, RetentionReport, RunRow, RunSample,
    RunSamples, SampleRow, SampleWindow, SeriesColumns, SeriesKey, Store, StoreError, StoredSample,
    StoredSeries,
};
use crate::context::Context;
use crate::metrics::PerformanceMetric;

/// Result of a store operation.
type R<T> = Result<T, StoreError>;

/// Every operation the runner, the actions and the commands need from a store.
pub trait MetricsStore {
    // Runs.
    /// Records the start of a run ([`Store::begin_run`]).
    fn begin_run(&mut self, recipe: &str, recipe_path: &str, started_at: f64) -> R<i64>;
    /// Records the end of a run ([`Store::finish_run`]).
    fn finish_run(&mut self, id: i64, ended_at: f64, status: &str) -> R<()>;
    /// All runs, a dead run shown `crashed` ([`Store::runs`]).
    fn runs(&self) -> R<Vec<RunRow>>;
    /// Start times of all runs ([`Store::run_start_times`]).
    fn run_start_times(&self) -> R<HashMap<i64, f64>>;

    // Context.
    /// A fresh context holding the persisted keys under `prefixes` ([`Store::load_context`]).
    fn load_context(&self, prefixes: &[&str]) -> R<Context>;
    /// Commits pending context changes, staged and given samples ([`Store::commit`]).
    fn commit(&mut self, run_id: Option<i64>, ctx: &mut Context, samples: &[SampleRow]) -> R<()>;
    /// Every persisted key ([`Store::context_rows`]).
    fn context_rows(&self) -> R<Vec<ContextRow>>;
    /// One persisted value ([`Store::context_value`]).
    fn context_value(&self, key: &str) -> R<Option<Value>>;
    /// The changes of one key ([`Store::context_history`]).
    fn context_history(&self, key: &str) -> R<Vec<HistoryRow>>;

    // Series and samples.
    /// Accepts samples for the next commit ([`Store::stage_samples`]).
    fn stage_samples(&mut self, run_id: Option<i64>, samples: Vec<SampleRow>) -> R<()>;
    /// Writes samples now ([`Store::insert_samples`]).
    fn insert_samples(&mut self, run_id: Option<i64>, samples: &[SampleRow]) -> R<()>;
    /// Writes a batch of metrics now ([`Store::insert_metrics`]).
    fn insert_metrics(&mut self, run_id: Option<i64>, batch: &[PerformanceMetric]) -> R<u64>;
    /// Samples of a metric with matching tags ([`Store::samples`]).
    fn samples(&self, name: &str, tags: &BTreeMap<String, String>) -> R<Vec<StoredSample>>;
    /// Every series ([`Store::series_index`]).
    fn series_index(&self) -> R<Vec<StoredSeries>>;
    /// Samples of some series in a window ([`Store::samples_of_series`]).
    fn samples_of_series(
        &self,
        name: &str,
        series: &[StoredSeries],
        window: SampleWindow,
    ) -> R<MetricSamples>;
    /// Samples of some runs ([`Store::samples_of_runs`]).
    fn samples_of_runs(&self, run_ids: &[i64]) -> R<Vec<RunSample>>;
    /// Runs that wrote samples ([`Store::runs_with_samples`]).
    fn runs_with_samples(&self) -> R<Vec<i64>>;
    /// Time extent of some series ([`Store::series_extent`]).
    fn series_extent(&self, ids: &[i64]) -> R<Option<MetricExtent>>;
    /// Every stored metric name ([`Store::metric_names`]).
    fn metric_names(&self) -> R<Vec<String>>;
    /// The stored names a glob matches ([`Store::metric_names_matching`]).
    fn metric_names_matching(&self, pattern: &glob::Pattern) -> R<Vec<String>>;
    /// How many samples a name has and when ([`Store::metric_extent`]).
    fn metric_extent(&self, name: &str) -> R<Option<MetricExtent>>;
    /// A name's samples in a window ([`Store::metric_samples`]).
    fn metric_samples(&self, name: &str, window: SampleWindow) -> R<MetricSamples>;
    /// The latest run holding samples of some names ([`Store::latest_run_with_samples`]).
    fn latest_run_with_samples(&self, names: &[String], before: Option<i64>) -> R<Option<i64>>;
    /// A name's samples grouped per run ([`Store::samples_per_run`]).
    fn samples_per_run(&self, name: &str) -> R<Vec<RunSamples>>;
    /// Every series of a name with its id ([`Store::series_named`]).
    fn series_named(&self, name: &str) -> R<Vec<(i64, SeriesKey)>>;
    /// One series' samples ([`Store::series_columns`]).
    fn series_columns(&self, id: i64) -> R<SeriesColumns>;
    /// Series created after an id ([`Store::series_after`]).
    fn series_after(&self, after: i64) -> R<Vec<ExposedSeries>>;
    /// The series a run wrote ([`Store::run_series`]).
    fn run_series(&self, run_id: i64) -> R<Vec<ExposedSeries>>;
    /// Every series' newest sample ([`Store::latest_samples`]).
    fn latest_samples(&self) -> R<Vec<ExposedSample>>;
    /// One series' samples since an instant, streamed ([`Store::series_samples_since`]).
    fn series_samples_since(
        &self,
        series_id: i64,
        since_ns: Option<i64>,
        f: &mut dyn FnMut(ExposedSample),
    ) -> R<()>;
    /// Samples written after a row id, streamed ([`Store::samples_after_rowid`]).
    fn samples_after_rowid(&self, after: i64, f: &mut dyn FnMut(ExposedSample)) -> R<()>;
    /// A run's samples, streamed ([`Store::run_samples`]).
    fn run_samples(&self, run_id: i64, f: &mut dyn FnMut(ExposedSample)) -> R<()>;
    /// The newest sample row id ([`Store::max_sample_rowid`]).
    fn max_sample_rowid(&self) -> R<i64>;
    /// Drops old and excess samples ([`Store::enforce_retention`]).
    fn enforce_retention(
        &mut self,
        now_ns: i64,
        max_age_days: f64,
        max_count: u64,
    ) -> R<RetentionReport>;

    // Baselines and analyses.
    /// Stores a baseline ([`Store::insert_baseline`]).
    fn insert_baseline(&mut self, b: &NewBaseline<'_>) -> R<i64>;
    /// The newest baseline of a series ([`Store::latest_baseline_for`]).
    fn latest_baseline_for(
        &self,
        metric: &str,
        scope: BaselineScope,
        tags: &BTreeMap<String, String>,
    ) -> R<Option<BaselineRecord>>;
    /// Every baseline of a metric ([`Store::baselines_of`]).
    fn baselines_of(&self, metric: &str) -> R<Vec<BaselineRecord>>;
    /// Stores an analysis result ([`Store::insert_analysis`]).
    fn insert_analysis(
        &mut self,
        run_id: Option<i64>,
        step: Option<&str>,
        result: &Value,
    ) -> R<i64>;
    /// The analyses of a run ([`Store::analyses`]).
    fn analyses(&self, run_id: i64) -> R<Vec<AnalysisRow>>;

    // Profiles.
    /// Stores a profile ([`Store::insert_profile`]).
    fn insert_profile(
        &mut self,
        run_id: Option<i64>,
        step: Option<&str>,
        target: &str,
        report: &Value,
        folded: &str,
    ) -> R<i64>;
    /// The profiles of a run ([`Store::profiles`]).
    fn profiles(&self, run_id: i64) -> R<Vec<ProfileRow>>;
    /// Stores a named profile baseline ([`Store::save_profile_baseline`]).
    fn save_profile_baseline(
        &mut self,
        name: &str,
        profile_id: Option<i64>,
        runs: &Value,
        folded: &str,
    ) -> R<i64>;
    /// A named profile baseline ([`Store::profile_baseline`]).
    fn profile_baseline(&self, name: &str) -> R<Option<ProfileBaselineRow>>;
}

/// Forwards each listed trait method to [`Store`]'s inherent method of the same name.
macro_rules! forward {
    (@acc [$($done:tt)*]) => {
        impl MetricsStore for Store { $($done)* }
    };
    (@acc [$($done:tt)*] $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $out:ty; $($rest:tt)*) => {
        forward!(@acc [$($done)* fn $name(&mut self $(, $arg: $ty)*) -> R<$out> {
            Store::$name(self $(, $arg)*)
        }] $($rest)*);
    };
    (@acc [$($done:tt)*] $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty; $($rest:tt)*) => {
        forward!(@acc [$($done)* fn $name(&self $(, $arg: $ty)*) -> R<$out> {
            Store::$name(self $(, $arg)*)
        }] $($rest)*);
    };
    ($($items:tt)*) => { forward!(@acc [] $($items)*); };
}

forward! {
    begin_run(&mut self, recipe: &str, recipe_path: &str, started_at: f64) -> i64;
    finish_run(&mut self, id: i64, ended_at: f64, status: &str) -> ();
    runs(&self) -> Vec<RunRow>;
    run_start_times(&self) -> HashMap<i64, f64>;
    load_context(&self, prefixes: &[&str]) -> Context;
    commit(&mut self, run_id: Option<i64>, ctx: &mut Context, samples: &[SampleRow]) -> ();
    context_rows(&self) -> Vec<ContextRow>;
    context_value(&self, key: &str) -> Option<Value>;
    context_history(&self, key: &str) -> Vec<HistoryRow>;
    stage_samples(&mut self, run_id: Option<i64>, samples: Vec<SampleRow>) -> ();
    insert_samples(&mut self, run_id: Option<i64>, samples: &[SampleRow]) -> ();
    insert_metrics(&mut self, run_id: Option<i64>, batch: &[PerformanceMetric]) -> u64;
    samples(&self, name: &str, tags: &BTreeMap<String, String>) -> Vec<StoredSample>;
    series_index(&self) -> Vec<StoredSeries>;
    samples_of_series(&self, name: &str, series: &[StoredSeries], window: SampleWindow)
        -> MetricSamples;
    samples_of_runs(&self, run_ids: &[i64]) -> Vec<RunSample>;
    runs_with_samples(&self) -> Vec<i64>;
    series_extent(&self, ids: &[i64]) -> Option<MetricExtent>;
    metric_names(&self) -> Vec<String>;
    metric_names_matching(&self, pattern: &glob::Pattern) -> Vec<String>;
    metric_extent(&self, name: &str) -> Option<MetricExtent>;
    metric_samples(&self, name: &str, window: SampleWindow) -> MetricSamples;
    latest_run_with_samples(&self, names: &[String], before: Option<i64>) -> Option<i64>;
    samples_per_run(&self, name: &str) -> Vec<RunSamples>;
    series_named(&self, name: &str) -> Vec<(i64, SeriesKey)>;
    series_columns(&self, id: i64) -> SeriesColumns;
    series_after(&self, after: i64) -> Vec<ExposedSeries>;
    run_series(&self, run_id: i64) -> Vec<ExposedSeries>;
    latest_samples(&self) -> Vec<ExposedSample>;
    series_samples_since(&self, series_id: i64, since_ns: Option<i64>,
        f: &mut dyn FnMut(ExposedSample)) -> ();
    samples_after_rowid(&self, after: i64, f: &mut dyn FnMut(ExposedSample)) -> ();
    run_samples(&self, run_id: i64, f: &mut dyn FnMut(ExposedSample)) -> ();
    max_sample_rowid(&self) -> i64;
    enforce_retention(&mut self, now_ns: i64, max_age_days: f64, max_count: u64)
        -> RetentionReport;
    insert_baseline(&mut self, b: &NewBaseline<'_>) -> i64;
    latest_baseline_for(&self, metric: &str, scope: BaselineScope,
        tags: &BTreeMap<String, String>) -> Option<BaselineRecord>;
    baselines_of(&self, metric: &str) -> Vec<BaselineRecord>;
    insert_analysis(&mut self, run_id: Option<i64>, step: Option<&str>, result: &Value) -> i64;
    analyses(&self, run_id: i64) -> Vec<AnalysisRow>;
    insert_profile(&mut self, run_id: Option<i64>, step: Option<&str>, target: &str,
        report: &Value, folded: &str) -> i64;
    profiles(&self, run_id: i64) -> Vec<ProfileRow>;
    save_profile_baseline(&mut self, name: &str, profile_id: Option<i64>, runs: &Value,
        folded: &str) -> i64;
    profile_baseline(&self, name: &str) -> Option<ProfileBaselineRow>;
}
