//! Native ports of Framework0's own scriptlets, so that its sample recipes run unchanged:
//! the logging framework (5A) and its self-test, health monitoring (5B) and its self-test,
//! and `ComputeNumbers`. Their formats are in `../shared/framework0/COMPAT.md` (§6); the
//! events they produce are built by [`crate::events`].

pub mod compute_numbers;
mod health_args;
pub mod health_monitoring;
pub mod health_probe;
mod health_selftest;
pub mod logging_framework;
mod logging_selftest;
mod selftest;

use crate::scriptlet::Registry;

/// Registers every Framework0 port in `r`.
pub fn register(r: &mut Registry) {
    compute_numbers::register(r);
    logging_framework::register(r);
    logging_selftest::register(r);
    health_monitoring::register(r);
    health_selftest::register(r);
}
