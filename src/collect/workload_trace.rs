//! A workload's own peak resident set, read where the kernel still has it.
//!
//! `wait4`'s `ru_maxrss` is wrong for a child of a big process: on `execve` Linux folds the
//! *old* address space's high-water mark into the process's `maxrss`, and the old address
//! space of a freshly spawned child is `f0`'s own (shared under `vfork`/`posix_spawn`, copied
//! under `fork`). A workload of `true` then "peaks" at f0's size (~14 MB).
//!
//! So the child is started traced (`PTRACE_TRACEME` between fork and exec) with
//! `PTRACE_O_TRACEEXIT`: the kernel stops it as it exits, before its address space is torn
//! down, and `VmHWM` of `/proc/<pid>/status` — the high-water mark of the address space
//! `execve` created, nothing of f0 in it — is read there. The only other stops are the one
//! after `execve` (options are set there) and signal deliveries, which are passed on
//! unchanged. Cost: two extra stops per run (tens of µs). Where tracing is refused (a
//! seccomp policy, `ptrace_scope` 3) the child runs untraced and `ru_maxrss` is reported.
//!
//! Descendants: `ru_maxrss` is also the largest peak of the descendants the child waited
//! for (`sh -c 'a; b'`), which the exit stop cannot see. What f0 folds in at exec is at most
//! f0's own peak (`VmHWM`, read before the spawn and after the wait), so an `ru_maxrss` above that is
//! genuine and wins over the child's own peak ([`peak_bytes`]); a descendant that stayed
//! below f0's size is not seen.

use std::process::{Command, Stdio};

use crate::util::procfs::parse_status_kib;

/// Starts `program` traced (stdin closed, stdout discarded); returns its pid. Must run on the
/// thread that then calls [`wait_traced`] (Linux makes the spawning thread the tracer).
pub(super) fn spawn_traced(program: &str, args: &[String]) -> std::io::Result<libc::pid_t> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    // SAFETY: ptrace(PTRACE_TRACEME) is async-signal-safe and touches no memory of ours; a
    // refusal leaves the child untraced, which wait_traced handles.
    unsafe {
        cmd.pre_exec(|| {
            libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0);
            Ok(())
        });
    }
    Ok(cmd.spawn()?.id() as libc::pid_t)
}

/// The run's peak in bytes from the child's own peak at exit (`own_kib`, when traced),
/// `wait4`'s `ru_maxrss` in bytes, and f0's own peak before the spawn and now (the most
/// exec can have folded in; see the module docs).
pub(super) fn peak_bytes(own_kib: Option<u64>, ru_maxrss: u64, f0_before_kib: u64) -> u64 {
    let Some(own) = own_kib.map(|k| k * 1024) else {
        return ru_maxrss;
    };
    let now = crate::util::self_probe::SelfProbe::get().memory().peak_kib;
    if ru_maxrss > now.max(f0_before_kib) * 1024 {
        own.max(ru_maxrss)
    } else {
        own
    }
}

/// What waiting saw before the child exited.
#[derive(Debug, Default)]
pub(super) struct Traced {
    /// `VmHWM` at the exit stop, KiB (None when the child was not traced or died by SIGKILL
    /// without an exit stop).
    pub peak_kib: Option<u64>,
}

