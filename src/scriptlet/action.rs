//! Actions of a multi-action scriptlet (`args.action`): each action is one [`ActionSpec`] —
//! its name, its argument checks (run by `f0 validate` and before a run) and its execution —
//! exported by the action's own folder; a scriptlet lists them in an [`Actions`] table that
//! checks and dispatches `args.action`.

use serde_json::{Map, Value};

use super::args::Choice;
use super::registry::ValidateArgs;
use super::{ScriptletError, StepEnv};
use crate::diagnostic::{Code, Finding};

/// Executes an action in a step.
pub type RunAction = fn(&StepEnv, &Map<String, Value>) -> Result<i32, ScriptletError>;

/// One action.
#[derive(Clone, Copy)]
pub struct ActionSpec {
    /// The name written in `args.action`.
    pub name: &'static str,
    /// Argument checks and execution; `None` for an action of the design not built yet.
    imp: Option<(ValidateArgs, RunAction)>,
}

impl ActionSpec {
    /// An action checked by `validate` and run by `run`.
    pub const fn new(name: &'static str, validate: ValidateArgs, run: RunAction) -> Self {
        ActionSpec {
            name,
            imp: Some((validate, run)),
        }
    }

    /// An action of the design that is not built yet: a valid name that answers "not
    /// available yet" when it runs.
    pub const fn planned(name: &'static str) -> Self {
        ActionSpec { name, imp: None }
    }
}

/// The actions of one scriptlet, in the order its messages list them.
pub struct Actions {
    /// The scriptlet's class name, for messages.
    pub scriptlet: &'static str,
    /// The actions.
    pub specs: &'static [ActionSpec],
}

impl Actions {
    /// Every action name, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.specs.iter().map(|s| s.name).collect()
    }

    fn lookup<R>(&self, f: impl FnOnce(&Choice<'_>) -> R) -> R {
        let names = self.names();
        f(&Choice {
            scriptlet: self.scriptlet,
            field: "action",
            default: None,
            valid: &names,
            code: Code::UnknownAction,
        })
    }

    fn spec(&self, name: &str) -> Option<&ActionSpec> {
        self.specs.iter().find(|s| s.name == name)
    }

    /// Findings for `args` (at `base`): `args.action` names an action, whose own checks run.
    pub fn validate(&self, args: &Map<String, Value>, base: &str) -> Vec<Finding> {
        let findings = self.lookup(|c| c.validate(args, base));
        if !findings.is_empty() {
            return findings;
        }
        let name = args
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self.spec(name).and_then(|s| s.imp) {
            Some((validate, _)) => validate(args, base),
            None => Vec::new(),
        }
    }

    /// Runs the action `args.action` names.
    pub fn run(&self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let name = self.lookup(|c| c.get(args).map(str::to_owned))?;
        match self.spec(&name).and_then(|s| s.imp) {
            Some((_, run)) => run(env, args),
            None => Err(ScriptletError::Message(format!(
                "action '{name}' is not available yet in this version of f0"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use crate::store::{SharedStore, Store};
    use serde_json::json;
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};

    fn ok_run(_: &StepEnv, _: &Map<String, Value>) -> Result<i32, ScriptletError> {
        Ok(0)
    }

    const TABLE: Actions = Actions {
        scriptlet: "Demo",
        specs: &[
            ActionSpec::new("built", |_, _| Vec::new(), ok_run),
            ActionSpec::planned("later"),
        ],
    };

    #[test]
    fn a_planned_action_validates_and_answers_not_available_yet() {
        let args = |a: &str| json!({ "action": a }).as_object().unwrap().clone();
        assert!(TABLE.validate(&args("later"), "args").is_empty());
        let f = TABLE.validate(&args("nope"), "args");
        assert_eq!(f[0].code, Code::UnknownAction);
        assert_eq!(
            f[0].message,
            "unknown action \"nope\"; valid actions: built, later"
        );
        let dir = tempfile::tempdir().unwrap();
        let env = StepEnv::new(
            super::super::StepInfo {
                step_name: "s".into(),
                recipe_path: "r.yaml".into(),
                recipe_name: "r".into(),
                attempt: 1,
                run_id: 1,
            },
            Arc::new(Mutex::new(Context::new())),
            SharedStore::new(Store::open(&dir.path().join("s.db")).unwrap()),
            Arc::new(AtomicBool::new(false)),
        );
        assert_eq!(TABLE.run(&env, &args("built")).unwrap(), 0);
        let e = TABLE.run(&env, &args("later")).unwrap_err().to_string();
        assert_eq!(
            e,
            "action 'later' is not available yet in this version of f0"
        );
    }
}
