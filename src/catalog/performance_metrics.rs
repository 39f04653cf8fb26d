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

/// The logger of the actions' lifecycle and performance events.
const LOGGER: &str = "framework0.performance";

impl Scriptlet for PerformanceMetricsScriptlet {
    /// Runs the action, logging its start and end on `framework0.performance`
    /// (`extra_data {action, lifecycle: started | completed | failed, duration_seconds}`).
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let action = args.get("action").and_then(Value::as_str).unwrap_or("");
        tracing::info!(target: LOGGER, action, lifecycle = "started", "Action {action} started");
        let started = std::time::Instant::now();
        let result = ACTIONS.run(env, args);
        let secs = started.elapsed().as_secs_f64();
        match &result {
            Ok(code) => tracing::info!(
                target: LOGGER,
                action,
                lifecycle = "completed",
                duration_seconds = secs,
                exit_code = code,
                "Action {action} completed in {secs:.3}s"
            ),
            Err(e) => tracing::error!(
                target: LOGGER,
                action,
                lifecycle = "failed",
                duration_seconds = secs,
                "Action {action} failed after {secs:.3}s: {e}"
            ),
        }
        result
    }
}
