//! Plugins: collectors, analyzers and anomaly detectors that are not built into f0, named by
//! recipes exactly like the built-in ones.
//!
//! Three ways to add one (README "Extending f0"):
//! 1. **Rust** — implement [`Collector`], [`Analyzer`] or [`Detector`] and register a factory
//!    in [`Plugins`], usually through
//!    [`Runner::builder`](crate::runner::Runner::builder)`().collector("gpu", Gpu::new)`;
//!    see `examples/plugins.rs`.
//! 2. **Any command** — the built-in [`exec`] collector runs a program on an interval and
//!    parses Prometheus text exposition or PerformanceMetric JSON lines from its stdout.
//! 3. **Python** — see [`python`].
//!
//! A program attaches its [`Plugins`] to the scriptlet registry (a registry
//! [extension](crate::scriptlet::extensions)); the `collect` and `analyze` actions look names
//! up there ([`Plugins::for_step`] while running, [`Plugins::current`] while checking
//! arguments), so `f0 validate` and a run check a plugin's settings through the same
//! [`Collector::configure`] hook. Without an attachment the built-in plugins
//! ([`Plugins::builtin`]) answer.

pub mod exec;
pub mod python;
mod traits;

pub use traits::{
    no_settings, Analyzer, Collector, Detection, Detector, PluginError, SeriesView, Verdict,
};

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::scriptlet::{extensions, StepEnv};

type Factory<T> = Arc<dyn Fn() -> Box<T> + Send + Sync>;

/// Names the built-in collectors of the `collect` action keep for themselves.
pub const RESERVED_COLLECTORS: [&str; 4] = ["system", "application", "network", "custom"];

/// Why a plugin could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The name is a built-in one or already registered.
    #[error("a {kind} named '{name}' is already registered (or built in); choose another name")]
    Taken {
        /// `collector`, `analyzer` or `detector`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// The name is not a plain identifier.
    #[error("plugin name {name:?} must be letters, digits and '_' (starting with a letter)")]
    BadName {
        /// The name.
        name: String,
    },
}

/// The plugins a program offers to its recipes, by name.
#[derive(Clone, Default)]
pub struct Plugins {
    collectors: BTreeMap<String, Factory<dyn Collector>>,
    analyzers: BTreeMap<String, Factory<dyn Analyzer>>,
    detectors: BTreeMap<String, Factory<dyn Detector>>,
}

impl std::fmt::Debug for Plugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugins")
            .field("collectors", &self.collector_names())
            .field("analyzers", &self.analyzer_names())
            .field("detectors", &self.detector_names())
            .finish()
    }
}

fn check_name(
    kind: &'static str,
    name: &str,
    taken: bool,
    reserved: &[&str],
) -> Result<(), RegisterError> {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(RegisterError::BadName {
            name: name.to_owned(),
        });
    }
    if taken || reserved.contains(&name) {
        return Err(RegisterError::Taken {
            kind,
            name: name.to_owned(),
        });
    }
    Ok(())
}

impl Plugins {
    /// The plugins f0 ships: the `exec` and `python` collectors and the `python` analyzer
    /// (with the default [`python::PythonSetup`]).
    pub fn builtin() -> Self {
        Plugins::with_python(python::PythonSetup::default())
    }

    /// The plugins f0 ships, the Python ones starting their worker with `setup`.
    pub fn with_python(setup: python::PythonSetup) -> Self {
        let mut p = Plugins::default();
        let for_analyzer = setup.clone();
        let registered = p
            .add_collector(exec::NAME, exec::ExecCollector::default)
            .and(p.add_collector(python::NAME, move || {
                python::PythonCollector::new(setup.clone())
            }))
            .and(p.add_analyzer(python::NAME, move || {
                python::PythonAnalyzer::new(for_analyzer.clone())
            }));
        debug_assert!(registered.is_ok());
        p
    }

