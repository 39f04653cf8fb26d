//! Analysis engine: statistics, anomalies, trends, change points and baselines (issue #5).

pub mod descriptive;
pub mod error;
pub mod hdr;
pub mod moving;
pub mod order;
pub mod quantile;
pub mod regression;
pub mod summary;
pub mod summation;
