//! Analysis engine: statistics, anomalies, trends, change points and baselines (issue #5).
//!
//! Detection half (pure functions over `&[f64]`, optionally with i64 ns timestamps):
//! [`special`] functions, [`anomaly`] detectors, [`trend`] analysis, [`changepoint`] detection
//! (Hunter / Apache Otava E-divisive means), [`hypothesis`] tests and [`baseline`] comparisons,
//! all failing with [`detect_error::DetectError`].

pub mod anomaly;
pub mod baseline;
mod basic;
pub mod changepoint;
pub mod detect_error;
pub mod hypothesis;
pub mod rng;
pub mod special;
pub mod trend;
