//! The scriptlet registry and Framework0-identical resolution messages.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::Scriptlet;
use crate::diagnostic::Finding;

/// Checks a step's `args` before anything runs; `base` is the path of `args`
/// (`recipe.steps[i].args`) for findings.
pub type ValidateArgs = fn(args: &Map<String, Value>, base: &str) -> Vec<Finding>;

/// Python packages that exist in a Framework0 checkout, so that a missing module is
/// reported exactly as Python's import system would (`No module named 'engine.steps.python.x'`
/// rather than `'engine'`).
pub const FRAMEWORK0_PACKAGES: &[&str] = &[
    "orchestrator",
    "engine",
    "engine.steps",
    "engine.steps.python",
    "scriptlets",
    "scriptlets.foundation",
];

/// One registered scriptlet.
pub struct ScriptletEntry {
    /// Dotted module path, e.g. `f0.builtin`.
    pub module: String,
    /// Class name, e.g. `Noop`.
    pub function: String,
    /// One line for `f0 scriptlets` style listings.
    pub summary: &'static str,
    factory: fn() -> Box<dyn Scriptlet>,
    validator: Option<ValidateArgs>,
}

impl ScriptletEntry {
    /// A fresh instance (one per step and attempt).
    pub fn instantiate(&self) -> Box<dyn Scriptlet> {
        (self.factory)()
    }

    /// The scriptlet's own argument checks.
    pub fn validate_args(&self, args: &Map<String, Value>, base: &str) -> Vec<Finding> {
        self.validator.map(|v| v(args, base)).unwrap_or_default()
    }
}

/// How a (module, function) pair resolved.
pub enum Resolution<'a> {
    /// Registered.
    Found(&'a ScriptletEntry),
    /// Not registered.
    Unresolved(Unresolved),
}

/// Why a (module, function) pair did not resolve; prints as Framework0's import error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unresolved {
    /// No such module (`missing` is the first missing component of the dotted path, as
    /// Python's import system names it).
    #[error("Failed to import scriptlet: No module named '{missing}'")]
    NoModule {
        /// The dotted path Python would report missing.
        missing: String,
    },
    /// The module exists but has no such class.
    #[error("Scriptlet class/method not found: module '{module}' has no attribute '{function}'")]
    NoAttribute {
        /// The module path.
        module: String,
        /// The class name asked for.
        function: String,
    },
}

/// What a step attempt returns.
pub type StepResult = Result<i32, super::ScriptletError>;

/// A hook wrapped around every step attempt, on the step's own thread: it must call `run`
/// exactly once and return its result (e.g. the profiler's per-step capture).
pub type AroundStep = fn(info: &super::StepInfo, run: &mut dyn FnMut() -> StepResult) -> StepResult;

/// Scriptlets keyed by (module, function).
#[derive(Default)]
pub struct Registry {
    entries: BTreeMap<(String, String), ScriptletEntry>,
    modules: BTreeSet<String>,
    around_step: Option<AroundStep>,
}

impl Registry {
    /// An empty registry that knows Framework0's package tree.
    pub fn new() -> Self {
        let mut r = Registry::default();
        for p in FRAMEWORK0_PACKAGES {
            r.modules.insert((*p).to_owned());
        }
        r
    }

    /// Registers `factory` under every module path in `modules` and `function`.
    pub fn register(
        &mut self,
        modules: &[&str],
        function: &str,
        summary: &'static str,
        factory: fn() -> Box<dyn Scriptlet>,
        validator: Option<ValidateArgs>,
    ) {
        for module in modules {
            let mut prefix = String::new();
            for part in module.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                self.modules.insert(prefix.clone());
            }
            self.entries.insert(
                ((*module).to_owned(), function.to_owned()),
                ScriptletEntry {
                    module: (*module).to_owned(),
                    function: function.to_owned(),
                    summary,
                    factory,
                    validator,
                },
            );
        }
    }

    /// Resolves a step's module and function.
    pub fn resolve(&self, module: &str, function: &str) -> Resolution<'_> {
        if let Some(e) = self.entries.get(&(module.to_owned(), function.to_owned())) {
            return Resolution::Found(e);
        }
        if self.modules.contains(module) {
            return Resolution::Unresolved(Unresolved::NoAttribute {
                module: module.to_owned(),
                function: function.to_owned(),
            });
        }
        // Python names the first missing component of the dotted path.
        let mut missing = String::new();
        for part in module.split('.') {
            if !missing.is_empty() {
                missing.push('.');
            }
            missing.push_str(part);
            if !self.modules.contains(&missing) {
                break;
            }
        }
        Resolution::Unresolved(Unresolved::NoModule { missing })
    }

    /// Sets the hook the runner wraps around every step attempt.
    pub fn set_around_step(&mut self, hook: AroundStep) {
        self.around_step = Some(hook);
    }

    /// The hook around every step attempt, if one is set.
    pub fn around_step(&self) -> Option<AroundStep> {
        self.around_step
    }

    /// Every registered scriptlet, sorted by module and function.
    pub fn entries(&self) -> impl Iterator<Item = &ScriptletEntry> {
        self.entries.values()
    }
}
