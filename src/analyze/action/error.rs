//! Why an analysis could not run: every message names the metric, timeframe, run or argument
//! involved and what would be accepted.

use crate::diagnostic::Finding;
use crate::store::StoreError;

/// An analysis that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The arguments (or the recipe's `config`) are invalid.
    #[error("invalid analyze arguments: {}", .0.iter().map(|f| format!("{}: {}", f.path, f.message)).collect::<Vec<_>>().join("; "))]
    InvalidArgs(Vec<Finding>),
    /// The `config` mapping (arguments or recipe) is invalid.
    #[error(transparent)]
    Config(#[from] crate::metrics::ConfigError),
    /// The store holds no metric samples at all.
    #[error(
        "the store holds no metric samples (run a recipe, or load measurements with f0 import)"
    )]
    EmptyStore,
    /// An exact metric name the store does not know.
    #[error("unknown metric '{}'; stored metrics: {}", crate::diagnostic::quote(.name), crate::diagnostic::quote(&.known.join(", ")))]
    UnknownMetric {
        /// The name asked for.
        name: String,
        /// Every stored metric name.
        known: Vec<String>,
    },
    /// No selected metric has a sample in the timeframe.
    #[error("no samples in timeframe {timeframe}: {}", .details.join("; "))]
    NoSamples {
        /// The timeframe as written.
        timeframe: String,
        /// Per metric: how many samples it has and when the newest was taken.
        details: Vec<String>,
    },
    /// `last_run` found no run with samples of the selected metrics.
    #[error("timeframe last_run: no {}run holds samples of {}", if *.excluding_current { "earlier " } else { "" }, .metrics.join(", "))]
    NoRun {
        /// The metrics looked for.
        metrics: Vec<String>,
        /// Whether the running run was excluded.
        excluding_current: bool,
    },
    /// `this_run` outside a running recipe.
    #[error("timeframe this_run names the running recipe's samples; outside a recipe use last_run, all or a span like 24h")]
    NotInRun,
    /// Samples were found, but no metric could be analysed.
    #[error("no metric could be analysed: {}", .reasons.join("; "))]
    NothingAnalysable {
        /// One reason per metric.
        reasons: Vec<String>,
    },
    /// A metric name that cannot be used (empty, or a malformed glob).
    #[error("{0}")]
    BadMetric(String),
    /// Change-point detection is asked for one metric by exact name, not a pattern.
    #[error("--metric takes one metric name, not the pattern '{0}'")]
    NotOneMetric(String),
    /// Too few samples for change-point detection.
    #[error("metric '{metric}' has {count} sample in timeframe {timeframe}; change-point detection needs at least 2")]
    TooFewForChangePoints {
        /// The metric.
        metric: String,
        /// Its samples in the timeframe.
        count: usize,
        /// The timeframe as written.
        timeframe: String,
    },
    /// A statistic refused its input.
    #[error(transparent)]
    Stats(#[from] crate::analyze::error::StatsError),
    /// A baseline could not be established.
    #[error("cannot establish a baseline for '{metric}': {reason}")]
    Establish {
        /// The metric.
        metric: String,
        /// Why.
        reason: String,
    },
}
