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

/// A scriptlet a [`Fallback`] found outside the registry (a Python class, for the bridge).
pub struct External {
    origin: String,
    factory: Box<dyn Fn() -> Box<dyn Scriptlet> + Send + Sync>,
}

impl External {
    /// A scriptlet made by `factory` (once per step and attempt); `origin` says where it was
    /// found, for logs (e.g. `python: /recipes/steps.py`).
    pub fn new(
        origin: impl Into<String>,
        factory: impl Fn() -> Box<dyn Scriptlet> + Send + Sync + 'static,
    ) -> Self {
        External {
            origin: origin.into(),
            factory: Box::new(factory),
        }
    }

    /// Where the scriptlet was found.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A fresh instance (one per step and attempt).
    pub fn instantiate(&self) -> Box<dyn Scriptlet> {
        (self.factory)()
    }
}

/// Resolves the steps no native scriptlet claims; [`Registry::resolve`] asks it for every
/// module that has no native entry.
pub trait Fallback: Send + Sync {
    /// Called once with every module a recipe names before they are resolved one by one, so
    /// that a lookup can be batched. The default does nothing.
    fn prepare(&self, _modules: &[&str]) {}

    /// `None` when the fallback does not know the module either (the registry reports it as
    /// Framework0 would), `Some(Err(why))` when it knows more precisely what is missing,
    /// `Some(Ok(scriptlet))` when it can run the step.
    fn resolve(&self, module: &str, function: &str) -> Option<Result<External, Unresolved>>;
}

/// How a (module, function) pair resolved.
pub enum Resolution<'a> {
    /// Registered.
    Found(&'a ScriptletEntry),
    /// Found by the registry's [`Fallback`].
    External(External),
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

/// A hook wrapped around a step attempt, on the step's own thread: it must call `run`
/// exactly once and return its result (the profiler's per-step capture). The runner wraps it
/// around the attempts of the steps a step of the recipe targets (`args.target.step`).
pub type AroundStep = fn(info: &super::StepInfo, run: &mut dyn FnMut() -> StepResult) -> StepResult;

/// Scriptlets keyed by (module, function), with an optional [`Fallback`] for the rest.
#[derive(Default)]
pub struct Registry {
    entries: BTreeMap<(String, String), ScriptletEntry>,
    modules: BTreeSet<String>,
    /// Modules with at least one native entry: the fallback is never asked about them.
    owned: BTreeSet<String>,
    fallback: Option<Box<dyn Fallback>>,
    around_step: Option<AroundStep>,
    extensions: super::Extensions,
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
            self.owned.insert((*module).to_owned());
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

    /// Installs the resolver asked about modules that have no native entry.
    pub fn set_fallback(&mut self, fallback: Box<dyn Fallback>) {
        self.fallback = Some(fallback);
    }

    /// Whether a fallback is installed.
    pub fn has_fallback(&self) -> bool {
        self.fallback.is_some()
    }

    /// Whether `module` has a native entry (then only native entries resolve in it).
    pub fn owns_module(&self, module: &str) -> bool {
        self.owned.contains(module)
    }

    /// Lets the fallback batch its lookup of the modules no native entry owns.
    pub fn prepare<'m>(&self, modules: impl IntoIterator<Item = &'m str>) {
        if let Some(fb) = &self.fallback {
            let foreign: BTreeSet<&str> = modules
                .into_iter()
                .filter(|m| !m.is_empty() && !self.owns_module(m))
                .collect();
            if !foreign.is_empty() {
                fb.prepare(&foreign.into_iter().collect::<Vec<_>>());
            }
        }
    }

    /// Resolves a step's module and function: native entries first, then (for a module with
    /// no native entry) the fallback, then Framework0's import error.
    pub fn resolve(&self, module: &str, function: &str) -> Resolution<'_> {
        if let Some(e) = self.entries.get(&(module.to_owned(), function.to_owned())) {
            return Resolution::Found(e);
        }
        if let Some(fb) = self.fallback.as_ref().filter(|_| !self.owns_module(module)) {
            match fb.resolve(module, function) {
                Some(Ok(external)) => return Resolution::External(external),
                Some(Err(why)) => return Resolution::Unresolved(why),
                None => {}
            }
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

    /// Sets the hook the runner wraps around the attempts of targeted steps ([`AroundStep`]).
    pub fn set_around_step(&mut self, hook: AroundStep) {
        self.around_step = Some(hook);
    }

    /// The hook around the attempts of targeted steps, if one is set.
    pub fn around_step(&self) -> Option<AroundStep> {
        self.around_step
    }

    /// The values attached for the scriptlets (see [`super::extensions`]).
    pub fn extensions(&self) -> &super::Extensions {
        &self.extensions
    }

    /// Attaches values for the scriptlets (see [`super::extensions`]).
    pub fn extensions_mut(&mut self) -> &mut super::Extensions {
        &mut self.extensions
    }

    /// `entry`'s argument checks, with this registry's extensions in scope.
    pub fn validate_args(
        &self,
        entry: &ScriptletEntry,
        args: &Map<String, Value>,
        base: &str,
    ) -> Vec<Finding> {
        super::extensions::in_scope(&self.extensions, || entry.validate_args(args, base))
    }

    /// Every registered scriptlet, sorted by module and function.
    pub fn entries(&self) -> impl Iterator<Item = &ScriptletEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scriptlet::StepEnv;

    struct Nothing;
    impl Scriptlet for Nothing {
        fn run(
            &mut self,
            _: &StepEnv,
            _: &Map<String, Value>,
        ) -> Result<i32, super::super::ScriptletError> {
            Ok(0)
        }
    }

    /// Knows `py.*` modules, says `py.gone` lacks `py.gone`, and nothing else.
    struct Stub;
    impl Fallback for Stub {
        fn resolve(&self, module: &str, _: &str) -> Option<Result<External, Unresolved>> {
            match module {
                "py.gone" => Some(Err(Unresolved::NoModule {
                    missing: "py.gone".into(),
                })),
                m if m.starts_with("py.") => Some(Ok(External::new(format!("stub: {m}"), || {
                    Box::new(Nothing)
                }))),
                _ => None,
            }
        }
    }

    fn registry() -> Registry {
        let mut r = Registry::new();
        r.register(&["own.mod"], "Native", "", || Box::new(Nothing), None);
        r.set_fallback(Box::new(Stub));
        r
    }

    #[test]
    fn the_fallback_answers_only_for_modules_without_native_entries() {
        let r = registry();
        assert!(r.has_fallback() && r.owns_module("own.mod") && !r.owns_module("own"));
        assert!(matches!(
            r.resolve("own.mod", "Native"),
            Resolution::Found(_)
        ));
        assert!(
            matches!(r.resolve("py.steps", "Any"), Resolution::External(e) if e.origin() == "stub: py.steps")
        );
        let msg = |m: &str, f: &str| match r.resolve(m, f) {
            Resolution::Unresolved(u) => u.to_string(),
            _ => "resolved".to_owned(),
        };
        // A native module keeps its own lookup error; the fallback's word wins where it has one.
        assert_eq!(
            msg("own.mod", "Other"),
            "Scriptlet class/method not found: module 'own.mod' has no attribute 'Other'"
        );
        assert_eq!(
            msg("py.gone", "X"),
            "Failed to import scriptlet: No module named 'py.gone'"
        );
        assert_eq!(
            msg("elsewhere.x", "X"),
            "Failed to import scriptlet: No module named 'elsewhere'"
        );
    }
}
