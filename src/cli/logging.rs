//! Log lines on stderr in Framework0's format:
//! `YYYY-MM-DD HH:MM:SS [   LEVEL] logger: message` (UTC; level right-aligned in 8; the
//! fields follow the message, except on Framework0's own `framework0.*` loggers), or, with
//! `f0 run --log-format json`, Framework0's JSON log entries (COMPAT §6), one per line; with
//! `--log-file PATH` every entry is also appended to PATH as a JSON line. The JSON entries
//! carry the run (`context_id`), recipe, step and execution id in progress.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tracing::{Event, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;

use framework0::events::layer::SharedWriter;
use framework0::events::{JsonLogLayer, LineFormat, LogContext, LogLevel};

/// Framework0's line format.
struct Framework0Format;

impl<S, N> FormatEvent<S, N> for Framework0Format
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let level = match *meta.level() {
            tracing::Level::ERROR => "ERROR",
            tracing::Level::WARN => "WARNING",
            tracing::Level::INFO => "INFO",
            tracing::Level::DEBUG => "DEBUG",
            tracing::Level::TRACE => "TRACE",
        };
        write!(
            w,
            "{} [{level:>8}] {}: ",
            framework0::util::utc_timestamp(),
            meta.target()
        )?;
        // Fields are formatted aside and escaped, so that a newline in a step name, a metric
        // name or a message can never forge a log line. Framework0's own loggers print the
        // message alone, as Framework0's console does (their fields are for the JSON entries).
        let mut fields = String::new();
        if meta.target().starts_with("framework0.") {
            let mut m = MessageOnly(&mut fields);
            event.record(&mut m);
        } else {
            ctx.field_format()
                .format_fields(Writer::new(&mut fields), event)?;
        }
        writeln!(w, "{}", framework0::diagnostic::escape_text(&fields))
    }
}

/// Collects an event's message only.
struct MessageOnly<'a>(&'a mut String);

impl tracing::field::Visit for MessageOnly<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            use std::fmt::Write as _;
            let _ = write!(self.0, "{value:?}");
        }
    }
}

/// How log entries are written on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Framework0's console lines.
    #[default]
    Text,
    /// Framework0's JSON log entries, one per line.
    Json,
}

/// Where and how to log.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// DEBUG instead of INFO.
    pub debug: bool,
    /// The stderr format.
    pub format: LogFormat,
    /// A file that gets every entry as a JSON line (appended).
    pub file: Option<PathBuf>,
}

/// Installs the logger: on stderr INFO by default, DEBUG with `--debug`, `F0_LOG` overrides;
/// the log file gets every entry at INFO (DEBUG with `--debug`) whatever `F0_LOG` says. Fails
/// when the log file cannot be opened.
pub fn init(opts: &LogOptions) -> Result<(), String> {
    let default = if opts.debug { "debug" } else { "info" };
    let console_filter =
        || EnvFilter::try_from_env("F0_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let text = (opts.format == LogFormat::Text).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .event_format(Framework0Format)
            .with_filter(console_filter())
    });
    let json_console = (opts.format == LogFormat::Json).then(|| {
        let stderr: SharedWriter = Arc::new(Mutex::new(std::io::stderr()));
        all_entries(stderr).with_filter(console_filter())
    });
    let file = match &opts.file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("--log-file {}: {e}", path.display()))?;
            let level = if opts.debug {
                LevelFilter::DEBUG
            } else {
                LevelFilter::INFO
            };
            Some(all_entries(Arc::new(Mutex::new(file))).with_filter(level))
        }
        None => None,
    };
    let _ = tracing_subscriber::registry()
        .with(text)
        .with(json_console)
        .with(file)
        .try_init();
    Ok(())
}

/// A JSON layer writing every logger's entries to `w` (its levels filtered outside).
fn all_entries(w: SharedWriter) -> JsonLogLayer {
    JsonLogLayer::new(LogContext::default(), LogLevel::Debug).route_as(
        "",
        w,
        LineFormat::Json,
        LogLevel::Debug,
    )
}
