//! Resource measurement of one step: wall time, CPU time (user + sys), peak RSS and RSS
//! delta, bytes read and written, read from the OS on Linux.
//!
//! Steps run in this process, so the figures are process-wide deltas taken while the
//! runner's own thread is idle; a step that works through another process (a Python step's
//! worker) reports that process's deltas through its `StepEnv`, and they are added
//! ([`StepUsage::add_child`]).
//!
//! **Peak RSS is per step.** Before the step the kernel's high-water mark is reset
//! (`/proc/self/clear_refs`, value 5); after it, `getrusage`'s `ru_maxrss` is the step's peak —
//! exactly, whenever the mark reset to the resident set: `ru_maxrss` also keeps the marks of
//! threads that exited earlier, which no reset lowers, so a snapshot whose `ru_maxrss` right
//! after the reset exceeds the resident set reads the step's peak from `VmHWM`
//! (`/proc/self/status`) instead.
//!
//! **Cheap.** The `/proc/self` files stay open ([`SelfProbe`]), so a step costs seven system
//! calls and opens nothing — before it one `pwrite` (reset), `pread`s of `statm` and `io`, and
//! `getrusage`; after it `getrusage` (CPU and peak) and `pread`s of `io` and `statm` (about
//! 2.5 µs in all; `status`, read only on the fallback, alone costs about 3 µs).

use std::collections::BTreeMap;
use std::time::Instant;

use crate::scriptlet::ChildUsage;
use crate::store::{SampleRow, SeriesKey, SeriesShape};
use crate::util::procfs::process_usage;
use crate::util::self_probe::SelfProbe;

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

/// A point-in-time reading of this process's resources.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    at: Instant,
    cpu_ns: u64,
    rss_bytes: u64,
    read_bytes: u64,
    write_bytes: u64,
    /// `getrusage`'s peak will be this step's own (see the module header).
    maxrss_is_peak: bool,
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
    /// Resets the peak-RSS mark and reads the counters.
    pub fn start() -> Snapshot {
        let probe = SelfProbe::get();
        probe.reset_peak();
        let rss_bytes = probe.rss_bytes();
        let usage = process_usage();
        let (read_bytes, write_bytes) = probe.io();
        Snapshot {
            at: Instant::now(),
            cpu_ns: usage.cpu_ns,
            rss_bytes,
            read_bytes,
            write_bytes,
            // The mark starts at the resident set: ru_maxrss will be the step's own peak.
            maxrss_is_peak: usage.max_rss_kib.saturating_mul(1024) <= rss_bytes,
        }
    }

    /// The usage since `self`.
    pub fn finish(&self) -> StepUsage {
        let probe = SelfProbe::get();
        let at = Instant::now();
        let usage = process_usage();
        let (read_bytes, write_bytes) = probe.io();
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
            read_bytes: read_bytes.saturating_sub(self.read_bytes),
            write_bytes: write_bytes.saturating_sub(self.write_bytes),
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

    /// The usage as metric samples tagged with recipe and step (source `runner`).
    pub fn samples(&self, recipe: &str, step: &str, ts_ns: i64) -> Vec<SampleRow> {
        let tags: BTreeMap<String, String> = [
            ("recipe".to_owned(), recipe.to_owned()),
            ("step".to_owned(), step.to_owned()),
        ]
        .into();
        let values = [
            self.wall_ns as f64,
            self.cpu_ns as f64,
            self.peak_rss_bytes as f64,
            self.rss_delta_bytes as f64,
            self.read_bytes as f64,
            self.write_bytes as f64,
        ];
        STEP_SERIES
            .iter()
            .zip(values)
            .map(|(&(name, metric_type, unit), value)| SampleRow {
                series: SeriesKey {
                    name: name.to_owned(),
                    metric_type: metric_type.to_owned(),
                    unit: unit.to_owned(),
                    tags: tags.clone(),
                    source: Some("runner".to_owned()),
                },
                ts_ns,
                value,
                context: None,
            })
            .collect()
    }
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
        let u = s.finish();
        assert!(u.wall_ns >= 30_000_000, "{u:?}");
        assert!(u.cpu_ns >= 10_000_000, "{u:?}");
        assert!(u.peak_rss_bytes >= 64 << 20, "{u:?}");
        assert_eq!(u.samples("r", "s", 1).len(), 6);
    }

    #[test]
    fn a_step_after_a_big_one_reports_its_own_peak_on_either_reading() {
        let big = vec![1u8; 96 << 20];
        std::hint::black_box(&big);
        let high = Snapshot::start().finish().peak_rss_bytes;
        assert!(high >= 96 << 20, "{high}");
        drop(big);
        let s = Snapshot::start();
        // Both readings of the peak: getrusage's (exact when the mark reset to the resident
        // set) and VmHWM's (always exact).
        let fast = Snapshot {
            maxrss_is_peak: true,
            ..s
        }
        .finish()
        .peak_rss_bytes;
        let slow = Snapshot {
            maxrss_is_peak: false,
            ..s
        }
        .finish()
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
