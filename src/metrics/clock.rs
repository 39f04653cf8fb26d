//! The timing clock: nanosecond resolution from the cheapest correct monotonic source.
//!
//! Two candidates are measured at start-up: the CPU's invariant time-stamp counter through
//! [`quanta`] (one `rdtsc`, calibrated against the OS clock) and `std::time::Instant`
//! (`clock_gettime(CLOCK_MONOTONIC)`, a vDSO call on Linux). The TSC is used only when it is
//! *correct* — the kernel itself picked `tsc` as its clocksource (so it verified the counter is
//! invariant and synchronised across CPUs) — and *cheaper* by the measured read cost. Otherwise
//! `Instant` is used. A slow clock source (the kernel on `hpet`/`acpi_pm`, or a measured read
//! above [`SLOW_READ_NS`]) is flagged in [`ClockInfo::slow_clock_source`] so callers can warn.
//!
//! Raw readings are opaque `u64` ticks; [`Clock::delta_ns`] and [`Clock::epoch_ns`] convert them.
//! `benches/metrics_clock.rs` measures both sources on the machine at hand.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// A read cost above this many nanoseconds marks the clock source as slow.
pub const SLOW_READ_NS: f64 = 200.0;

/// Which source the clock reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSource {
    /// The invariant TSC through `quanta`.
    Tsc,
    /// `std::time::Instant` (`CLOCK_MONOTONIC`).
    Monotonic,
}

/// How the clock was chosen, with the numbers behind the choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockInfo {
    /// The source in use.
    pub source: ClockSource,
    /// The kernel's current clocksource, if readable.
    pub kernel_clocksource: Option<String>,
    /// Measured cost of one TSC read, nanoseconds (best of several batches).
    pub tsc_read_ns: f64,
    /// Measured cost of one `Instant::now()`, nanoseconds (best of several batches).
    pub instant_read_ns: f64,
    /// True when the kernel clocksource is a known slow one or the chosen read is slower than
    /// [`SLOW_READ_NS`].
    pub slow_clock_source: bool,
}

/// The process-wide timing clock.
#[derive(Debug)]
pub struct Clock {
    /// Read the TSC inline (quanta's own `raw()` is an out-of-line call from this crate).
    direct_rdtsc: bool,
    tsc: Option<quanta::Clock>,
    base: Instant,
    anchor_raw: u64,
    anchor_epoch_ns: i64,
    info: ClockInfo,
}

/// Kernel clocksources whose reads are known to be slow (a system call or port I/O).
const SLOW_KERNEL_SOURCES: [&str; 3] = ["hpet", "acpi_pm", "jiffies"];

impl Clock {
    /// Measures the candidates and builds a clock. `kernel_clocksource` is the content of
    /// `/sys/devices/system/clocksource/clocksource0/current_clocksource` (None if unreadable).
    pub fn calibrate(kernel_clocksource: Option<String>) -> Clock {
        let base = Instant::now();
        let tsc_clock = quanta::Clock::new();
        let tsc_read_ns = best_read_cost(|| tsc_clock.raw());
        let instant_read_ns = best_read_cost(|| base.elapsed().as_nanos() as u64);
        let kernel_tsc = kernel_clocksource.as_deref() == Some("tsc");
        let use_tsc = kernel_tsc && tsc_read_ns < instant_read_ns;
        let source = if use_tsc {
            ClockSource::Tsc
        } else {
            ClockSource::Monotonic
        };
        let chosen = if use_tsc {
            tsc_read_ns
        } else {
            instant_read_ns
        };
        let slow_kernel = kernel_clocksource
            .as_deref()
            .is_some_and(|k| SLOW_KERNEL_SOURCES.contains(&k));
        let info = ClockInfo {
            source,
            kernel_clocksource,
            tsc_read_ns,
            instant_read_ns,
            slow_clock_source: slow_kernel || chosen > SLOW_READ_NS,
        };
        let direct_rdtsc = use_tsc && quanta_counts_tsc(&tsc_clock);
        let mut clock = Clock {
            direct_rdtsc,
            tsc: use_tsc.then_some(tsc_clock),
            base,
            anchor_raw: 0,
            anchor_epoch_ns: 0,
            info,
        };
        clock.anchor_raw = clock.raw();
        clock.anchor_epoch_ns = system_epoch_ns();
        clock
    }

    /// One raw reading (opaque ticks). This is the hot-path call.
    #[inline(always)]
    pub fn raw(&self) -> u64 {
        if self.direct_rdtsc {
            return read_tsc();
        }
        match &self.tsc {
            Some(tsc) => tsc.raw(),
            None => self.base.elapsed().as_nanos() as u64,
        }
    }

    /// Nanoseconds between two raw readings (0 if `end` precedes `start`).
    #[inline]
    pub fn delta_ns(&self, start: u64, end: u64) -> u64 {
        if end <= start {
            return 0;
        }
        match &self.tsc {
            Some(tsc) => tsc.delta_as_nanos(start, end),
            None => end - start,
        }
    }

    /// Converts a raw reading to nanoseconds since the Unix epoch.
    pub fn epoch_ns(&self, raw: u64) -> i64 {
        if raw >= self.anchor_raw {
            self.anchor_epoch_ns
                .saturating_add(self.delta_ns(self.anchor_raw, raw) as i64)
        } else {
            self.anchor_epoch_ns
                .saturating_sub(self.delta_ns(raw, self.anchor_raw) as i64)
        }
    }

    /// Nanoseconds per raw tick (1 for the monotonic source).
    pub fn ns_per_tick(&self) -> f64 {
        match &self.tsc {
            Some(tsc) => {
                const SPAN: u64 = 1 << 40;
                tsc.delta_as_nanos(0, SPAN) as f64 / SPAN as f64
            }
            None => 1.0,
        }
    }

