//! The one error of the analysis engine — descriptive statistics and detection alike
//! (anomalies, trends, change points, hypothesis tests, baselines) — and the input checks that
//! raise it.
//!
//! Every function takes plain `&[f64]` (and optionally i64 ns timestamps) and refuses bad input
//! with a [`StatsError`] that names the problem (the index and value of a NaN, how many values
//! were needed, which parameter was wrong and what would have been accepted) instead of
//! panicking or returning NaN.

/// An error from a statistic of the analysis engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The series holds no value at all.
    #[error("empty series: at least one value is needed")]
    Empty,
    /// The series holds NaN or ±infinity; `index` is the first such position.
    #[error("non-finite value {value} at index {index}: every value must be a finite number")]
    NonFinite {
        /// Zero-based position of the first non-finite value.
        index: usize,
        /// The offending value (NaN, inf or -inf).
        value: f64,
    },
    /// The series is too short for the statistic (for example one sample for a standard deviation).
    #[error("too few values: {needed} needed, got {got}")]
    TooFew {
        /// The least number of values the statistic is defined for.
        needed: usize,
        /// The number of values given.
        got: usize,
    },
    /// A parameter (probability, window, smoothing factor, method name, ...) is out of range.
    #[error("invalid {name} `{value}`: accepted {accepted}")]
    InvalidParameter {
        /// The parameter's name, e.g. `"p"` or `"window"`.
        name: &'static str,
        /// The rejected value, as text.
        value: String,
        /// What would have been accepted, e.g. `"a probability in [0, 1]"`.
        accepted: &'static str,
    },
    /// Like [`StatsError::InvalidParameter`], for a parameter whose name or accepted domain
    /// is only known at run time (an index, a length).
    #[error("invalid {name} `{value}`: accepted {accepted}")]
    Invalid {
        /// The parameter's name, e.g. `"values[3]"`.
        name: String,
        /// The rejected value, as text.
        value: String,
        /// What would have been accepted.
        accepted: String,
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

impl StatsError {
    /// Builds [`StatsError::Invalid`] (a name or domain known only at run time).
    pub fn invalid_at(
        name: impl Into<String>,
        value: impl std::fmt::Display,
        accepted: impl Into<String>,
    ) -> Self {
        StatsError::Invalid {
            name: name.into(),
            value: value.to_string(),
            accepted: accepted.into(),
        }
    }

    /// Builds [`StatsError::InvalidParameter`] from anything printable.
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        accepted: &'static str,
    ) -> Self {
        StatsError::InvalidParameter {
            name,
            value: value.to_string(),
            accepted,
        }
    }
}

/// Fails with [`StatsError::NonFinite`] at the first NaN or infinite value.
pub fn ensure_finite(values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks that `values` holds at least `needed` (≥ 1) values, all finite.
///
/// An empty series is [`StatsError::Empty`]; a non-empty one shorter than `needed` is
/// [`StatsError::TooFew`]; then every value must be finite.
pub fn ensure_series(values: &[f64], needed: usize) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty);
    }
    if values.len() < needed {
        return Err(StatsError::TooFew {
            needed,
            got: values.len(),
        });
    }
    ensure_finite(values)
}

/// Checks that `p` is a probability in `[0, 1]`.
pub fn ensure_probability(p: f64) -> Result<(), StatsError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(StatsError::invalid("p", p, "a probability in [0, 1]"))
    }
}
