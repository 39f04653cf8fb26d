//! Log lines on stderr in Framework0's format:
//! `YYYY-MM-DD HH:MM:SS [   LEVEL] logger: message` (UTC; level right-aligned in 8).

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

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
        // name or a message can never forge a log line.
        let mut fields = String::new();
        ctx.field_format()
            .format_fields(Writer::new(&mut fields), event)?;
        writeln!(w, "{}", framework0::diagnostic::escape_text(&fields))
    }
}

/// Installs the stderr logger: INFO by default, DEBUG with `--debug`, `F0_LOG` overrides.
pub fn init(debug: bool) {
    let default = if debug { "debug" } else { "info" };
    let filter = EnvFilter::try_from_env("F0_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .event_format(Framework0Format)
        .try_init();
}
