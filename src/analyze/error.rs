//! Typed errors shared by the statistics of the analysis engine, and the input checks that raise them.
//!
//! Every statistic takes a plain `&[f64]` and refuses bad input with a [`StatsError`] that names the
//! problem (the index and value of a NaN, how many samples were needed, which parameter was wrong
//! and what would have been accepted) instead of panicking or returning NaN.

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
        name: String,
        /// The rejected value, as text.
        value: String,
        /// What would have been accepted, e.g. `"a probability in [0, 1]"`.
        accepted: String,
    },
}

impl StatsError {
    /// Builds [`StatsError::InvalidParameter`] from anything printable.
    pub fn invalid(name: &str, value: impl std::fmt::Display, accepted: &str) -> Self {
        StatsError::InvalidParameter {
            name: name.to_owned(),
            value: value.to_string(),
            accepted: accepted.to_owned(),
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
