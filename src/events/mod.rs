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
//! - [`health`]: statuses, alert levels, thresholds (critical first, strict `<` / `>`),
//!   alerts, check results, and the local CPU/memory probe (never a network check).
//! - [`checks`]: checks from readings, overall status, the local CPU/memory probe.
//! - [`health_report`]: text and JSON health reports.
//! - [`cross`]: the cross-component event shape.

pub mod checks;
pub mod cross;
pub mod health;
pub mod health_report;
pub mod layer;
pub mod log_entry;
pub mod logging;
mod time;

pub use checks::{checks_from_readings, overall_status, system_checks};
pub use cross::{CrossComponentEvent, CrossEventType};
pub use health::{
    default_thresholds, thresholds_from_config, Alert, AlertLevel, CheckResult, HealthStatus,
    Threshold,
};
pub use layer::{JsonLogLayer, LogContext};
pub use log_entry::{LogEntry, LogLevel};
pub use logging::{LoggingConfig, LoggingFramework, Profile};
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
