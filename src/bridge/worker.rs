//! The Python worker process: started in its own process group with two protocol pipes,
//! stdin on /dev/null and f0's own stdout and stderr; killed as a group on cancellation.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::frame::{pipe, FrameError, FrameReader, FrameWriter, Polled};
use super::shim::ShimDir;
use super::BridgeConfig;
use crate::scriptlet::ChildUsage;
use crate::util::procfs::{read_process, ProcessReading};

/// How long each wait for the worker lasts before cancellation is checked again.
const POLL: Duration = Duration::from_millis(10);
/// How long a closing worker gets to exit on its own.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// Why talking to the worker stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WorkerError {
    /// The interpreter could not be started.
    #[error("cannot start the Python interpreter '{python}': {source}; install python3 or choose one with --python PATH / F0_PYTHON")]
    Spawn {
        /// The interpreter asked for.
        python: String,
        /// Why.
        source: io::Error,
    },
    /// The worker exited (or was killed) while f0 waited for it.
    #[error("{0}")]
    Died(String),
    /// A pipe failed or the worker sent garbage.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// Writing to the worker failed.
    #[error("writing to the Python worker: {0}")]
    Write(#[source] io::Error),
    /// The step was cancelled while waiting.
    #[error("cancelled")]
    Cancelled,
}

/// The worker's resource and protocol counters at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    reading: ProcessReading,
    sent: u64,
    received: u64,
}

impl Counters {
    /// What the worker used from `self` to `later`, less the bridge's own bytes on its pipes.
    pub(crate) fn usage_until(&self, later: &Counters) -> ChildUsage {
        let (b, a) = (&self.reading, &later.reading);
        let io = |after: u64, before: u64, protocol: u64| {
            after.saturating_sub(before).saturating_sub(protocol)
        };
        ChildUsage {
            cpu_ns: a.cpu_ns.saturating_sub(b.cpu_ns),
            peak_rss_bytes: a.peak_rss_bytes,
            rss_delta_bytes: a.rss_bytes as i64 - b.rss_bytes as i64,
            read_bytes: io(a.read_bytes, b.read_bytes, later.sent - self.sent),
            write_bytes: io(a.write_bytes, b.write_bytes, later.received - self.received),
        }
    }
}

/// One running worker.
pub(crate) struct Worker {
    child: Child,
    pid: u32,
    to: FrameWriter,
    from: FrameReader,
    /// Python's version, from its `ready` frame.
    pub(crate) version: String,
    /// (run id, context history length) the worker's context mirror matches, if it does.
    pub(crate) synced: Option<(i64, usize)>,
    /// Its counters when its last step ended (it has been idle since).
    pub(crate) idle: Option<Counters>,
}

impl Worker {
    /// Starts the worker and waits for its `ready` frame.
    pub(crate) fn spawn(
        config: &BridgeConfig,
        shim: &ShimDir,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Worker, WorkerError> {
        let spawn_err = |source| WorkerError::Spawn {
            python: config.python().display().to_string(),
            source,
        };
        let (child_reads, f0_writes) = pipe().map_err(spawn_err)?;
        let (f0_reads, child_writes) = pipe().map_err(spawn_err)?;
        let fds = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        let mut cmd = Command::new(config.python());
        cmd.arg(shim.script())
            .stdin(Stdio::null())
            .env("F0_BRIDGE_FDS", format!("{},{}", fds.0, fds.1))
            .env("F0_BRIDGE_PARENT", std::process::id().to_string())
            .process_group(0);
        // SAFETY: the closure only calls fcntl, which is async-signal-safe, on descriptors
        // that stay open in the parent until after spawn returns.
        unsafe {
            cmd.pre_exec(move || {
                keep_on_exec(fds.0)?;
                keep_on_exec(fds.1)
            });
        }
        let child = cmd.spawn().map_err(spawn_err)?;
        drop((child_reads, child_writes));
        let mut worker = Worker {
            pid: child.id(),
            child,
            to: FrameWriter::new(f0_writes),
            from: FrameReader::new(f0_reads),
            version: String::new(),
            synced: None,
            idle: None,
        };
        let path: Vec<String> = config
            .search_path()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        worker.send(&json!({"op": "init", "path": path}))?;
        let ready = worker.recv(cancelled)?;
        if ready["op"] != "ready" {
            return Err(WorkerError::Died(format!(
                "the Python worker answered {} instead of ready",
                crate::diagnostic::compact(&ready)
            )));
        }
        worker.version = ready["python"].as_str().unwrap_or("?").to_owned();
        tracing::debug!(target: "f0.bridge", "Python {} worker started (pid {})", worker.version, worker.pid);
        Ok(worker)
    }

    /// Sends one frame.
    pub(crate) fn send(&mut self, value: &Value) -> Result<(), WorkerError> {
        self.to.send(value).map_err(WorkerError::Write)
    }

    /// Waits for the next frame, checking `cancelled` between short waits.
    pub(crate) fn recv(&mut self, cancelled: &dyn Fn() -> bool) -> Result<Value, WorkerError> {
        loop {
            if cancelled() {
                return Err(WorkerError::Cancelled);
            }
            match self.from.poll(POLL)? {
                Polled::Frame(v) => return Ok(v),
                Polled::Pending => {}
                Polled::Closed => return Err(WorkerError::Died(self.exit_description())),
            }
        }
    }

    /// The worker's counters now (its resource figures are zero once it is gone).
    pub(crate) fn counters(&self) -> Counters {
        Counters {
            reading: read_process(self.pid).unwrap_or_default(),
            sent: self.to.written,
            received: self.from.read,
        }
    }

    /// Whether the worker has exited (it died between steps).
    pub(crate) fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// The worker's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the worker's whole process group and reaps it.
    pub(crate) fn kill(&mut self) {
        if let Ok(pgid) = libc::pid_t::try_from(self.pid) {
            // SAFETY: kill has no memory preconditions; a negative pid names the group the
            // worker leads (it was started with process_group(0)).
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
        let _ = self.child.wait();
    }

    /// How the worker ended (waits for it: its pipe is closed, so it is exiting).
    fn exit_description(&mut self) -> String {
        let deadline = Instant::now() + EXIT_GRACE;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                _ => break None,
            }
        };
        // A reaped process either exited (with a code) or was killed by a signal.
        match status {
            Some(s) => match s.signal() {
                Some(sig) => format!(
                    "the Python interpreter was killed by signal {sig} ({})",
                    signal_name(sig)
                ),
                None => format!(
                    "the Python interpreter exited with code {}",
                    s.code().unwrap_or_default()
                ),
            },
            None => "the Python interpreter closed its pipe".to_owned(),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing its input ends the worker's loop; a worker still busy is killed.
        self.to.close();
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        self.kill();
    }
}

/// Clears close-on-exec on `fd` so the interpreter inherits it.
fn keep_on_exec(fd: libc::c_int) -> io::Result<()> {
    // SAFETY: fcntl on an open descriptor with F_SETFD has no memory preconditions.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The usual name of a signal that ends a crashing interpreter.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV, a segmentation fault",
        libc::SIGABRT => "SIGABRT, an abort",
        libc::SIGBUS => "SIGBUS, a bus error",
        libc::SIGFPE => "SIGFPE, an arithmetic fault",
        libc::SIGILL => "SIGILL, an illegal instruction",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
