//! The Python bridge: a recipe step whose (module, function) no native scriptlet claims runs
//! as an unmodified Framework0 Python scriptlet.
//!
//! [`PythonBridge`] is a registry [`Fallback`]. It finds a step's module on the search path
//! ([`BridgeConfig`]: the recipe's directory, the current directory, `--pythonpath`,
//! `PYTHONPATH`) by looking at the file system, and asks the interpreter (one batched
//! `python -c` probe, importing nothing) only about top-level names found nowhere there, so
//! that `f0 validate` needs no Python run and a module found nowhere keeps Framework0's
//! import message without starting one.
//!
//! The first Python step of a run writes the embedded worker (`shim.py`) and metrics module
//! (`f0_metrics.py`) into a private temporary directory and starts one worker process for
//! the run, in its own process group. Modules are imported once; each step and attempt gets
//! a fresh instance, driven like Framework0's runner: `run(context, args)`, or
//! `execute(context, params)` with its result object for `BaseScriptlet` subclasses. Frames
//! of length-prefixed JSON on two pipes carry the step and the context keys the worker has
//! not seen yet in, and the context changes (in order, with the scriptlet's `who`), the
//! recorded metrics and the outcome back; the scriptlet's stdout and stderr are f0's own.
//!
//! A timeout or Ctrl-C (the step's cancellation flag, polled every 10 ms) kills the worker's
//! whole process group; a worker that dies (`os._exit`, a segfault) fails only that step, and
//! the next Python step starts a new one. The worker's CPU time, peak and delta RSS and I/O
//! over the step are reported through [`crate::scriptlet::StepEnv::add_child_usage`] and the
//! runner adds them to the step's `step_*` series.
//!
//! NaN and ±Infinity, which Framework0's context accepts (they pass `json.dumps`) but strict
//! JSON cannot hold, travel and are stored as `{"$numberDouble": "NaN"}` (`"Infinity"`,
//! `"-Infinity"`: MongoDB Extended JSON's spelling), shown as such by `f0 context`, and come
//! back to Python as the same floats.

mod call;
mod config;
mod frame;
mod locate;
mod metrics;
mod shim;
mod step;
mod worker;

pub use call::{CallError, PluginWorker};
pub use config::{BridgeConfig, DEFAULT_PYTHON, PYTHON_ENV};

use std::sync::Arc;

use locate::{Locator, Lookup};
use step::{PythonStep, Shared};

use crate::scriptlet::{External, Fallback, Unresolved};

/// Runs the steps no native scriptlet claims in a Python worker; see the module docs.
pub struct PythonBridge {
    shared: Arc<Shared>,
    locator: Locator,
}

impl PythonBridge {
    /// A bridge with `config`; nothing starts until a Python step runs.
    pub fn new(config: BridgeConfig) -> Self {
        let locator = Locator::new(config.search_path().to_vec(), config.python().to_path_buf());
        PythonBridge {
            shared: Arc::new(Shared::new(config)),
            locator,
        }
    }
}

impl Drop for PythonBridge {
    /// Ends the worker and removes its files now, not whenever the last step thread lets go.
    fn drop(&mut self) {
        self.shared.shut_down();
    }
}

impl Fallback for PythonBridge {
    fn prepare(&self, modules: &[&str]) {
        self.locator.prepare(modules);
    }

    fn resolve(&self, module: &str, function: &str) -> Option<Result<External, Unresolved>> {
        let origin = match self.locator.lookup(module) {
            Lookup::Found(Some(path)) => format!("python: {}", path.display()),
            Lookup::Found(None) => format!("python: {module} (from the interpreter's path)"),
            Lookup::Missing(missing) => return Some(Err(Unresolved::NoModule { missing })),
            Lookup::Absent => return None,
        };
        let shared = self.shared.clone();
        let (module, function) = (module.to_owned(), function.to_owned());
        Some(Ok(External::new(origin, move || {
            Box::new(PythonStep {
                module: module.clone(),
                function: function.clone(),
                shared: shared.clone(),
            })
        })))
    }
}