    /// Whole seconds between the clock's anchor and `raw` (for per-second windows).
    #[inline]
    pub fn secs(&self, raw: u64) -> u64 {
        self.delta_ns(self.anchor_raw, raw) / 1_000_000_000
    }

    /// How the clock was chosen.
    pub fn info(&self) -> &ClockInfo {
        &self.info
    }
}

/// One TSC read (`rdtsc`); 0 on other architectures (never called there).
#[inline(always)]
fn read_tsc() -> u64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `rdtsc` has no preconditions on x86_64.
    unsafe {
        core::arch::x86_64::_rdtsc()
    }
    #[cfg(not(target_arch = "x86_64"))]
    0
}

/// Whether quanta's raw readings are the TSC itself (so inline `rdtsc` values can be converted
/// by quanta): a quanta reading must fall between two direct reads.
fn quanta_counts_tsc(q: &quanta::Clock) -> bool {
    cfg!(target_arch = "x86_64")
        && (0..3).all(|_| {
            let a = read_tsc();
            let b = q.raw();
            let c = read_tsc();
            a <= b && b <= c
        })
}

/// Best per-read cost over several batches, in nanoseconds.
fn best_read_cost(mut read: impl FnMut() -> u64) -> f64 {
    const BATCH: u32 = 2_000;
    let mut best = f64::INFINITY;
    let mut sink = 0u64;
    for _ in 0..7 {
        let t0 = Instant::now();
        for _ in 0..BATCH {
            sink = sink.wrapping_add(std::hint::black_box(read()));
        }
        let per = t0.elapsed().as_nanos() as f64 / f64::from(BATCH);
        best = best.min(per);
    }
    std::hint::black_box(sink);
    best
}

/// Reads the kernel's current clocksource name.
pub fn kernel_clocksource() -> Option<String> {
    std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
        .ok()
        .map(|s| s.trim().to_string())
}

static CLOCK: OnceLock<Clock> = OnceLock::new();

/// Set once the process-wide clock exists and reads the TSC inline: [`raw_now`] then skips the
/// `OnceLock` and the source dispatch.
static DIRECT_TSC: AtomicBool = AtomicBool::new(false);

/// The process-wide clock, calibrated on first use.
#[inline]
pub fn clock() -> &'static Clock {
    match CLOCK.get() {
        Some(c) => c,
        None => init_clock(),
    }
}

#[cold]
#[inline(never)]
fn init_clock() -> &'static Clock {
    let c = CLOCK.get_or_init(|| Clock::calibrate(kernel_clocksource()));
    DIRECT_TSC.store(c.direct_rdtsc, Relaxed);
    c
}

/// A raw TSC reading when the process-wide clock reads the TSC directly, else None (the
/// caller then goes through [`raw_now`]).
#[inline(always)]
pub(crate) fn direct_tsc() -> Option<u64> {
    DIRECT_TSC.load(Relaxed).then(read_tsc)
}

/// One raw reading of the process-wide clock, as `clock().raw()`: a single `rdtsc` once the
/// clock is known to read the TSC directly (one relaxed load and a predicted branch).
#[inline(always)]
pub fn raw_now() -> u64 {
    if DIRECT_TSC.load(Relaxed) {
        return read_tsc();
    }
    clock().raw()
}

/// Wall-clock time now, nanoseconds since the Unix epoch.
pub fn epoch_now_ns() -> i64 {
    system_epoch_ns()
}

fn system_epoch_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// CPU time consumed by the calling thread, nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu_ns() -> u64 {
    crate::util::cpu_clock::clock_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_tsc_kernel_source_forces_monotonic() {
        let c = Clock::calibrate(Some("hpet".into()));
        assert_eq!(c.info().source, ClockSource::Monotonic);
        assert!(c.info().slow_clock_source);
        let c = Clock::calibrate(None);
        assert_eq!(c.info().source, ClockSource::Monotonic);
    }

    #[test]
    fn the_monotonic_fallback_counts_nanoseconds_on_both_sides_of_its_anchor() {
        // What a machine without a usable TSC (a VM on hpet) gets.
        let c = Clock::calibrate(Some("hpet".into()));
        assert_eq!(c.ns_per_tick(), 1.0);
        let a = c.raw();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let b = c.raw();
        assert!(b > a && c.delta_ns(a, b) == b - a, "{a} {b}");
        // A reading taken before the anchor maps to a time before it.
        let anchor = c.epoch_ns(c.anchor_raw);
        let before = c.anchor_raw / 2;
        assert!(
            before > 0,
            "the anchor is read after calibration, past zero"
        );
        assert_eq!(c.epoch_ns(before), anchor - (c.anchor_raw - before) as i64);
        assert_eq!(
            c.epoch_ns(c.anchor_raw + 2_000_000_000),
            anchor + 2_000_000_000
        );
        assert_eq!(c.secs(c.anchor_raw + 2_500_000_000), 2);
    }

    #[test]
    fn readings_are_monotonic_and_convert_to_nanoseconds() {
        let c = clock();
        let a = c.raw();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = c.raw();
        let ns = c.delta_ns(a, b);
        assert!((15_000_000..2_000_000_000).contains(&ns), "{ns}");
        assert_eq!(c.delta_ns(b, a), 0);
        let now = epoch_now_ns();
        let e = c.epoch_ns(c.raw());
        assert!((e - now).abs() < 50_000_000, "epoch drift {}", e - now);
    }

    #[test]
    fn thread_cpu_time_advances_with_work() {
        let a = thread_cpu_ns();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(thread_cpu_ns() > a);
    }
}
