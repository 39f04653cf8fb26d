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
    /// No such module; `message` is Framework0's import error.
    NoModule {
        /// `Failed to import scriptlet: No module named '...'`.
        message: String,
    },
    /// The module exists but has no such class.
    NoAttribute {
        /// `Scriptlet class/method not found: module '...' has no attribute '...'`.
        message: String,
    },
}

/// Scriptlets keyed by (module, function).
#[derive(Default)]
pub struct Registry {
    entries: BTreeMap<(String, String), ScriptletEntry>,
    modules: BTreeSet<String>,
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
            return Resolution::NoAttribute {
                message: format!(
                    "Scriptlet class/method not found: module '{module}' has no attribute '{function}'"
                ),
            };
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
        Resolution::NoModule {
            message: format!("Failed to import scriptlet: No module named '{missing}'"),
        }
    }

    /// Every registered scriptlet, sorted by module and function.
    pub fn entries(&self) -> impl Iterator<Item = &ScriptletEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_python_import_errors() {
        let r = crate::scriptlet::default_registry();
        let msg = |m: &str, f: &str| match r.resolve(m, f) {
            Resolution::Found(_) => "found".to_owned(),
            Resolution::NoModule { message } | Resolution::NoAttribute { message } => message,
        };
        assert_eq!(
            msg(
                "orchestrator.scriptlets.python.steps.compute_median",
                "ComputeMedian"
            ),
            "Failed to import scriptlet: No module named 'orchestrator.scriptlets'"
        );
        assert_eq!(
            msg("engine.steps.python.missing_module", "MissingLoader"),
            "Failed to import scriptlet: No module named 'engine.steps.python.missing_module'"
        );
        assert_eq!(
            msg("scriptlets.foundation", "WelcomeScriptlet"),
            "Scriptlet class/method not found: module 'scriptlets.foundation' has no attribute 'WelcomeScriptlet'"
        );
        assert_eq!(
            msg("nosuch", "X"),
            "Failed to import scriptlet: No module named 'nosuch'"
        );
        assert_eq!(msg("f0.builtin", "Noop"), "found");
    }
}
