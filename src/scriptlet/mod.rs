//! Scriptlets: the trait every step implementation satisfies, the registry keyed by
//! (module, function), and the environment a step sees.
//!
//! A fresh instance is made for every step and every attempt (COMPAT §2).

mod builtin;
mod choice;
mod compute_numbers;
mod env;
pub mod health_monitoring;
mod health_selftest;
pub mod logging_framework;
mod logging_selftest;
pub mod performance_metrics;
mod registry;
mod selftest;

pub use env::{StepEnv, StepInfo};
pub use registry::{Registry, Resolution, ScriptletEntry, ValidateArgs, FRAMEWORK0_PACKAGES};

use serde_json::{Map, Value};

/// What a scriptlet reports when it cannot do its job. The runner reports it as
/// `Step execution failed: {error}` (Framework0's wording for an escaping exception).
#[derive(Debug, thiserror::Error)]
pub enum ScriptletError {
    /// A failure with a message for the user.
    #[error("{0}")]
    Message(String),
    /// An argument is wrong.
    #[error("invalid argument '{field}': {message}")]
    InvalidArg {
        /// Path of the argument, e.g. `args.seconds`.
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The step was cancelled (timeout or Ctrl-C) and must stop.
    #[error("step cancelled")]
    Cancelled,
}

/// A step implementation.
pub trait Scriptlet: Send {
    /// Runs the step; `Ok(0)` is success, any other code fails the step with
    /// `Legacy scriptlet returned exit code: {code}`.
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError>;
}

/// Registers every scriptlet this crate ships.
pub fn default_registry() -> Registry {
    let mut r = Registry::new();
    builtin::register(&mut r);
    compute_numbers::register(&mut r);
    performance_metrics::register(&mut r);
    logging_framework::register(&mut r);
    logging_selftest::register(&mut r);
    health_monitoring::register(&mut r);
    health_selftest::register(&mut r);
    r
}
