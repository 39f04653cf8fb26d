//! Analysis engine: statistics, anomalies, trends, change points and baselines (issue #5).
