//! Starting a command held just before its `exec`, so sampling events can be attached to
//! it first (they are enabled by the `exec` itself: nothing of the command is missed).
//!
//! `std::process::Command::spawn` returns only once the child has called `exec`, so the
//! spawn runs on a helper thread: the child (in `pre_exec`, async-signal-safe calls only)
//! writes its pid to one pipe and waits for a byte on another; the caller attaches to the
//! pid, sends the byte, and the child execs. Every wait is bounded: nothing hangs if the
//! fork fails or the child dies.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// How long the child may take to report its pid after the fork.
const PID_TIMEOUT: Duration = Duration::from_secs(10);

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Waits up to `timeout` for `fd` to become readable.
fn readable(fd: i32, timeout: Duration) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, timeout.as_millis() as i32) };
    n > 0
}

/// Spawns `cmd`, calls `attach(pid)` while the child waits before `exec`, then lets it run.
/// Returns the child and what `attach` returned.
pub fn launch<R>(cmd: &mut Command, attach: impl FnOnce(i32) -> R) -> io::Result<(Child, R)> {
    let (pid_r, pid_w) = pipe()?;
    let (go_r, go_w) = pipe()?;
    let (pid_w_raw, go_r_raw) = (pid_w.as_raw_fd(), go_r.as_raw_fd());
    // SAFETY: the closure only calls async-signal-safe functions (getpid, write, read).
    unsafe {
        cmd.pre_exec(move || {
            let pid = libc::getpid();
            let bytes = pid.to_ne_bytes();
            if libc::write(pid_w_raw, bytes.as_ptr().cast(), bytes.len()) != bytes.len() as isize {
                return Err(io::Error::last_os_error());
            }
            let mut go = 0u8;
            loop {
                let n = libc::read(go_r_raw, (&mut go as *mut u8).cast(), 1);
                if n == 1 && go == 1 {
                    return Ok(());
                }
                if n == 1 || n == 0 || *libc::__errno_location() != libc::EINTR {
                    return Err(io::Error::other("profiler went away before exec"));
                }
            }
        });
    }
    std::thread::scope(|s| {
        let spawner = s.spawn(|| cmd.spawn());
        let started = Instant::now();
        let mut pid = None;
        while pid.is_none() && started.elapsed() < PID_TIMEOUT && !spawner.is_finished() {
            if readable(pid_r.as_raw_fd(), Duration::from_millis(20)) {
                let mut buf = [0u8; 4];
                // SAFETY: reading into a 4-byte buffer from our pipe.
                let n = unsafe { libc::read(pid_r.as_raw_fd(), buf.as_mut_ptr().cast(), 4) };
                if n == 4 {
                    pid = Some(i32::from_ne_bytes(buf));
                } else {
                    break;
                }
            }
        }
        let attached = pid.map(attach);
        let go = [u8::from(attached.is_some())];
        // SAFETY: one byte to our pipe; a child that is gone is not an error here.
        unsafe { libc::write(go_w.as_raw_fd(), go.as_ptr().cast(), 1) };
        drop(go_w);
        let child = spawner
            .join()
            .map_err(|_| io::Error::other("the spawning thread panicked"))??;
        match attached {
            Some(r) => Ok((child, r)),
            None => Err(io::Error::other(
                "the command did not report its pid before exec",
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_sees_the_childs_pid_before_it_runs() {
        let mut cmd = Command::new("true");
        let (mut child, seen) = launch(&mut cmd, |pid| pid).unwrap();
        assert_eq!(seen as u32, child.id());
        assert!(child.wait().unwrap().success());
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_hang() {
        let mut cmd = Command::new("/nonexistent/definitely-not-here");
        let err = launch(&mut cmd, |pid| pid).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
    }
}
