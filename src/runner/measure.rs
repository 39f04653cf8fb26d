//! Resource measurement of one step: wall time, CPU time (user + sys), peak RSS and RSS
//! delta, bytes read and written, read from the OS on Linux.
//!
//! **Whose figures.** Steps run in this process, so CPU time, peak RSS and the RSS delta are
//! process-wide deltas; a step that works through another process (a Python step's worker)
//! reports that process's deltas through its `StepEnv`, and they are added
//! ([`StepUsage::add_child`]).
//!
//! **Bytes read and written** are those of the thread each attempt runs on
//! (`/proc/thread-self/io`, [`StepBytes`]), the runner's own for an inline step or the step
//! thread: while a step runs, the run's finished work is committed to the store on another
//! thread (the watchdog, `runner/watch.rs`, or the runner's wait loop), and those WAL writes
//! are not the step's. I/O of threads the step starts itself is not counted (that of a worker
//! process is, above). An attempt the runner gives up (timeout, Ctrl-C) counts what its
//! thread did until then ([`AttemptBytes::give_up`]). The measurement's own reads of `/proc`
//! are left out ([`io_of`](crate::util::self_probe::io_of)): a step that reads and writes nothing reports 0 and 0.
//!
//! **CPU time** is process-wide (a step's own worker threads count), less the CPU time the
//! threads that commit for the run spent in the same span ([`StepUsage::exclude_cpu`], read
//! from their clocks: `util::cpu_clock`): the run's watchdog, and the runner's wait loop
//! beside a step on the step thread. Two `clock_gettime` calls per committing thread.
//!
//! **Peak RSS is per step.** Before the step the kernel's high-water mark must stand at the
//! resident set, so that after it `getrusage`'s `ru_maxrss` is the step's peak. When it
//! already does (`ru_maxrss`, read after the resident set, is not above it: no peak since the
//! mark was last reset, the common case between small steps) nothing is written; otherwise it
//! is reset (`/proc/self/clear_refs`, value 5). That is exact whenever the mark reset to the
//! resident set: `ru_maxrss` also keeps the marks of threads that exited earlier and, as
//! Linux carries it across `exec`, the peak of the process that started `f0` when that
//! exec'd it without a fork of its own (a big test harness, say), which no reset lowers. A
//! snapshot whose `ru_maxrss` after the reset still exceeds the resident set reads the step's
//! peak from `VmHWM` (`/proc/self/status`) instead, and such a process resets the mark before
//! every step (it cannot see from `ru_maxrss` that the mark is in place).
//!
//! **Cheap.** The `/proc` files stay open ([`SelfProbe`], one per thread for
//! `/proc/thread-self`), so a step opens nothing and costs six system calls (eight with the
//! committer's clock, above): before it a
//! `pread` of `statm` and `getrusage`, around each attempt two `pread`s of the thread's `io`,
//! after it `getrusage` (CPU and peak) and a `pread` of `statm`. A reset adds three (`pwrite`
//! of `clear_refs`, then `statm` and `getrusage` again); `status`, read only on the fallback,
//! alone costs about 3 µs.

mod bytes;

use std::collections::BTreeMap;
use std::time::Instant;

use crate::scriptlet::ChildUsage;
use crate::store::{SampleGroup, SeriesShape};
use crate::util::procfs::process_usage;
use crate::util::self_probe::SelfProbe;

pub use bytes::{AttemptBytes, StepBytes};

/// The series each step writes (name, type, unit), tagged with its recipe and step, in the
/// order [`StepUsage::samples`] returns them.
pub const STEP_SERIES: [SeriesShape<'static>; 6] = [
    ("step_wall_time", "timing", "ns"),
    ("step_cpu_time", "timing", "ns"),
    ("step_peak_rss", "resource", "bytes"),
    ("step_rss_delta", "resource", "bytes"),
    ("step_read_bytes", "resource", "bytes"),
    ("step_write_bytes", "resource", "bytes"),
];

/// The source of the step series.
pub const STEP_SOURCE: &str = "runner";

/// A point-in-time reading of this process's resources.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    at: Instant,
    cpu_ns: u64,
    rss_bytes: u64,
    /// `getrusage`'s peak will be this step's own (see the module header).
    maxrss_is_peak: bool,
    /// The peak mark was reset (it stood above the resident set).
    reset: bool,
}

/// What one step cost.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StepUsage {
    /// Wall time, ns.
    pub wall_ns: u64,
    /// User + system CPU time, ns.
    pub cpu_ns: u64,
    /// Peak resident set during the step, bytes (0 where the OS does not say).
    pub peak_rss_bytes: u64,
    /// Resident set after minus before, bytes.
    pub rss_delta_bytes: i64,
    /// Bytes read through read syscalls.
    pub read_bytes: u64,
    /// Bytes written through write syscalls.
    pub write_bytes: u64,
}

