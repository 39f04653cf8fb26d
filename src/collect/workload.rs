//! Command workloads: run an external program `runs` times after `warmup` runs and record,
//! per measured run, wall time, user and system CPU time, peak RSS and exit status.
//!
//! The command is an argv list run directly (no shell; a recipe that wants one writes
//! `["sh", "-c", "…"]`). stdin and stdout are `/dev/null` (stdout belongs to `f0`'s own
//! output), stderr is inherited. Wall time runs from just before `fork` to the moment the
//! child has exited (observed with `waitid(WNOWAIT)`); CPU times come from the child's
//! `rusage` (`wait4`), which includes the descendants it waited for; peak RSS is the
//! program's own high-water mark, read at its exit stop, or a descendant's larger one
//! (`workload_trace.rs`: `wait4`'s `ru_maxrss` would count f0's own size at fork; it is used
//! where it must be genuine, and where tracing is refused). A run past its
//! `timeout`, or a cancelled step, kills the child (`SIGKILL`) — only while it has not been
//! reaped, so a recycled pid is never signalled.
//!
//! Metrics of measured runs (source `application_collector`, tag `workload`, context
//! `{"run": i}`): `workload_wall_time`, `workload_user_time`, `workload_sys_time` (timing,
//! ns), `workload_peak_rss` (resource, bytes), `workload_exit_status` (gauge, count: the
//! exit code, or 128 + signal).

use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;

use super::emit::Emitter;
use super::CollectError;
use crate::metrics::clock::epoch_now_ns;
use crate::metrics::{MetricType, MetricUnit, PerformanceMetric, APPLICATION_SOURCE};
use crate::util::procfs::timeval_ns;

/// How often a waiting run checks for cancellation and reports progress.
const POLL: Duration = Duration::from_millis(20);

/// One workload as a recipe describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// Name, the `workload` tag.
    pub name: String,
    /// Program and arguments.
    pub command: Vec<String>,
    /// Measured runs (≥ 1).
    pub runs: u32,
    /// Unmeasured runs first.
    pub warmup: u32,
    /// Per-run limit.
    pub timeout: Option<Duration>,
    /// Keep going when a run exits non-zero.
    pub allow_failure: bool,
}

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunResult {
    /// Wall time, ns.
    pub wall_ns: u64,
    /// User CPU time, ns.
    pub user_ns: u64,
    /// System CPU time, ns.
    pub sys_ns: u64,
    /// Peak resident set size, bytes.
    pub peak_rss_bytes: u64,
    /// Exit code, when it exited normally.
    pub exit_code: Option<i32>,
    /// Terminating signal, when killed.
    pub signal: Option<i32>,
    /// Killed because it ran past its timeout.
    pub timed_out: bool,
}

impl RunResult {
    /// The exit status as one number: the exit code, or 128 + signal.
    pub fn status(&self) -> i32 {
        self.exit_code
            .unwrap_or_else(|| 128 + self.signal.unwrap_or(0))
    }

    /// Exit code 0.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// The measured runs of one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadReport {
    /// The workload's name.
    pub name: String,
    /// Warmup runs done.
    pub warmup: u32,
    /// The measured runs.
    pub runs: Vec<RunResult>,
}

pub use crate::util::program::find_program;

struct Exited {
    at: Instant,
    status: libc::c_int,
    rusage: libc::rusage,
    /// The program's own peak RSS (KiB) when it was traced to its exit.
    peak_kib: Option<u64>,
    /// f0's own peak RSS (KiB) just before the spawn: what exec can have folded in is below.
    f0_peak_kib: u64,
}

