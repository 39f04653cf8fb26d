//! The serving process's own metrics, named as Prometheus's client libraries name them
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...): CPU time and
//! resident set through [`crate::util::procfs`] (the crate's one home of such readings),
//! threads, virtual size and start time from `/proc/self/stat`, descriptors from
//! `/proc/self/fd` and `getrlimit`. Off Linux the list is empty.

use super::model::{Family, Kind, Value};
use crate::util::procfs;

/// One reading of `/proc/self`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProcessStats {
    /// User + system CPU time, seconds.
    pub cpu_seconds: f64,
    /// Resident set size, bytes.
    pub resident_bytes: f64,
    /// Virtual memory size, bytes.
    pub virtual_bytes: f64,
    /// Start time, seconds since the Unix epoch.
    pub start_time_seconds: f64,
    /// Number of threads.
    pub threads: f64,
    /// Open file descriptors.
    pub open_fds: f64,
    /// The soft limit on open file descriptors.
    pub max_fds: f64,
}

/// Parses threads, start time and virtual size from the fields of `/proc/<pid>/stat` after
/// the command name (which may hold spaces and parentheses, so the split is at the last `)`).
/// `ticks` is `_SC_CLK_TCK` and `boot` the boot time (epoch seconds).
fn parse_stat(stat: &str, ticks: f64, boot: f64) -> Option<ProcessStats> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // Fields from 3 (state) on: num_threads is field 20, so index 17 here.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
    Some(ProcessStats {
        threads: num(17)?,
        start_time_seconds: boot + num(19)? / ticks,
        virtual_bytes: num(20)?,
        ..ProcessStats::default()
    })
}

/// Reads this process's statistics (None off Linux or when `/proc` is unreadable).
pub fn read() -> Option<ProcessStats> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let boot = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse::<f64>()
        .ok()?;
    // SAFETY: sysconf with a valid name has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let mut stats = parse_stat(&stat, ticks as f64, boot)?;
    stats.cpu_seconds = procfs::process_cpu_ns() as f64 / 1e9;
    stats.resident_bytes = procfs::resident_set_bytes()? as f64;
    stats.open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as f64;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
        stats.max_fds = lim.rlim_cur as f64;
    }
    Some(stats)
}

/// The process families of `stats`.
pub fn families_of(stats: &ProcessStats) -> Vec<Family> {
    let one = |name: &str, kind: Kind, help: &str, v: f64| {
        let mut f = Family::new(name, kind, help);
        let value = match kind {
            Kind::Counter => Value::Counter(v),
            _ => Value::Gauge(v),
        };
        f.push(std::iter::empty::<(&str, String)>(), value)
            .expect("value built for its kind");
        f
    };
    vec![
        one(
            "process_cpu_seconds_total",
            Kind::Counter,
            "Total user and system CPU time spent in seconds.",
            stats.cpu_seconds,
        ),
        one(
            "process_resident_memory_bytes",
            Kind::Gauge,
            "Resident memory size in bytes.",
            stats.resident_bytes,
        ),
        one(
            "process_virtual_memory_bytes",
            Kind::Gauge,
            "Virtual memory size in bytes.",
            stats.virtual_bytes,
        ),
        one(
            "process_start_time_seconds",
            Kind::Gauge,
            "Start time of the process since unix epoch in seconds.",
            stats.start_time_seconds,
        ),
        one(
            "process_threads",
            Kind::Gauge,
            "Number of OS threads in the process.",
            stats.threads,
        ),
        one(
            "process_open_fds",
            Kind::Gauge,
            "Number of open file descriptors.",
            stats.open_fds,
        ),
        one(
            "process_max_fds",
            Kind::Gauge,
            "Maximum number of open file descriptors.",
            stats.max_fds,
        ),
    ]
}

/// This process's families now (empty when `/proc` cannot be read).
pub fn families() -> Vec<Family> {
    read().map(|s| families_of(&s)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_read_after_the_last_parenthesis() {
        // A command name with a space and a ")" in it; 4 threads;
        // starttime 1000 ticks; vsize 8192.
        let stat = "42 (f0 (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 1000 8192 3 18446744073709551615";
        let s = parse_stat(stat, 100.0, 1_700_000_000.0).unwrap();
        assert_eq!(s.threads, 4.0);
        assert_eq!(s.start_time_seconds, 1_700_000_010.0);
        assert_eq!(s.virtual_bytes, 8192.0);
        assert!(parse_stat("garbage", 100.0, 0.0).is_none());
    }

    #[test]
    fn this_process_reports_itself() {
        let s = read().expect("linux /proc");
        assert!(s.resident_bytes > 0.0 && s.threads >= 1.0 && s.open_fds >= 1.0);
        assert!(s.max_fds >= s.open_fds);
        let names: Vec<_> = families_of(&s)
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        assert_eq!(names[0], "process_cpu_seconds");
        assert!(names.contains(&"process_resident_memory_bytes".to_owned()));
    }
}
