//! Profiling a command: launch it held before `exec`, attach the sampling events (or note
//! why they were refused), then until it exits read the rings and the /proc tree at the
//! interval; finally symbolize and assemble. Cancellation kills the command; nothing here
//! waits without a bound.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::ProfileError;
use super::perf::{launch::launch, symbolize, PerfEvents, Refusal, Sampler};
use super::proctree::{summarise, FinalUsage, ProcSummary, TreeSampler};
use super::sampled::{assemble, SampledProfile};

/// Where the command's standard output and error go (its stdin is always empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The profiler's own stdout and stderr (`f0 profile` without `--json`).
    Inherit,
    /// These two files (created or truncated).
    Files(PathBuf, PathBuf),
    /// Discarded.
    Null,
}

/// What to profile and how.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    /// Program and arguments.
    pub argv: Vec<String>,
    /// Samples per second per running thread.
    pub frequency_hz: u64,
    /// Interval of the /proc tree sampler.
    pub proc_interval: Duration,
    /// Where its output goes.
    pub output: Output,
}

fn stdio(cmd: &mut Command, output: &Output) -> std::io::Result<()> {
    cmd.stdin(Stdio::null());
    match output {
        Output::Inherit => {}
        Output::Null => {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
        Output::Files(out, err) => {
            cmd.stdout(File::create(out)?).stderr(File::create(err)?);
        }
    }
    Ok(())
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitInfo {
    /// Exit code, when it exited.
    pub code: Option<i32>,
    /// Signal number, when a signal ended it.
    pub signal: Option<i32>,
}

/// Whether stacks were sampled, and if not, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingStatus {
    /// `sampled` or `unavailable`.
    pub status: String,
    /// Why sampling is unavailable (absent when sampled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `kernel.perf_event_paranoid`, when readable.
    pub perf_event_paranoid: Option<i64>,
}

/// A command's profile: the /proc view always, sampled stacks where permitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandProfile {
    /// The command.
    pub argv: Vec<String>,
    /// How it ended.
    pub exit: ExitInfo,
    /// Sampling status.
    pub sampling: SamplingStatus,
    /// The /proc view.
    pub proc: ProcSummary,
    /// Sampled stacks (absent when sampling was refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled: Option<SampledProfile>,
}

fn wait_nohang(pid: i32) -> std::io::Result<Option<(i32, libc::rusage)>> {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: valid out-pointers; WNOHANG never blocks.
    let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, usage.as_mut_ptr()) };
    match r {
        0 => Ok(None),
        // SAFETY: wait4 returned the pid, so it filled in the usage.
        r if r == pid => Ok(Some((status, unsafe { usage.assume_init() }))),
        _ => Err(std::io::Error::last_os_error()),
    }
}

fn poll_fds(fds: &[i32], timeout: Duration) {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = timeout.as_millis().min(1000) as i32;
    if p.is_empty() {
        std::thread::sleep(timeout);
    } else {
        // SAFETY: a valid array of pollfds.
        unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, ms) };
    }
}

fn exit_info(status: i32) -> ExitInfo {
    ExitInfo {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
    }
}

fn tv_seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Longest the loop sleeps between checks (cancellation, exit).
const MAX_WAIT: Duration = Duration::from_millis(50);

/// Waits for `pid` to exit, reading the rings and the /proc tree meanwhile; kills and reaps
/// it on cancellation.
fn watch(
    pid: i32,
    spec: &CommandSpec,
    sampler: &mut Option<Sampler>,
    tree: &mut TreeSampler,
    cancelled: &dyn Fn() -> bool,
) -> Result<(i32, libc::rusage), ProfileError> {
    let program = &spec.argv[0];
    let mut next_proc = Instant::now();
    let fds = sampler.as_ref().map(Sampler::fds).unwrap_or_default();
    loop {
        let done = wait_nohang(pid).map_err(|source| ProfileError::Wait {
            program: program.clone(),
            source,
        })?;
        if let Some(done) = done {
            return Ok(done);
        }
        if cancelled() {
            // SAFETY: signalling and then reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut 0, 0);
            }
            return Err(ProfileError::Cancelled);
        }
        if Instant::now() >= next_proc {
            tree.sample();
            next_proc += spec.proc_interval;
        }
        let wait = next_proc.saturating_duration_since(Instant::now());
        poll_fds(&fds, wait.min(MAX_WAIT));
        if let Some(s) = sampler.as_mut() {
            s.drain();
        }
    }
}

/// Runs and profiles `spec.argv`; `cancelled` is polled throughout.
pub fn profile_command(
    spec: &CommandSpec,
    cancelled: &dyn Fn() -> bool,
) -> Result<CommandProfile, ProfileError> {
    let program = spec.argv.first().cloned().unwrap_or_default();
    let spawn_error = |source| ProfileError::Spawn {
        program: program.clone(),
        source,
    };
    let mut cmd = Command::new(&program);
    cmd.args(&spec.argv[1..]);
    stdio(&mut cmd, &spec.output).map_err(spawn_error)?;
    let (child, events) =
        launch(&mut cmd, |pid| PerfEvents::open(pid, spec.frequency_hz)).map_err(spawn_error)?;
    let started = Instant::now();
    let pid = child.id() as i32;
    let (mut sampler, refusal): (Option<Sampler>, Option<Refusal>) = match events {
        Ok(e) => (Some(Sampler::new(e)), None),
        Err(r) => (None, Some(r)),
    };
    let mut tree = TreeSampler::new(pid as u32);
    let (status, usage) = watch(pid, spec, &mut sampler, &mut tree, cancelled)?;
    let proc = summarise(
        &tree.samples,
        spec.proc_interval.as_secs_f64(),
        FinalUsage {
            wall_seconds: started.elapsed().as_secs_f64(),
            user_seconds: tv_seconds(usage.ru_utime),
            sys_seconds: tv_seconds(usage.ru_stime),
            max_rss_bytes: (usage.ru_maxrss.max(0) as u64) * 1024,
        },
    );
    let base = std::path::Path::new(&program)
        .file_name()
        .map_or(program.clone(), |b| b.to_string_lossy().into_owned());
    let sampled = sampler.map(|s| {
        let (resolved, setup) = s.finish((pid as u32, &base));
        let (names, stats) = symbolize::symbolize(&resolved.frames);
        assemble(&resolved, &names, stats, setup)
    });
    Ok(CommandProfile {
        argv: spec.argv.clone(),
        exit: exit_info(status),
        sampling: SamplingStatus {
            status: if refusal.is_some() {
                "unavailable"
            } else {
                "sampled"
            }
            .to_owned(),
            reason: refusal.as_ref().map(ToString::to_string),
            perf_event_paranoid: super::perf::events::paranoid_level(),
        },
        proc,
        sampled,
    })
}
