//! The Python bridge's flags, shared by `f0 run` and `f0 validate`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use framework0::bridge::{BridgeConfig, PythonBridge, DEFAULT_PYTHON, PYTHON_ENV};
use framework0::plugin::{python::PythonSetup, Plugins};
use framework0::scriptlet::Registry;

/// How Python steps (modules no native scriptlet claims) are found and run.
#[derive(Debug, Args)]
pub struct PythonFlags {
    /// The interpreter for Python steps.
    #[arg(long, value_name = "PATH", env = PYTHON_ENV, default_value = DEFAULT_PYTHON)]
    pub python: PathBuf,
    /// Also look for Python step modules in DIR (repeatable; after the recipe's directory
    /// and the current directory, before PYTHONPATH).
    #[arg(long = "pythonpath", value_name = "DIR")]
    pub pythonpath: Vec<PathBuf>,
}

impl PythonFlags {
    /// Installs the bridge for the recipe at `recipe` as `registry`'s fallback, and gives
    /// the Python plugins (collectors, analyzers) the same interpreter and search path.
    pub fn install(&self, registry: &mut Registry, recipe: &Path) {
        let config = BridgeConfig::new(&self.python, recipe, &self.pythonpath);
        registry.set_fallback(Box::new(PythonBridge::new(config)));
        let setup = PythonSetup {
            python: self.python.clone(),
            recipe: recipe.to_path_buf(),
            pythonpath: self.pythonpath.clone(),
        };
        registry
            .extensions_mut()
            .insert(Arc::new(Plugins::with_python(setup)));
    }
}
