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
    /// A plugin analyzer failed (see [`crate::plugin::Analyzer`]).
    #[error("{0}")]
    Plugin(String),
    /// A metric name that cannot be used (empty, or a malformed glob).
    #[error("{0}")]
    BadMetric(String),
    /// A command-line option with a value it does not accept.
    #[error("{flag}: {message}")]
    BadOption {
        /// The flag (or `run` for run numbers).
        flag: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A series selector that does not parse.
    #[error(transparent)]
    BadSelector(#[from] crate::metrics::selector::SelectorError),
    /// A selector names a tag key no series of its names carries.
    #[error(
        "selector '{selector}': no series of {names} has tag key '{key}'; its tag keys: {known}"
    )]
    UnknownTagKey {
        /// The selector, in canonical form.
        selector: String,
        /// The unknown key.
        key: String,
        /// Which names were looked at (`'step_wall_time'`, `any stored metric`).
        names: String,
        /// The tag keys those series carry.
        known: String,
    },
    /// `group_by` names a tag key no selected series of a name carries.
    #[error("group_by: no selected series of '{name}' has tag key '{key}'; its tag keys: {}", if .known.is_empty() { "none".to_owned() } else { .known.join(", ") })]
    UnknownGroupKey {
        /// The key.
        key: String,
        /// The metric.
        name: String,
        /// The keys its series carry.
        known: Vec<String>,
    },
    /// A command that works on one series got a selector matching several.
    #[error("--metric '{selector}' matches {} series: {}; select one of them with tag matchers, e.g. --metric '{}'", .matched.len(), first_ten(.matched), .matched.first().map_or("", String::as_str))]
    NotOneSeries {
        /// The selector as written.
        selector: String,
        /// The labels of the series it matched.
        matched: Vec<String>,
    },
    /// Too few samples for change-point detection.
    #[error("series '{metric}' has {count} sample in timeframe {timeframe}; change-point detection needs at least 2")]
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

/// At most ten labels, then how many more.
fn first_ten(labels: &[String]) -> String {
    let mut out = labels
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if labels.len() > 10 {
        out.push_str(&format!(" and {} more", labels.len() - 10));
    }
    out
}
