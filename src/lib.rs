//! # framework0
//!
//! A Rust host for [Framework0](../shared/framework0/COMPAT.md) recipes whose heart is a
//! performance-metrics framework.
//!
//! Data flow (the module layout follows it):
//! recipe (parse, validate) → runner (order, retry, timeout, auto-instrument each step)
//! → scriptlet registry ([`catalog`]) → scriptlets and actions ([`collect`], [`analyze`])
//! → [`store`] and [`events`].
//!
//! Layers, each depending only on those below it: [`util`] and [`diagnostic`] at the
//! bottom; [`metrics`]; [`store`] and [`context`]; the [`scriptlet`] core; [`recipe`]; the
//! actions ([`collect`], [`analyze`]) and [`events`]; the scriptlets ([`builtin`],
//! [`framework0`], and [`bridge`] for Python ones); [`catalog`] (the registry that names them all); [`runner`]. The `f0`
//! command line lives in the binary, on top. A new action is one folder at the actions' level
//! plus its entry in [`catalog::performance_metrics::ACTIONS`].

#![deny(missing_docs)]

pub mod analyze;
pub mod bridge;
pub mod builtin;
pub mod catalog;
pub mod collect;
pub mod context;
pub mod diagnostic;
pub mod events;
pub mod exposition;
pub mod framework0;
pub mod metrics;
pub mod plugin;
pub mod profile;
pub mod prometheus;
pub mod recipe;
pub mod report;
pub mod runner;
pub mod scriptlet;
pub mod store;
pub mod util;

pub use framework0_macros::performance_timer;
pub use metrics::{performance_tracker, PerformanceTracker};
