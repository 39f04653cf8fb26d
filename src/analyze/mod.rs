//! Analysis engine: statistics, anomalies, trends, change points and baselines (issue #5).
//!
//! Descriptive half: [`descriptive`] statistics, [`quantile`]s (nine Hyndman–Fan methods),
//! [`moving`] averages, [`regression`] (OLS), streaming [`hdr`] percentiles and the
//! [`summary`] object.
//!
//! Detection half (pure functions over `&[f64]`, optionally with i64 ns timestamps):
//! [`special`] functions, [`anomaly`] detectors, [`trend`] analysis, [`changepoint`] detection
//! (Hunter / Apache Otava E-divisive means), [`hypothesis`] tests and [`baseline`] comparisons.
//!
//! Both halves fail with the one [`error::StatsError`].

pub mod action;
pub mod anomaly;
pub mod baseline;
mod basic;
pub mod changepoint;
pub mod descriptive;
pub mod error;
pub mod hdr;
pub mod hypothesis;
pub mod moving;
pub mod online;
pub mod order;
pub mod quantile;
pub mod regression;
pub mod rng;
pub mod special;
pub mod summary;
pub mod summation;
pub mod trend;

pub use action::ACTION;
