//! Opening the sampling events: one `cpu-clock` software event per online CPU, bound to the
//! launched command (`pid`), inherited by every thread and child it creates, enabled when
//! it calls `exec`, each with its own mmap ring buffer (the kernel refuses to mmap an
//! inherited per-task event that is not bound to a CPU).
//!
//! Unwinding is the kernel's: `PERF_SAMPLE_CALLCHAIN` walks the user stack's frame
//! pointers at sample time (and the kernel stack where kernel sampling is allowed). Only the
//! top 16 bytes of the user stack and its stack pointer are copied (x86-64: the return
//! address of a leaf function without a frame), so a sample costs the kernel about a
//! microsecond and a record of `8 × (11 + depth)` bytes; programs built without frame
//! pointers show shallow stacks.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use perf_event_open_sys as sys;
use sys::bindings as b;

use super::ring::Ring;

/// Data pages per ring buffer (a power of two): 512 KiB per CPU.
const RING_PAGES: usize = 128;

/// What the kernel sampled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventSetup {
    /// Requested samples per second per running thread.
    pub frequency_hz: u64,
    /// Whether kernel frames are sampled (false where `perf_event_paranoid` forbids it).
    pub kernel_frames: bool,
    /// CPUs with an event open.
    pub cpus: usize,
}

/// The open events of one profiled command.
pub struct PerfEvents {
    /// One ring per CPU.
    pub rings: Vec<Ring>,
    fds: Vec<OwnedFd>,
    /// How they were opened.
    pub setup: EventSetup,
}

/// Why sampling is not available.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    /// The OS error (`EACCES`, `EPERM`, `ENOSYS`, ...).
    pub error: String,
    /// `/proc/sys/kernel/perf_event_paranoid`, when readable.
    pub perf_event_paranoid: Option<i64>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "perf_event_open refused: {}", self.error)?;
        match self.perf_event_paranoid {
            Some(p) if p >= 3 => write!(
                f,
                " (kernel.perf_event_paranoid = {p} forbids unprivileged profiling; \
                 `sysctl kernel.perf_event_paranoid=2` allows user-space sampling)"
            ),
            Some(p) => write!(f, " (kernel.perf_event_paranoid = {p}; a seccomp filter or missing CAP_PERFMON may block the call)"),
            None => write!(f, " (no /proc/sys/kernel/perf_event_paranoid: the kernel may lack perf events)"),
        }
    }
}

/// The kernel's `perf_event_paranoid` setting.
pub fn paranoid_level() -> Option<i64> {
    std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Online CPU numbers from `/sys/devices/system/cpu/online` (`0-3,6`), or `0..nproc`.
pub fn online_cpus() -> Vec<i32> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    let parsed = parse_cpu_list(text.trim());
    if !parsed.is_empty() {
        return parsed;
    }
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    (0..n as i32).collect()
}

/// Parses a kernel CPU list (`0-3,6,8-9`); malformed parts are skipped.
pub fn parse_cpu_list(text: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.trim().parse::<i32>(), b.trim().parse::<i32>()) {
                    out.extend(a..=b);
                }
            }
            None => out.extend(part.trim().parse::<i32>().ok()),
        }
    }
    out
}

/// Bytes of the user stack copied per sample: the top word is the return address of a leaf
/// function that set up no frame (see [`super::resolve`]).
pub const STACK_TOP_BYTES: u32 = 16;

/// The user registers sampled: the stack pointer (x86-64 only).
#[cfg(target_arch = "x86_64")]
pub const REGS_USER_MASK: u64 = 1 << b::PERF_REG_X86_SP;
/// The user registers sampled (none off x86-64: no leaf fix-up there).
#[cfg(not(target_arch = "x86_64"))]
pub const REGS_USER_MASK: u64 = 0;

