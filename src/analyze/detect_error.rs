//! Typed errors of the detection half of the analysis engine (anomalies, trends, change points,
//! hypothesis tests and baselines).
//!
//! Every detector validates its input first and reports bad input with one of these variants
//! instead of panicking. Messages name the offending value and what would be accepted.

use thiserror::Error;

/// Why a detection function refused its input.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DetectError {
    /// The series (or one of the samples) holds no value at all.
    #[error("the series is empty; at least one finite value is needed")]
    Empty,
    /// A value is NaN or infinite.
    #[error("value {value} at index {index} is not finite; only finite numbers are accepted")]
    NonFinite {
        /// 0-based position of the offending value.
        index: usize,
        /// The offending value itself.
        value: f64,
    },
    /// The method needs more points than it was given.
    #[error("too few points: the method needs at least {needed}, got {got}")]
    TooFew {
        /// Minimum number of points the method needs.
        needed: usize,
        /// Number of points it was given.
        got: usize,
    },
    /// A tuning parameter is out of its domain.
    #[error("invalid parameter {name} = {value}; accepted: {accepted}")]
    InvalidParameter {
        /// Parameter name as it appears in the API.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// Description of the accepted domain.
        accepted: &'static str,
    },
    /// Timestamps and values have different lengths.
    #[error("{timestamps} timestamps were given for {values} values; one per value is needed")]
    LengthMismatch {
        /// Number of values.
        values: usize,
        /// Number of timestamps.
        timestamps: usize,
    },
    /// Timestamps go backwards.
    #[error(
        "timestamps must not decrease: {previous} ns is followed by {next} ns at index {index}"
    )]
    UnsortedTimestamps {
        /// Index of the first timestamp that is smaller than its predecessor.
        index: usize,
        /// The predecessor's timestamp (ns).
        previous: i64,
        /// The offending timestamp (ns).
        next: i64,
    },
    /// A quantity the result depends on is undefined for this input (e.g. a relative change
    /// against a baseline whose mean is zero, or a regression over identical timestamps).
    #[error("{what} is undefined for this input: {why}")]
    Undefined {
        /// The quantity that cannot be computed.
        what: &'static str,
        /// Why it cannot be computed.
        why: &'static str,
    },
}

impl DetectError {
    /// Shorthand for [`DetectError::InvalidParameter`] with a displayed value.
    pub(crate) fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        accepted: &'static str,
    ) -> Self {
        DetectError::InvalidParameter {
            name,
            value: value.to_string(),
            accepted,
        }
    }
}
