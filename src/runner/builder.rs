//! [`Runner::builder`]: a runner over the catalog's scriptlets plus a program's own plugins.
//!
//! ```no_run
//! # use framework0::plugin::{Collector, PluginError};
//! # use framework0::metrics::PerformanceMetric;
//! # #[derive(Default)] struct Gpu;
//! # impl Collector for Gpu {
//! #     fn sample(&mut self, _: &mut Vec<PerformanceMetric>) -> Result<(), PluginError> { Ok(()) }
//! # }
//! use framework0::runner::{Interrupt, Runner};
//! use framework0::store::{SharedStore, Store};
//!
//! let store = SharedStore::new(Store::open(std::path::Path::new("context/framework0.db"))?);
//! let mut runner = Runner::builder()
//!     .collector("gpu", Gpu::default)
//!     .build(store, Interrupt::new())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::Deref;
use std::sync::Arc;

use super::{Interrupt, Runner, StepWorker};
use crate::plugin::{Analyzer, Collector, Detector, Plugins, RegisterError};
use crate::scriptlet::Registry;
use crate::store::SharedStore;

/// The registry a runner runs against: borrowed ([`Runner::new`]) or its own
/// ([`Runner::builder`]).
#[derive(Clone)]
pub(super) enum RegistryRef<'a> {
    Borrowed(&'a Registry),
    Owned(Arc<Registry>),
}

impl Deref for RegistryRef<'_> {
    type Target = Registry;

    fn deref(&self) -> &Registry {
        match self {
            RegistryRef::Borrowed(r) => r,
            RegistryRef::Owned(r) => r,
        }
    }
}

/// Collects a program's plugins, then makes a [`Runner`] (or just the [`Registry`], for
/// `validate`) that offers them to recipes beside the built-in ones.
pub struct RunnerBuilder {
    plugins: Plugins,
    error: Option<RegisterError>,
}

impl Runner<'static> {
    /// A builder starting from the built-in plugins (`exec`, `python`).
    pub fn builder() -> RunnerBuilder {
        RunnerBuilder {
            plugins: Plugins::builtin(),
            error: None,
        }
    }
}

impl RunnerBuilder {
    fn add(mut self, r: Result<(), RegisterError>) -> Self {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Offers a collector named `name`, made by `factory` once per step.
    pub fn collector<C: Collector + 'static>(
        mut self,
        name: &str,
        factory: impl Fn() -> C + Send + Sync + 'static,
    ) -> Self {
        let r = self.plugins.add_collector(name, factory);
        self.add(r)
    }

    /// Offers an analyzer named `name`, made by `factory` once per step.
    pub fn analyzer<A: Analyzer + 'static>(
        mut self,
        name: &str,
        factory: impl Fn() -> A + Send + Sync + 'static,
    ) -> Self {
        let r = self.plugins.add_analyzer(name, factory);
        self.add(r)
    }

    /// Offers an anomaly detector named `name`, made by `factory` once per step.
    pub fn detector<D: Detector + 'static>(
        mut self,
        name: &str,
        factory: impl Fn() -> D + Send + Sync + 'static,
    ) -> Self {
        let r = self.plugins.add_detector(name, factory);
        self.add(r)
    }

    /// The catalog's registry with the plugins attached (what `f0 validate` checks against);
    /// the first registration error, if any (a name taken twice or not an identifier).
    pub fn registry(&self) -> Result<Registry, RegisterError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut r = crate::catalog::default_registry();
        r.extensions_mut().insert(Arc::new(self.plugins.clone()));
        Ok(r)
    }

    /// A runner over `store` with the plugins.
    pub fn build(
        self,
        store: SharedStore,
        interrupt: Interrupt,
    ) -> Result<Runner<'static>, RegisterError> {
        let registry = self.registry()?;
        Ok(Runner {
            registry: RegistryRef::Owned(Arc::new(registry)),
            store,
            interrupt,
            worker: StepWorker::new(),
            inline: super::InlineSteps::default(),
        })
    }
}