fn attr(frequency_hz: u64, kernel: bool) -> b::perf_event_attr {
    let mut sample_type = b::PERF_SAMPLE_IP
        | b::PERF_SAMPLE_TID
        | b::PERF_SAMPLE_TIME
        | b::PERF_SAMPLE_PERIOD
        | b::PERF_SAMPLE_CALLCHAIN;
    if REGS_USER_MASK != 0 {
        sample_type |= b::PERF_SAMPLE_REGS_USER | b::PERF_SAMPLE_STACK_USER;
    }
    let mut a = b::perf_event_attr {
        type_: b::PERF_TYPE_SOFTWARE,
        size: std::mem::size_of::<b::perf_event_attr>() as u32,
        config: b::PERF_COUNT_SW_CPU_CLOCK as u64,
        sample_type: sample_type as u64,
        sample_regs_user: REGS_USER_MASK,
        sample_stack_user: if REGS_USER_MASK != 0 {
            STACK_TOP_BYTES
        } else {
            0
        },
        ..Default::default()
    };
    a.__bindgen_anon_1.sample_freq = frequency_hz;
    a.set_freq(1);
    a.set_disabled(1);
    a.set_enable_on_exec(1);
    a.set_inherit(1);
    a.set_mmap(1);
    a.set_mmap2(1);
    a.set_comm(1);
    a.set_task(1);
    a.set_sample_id_all(1);
    a.set_exclude_hv(1);
    a.set_exclude_kernel(u64::from(!kernel));
    a.set_exclude_callchain_kernel(u64::from(!kernel));
    a.set_watermark(1);
    a.__bindgen_anon_2.wakeup_watermark = (RING_PAGES * page_size() / 4) as u32;
    a
}

/// The system page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p > 0).unwrap_or(4096)
}

fn open_one(pid: i32, cpu: i32, frequency_hz: u64, kernel: bool) -> io::Result<OwnedFd> {
    let mut a = attr(frequency_hz, kernel);
    // SAFETY: `a` is a fully initialised attr of the size it declares.
    let fd = unsafe {
        sys::perf_event_open(
            &mut a,
            pid,
            cpu,
            -1,
            b::PERF_FLAG_FD_CLOEXEC as libc::c_ulong,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

impl PerfEvents {
    /// Opens the events for `pid` (a process stopped before its `exec`). Kernel frames are
    /// tried first and dropped when refused.
    pub fn open(pid: i32, frequency_hz: u64) -> Result<PerfEvents, Refusal> {
        let cpus = online_cpus();
        let refusal = |e: io::Error| Refusal {
            error: e.to_string(),
            perf_event_paranoid: paranoid_level(),
        };
        let kernel = match open_one(pid, cpus[0], frequency_hz, true) {
            Ok(fd) => {
                drop(fd);
                true
            }
            Err(_) => false,
        };
        let mut fds = Vec::with_capacity(cpus.len());
        let mut rings = Vec::with_capacity(cpus.len());
        for &cpu in &cpus {
            let fd = open_one(pid, cpu, frequency_hz, kernel).map_err(refusal)?;
            rings.push(Ring::map(fd.as_raw_fd(), RING_PAGES, page_size()).map_err(refusal)?);
            fds.push(fd);
        }
        Ok(PerfEvents {
            rings,
            fds,
            setup: EventSetup {
                frequency_hz,
                kernel_frames: kernel,
                cpus: cpus.len(),
            },
        })
    }

    /// The event descriptors, for `poll`.
    pub fn raw_fds(&self) -> Vec<i32> {
        self.fds.iter().map(AsRawFd::as_raw_fd).collect()
    }

    /// Stops sampling (the rings keep what was written).
    pub fn disable(&self) {
        for fd in &self.fds {
            // SAFETY: an ioctl on a perf descriptor we own.
            unsafe { sys::ioctls::DISABLE(fd.as_raw_fd(), 0) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_parse_ranges_and_singles() {
        assert_eq!(parse_cpu_list("0-3,6,8-9"), vec![0, 1, 2, 3, 6, 8, 9]);
        assert_eq!(parse_cpu_list("0"), vec![0]);
        assert_eq!(parse_cpu_list("x,2"), vec![2]);
        assert!(parse_cpu_list("").is_empty());
    }

    #[test]
    fn refusal_names_the_paranoid_level_and_the_fix() {
        let r = Refusal {
            error: "Permission denied (os error 13)".into(),
            perf_event_paranoid: Some(3),
        };
        let text = r.to_string();
        assert!(text.contains("perf_event_paranoid = 3"), "{text}");
        assert!(
            text.contains("sysctl kernel.perf_event_paranoid=2"),
            "{text}"
        );
    }
}
