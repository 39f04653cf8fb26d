//! The run and step in progress, stamped on log entries that do not name their own: the
//! runner sets the run's identity when a recipe starts ([`set_run`]) and the step's name
//! when each step starts ([`set_step`]); [`clear`] ends it. Steps run one at a time, so one
//! process-wide slot serves every thread a step starts (collectors, flushers).

use std::sync::{Mutex, PoisonError};

use super::layer::LogContext;

static CURRENT: Mutex<Option<LogContext>> = Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut Option<LogContext>) -> R) -> R {
    f(&mut CURRENT.lock().unwrap_or_else(PoisonError::into_inner))
}

/// A run of recipe `recipe_name` starts: `context_id` is the run id, `execution_id` 8 hex.
pub fn set_run(context_id: &str, recipe_name: &str, execution_id: &str) {
    with(|c| {
        *c = Some(LogContext {
            context_id: Some(context_id.to_owned()),
            recipe_name: Some(recipe_name.to_owned()),
            step_name: None,
            execution_id: Some(execution_id.to_owned()),
        });
    });
}

/// Step `name` starts (`None`: between steps).
pub fn set_step(name: Option<&str>) {
    with(|c| {
        if let Some(ctx) = c {
            ctx.step_name = name.map(str::to_owned);
        }
    });
}

/// The run ended.
pub fn clear() {
    with(|c| *c = None);
}

/// The run and step in progress (all `None` outside a run).
pub fn current() -> LogContext {
    with(|c| c.clone().unwrap_or_default())
}
