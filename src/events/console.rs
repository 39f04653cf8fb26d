//! What Framework0's scriptlets print on stdout (the health report, `✅ Logging framework
//! setup completed successfully`, the logging framework's console lines).
//!
//! Printing goes through [`print_line`] so that a runner whose stdout must hold exactly one
//! JSON object (`f0 run --json-output`) can turn it off with [`set_stdout`]; the lines then
//! go to stderr instead. Nothing here panics on a closed stdout.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT: AtomicBool = AtomicBool::new(true);

/// Whether scriptlet output goes to stdout (true, the default) or to stderr.
pub fn set_stdout(on: bool) {
    STDOUT.store(on, Ordering::Relaxed);
}

/// Whether scriptlet output goes to stdout.
pub fn stdout_enabled() -> bool {
    STDOUT.load(Ordering::Relaxed)
}

/// Writes `text` and a newline to stdout (or stderr, see [`set_stdout`]), ignoring a closed
/// stream.
pub fn print_line(text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    let _ = ConsoleWriter.write_all(line.as_bytes());
}

/// A writer to the console: stdout, or stderr when stdout is reserved (see [`set_stdout`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleWriter;

impl Write for ConsoleWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if stdout_enabled() {
            let mut out = std::io::stdout().lock();
            out.write_all(buf)?;
            out.flush()?;
        } else {
            std::io::stderr().lock().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