/// Waits until `pid` has exited (left unreaped, `waitid(WNOWAIT)`), resuming every tracing
/// stop on the way and reading the peak at the exit stop.
pub(super) fn wait_traced(pid: libc::pid_t) -> std::io::Result<Traced> {
    let mut seen = Traced::default();
    let mut options_set = false;
    loop {
        // SAFETY: zeroed siginfo is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer; WNOWAIT leaves the child waitable. Tracing stops are
        // reported to the tracer with or without WSTOPPED.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WSTOPPED | libc::WNOWAIT,
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if info.si_code != libc::CLD_TRAPPED && info.si_code != libc::CLD_STOPPED {
            return Ok(seen);
        }
        // Take the stop (WNOHANG and no WEXITED: this never reaps, even if a SIGKILL ended
        // the child meanwhile).
        // SAFETY: as above.
        let mut stop: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer.
        unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut stop,
                libc::WSTOPPED | libc::WNOHANG,
            )
        };
        // SAFETY: si_status is the stop's status for a CLD_TRAPPED/CLD_STOPPED siginfo.
        let status = unsafe { info.si_status() };
        let (sig, event) = (status & 0xff, status >> 8);
        let deliver = if event == libc::PTRACE_EVENT_EXIT {
            seen.peak_kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|t| parse_status_kib(&t, "VmHWM:"));
            0
        } else if event != 0 {
            0
        } else if !options_set && sig == libc::SIGTRAP {
            // The stop after execve: from here on, stop at exit; exec makes an event stop.
            options_set = true;
            let opts =
                libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_EXITKILL | libc::PTRACE_O_TRACEEXEC;
            // SAFETY: the child is in a tracing stop and we are its tracer.
            unsafe { libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, opts as libc::c_long) };
            0
        } else if is_group_stop(pid) {
            0
        } else {
            sig
        };
        // SAFETY: resuming our own stopped tracee; an error (it died) shows in the next wait.
        unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, deliver as libc::c_long) };
    }
}

/// Whether the tracee's stop is a group-stop (no signal to pass on): PTRACE_GETSIGINFO
/// fails with EINVAL there.
fn is_group_stop(pid: libc::pid_t) -> bool {
    // SAFETY: zeroed siginfo is a valid out-parameter for PTRACE_GETSIGINFO.
    let mut si: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer; pid is our stopped tracee.
    let rc = unsafe { libc::ptrace(libc::PTRACE_GETSIGINFO, pid, 0, &mut si as *mut _) };
    rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::workload::run_once;

    fn argv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn peak_rss_of_true_is_its_own_not_f0s_at_fork() {
        // Regression: ru_maxrss counted this process's size at fork (~14 MB for `true`).
        let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope");
        if scope.is_ok_and(|s| s.trim() == "3") {
            eprintln!(
                "SKIPPED: kernel.yama.ptrace_scope is 3 (no tracing at all), so the workload's \
                 own peak cannot be read (set it to 0-2: sysctl kernel.yama.ptrace_scope=1)"
            );
            return;
        }
        let ballast = vec![1u8; 64 << 20];
        std::hint::black_box(&ballast);
        let r = run_once(&argv(&["true"]), None, &|| false, &mut || {}).unwrap();
        assert_eq!(r.exit_code, Some(0));
        assert!(
            r.peak_rss_bytes > 0 && r.peak_rss_bytes < 5 << 20,
            "`true` peaked at {} bytes",
            r.peak_rss_bytes
        );
        // A program that does allocate is still seen doing it.
        let r = run_once(
            &argv(&["python3", "-c", "b = bytearray(48 << 20)"]),
            None,
            &|| false,
            &mut || {},
        );
        match r {
            Ok(r) => assert!(r.peak_rss_bytes > 48 << 20, "{r:?}"),
            Err(e) => {
                eprintln!("python3 not available ({e}); install python3 to check a large peak")
            }
        }
    }

    #[test]
    fn a_descendant_bigger_than_f0_is_still_seen_through_a_shell() {
        let r = run_once(
            &argv(&[
                "sh",
                "-c",
                "python3 -c 'b = bytearray(300 << 20)' && echo done >/dev/null",
            ]),
            None,
            &|| false,
            &mut || {},
        )
        .unwrap();
        if r.exit_code != Some(0) {
            eprintln!("python3 not available; install python3 to check a descendant's peak");
            return;
        }
        assert!(r.peak_rss_bytes > 300 << 20, "{r:?}");
    }

    #[test]
    fn a_traced_workload_still_gets_its_signals_and_its_exit_code() {
        let r = run_once(
            &argv(&["sh", "-c", "trap 'exit 7' USR1; kill -USR1 $$; sleep 5"]),
            Some(Duration::from_secs(3)),
            &|| false,
            &mut || {},
        )
        .unwrap();
        assert_eq!((r.exit_code, r.timed_out), (Some(7), false), "{r:?}");
    }
}