impl Snapshot {
    /// Brings the peak-RSS mark to the resident set (only when it stands above it) and reads
    /// the counters.
    pub fn start() -> Snapshot {
        let probe = SelfProbe::get();
        // The resident set first, then the mark: a mark not above that reading had no peak
        // between the two, so it stands at the resident set the step starts from.
        let mut rss_bytes = probe.rss_bytes();
        let mut usage = process_usage();
        let reset = usage.max_rss_kib.saturating_mul(1024) > rss_bytes;
        if reset {
            probe.reset_peak();
            rss_bytes = probe.rss_bytes();
            usage = process_usage();
        }
        Snapshot {
            at: Instant::now(),
            cpu_ns: usage.cpu_ns,
            rss_bytes,
            maxrss_is_peak: usage.max_rss_kib.saturating_mul(1024) <= rss_bytes,
            reset,
        }
    }

    /// Whether this snapshot reset the peak-RSS mark (it stood above the resident set).
    pub fn reset_peak(&self) -> bool {
        self.reset
    }

    /// The usage since `self`, with the bytes the step's attempts counted in `bytes`.
    pub fn finish(&self, bytes: &StepBytes) -> StepUsage {
        let probe = SelfProbe::get();
        let at = Instant::now();
        let usage = process_usage();
        let (read_bytes, write_bytes) = bytes.total();
        let rss_bytes = probe.rss_bytes();
        let peak_rss_bytes = if self.maxrss_is_peak {
            usage.max_rss_kib.saturating_mul(1024)
        } else {
            probe.memory().peak_kib.saturating_mul(1024)
        };
        StepUsage {
            wall_ns: u64::try_from(at.duration_since(self.at).as_nanos()).unwrap_or(u64::MAX),
            cpu_ns: usage.cpu_ns.saturating_sub(self.cpu_ns),
            peak_rss_bytes: peak_rss_bytes.max(rss_bytes),
            rss_delta_bytes: rss_bytes as i64 - self.rss_bytes as i64,
            read_bytes,
            write_bytes,
        }
    }
}

impl StepUsage {
    /// Adds what another process used for the step (the Python worker): CPU, I/O and RSS
    /// delta are summed; the peak is the sum of both processes' peaks (their joint resident
    /// set never exceeds it).
    pub fn add_child(&mut self, child: &ChildUsage) {
        self.cpu_ns = self.cpu_ns.saturating_add(child.cpu_ns);
        self.peak_rss_bytes = self.peak_rss_bytes.saturating_add(child.peak_rss_bytes);
        self.rss_delta_bytes = self.rss_delta_bytes.saturating_add(child.rss_delta_bytes);
        self.read_bytes = self.read_bytes.saturating_add(child.read_bytes);
        self.write_bytes = self.write_bytes.saturating_add(child.write_bytes);
    }

    /// Takes `ns` of CPU time out of the step's (another thread's work in the same span).
    pub fn exclude_cpu(&mut self, ns: u64) {
        self.cpu_ns = self.cpu_ns.saturating_sub(ns);
    }

    /// The usage as one group of samples of `STEP_SERIES`, tagged with recipe and step
    /// (source `runner`).
    pub fn samples(&self, recipe: &str, step: &str, ts_ns: i64) -> SampleGroup {
        let tags: BTreeMap<String, String> = [
            ("recipe".to_owned(), recipe.to_owned()),
            ("step".to_owned(), step.to_owned()),
        ]
        .into();
        SampleGroup {
            shapes: &STEP_SERIES,
            tags,
            source: Some(STEP_SOURCE),
            ts_ns,
            values: vec![
                self.wall_ns as f64,
                self.cpu_ns as f64,
                self.peak_rss_bytes as f64,
                self.rss_delta_bytes as f64,
                self.read_bytes as f64,
                self.write_bytes as f64,
            ],
        }
    }
}

