//! A `tracing` layer that writes Framework0 JSON log lines ([`LogEntry`]).
//!
//! The event's target is the logger name. An event goes to every route whose prefix is the
//! target or a dotted parent of it (as Python loggers propagate: an entry of
//! `framework0.audit` reaches the `framework0` and `framework0.audit` routes); the empty
//! prefix takes every logger. A route writes JSON lines ([`LineFormat::Json`]) or
//! Framework0's console lines ([`LineFormat::Text`],
//! `2026-12-01T08:22:47.310832+00:00 [INFO    ] framework0.functionality_test: Test info message`),
//! each at its own lowest level. Fields named
//! `context_id`, `recipe_name`, `step_name`, `execution_id` and `stack_trace` fill those keys
//! (overriding the layer's [`LogContext`], which overrides the run and step in progress,
//! [`super::current`]); a field `extra_data` holding a JSON object string
//! is merged into `extra_data`; every other field lands in `extra_data` under its name.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

use super::log_entry::{LogEntry, LogLevel};
use super::time::iso_utc;
use crate::diagnostic::escape_text;

/// Where lines go: any writer shared between threads.
pub type SharedWriter = Arc<Mutex<dyn Write + Send>>;

/// The identity stamped on every entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogContext {
    /// The context (run) id.
    pub context_id: Option<String>,
    /// The recipe's name.
    pub recipe_name: Option<String>,
    /// The step's name.
    pub step_name: Option<String>,
    /// 8 hex digits.
    pub execution_id: Option<String>,
}

/// How a route writes an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// One [`LogEntry`] JSON object per line.
    Json,
    /// `{timestamp} [{LEVEL:<8}] {logger}: {message}` (control characters escaped).
    Text,
}

struct Route {
    prefix: String,
    writer: SharedWriter,
    format: LineFormat,
    min_level: LogLevel,
}

impl Route {
    fn takes(&self, target: &str, level: LogLevel) -> bool {
        level >= self.min_level
            && (self.prefix.is_empty()
                || target == self.prefix
                || target
                    .strip_prefix(self.prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('.')))
    }
}

/// The layer. Build it with [`JsonLogLayer::new`] and add routes with [`JsonLogLayer::route`].
pub struct JsonLogLayer {
    context: LogContext,
    min_level: LogLevel,
    routes: Vec<Route>,
    write_errors: Arc<AtomicU64>,
}

