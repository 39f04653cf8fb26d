//! The scriptlet core: the [`Scriptlet`] trait every step implementation satisfies, the
//! [`StepEnv`] a running step sees, [`ScriptletError`], the [`Registry`] keyed by
//! (module, function) with its per-scriptlet argument-validation hook, [`action`] tables for
//! multi-action scriptlets, and the one argument reader ([`args`]).
//!
//! Everything here sits below the actions and scriptlets that implement it: nothing in this
//! folder names an action or a scriptlet. The registry that lists them is composed above, in
//! [`crate::catalog`]. A fresh instance is made for every step and every attempt (COMPAT §2).

pub mod action;
pub mod args;
mod env;
mod error;
pub mod extensions;
mod registry;

pub use action::{ActionSpec, Actions, RunAction};
pub use env::{ChildUsage, StepEnv, StepInfo};
pub use error::ScriptletError;
pub use extensions::Extensions;
pub use registry::{
    AroundStep, External, Fallback, Registry, Resolution, ScriptletEntry, StepResult, Unresolved,
    ValidateArgs, FRAMEWORK0_PACKAGES,
};

use serde_json::{Map, Value};

/// A step implementation.
pub trait Scriptlet: Send {
    /// Runs the step; `Ok(0)` is success, any other code fails the step with
    /// `Legacy scriptlet returned exit code: {code}`.
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError>;
}
