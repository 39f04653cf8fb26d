//! Events: Framework0's JSON log lines, health checks and alerts, and cross-component
//! events (COMPAT.md §6).
//!
//! - [`log_entry`]: the log entry shape (one JSON object per line, null keys omitted) and a
//!   strict reader that validates a line against it.
//! - [`layer`]: a `tracing` [`tracing_subscriber::Layer`] that turns events into those lines;
//!   the event's target is the logger name (`framework0.audit`, `framework0.performance`, ...).
//! - [`logging`]: the logging framework the `LoggingFrameworkScriptlet` sets up: log files in
//!   a directory, a profile (level), audit and performance loggers, performance events
//!   (`Performance: {name} = {value} {unit}`).
//! - [`health`]: statuses, alert levels, thresholds (critical first, strict `<` / `>`).
//! - [`check`]: Framework0's HealthMetric and check result shapes.
//! - [`checks`]: Framework0's four system checks built from readings (the probe that takes
//!   them lives with the health scriptlet, in `crate::framework0`; nothing here reads the
//!   machine, so every layer above can use this module).
//! - [`alert`]: alerts and the alerts in force; [`processing`]: a batch of check results
//!   evaluated against thresholds (`health.latest_processing`).
//! - [`health_report`]: Framework0's health dashboard as text, JSON and Markdown.
//! - [`cross`]: the cross-component event shape.
//! - [`current`]: the run and step in progress, stamped on log entries.
//! - [`console`]: scriptlet output on stdout, switched off under `--json-output`.
//! - [`pyfmt`]: numbers as Python prints them.

pub mod alert;
pub mod check;
pub mod checks;
pub mod console;
pub mod cross;
pub mod current;
pub mod health;
pub mod health_context;
pub mod health_report;
pub mod layer;
pub mod log_entry;
pub mod logging;
pub mod processing;
pub mod pyfmt;
mod time;

pub use alert::{overall_from_alerts, ActiveAlerts, Alert};
pub use check::{CheckResult, HealthMetric, HealthMetricType, MetricValue};
pub use cross::{CrossComponentEvent, CrossEventType};
pub use health::{
    default_thresholds, thresholds_from_config, AlertLevel, FailOn, HealthStatus, Threshold,
};
pub use layer::{JsonLogLayer, LineFormat, LogContext};
pub use log_entry::{LogEntry, LogLevel};
pub use logging::{LoggingConfig, LoggingFramework, Profile};
pub use processing::{process_results, Processing};
pub use time::{execution_id, iso_utc, short_hex};

use std::path::PathBuf;

/// Errors of the events module.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// A log or report file or directory could not be created, written or read.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A log line does not have Framework0's shape.
    #[error("log line {line}: {message}")]
    BadLogLine {
        /// 1-based line number (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A configuration value is wrong.
    #[error("invalid {field}: {message}")]
    InvalidConfig {
        /// The field, e.g. `config.thresholds.cpu_usage_total.warning_max`.
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The system probe failed.
    #[error("system probe failed: {0}")]
    Probe(String),
}
