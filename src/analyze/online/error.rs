//! Errors of the online detectors.

use thiserror::Error;

/// Why an online detector or its settings refused an input.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OnlineError {
    /// A detector name is not known.
    #[error("unknown online detector '{name}'; accepted: {accepted}")]
    UnknownDetector {
        /// The name as given (shortened).
        name: String,
        /// Every accepted name.
        accepted: String,
    },
    /// No detector was named.
    #[error("no online detector named; accepted: {accepted}")]
    NoDetector {
        /// Every accepted name.
        accepted: String,
    },
    /// A point is NaN or infinite.
    #[error("value {value} is not finite; online detectors accept finite numbers only")]
    NonFinite {
        /// The value.
        value: f64,
    },
    /// A setting is out of its domain.
    #[error("invalid {name} = {value}; accepted: {accepted}")]
    InvalidParameter {
        /// The setting's name.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What is accepted.
        accepted: &'static str,
    },
}
