//! Prometheus / OpenMetrics exposition: the data model ([`Family`], [`Value`]), name and
//! label sanitising, the text 0.0.4 and OpenMetrics 1.0 encoders chosen by `Accept`
//! ([`negotiate`]), histogram buckets for stored samples, this process's own metrics, the
//! HTTP endpoint ([`ExpositionServer`]) and the Pushgateway client ([`push()`]).
//!
//! A bottom-level folder: it depends on std, its crates and `util` only, so the metrics recorder
//! (`metrics::serve`) and the store's exporter (`prometheus`) both build on it.
//!
//! Why our own encoder rather than the `prometheus-client` crate: that crate encodes only
//! OpenMetrics (no 0.0.4 text), and only metrics registered as its own typed objects, so
//! exposing stored series would mean re-registering (and re-observing, for histograms) every
//! series on every scrape. Encoding our model directly is ≤ its time (`benches/exposition.rs`).

pub mod buckets;
mod encode;
mod model;
pub mod names;
mod negotiate;
pub mod process;
mod push;
mod server;
mod set;
mod units;

#[cfg(test)]
mod encode_tests;

pub use buckets::Accumulator;
pub use encode::{encode, Encoder, Format};
pub use model::{Family, HistogramValue, Kind, KindMismatch, Series, SummaryValue, Value};
pub use negotiate::negotiate;
pub use push::{hostname, push, PushError, PushTarget};
pub use server::{resolve, Collect, ExpositionServer, ServeError};
pub use set::FamilySet;
pub use units::{base_unit, BaseUnit};