/// Waits for `pid` to exit without reaping it (resuming its tracing stops), marks it exited
/// under `reaped`, then reaps it with its rusage.
fn wait_child(pid: libc::pid_t, f0_peak_kib: u64, reaped: &Mutex<bool>) -> std::io::Result<Exited> {
    let traced = super::workload_trace::wait_traced(pid)?;
    let at = Instant::now();
    let mut guard = reaped.lock().unwrap_or_else(PoisonError::into_inner);
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid out-parameter.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers; the child has exited, so this returns at once.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
    *guard = true;
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(Exited {
        at,
        status,
        rusage,
        peak_kib: traced.peak_kib,
        f0_peak_kib,
    })
}

/// Runs `argv` once; `cancelled` is polled every 20 ms (then the child is killed and
/// [`CollectError::Cancelled`] returned), `tick` is called at the same pace.
pub fn run_once(
    argv: &[String],
    timeout: Option<Duration>,
    cancelled: &dyn Fn() -> bool,
    tick: &mut dyn FnMut(),
) -> Result<RunResult, CollectError> {
    let program = argv
        .first()
        .ok_or_else(|| CollectError::Workload("the command is empty".into()))?;
    let start = Instant::now();
    let (exited, end) = wait_bounded(program, &argv[1..], start, timeout, cancelled, tick)?;
    if end == Ended::Cancelled {
        return Err(CollectError::Cancelled);
    }
    let st = exited.status;
    let (exit_code, signal) = if libc::WIFEXITED(st) {
        (Some(libc::WEXITSTATUS(st)), None)
    } else if libc::WIFSIGNALED(st) {
        (None, Some(libc::WTERMSIG(st)))
    } else {
        (None, None)
    };
    // Linux reports ru_maxrss in KiB, macOS in bytes.
    let maxrss = u64::try_from(exited.rusage.ru_maxrss).unwrap_or(0);
    let maxrss = if cfg!(target_os = "macos") {
        maxrss
    } else {
        maxrss * 1024
    };
    Ok(RunResult {
        wall_ns: u64::try_from(exited.at.duration_since(start).as_nanos()).unwrap_or(u64::MAX),
        user_ns: timeval_ns(exited.rusage.ru_utime),
        sys_ns: timeval_ns(exited.rusage.ru_stime),
        peak_rss_bytes: super::workload_trace::peak_bytes(
            exited.peak_kib,
            maxrss,
            exited.f0_peak_kib,
        ),
        exit_code,
        signal,
        timed_out: end == Ended::TimedOut,
    })
}

/// Starts `program` with `args` traced (see [`super::workload_trace`]); returns its pid.
fn spawn(program: &str, args: &[String]) -> Result<libc::pid_t, CollectError> {
    super::workload_trace::spawn_traced(program, args).map_err(|e| {
        CollectError::Workload(match e.kind() {
            // exec(2) also says ENOENT when the program exists but its `#!` interpreter
            // does not: name the interpreter rather than call the program missing.
            std::io::ErrorKind::NotFound => match crate::util::program::find_program(program) {
                Some(found) => format!(
                    "cannot start '{program}': its #! interpreter was not found ({} exists; {e})",
                    found.display()
                ),
                None => format!("program '{program}' not found"),
            },
            _ => format!("cannot start '{program}': {e}"),
        })
    })
}

/// How a waited-for run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// On its own.
    Exited,
    /// Killed at its timeout.
    TimedOut,
    /// Killed because the step was cancelled.
    Cancelled,
}