    /// Registers a collector made by `factory` (once per step) under `name`.
    pub fn add_collector<C: Collector + 'static>(
        &mut self,
        name: &str,
        factory: impl Fn() -> C + Send + Sync + 'static,
    ) -> Result<(), RegisterError> {
        let taken = self.collectors.contains_key(name);
        check_name("collector", name, taken, &RESERVED_COLLECTORS)?;
        let f: Factory<dyn Collector> = Arc::new(move || Box::new(factory()));
        self.collectors.insert(name.to_owned(), f);
        Ok(())
    }

    /// Registers an analyzer made by `factory` (once per step) under `name`.
    pub fn add_analyzer<A: Analyzer + 'static>(
        &mut self,
        name: &str,
        factory: impl Fn() -> A + Send + Sync + 'static,
    ) -> Result<(), RegisterError> {
        let taken = self.analyzers.contains_key(name);
        check_name("analyzer", name, taken, &[])?;
        let f: Factory<dyn Analyzer> = Arc::new(move || Box::new(factory()));
        self.analyzers.insert(name.to_owned(), f);
        Ok(())
    }

    /// Registers an anomaly detector made by `factory` (once per step) under `name` (a
    /// built-in method's name keeps naming the built-in method).
    pub fn add_detector<D: Detector + 'static>(
        &mut self,
        name: &str,
        factory: impl Fn() -> D + Send + Sync + 'static,
    ) -> Result<(), RegisterError> {
        let taken = self.detectors.contains_key(name);
        check_name("detector", name, taken, &[])?;
        let f: Factory<dyn Detector> = Arc::new(move || Box::new(factory()));
        self.detectors.insert(name.to_owned(), f);
        Ok(())
    }

    /// A fresh collector named `name`.
    pub fn collector(&self, name: &str) -> Option<Box<dyn Collector>> {
        self.collectors.get(name).map(|f| f())
    }

    /// A fresh analyzer named `name`.
    pub fn analyzer(&self, name: &str) -> Option<Box<dyn Analyzer>> {
        self.analyzers.get(name).map(|f| f())
    }

    /// A fresh detector named `name`.
    pub fn detector(&self, name: &str) -> Option<Box<dyn Detector>> {
        self.detectors.get(name).map(|f| f())
    }

    /// The collector names, sorted.
    pub fn collector_names(&self) -> Vec<&str> {
        self.collectors.keys().map(String::as_str).collect()
    }

    /// The analyzer names, sorted.
    pub fn analyzer_names(&self) -> Vec<&str> {
        self.analyzers.keys().map(String::as_str).collect()
    }

    /// The detector names, sorted.
    pub fn detector_names(&self) -> Vec<&str> {
        self.detectors.keys().map(String::as_str).collect()
    }

    /// The plugins a step sees: those attached to the registry, else the built-in ones.
    pub fn for_step(env: &StepEnv) -> Arc<Plugins> {
        env.extension::<Plugins>().unwrap_or_else(shared_builtin)
    }

    /// The plugins in scope on this thread (argument checks run with the registry's
    /// extensions in scope, see [`crate::scriptlet::extensions`]), else the built-in ones.
    pub fn current() -> Arc<Plugins> {
        extensions::scoped::<Plugins>().unwrap_or_else(shared_builtin)
    }
}

fn shared_builtin() -> Arc<Plugins> {
    static BUILTIN: OnceLock<Arc<Plugins>> = OnceLock::new();
    BUILTIN.get_or_init(|| Arc::new(Plugins::builtin())).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::PerformanceMetric;

    #[derive(Default)]
    struct Nothing;
    impl Collector for Nothing {
        fn sample(&mut self, _: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> {
            Ok(())
        }
    }

    #[test]
    fn names_are_identifiers_taken_once_and_never_a_builtin_collectors() {
        let mut p = Plugins::builtin();
        assert_eq!(p.collector_names(), ["exec", "python"]);
        assert_eq!(p.analyzer_names(), ["python"]);
        assert!(p.detector_names().is_empty());
        assert!(p.add_collector("gpu_0", Nothing::default).is_ok());
        let taken = p.add_collector("gpu_0", Nothing::default).unwrap_err();
        assert_eq!(
            taken.to_string(),
            "a collector named 'gpu_0' is already registered (or built in); choose another name"
        );
        for reserved in ["system", "custom", "exec"] {
            assert!(matches!(
                p.add_collector(reserved, Nothing::default),
                Err(RegisterError::Taken { .. })
            ));
        }
        for bad in ["", "9gpu", "gpu-0", "a.b", "é"] {
            let e = p.add_collector(bad, Nothing::default).unwrap_err();
            assert_eq!(
                e,
                RegisterError::BadName {
                    name: bad.to_owned()
                }
            );
        }
        assert!(p.collector("gpu_0").is_some() && p.collector("gpu").is_none());
        assert!(format!("{p:?}").contains("gpu_0"));
    }

    #[test]
    fn checks_see_the_plugins_in_scope_else_the_builtin_ones() {
        assert_eq!(Plugins::current().collector_names(), ["exec", "python"]);
        let mut p = Plugins::builtin();
        p.add_collector("gpu", Nothing::default).unwrap();
        let mut ext = crate::scriptlet::Extensions::default();
        ext.insert(Arc::new(p));
        let names = extensions::in_scope(&ext, || {
            Plugins::current()
                .collector_names()
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        });
        assert_eq!(names, ["exec", "gpu", "python"]);
    }
}
