//! The logging framework: JSON log files in a directory, written through `tracing` and
//! [`JsonLogLayer`].
//!
//! Files (all appended to, one [`super::LogEntry`] per line):
//! `framework0.log` (logger `framework0` and every child), `audit.log`
//! (`framework0.audit`, when audit is enabled) and `performance.log`
//! (`framework0.performance`, when performance logging is enabled); with `console`, INFO
//! and above of `framework0.*` also as Framework0's console lines on stdout
//! ([`super::console`]). Events are emitted with [`LoggingFramework::in_scope`], which makes
//! the framework the thread's default subscriber, so the process-wide logger is untouched.
//!
//! Like Python's `logging` configuration, the framework a recipe's setup step configures is
//! process-wide: [`set_active`] makes it the one later steps write to ([`active`]): the
//! logging self-test, and the metrics actions' lifecycle and performance events.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

use super::console::ConsoleWriter;
use super::layer::{JsonLogLayer, LineFormat, LogContext, SharedWriter};
use super::log_entry::LogLevel;
use super::EventsError;
use crate::util::epoch_seconds;

/// The main logger.
pub const FRAMEWORK_LOGGER: &str = "framework0";
/// The audit logger.
pub const AUDIT_LOGGER: &str = "framework0.audit";
/// The performance logger.
pub const PERFORMANCE_LOGGER: &str = "framework0.performance";
/// The errors logger (written to the main file).
pub const ERRORS_LOGGER: &str = "framework0.errors";

/// A configuration profile: it sets the lowest level written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// DEBUG and above.
    Development,
    /// DEBUG and above.
    Testing,
    /// INFO and above.
    Production,
}

/// Every profile name, for messages.
pub const PROFILE_NAMES: &[&str] = &["development", "testing", "production"];

impl Profile {
    /// Parses a profile name.
    pub fn parse(name: &str) -> Option<Profile> {
        match name {
            "development" => Some(Profile::Development),
            "testing" => Some(Profile::Testing),
            "production" => Some(Profile::Production),
            _ => None,
        }
    }

    /// The profile's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Development => "development",
            Profile::Testing => "testing",
            Profile::Production => "production",
        }
    }

    /// The lowest level written.
    pub fn min_level(self) -> LogLevel {
        match self {
            Profile::Development | Profile::Testing => LogLevel::Debug,
            Profile::Production => LogLevel::Info,
        }
    }
}

/// What [`LoggingFramework::open`] sets up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggingConfig {
    /// The directory of the log files (created if absent).
    pub log_dir: PathBuf,
    /// The profile.
    pub config_profile: Profile,
    /// Write `audit.log`.
    pub enable_audit: bool,
    /// Write `performance.log`.
    pub enable_performance: bool,
    /// Also print INFO and above of `framework0.*` on the console.
    pub console: bool,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            log_dir: PathBuf::from("logs"),
            config_profile: Profile::Development,
            enable_audit: true,
            enable_performance: true,
            console: false,
        }
    }
}

/// One log file and the logger routed to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogFile {
    /// Logger prefix.
    pub logger: String,
    /// The file.
    pub path: PathBuf,
}

/// An open logging framework.
pub struct LoggingFramework {
    config: LoggingConfig,
    dispatch: Dispatch,
    files: Vec<LogFile>,
    context: LogContext,
    write_errors: Arc<AtomicU64>,
}

impl LoggingFramework {
    /// Creates `config.log_dir`, opens the log files for appending and builds the subscriber.
    pub fn open(config: &LoggingConfig, context: LogContext) -> Result<Self, EventsError> {
        let dir = &config.log_dir;
        std::fs::create_dir_all(dir).map_err(|source| EventsError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut wanted = vec![(FRAMEWORK_LOGGER, "framework0.log")];
        if config.enable_audit {
            wanted.push((AUDIT_LOGGER, "audit.log"));
        }
        if config.enable_performance {
            wanted.push((PERFORMANCE_LOGGER, "performance.log"));
        }
        let mut layer = JsonLogLayer::new(context.clone(), config.config_profile.min_level());
        let mut files = Vec::new();
        for (logger, name) in wanted {
            let path = dir.join(name);
            layer = layer.route(logger, open_append(&path)?);
            files.push(LogFile {
                logger: logger.to_owned(),
                path,
            });
        }
        if config.console {
            let console: SharedWriter = Arc::new(Mutex::new(ConsoleWriter));
            layer = layer.route_as(FRAMEWORK_LOGGER, console, LineFormat::Text, LogLevel::Info);
        }
        let write_errors = layer.write_errors();
        Ok(LoggingFramework {
            config: config.clone(),
            dispatch: Dispatch::new(tracing_subscriber::registry().with(layer)),
            files,
            context,
            write_errors,
        })
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &LoggingConfig {
        &self.config
    }

    /// The files written, main file first.
    pub fn files(&self) -> &[LogFile] {
        &self.files
    }

    /// The file of `logger`, if it has its own.
    pub fn file_of(&self, logger: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|f| f.logger == logger)
            .map(|f| f.path.as_path())
    }

    /// The identity stamped on entries.
    pub fn context(&self) -> &LogContext {
        &self.context
    }

    /// Runs `f` with this framework as the thread's subscriber: `tracing` events emitted in
    /// `f` become log lines.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// Logs a performance event on `framework0.performance`: message
    /// `Performance: {name} = {value} {unit}`, extra_data `{metric_name, value, unit,
    /// timestamp, performance_category: "timing"}`.
    pub fn log_performance(&self, name: &str, value: f64, unit: &str) {
        self.in_scope(|| {
            tracing::info!(
                target: PERFORMANCE_LOGGER,
                metric_name = name,
                value = value,
                unit = unit,
                timestamp = epoch_seconds(),
                performance_category = "timing",
                "{}",
                performance_message(name, value, unit)
            )
        });
    }

    /// How many line writes failed so far.
    pub fn write_errors(&self) -> u64 {
        self.write_errors.load(Ordering::Relaxed)
    }
}

/// `Performance: {name} = {value} {unit}`, the value as Python prints a float (`12.0`).
pub fn performance_message(name: &str, value: f64, unit: &str) -> String {
    format!(
        "Performance: {name} = {} {unit}",
        super::pyfmt::py_float(value)
    )
}

static ACTIVE: Mutex<Option<Arc<LoggingFramework>>> = Mutex::new(None);

/// Makes `fw` the process's logging framework (replacing an earlier one) and returns it.
pub fn set_active(fw: LoggingFramework) -> Arc<LoggingFramework> {
    let fw = Arc::new(fw);
    *ACTIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(fw.clone());
    fw
}

/// The process's logging framework, if a setup step configured one.
pub fn active() -> Option<Arc<LoggingFramework>> {
    ACTIVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn open_append(path: &Path) -> Result<SharedWriter, EventsError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| EventsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Arc::new(Mutex::new(file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_name_parses_back_and_sets_its_lowest_level() {
        for name in PROFILE_NAMES {
            let p = Profile::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(p.as_str(), *name);
        }
        assert_eq!(
            Profile::parse("production").unwrap().min_level(),
            LogLevel::Info
        );
        assert_eq!(
            Profile::parse("testing").unwrap().min_level(),
            LogLevel::Debug
        );
        assert_eq!(Profile::parse("Production"), None, "names are lower case");
    }
}