/// Starts `program` on a waiter thread (its tracer) and waits for it, killing it once at
/// `timeout` or on cancellation.
fn wait_bounded(
    program: &str,
    args: &[String],
    start: Instant,
    timeout: Option<Duration>,
    cancelled: &dyn Fn() -> bool,
    tick: &mut dyn FnMut(),
) -> Result<(Exited, Ended), CollectError> {
    let reaped = Arc::new(Mutex::new(false));
    let (started_tx, started_rx) = mpsc::channel();
    let (tx, rx) = mpsc::channel();
    let reaped2 = Arc::clone(&reaped);
    let (prog, rest) = (program.to_owned(), args.to_vec());
    std::thread::Builder::new()
        .name("f0-workload-wait".into())
        .spawn(move || {
            let f0_peak_kib = crate::util::self_probe::SelfProbe::get().memory().peak_kib;
            match spawn(&prog, &rest) {
                Ok(pid) => {
                    let _ = started_tx.send(Ok(pid));
                    let _ = tx.send(wait_child(pid, f0_peak_kib, &reaped2));
                }
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                }
            }
        })
        .map_err(|source| CollectError::Spawn {
            what: "workload waiter",
            source,
        })?;
    let pid = started_rx
        .recv()
        .map_err(|_| CollectError::Workload(format!("lost track of '{program}'")))??;
    let mut end = Ended::Exited;
    loop {
        match rx.recv_timeout(POLL) {
            Ok(r) => {
                let exited =
                    r.map_err(|e| CollectError::Workload(format!("waiting for '{program}': {e}")))?;
                return Ok((exited, end));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(CollectError::Workload(format!("lost track of '{program}'")))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                tick();
                let over = timeout.is_some_and(|t| start.elapsed() > t);
                let cancel = cancelled();
                if (over || cancel) && end == Ended::Exited {
                    let done = reaped.lock().unwrap_or_else(PoisonError::into_inner);
                    if !*done {
                        // SAFETY: the child is not reaped (we hold the lock), so `pid` is it.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                    end = if cancel {
                        Ended::Cancelled
                    } else {
                        Ended::TimedOut
                    };
                }
            }
        }
    }
}

/// The metrics of measured run `run` (0-based) of workload `name`.
pub fn run_metrics(name: &str, run: u32, r: &RunResult) -> Vec<PerformanceMetric> {
    let mut out = Vec::with_capacity(5);
    let mut e = Emitter::new(&mut out, epoch_now_ns(), APPLICATION_SOURCE);
    let tags = [("workload", name)];
    let ns = |v: u64| v as f64;
    let rows = [
        (
            "workload_wall_time",
            ns(r.wall_ns),
            MetricType::Timing,
            MetricUnit::Nanoseconds,
        ),
        (
            "workload_user_time",
            ns(r.user_ns),
            MetricType::Timing,
            MetricUnit::Nanoseconds,
        ),
        (
            "workload_sys_time",
            ns(r.sys_ns),
            MetricType::Timing,
            MetricUnit::Nanoseconds,
        ),
        (
            "workload_peak_rss",
            ns(r.peak_rss_bytes),
            MetricType::Resource,
            MetricUnit::Bytes,
        ),
        (
            "workload_exit_status",
            f64::from(r.status()),
            MetricType::Gauge,
            MetricUnit::Count,
        ),
    ];
    for (metric, value, ty, unit) in rows {
        if let Some(m) = e.push_tagged(metric, value, ty, unit, &tags) {
            m.context.insert("run".into(), json!(run));
        }
    }
    out
}