impl JsonLogLayer {
    /// A layer stamping `context` on entries at `min_level` or above.
    pub fn new(context: LogContext, min_level: LogLevel) -> Self {
        JsonLogLayer {
            context,
            min_level,
            routes: Vec::new(),
            write_errors: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends entries of logger `prefix` and its dotted children to `writer` as JSON lines.
    pub fn route(self, prefix: &str, writer: SharedWriter) -> Self {
        let level = self.min_level;
        self.route_as(prefix, writer, LineFormat::Json, level)
    }

    /// Sends entries of logger `prefix` (every logger for `""`) and its dotted children at
    /// `min_level` or above to `writer` in `format`.
    pub fn route_as(
        mut self,
        prefix: &str,
        writer: SharedWriter,
        format: LineFormat,
        min_level: LogLevel,
    ) -> Self {
        self.routes.push(Route {
            prefix: prefix.to_owned(),
            writer,
            format,
            min_level: min_level.max(self.min_level),
        });
        self
    }

    /// A counter of failed writes (a layer cannot return errors to the event's caller).
    pub fn write_errors(&self) -> Arc<AtomicU64> {
        self.write_errors.clone()
    }

    fn routes_for<'a>(
        &'a self,
        target: &'a str,
        level: LogLevel,
    ) -> impl Iterator<Item = &'a Route> + 'a {
        self.routes.iter().filter(move |r| r.takes(target, level))
    }

    /// The entry an event becomes.
    pub fn entry_for(&self, event: &Event<'_>) -> LogEntry {
        let meta = event.metadata();
        let mut v = FieldVisitor::default();
        event.record(&mut v);
        let ctx = &self.context;
        let run = super::current::current();
        LogEntry {
            timestamp: iso_utc(SystemTime::now()),
            level: LogLevel::from_tracing(meta.level()),
            logger_name: meta.target().to_owned(),
            message: v.message,
            context_id: v
                .context_id
                .or_else(|| ctx.context_id.clone())
                .or(run.context_id),
            recipe_name: v
                .recipe_name
                .or_else(|| ctx.recipe_name.clone())
                .or(run.recipe_name),
            step_name: v
                .step_name
                .or_else(|| ctx.step_name.clone())
                .or(run.step_name),
            execution_id: v
                .execution_id
                .or_else(|| ctx.execution_id.clone())
                .or(run.execution_id),
            thread_id: Some(thread_id()),
            process_id: Some(std::process::id()),
            extra_data: (!v.extra.is_empty()).then_some(v.extra),
            stack_trace: v.stack_trace,
        }
    }
}

impl<S: Subscriber> Layer<S> for JsonLogLayer {
    fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
        let level = LogLevel::from_tracing(meta.level());
        self.routes_for(meta.target(), level).next().is_some()
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        let level = LogLevel::from_tracing(meta.level());
        let mut routes = self.routes_for(meta.target(), level).peekable();
        if routes.peek().is_none() {
            return;
        }
        let entry = self.entry_for(event);
        let (mut json, mut text) = (None, None);
        for route in routes {
            let line: &String = match route.format {
                LineFormat::Json => json.get_or_insert_with(|| entry.to_line() + "\n"),
                LineFormat::Text => text.get_or_insert_with(|| text_line(&entry)),
            };
            let mut w = route.writer.lock().unwrap_or_else(PoisonError::into_inner);
            if w.write_all(line.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                self.write_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Framework0's console line of `e`, with its newline.
fn text_line(e: &LogEntry) -> String {
    format!(
        "{} [{:<8}] {}: {}\n",
        e.timestamp,
        e.level.as_str(),
        escape_text(&e.logger_name),
        escape_text(&e.message)
    )
}

/// The current thread's numeric id as a string (the digits of `ThreadId`).
fn thread_id() -> String {
    let id = format!("{:?}", std::thread::current().id());
    id.chars().filter(char::is_ascii_digit).collect()
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    context_id: Option<String>,
    recipe_name: Option<String>,
    step_name: Option<String>,
    execution_id: Option<String>,
    stack_trace: Option<String>,
    extra: Map<String, Value>,
}

impl FieldVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        let text = || match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match field.name() {
            "message" => self.message = text(),
            "context_id" => self.context_id = Some(text()),
            "recipe_name" => self.recipe_name = Some(text()),
            "step_name" => self.step_name = Some(text()),
            "execution_id" => self.execution_id = Some(text()),
            "stack_trace" => self.stack_trace = Some(text()),
            "extra_data" => match serde_json::from_str::<Value>(&text()) {
                Ok(Value::Object(m)) => self.extra.extend(m),
                _ => {
                    self.extra.insert("extra_data".to_owned(), value);
                }
            },
            name => {
                self.extra.insert(name.to_owned(), value);
            }
        }
    }
}

impl Visit for FieldVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.put(field, v);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    fn capture(min: LogLevel, f: impl FnOnce()) -> (Vec<u8>, Vec<u8>) {
        let all = Arc::new(Mutex::new(Vec::<u8>::new()));
        let audit = Arc::new(Mutex::new(Vec::<u8>::new()));
        let ctx = LogContext {
            context_id: Some("7".into()),
            recipe_name: Some("r".into()),
            step_name: Some("s".into()),
            execution_id: Some("0123abcd".into()),
        };
        let layer = JsonLogLayer::new(ctx, min)
            .route("framework0", all.clone())
            .route("framework0.audit", audit.clone());
        let sub = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(sub, f);
        let a = all.lock().unwrap().clone();
        let b = audit.lock().unwrap().clone();
        (a, b)
    }

    #[test]
    fn events_become_entries_routed_by_logger_prefix() {
        let (all, audit) = capture(LogLevel::Info, || {
            tracing::info!(target: "framework0.audit", user = "ann", count = 3u64, "login");
            tracing::debug!(target: "framework0", "hidden below INFO");
            tracing::warn!(target: "framework0x", "not a child of framework0");
            tracing::error!(target: "framework0.errors", stack_trace = "at main", "boom");
        });
        let all = LogEntry::parse_lines(std::str::from_utf8(&all).unwrap()).unwrap();
        let audit = LogEntry::parse_lines(std::str::from_utf8(&audit).unwrap()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(audit.len(), 1);
        let e = &audit[0];
        assert_eq!(e.logger_name, "framework0.audit");
        assert_eq!(e.level, LogLevel::Info);
        assert_eq!(e.message, "login");
        assert_eq!(e.recipe_name.as_deref(), Some("r"));
        assert_eq!(e.execution_id.as_deref(), Some("0123abcd"));
        assert_eq!(e.process_id, Some(std::process::id()));
        let extra = e.extra_data.as_ref().unwrap();
        assert_eq!(extra["user"], "ann");
        assert_eq!(extra["count"], 3);
        assert_eq!(all[1].level, LogLevel::Error);
        assert_eq!(all[1].stack_trace.as_deref(), Some("at main"));
        assert_eq!(all[1].extra_data, None);
    }
}
