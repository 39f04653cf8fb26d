//! # framework0
//!
//! A Rust host for [Framework0](../shared/framework0/COMPAT.md) recipes whose heart is a
//! performance-metrics framework.
//!
//! Data flow (the module layout follows it):
//! recipe (parse, validate) → runner (order, retry, timeout, auto-instrument each step)
//! → scriptlet registry → scriptlets → context and store.

#![deny(missing_docs)]

pub mod analyze;
pub mod cli;
pub mod collect;
pub mod context;
pub mod diagnostic;
pub mod events;
pub mod metrics;
pub mod profile;
pub mod recipe;
pub mod runner;
pub mod scriptlet;
pub mod store;
pub mod util;

pub use framework0_macros::performance_timer;
pub use metrics::{performance_tracker, PerformanceTracker};
