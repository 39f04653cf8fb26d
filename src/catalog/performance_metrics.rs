//! `PerformanceMetricsScriptlet`, registered under `scriptlets.foundation.performance_metrics`
//! and `scriptlets.performance_metrics`: a thin dispatcher of `args.action` over [`ACTIONS`].
//! Each action lives in its own folder, owns its arguments, validation and execution, and
//! exports one [`ActionSpec`](crate::scriptlet::ActionSpec); an action of the design not built
//! yet would be [`ActionSpec::planned`](crate::scriptlet::ActionSpec::planned) and answer "not
//! available yet".
//!
//! Adding an action: its folder exports `pub const ACTION: ActionSpec`, and its entry here
//! replaces the `planned` one (plus the folder's `pub mod` line in `lib.rs`).

use serde_json::{Map, Value};

use crate::scriptlet::{Actions, Registry, Scriptlet, ScriptletError, StepEnv};

/// The module paths the scriptlet is registered under.
pub const MODULES: &[&str] = &[
    "scriptlets.foundation.performance_metrics",
    "scriptlets.performance_metrics",
];
/// The class name.
pub const FUNCTION: &str = "PerformanceMetricsScriptlet";

/// The actions, in the order messages list them.
pub const ACTIONS: Actions = Actions {
    scriptlet: FUNCTION,
    specs: &[
        crate::collect::ACTION,
        crate::analyze::ACTION,
        crate::profile::ACTION,
        crate::report::ACTION,
    ],
};

/// Registers the scriptlet in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        MODULES,
        FUNCTION,
        "performance metrics: args.action = collect | analyze | profile | report",
        || Box::new(PerformanceMetricsScriptlet),
        Some(|args, base| ACTIONS.validate(args, base)),
    );
}

struct PerformanceMetricsScriptlet;

impl Scriptlet for PerformanceMetricsScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        ACTIONS.run(env, args)
    }
}
