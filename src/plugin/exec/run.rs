//! Running the `exec` collector's command once: no shell, stdin on `/dev/null`, stdout
//! captured (at most [`MAX_OUTPUT`] bytes), the tail of stderr kept for the error message,
//! in its own process group so that a timeout kills everything it started.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The most stdout one run may print.
pub const MAX_OUTPUT: usize = 16 << 20;
/// How much of the end of stderr an error quotes.
const STDERR_TAIL: usize = 200;
const POLL: Duration = Duration::from_millis(5);

/// Why one run of the command gave no output to parse.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// It could not be started.
    #[error("cannot start '{program}': {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// It exited with a non-zero status.
    #[error("'{program}' exited with status {code}{}", stderr_note(.stderr))]
    Exit {
        /// The program.
        program: String,
        /// The exit code.
        code: i32,
        /// The end of its stderr.
        stderr: String,
    },
    /// A signal ended it.
    #[error("'{program}' was killed by signal {signal}{}", stderr_note(.stderr))]
    Signal {
        /// The program.
        program: String,
        /// The signal.
        signal: i32,
        /// The end of its stderr.
        stderr: String,
    },
    /// It ran past its timeout and was killed.
    #[error("'{program}' did not finish within its timeout of {}s and was killed (raise `timeout`, default 10s)", .timeout.as_secs_f64())]
    Timeout {
        /// The program.
        program: String,
        /// The timeout.
        timeout: Duration,
    },
    /// It printed more than [`MAX_OUTPUT`].
    #[error("'{program}' printed more than {} MiB on stdout", MAX_OUTPUT >> 20)]
    TooMuch {
        /// The program.
        program: String,
    },
    /// Its stdout is not UTF-8.
    #[error("the output of '{program}' is not UTF-8 text (byte {offset})")]
    NotText {
        /// The program.
        program: String,
        /// The first bad byte.
        offset: usize,
    },
}

fn stderr_note(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!("; stderr: {stderr:?}")
    }
}

fn read_all(mut r: impl Read + Send + 'static, limit: usize) -> JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        let mut over = false;
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            if out.len() + n > limit {
                over = true;
                // Keep reading (and dropping) so the child never blocks on a full pipe.
                continue;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (out, over)
    })
}

/// Runs `command` to completion within `timeout`; its stdout.
pub fn run(command: &[String], timeout: Duration) -> Result<String, RunError> {
    let program = command[0].clone();
    let mut child = Command::new(&command[0])
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|source| RunError::Spawn {
            program: program.clone(),
            source,
        })?;
    let out = child.stdout.take().map(|o| read_all(o, MAX_OUTPUT));
    let err = child.stderr.take().map(|e| read_all(e, 1 << 20));
    let deadline = Instant::now() + timeout;
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => {
                // SAFETY: kill(2) with a negative pid signals that process group; the group id
                // is the child's pid, not reaped yet, so it cannot have been recycled.
                if let Ok(pid) = i32::try_from(child.id()) {
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                }
                let _ = child.wait();
                return Err(RunError::Timeout { program, timeout });
            }
        }
    };
    let (stdout, over) = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default().0;
    let stderr = tail(&String::from_utf8_lossy(&stderr));
    if let Some(code) = status.code().filter(|c| *c != 0) {
        return Err(RunError::Exit {
            program,
            code,
            stderr,
        });
    }
    if let Some(signal) = status.signal() {
        return Err(RunError::Signal {
            program,
            signal,
            stderr,
        });
    }
    if over {
        return Err(RunError::TooMuch { program });
    }
    String::from_utf8(stdout).map_err(|e| RunError::NotText {
        program,
        offset: e.utf8_error().valid_up_to(),
    })
}

/// The last [`STDERR_TAIL`] characters of `s`, trimmed.
fn tail(s: &str) -> String {
    let s = s.trim();
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(STDERR_TAIL)).collect()
}
