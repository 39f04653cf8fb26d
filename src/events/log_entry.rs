//! Framework0's JSON log entry (COMPAT.md §6): one JSON object per line with the keys
//! `timestamp` (ISO-8601 UTC, `+00:00`), `level`, `logger_name`, `message`, `context_id`,
//! `recipe_name`, `step_name`, `execution_id` (8 hex), `thread_id` (string), `process_id`
//! (integer), `extra_data` (object) and `stack_trace`, in that order; null keys are omitted.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::time::{is_iso_utc, is_short_hex};
use super::EventsError;

/// Python logging level names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// `DEBUG`.
    Debug,
    /// `INFO`.
    Info,
    /// `WARNING`.
    Warning,
    /// `ERROR`.
    Error,
    /// `CRITICAL`.
    Critical,
}

impl LogLevel {
    /// Python's level name (`INFO`, `WARNING`).
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }

    /// The level of a `tracing` event (`TRACE` maps to `DEBUG`).
    pub fn from_tracing(l: &tracing::Level) -> LogLevel {
        match *l {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warning,
            tracing::Level::INFO => LogLevel::Info,
            _ => LogLevel::Debug,
        }
    }
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// ISO-8601 UTC with `+00:00`.
    pub timestamp: String,
    /// The level.
    pub level: LogLevel,
    /// The logger, e.g. `framework0.performance`.
    pub logger_name: String,
    /// The message.
    pub message: String,
    /// The context (run) id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context_id: Option<String>,
    /// The recipe's name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub recipe_name: Option<String>,
    /// The step's name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub step_name: Option<String>,
    /// 8 hex digits naming one execution of the logging framework.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub execution_id: Option<String>,
    /// The emitting thread.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub thread_id: Option<String>,
    /// The emitting process.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub process_id: Option<u32>,
    /// Structured fields of the event.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extra_data: Option<Map<String, Value>>,
    /// A stack trace (errors).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stack_trace: Option<String>,
}

/// The keys a log line must carry.
pub const REQUIRED_KEYS: [&str; 4] = ["timestamp", "level", "logger_name", "message"];

impl LogEntry {
    /// The entry as one line of compact JSON (no trailing newline).
    pub fn to_line(&self) -> String {
        // A struct of strings, integers and JSON values always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and validates one line: a JSON object with exactly Framework0's keys, no null
    /// values, the four required keys, an ISO-8601 `+00:00` timestamp and an 8-hex
    /// `execution_id`. `line_no` is used in errors.
    pub fn parse_line(text: &str, line_no: usize) -> Result<LogEntry, EventsError> {
        let bad = |message: String| EventsError::BadLogLine {
            line: line_no,
            message,
        };
        let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let Value::Object(map) = &value else {
            return Err(bad(format!("not a JSON object: {text}")));
        };
        if let Some((k, _)) = map.iter().find(|(_, v)| v.is_null()) {
            return Err(bad(format!(
                "key '{k}' is null (null keys must be omitted)"
            )));
        }
        if let Some(k) = REQUIRED_KEYS.iter().find(|k| !map.contains_key(**k)) {
            return Err(bad(format!("missing key '{k}'")));
        }
        let entry: LogEntry = serde_json::from_value(value.clone())
            .map_err(|e| bad(format!("wrong key or type: {e}")))?;
        if !is_iso_utc(&entry.timestamp) {
            return Err(bad(format!(
                "timestamp '{}' is not ISO-8601 UTC with +00:00",
                entry.timestamp
            )));
        }
        if let Some(id) = entry.execution_id.as_deref().filter(|id| !is_short_hex(id)) {
            return Err(bad(format!(
                "execution_id '{id}' is not 8 lowercase hex digits"
            )));
        }
        if entry.logger_name.is_empty() {
            return Err(bad("logger_name is empty".to_owned()));
        }
        Ok(entry)
    }

    /// Parses every non-empty line of `text`.
    pub fn parse_lines(text: &str) -> Result<Vec<LogEntry>, EventsError> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| LogEntry::parse_line(l, i + 1))
            .collect()
    }
}
