//! Tests that install and shut down the global metrics pipeline themselves (each takes the
//! suite's serial lock), kept apart from the suites that install it once.

use std::sync::{Mutex, MutexGuard, PoisonError};

static SERIAL: Mutex<()> = Mutex::new(());

/// The suite's lock: one installed pipeline at a time, starting from reset aggregates.
fn serial() -> MutexGuard<'static, ()> {
    let g = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    framework0::metrics::reset();
    g
}

mod metrics_pipeline;
mod metrics_serve;
mod metrics_volume;