/// Whether the calling test runs alone in a child process of the test binary: if not, runs
/// `test` (its full path) there and asserts it passed. The resident set and its peak mark are
/// the process's, so a test of per-step peaks must not share its process with other tests
/// (another test's step resetting the mark meanwhile would lower a peak). The child is
/// started by a forking `sh`: Linux carries `ru_maxrss` across `exec`, so a child exec'd
/// straight from this big test process would start with its peak mark.
#[cfg(test)]
pub(crate) fn alone_in_a_process(test: &str) -> bool {
    const CHILD: &str = "F0_TEST_ALONE";
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let out = std::process::Command::new("sh")
        .args(["-c", "\"$@\"; exit $?", "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads", "1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{test} in its own process: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_sees_cpu_work_and_allocation() {
        let s = Snapshot::start();
        let cpu0 = crate::util::procfs::process_cpu_ns();
        let mut v: Vec<u8> = Vec::new();
        let t = Instant::now();
        // Work until 30 ms of wall and 10 ms of CPU have passed (a loaded machine may give
        // this thread a small share of the clock).
        while t.elapsed().as_millis() < 30
            || crate::util::procfs::process_cpu_ns() < cpu0 + 10_000_000
        {
            v.extend(std::iter::repeat_n(1, 1000));
            v.truncate(1 << 20);
            assert!(t.elapsed().as_secs() < 60, "CPU time did not grow in 60 s");
        }
        let big = vec![1u8; 64 << 20];
        std::hint::black_box(&big);
        let u = s.finish(&StepBytes::default());
        assert!(u.wall_ns >= 30_000_000, "{u:?}");
        assert!(u.cpu_ns >= 10_000_000, "{u:?}");
        assert!(u.peak_rss_bytes >= 64 << 20, "{u:?}");
        assert_eq!(u.samples("r", "s", 1).len(), 6);
    }

    #[test]
    fn a_step_after_a_big_one_reports_its_own_peak_on_either_reading() {
        let big = vec![1u8; 96 << 20];
        std::hint::black_box(&big);
        let none = StepBytes::default();
        let high = Snapshot::start().finish(&none).peak_rss_bytes;
        assert!(high >= 96 << 20, "{high}");
        drop(big);
        let s = Snapshot::start();
        assert!(
            s.reset_peak(),
            "the mark stood 96 MiB above the resident set: it is reset"
        );
        // Both readings of the peak: getrusage's (exact when the mark reset to the resident
        // set) and VmHWM's (always exact).
        let fast = Snapshot {
            maxrss_is_peak: true,
            ..s
        }
        .finish(&none)
        .peak_rss_bytes;
        let slow = Snapshot {
            maxrss_is_peak: false,
            ..s
        }
        .finish(&none)
        .peak_rss_bytes;
        assert!(
            slow + (48 << 20) < high,
            "the reset lowered the peak: {slow} vs {high}"
        );
        if s.maxrss_is_peak {
            assert!(fast.abs_diff(slow) < 4 << 20, "{fast} vs {slow}");
        } else {
            // An exited thread's mark is above the resident set: getrusage would overstate.
            assert!(fast >= slow, "{fast} vs {slow}");
        }
    }

    #[test]
    fn a_quiet_step_after_a_quiet_one_leaves_the_mark_alone() {
        if !alone_in_a_process(
            "runner::measure::tests::a_quiet_step_after_a_quiet_one_leaves_the_mark_alone",
        ) {
            return;
        }
        let none = StepBytes::default();
        let big = vec![1u8; 64 << 20];
        std::hint::black_box(&big);
        drop(big);
        let after_big = Snapshot::start();
        assert!(
            after_big.reset_peak(),
            "the mark stood 64 MiB above the resident set"
        );
        after_big.finish(&none);
        let quiet = Snapshot::start();
        assert!(
            !quiet.reset_peak(),
            "a quiet step after a quiet one reset the mark"
        );
        assert!(quiet.maxrss_is_peak);
        let u = quiet.finish(&none);
        assert!(
            u.peak_rss_bytes < 32 << 20 || u.peak_rss_bytes >= quiet.rss_bytes,
            "{u:?}"
        );
    }

    #[test]
    fn a_threads_bytes_leave_out_what_another_thread_writes_and_the_measurement_itself() {
        let file = tempfile::tempfile().unwrap();
        let write = |n: usize| {
            use std::io::Write;
            (&file).write_all(&vec![7u8; n]).unwrap();
        };
        let bytes = StepBytes::default();
        bytes.count(|| {
            write(1000);
            std::thread::scope(|s| {
                s.spawn(|| write(1 << 20));
            });
        });
        assert_eq!(bytes.total(), (0, 1000));
        // Not even the two reads of /proc count.
        let quiet = StepBytes::default();
        quiet.count(|| ());
        assert_eq!(quiet.total(), (0, 0));
    }

    #[test]
    fn an_attempt_given_up_counts_what_its_thread_did_so_far_once() {
        let file = tempfile::tempfile().unwrap();
        let (bytes, attempt) = (StepBytes::default(), AttemptBytes::default());
        let (wrote, go_on) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                attempt.count(&bytes, || {
                    use std::io::Write;
                    (&file).write_all(&[1u8; 5000]).unwrap();
                    wrote.wait();
                    go_on.wait();
                    (&file).write_all(&[1u8; 7000]).unwrap();
                })
            });
            wrote.wait();
            attempt.give_up(&bytes);
            go_on.wait();
        });
        // Given up after the first write: the second is not the step's, nor counted twice.
        assert_eq!(bytes.total(), (0, 5000));
        // An attempt that never started adds nothing.
        AttemptBytes::default().give_up(&bytes);
        assert_eq!(bytes.total(), (0, 5000));
    }

    #[test]
    fn a_helper_process_usage_adds_to_the_step() {
        let mut u = StepUsage {
            wall_ns: 10,
            cpu_ns: 5,
            peak_rss_bytes: 100,
            rss_delta_bytes: -3,
            read_bytes: 1,
            write_bytes: 2,
        };
        let mut child = ChildUsage {
            cpu_ns: 7,
            peak_rss_bytes: 40,
            rss_delta_bytes: 8,
            read_bytes: 10,
            write_bytes: 20,
        };
        child.merge(&ChildUsage {
            cpu_ns: 1,
            peak_rss_bytes: 30,
            ..ChildUsage::default()
        });
        u.add_child(&child);
        assert_eq!(
            u,
            StepUsage {
                wall_ns: 10,
                cpu_ns: 13,
                peak_rss_bytes: 140,
                rss_delta_bytes: 5,
                read_bytes: 11,
                write_bytes: 22,
            }
        );
    }
}
