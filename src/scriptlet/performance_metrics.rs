//! `PerformanceMetricsScriptlet`, registered under `scriptlets.foundation.performance_metrics`
//! and `scriptlets.performance_metrics`: dispatches `args.action` to collect, analyze,
//! profile or report. Parts of the design not built yet answer with a clear
//! "not available yet" error, never a placeholder result.

use serde_json::{Map, Value};

use super::{Registry, Scriptlet, ScriptletError, StepEnv};
use crate::diagnostic::{compact, Code, Finding};

/// The module paths the scriptlet is registered under.
pub const MODULES: &[&str] = &[
    "scriptlets.foundation.performance_metrics",
    "scriptlets.performance_metrics",
];
/// The class name.
pub const FUNCTION: &str = "PerformanceMetricsScriptlet";

/// The actions, as written in `args.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Collect system, application, network and custom metrics.
    Collect,
    /// Analyze stored metrics.
    Analyze,
    /// Profile a command or recorded timers.
    Profile,
    /// Write reports.
    Report,
}

/// Every valid action name, for messages.
pub const ACTION_NAMES: &[&str] = &["collect", "analyze", "profile", "report"];

impl Action {
    /// Parses an action name.
    pub fn parse(name: &str) -> Option<Action> {
        match name {
            "collect" => Some(Action::Collect),
            "analyze" => Some(Action::Analyze),
            "profile" => Some(Action::Profile),
            "report" => Some(Action::Report),
            _ => None,
        }
    }
}

pub(super) fn register(r: &mut Registry) {
    r.register(
        MODULES,
        FUNCTION,
        "performance metrics: args.action = collect | analyze | profile | report",
        || Box::new(PerformanceMetricsScriptlet),
        Some(validate),
    );
}

fn unknown_action(got: &Value) -> String {
    format!(
        "unknown action {}; valid actions: {}",
        compact(got),
        ACTION_NAMES.join(", ")
    )
}

fn validate(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    match args.get("action") {
        None => vec![Finding::error(
            Code::MissingField,
            format!("{base}.action"),
            format!(
                "PerformanceMetricsScriptlet needs 'action': one of {}",
                ACTION_NAMES.join(", ")
            ),
        )],
        Some(Value::String(s)) if Action::parse(s) == Some(Action::Analyze) => {
            crate::analyze::action::validate_args(args, base)
        }
        Some(Value::String(s)) if Action::parse(s) == Some(Action::Collect) => {
            crate::collect::args::parse(args, base, None).1
        }
        Some(Value::String(s)) if Action::parse(s).is_some() => vec![],
        Some(other) => vec![Finding::error(
            Code::UnknownAction,
            format!("{base}.action"),
            unknown_action(other),
        )],
    }
}

struct PerformanceMetricsScriptlet;

impl Scriptlet for PerformanceMetricsScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let action = args.get("action").cloned().unwrap_or(Value::Null);
        match action.as_str().and_then(Action::parse) {
            None => Err(ScriptletError::Message(unknown_action(&action))),
            Some(Action::Analyze) => crate::analyze::action::run_step(env, args),
            Some(Action::Collect) => crate::collect::run_step(env, args),
            Some(a) => Err(ScriptletError::Message(format!(
                "action '{}' is not available yet in this version of f0",
                ACTION_NAMES[a as usize]
            ))),
        }
    }
}