/// Runs warmups then measured runs of `w`, handing each measured run's metrics to `emit`
/// (also for a failing run, before its error). `tick(done, total)` reports progress.
pub fn run_workload(
    w: &Workload,
    cancelled: &dyn Fn() -> bool,
    tick: &mut dyn FnMut(u32, u32),
    emit: &mut dyn FnMut(Vec<PerformanceMetric>) -> Result<(), CollectError>,
) -> Result<WorkloadReport, CollectError> {
    let total = w.warmup + w.runs;
    let mut report = WorkloadReport {
        name: w.name.clone(),
        warmup: 0,
        runs: Vec::with_capacity(w.runs as usize),
    };
    for i in 0..total {
        let warm = i < w.warmup;
        let r = run_once(&w.command, w.timeout, cancelled, &mut || tick(i, total))?;
        let label = if warm {
            format!("warmup run {} of {}", i + 1, w.warmup)
        } else {
            format!("run {} of {}", i - w.warmup + 1, w.runs)
        };
        if warm {
            report.warmup += 1;
        } else {
            emit(run_metrics(&w.name, i - w.warmup, &r))?;
            report.runs.push(r);
        }
        if r.timed_out {
            let t = w.timeout.map_or(0.0, |t| t.as_secs_f64());
            return Err(CollectError::Workload(format!(
                "workload '{}' {label} timed out after {t}s and was killed",
                w.name
            )));
        }
        if !r.success() && !w.allow_failure {
            let how = match (r.exit_code, r.signal) {
                (Some(c), _) => format!("exited with status {c}"),
                (None, Some(s)) => format!("was killed by signal {s}"),
                _ => "ended abnormally".to_owned(),
            };
            return Err(CollectError::Workload(format!(
                "workload '{}' {label} {how} (set allow_failure: true to keep going)",
                w.name
            )));
        }
        tick(i + 1, total);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_programs_on_path_and_by_path() {
        assert!(find_program("sh").is_some());
        assert!(find_program("/bin/sh").is_some());
        assert!(find_program("f0-no-such-program-xyz").is_none());
        assert!(find_program("/etc/hostname-no").is_none());
        assert!(find_program("").is_none());
    }

    #[test]
    fn measures_cpu_rss_and_exit_status() {
        let r = run_once(
            &argv(&[
                "sh",
                "-c",
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3",
            ]),
            None,
            &|| false,
            &mut || {},
        )
        .unwrap();
        assert_eq!(r.exit_code, Some(3));
        assert_eq!(r.status(), 3);
        assert!(r.user_ns + r.sys_ns > 0, "{r:?}");
        assert!(r.wall_ns >= r.user_ns / 2, "{r:?}");
        assert!(r.peak_rss_bytes > 100 * 1024, "{r:?}");
    }

    #[test]
    fn timeout_kills_and_cancel_stops() {
        let t0 = Instant::now();
        let r = run_once(
            &argv(&["sleep", "5"]),
            Some(Duration::from_millis(100)),
            &|| false,
            &mut || {},
        )
        .unwrap();
        assert!(r.timed_out && r.signal == Some(libc::SIGKILL), "{r:?}");
        assert_eq!(r.status(), 128 + libc::SIGKILL);
        assert!(t0.elapsed() < Duration::from_secs(3));
        let err = run_once(&argv(&["sleep", "5"]), None, &|| true, &mut || {}).unwrap_err();
        assert!(matches!(err, CollectError::Cancelled));
    }

    #[test]
    fn missing_program_is_named() {
        let err = run_once(
            &argv(&["f0-no-such-program-xyz"]),
            None,
            &|| false,
            &mut || {},
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "program 'f0-no-such-program-xyz' not found"
        );
    }

    #[test]
    fn warmups_are_not_recorded_and_failures_stop_unless_allowed() {
        let mut w = Workload {
            name: "t".into(),
            command: argv(&["true"]),
            runs: 3,
            warmup: 2,
            timeout: None,
            allow_failure: false,
        };
        let mut batches = Vec::new();
        let rep = run_workload(&w, &|| false, &mut |_, _| {}, &mut |b| {
            batches.push(b);
            Ok(())
        })
        .unwrap();
        assert_eq!((rep.warmup, rep.runs.len()), (2, 3));
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[2].len(), 5);
        assert_eq!(batches[2][0].name, "workload_wall_time");
        assert_eq!(batches[2][0].tags["workload"], "t");
        assert_eq!(batches[2][0].context["run"], 2);
        w.command = argv(&["false"]);
        w.warmup = 0;
        let err = run_workload(&w, &|| false, &mut |_, _| {}, &mut |_| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "workload 't' run 1 of 3 exited with status 1 (set allow_failure: true to keep going)"
        );
        w.allow_failure = true;
        let rep = run_workload(&w, &|| false, &mut |_, _| {}, &mut |_| Ok(())).unwrap();
        assert_eq!(
            rep.runs.iter().map(RunResult::status).collect::<Vec<_>>(),
            [1, 1, 1]
        );
    }
}
