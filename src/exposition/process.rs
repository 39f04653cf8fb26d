//! The serving process's own metrics, named as Prometheus's client libraries name them
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...), read from Linux's
//! `/proc/self`. Elsewhere the list is empty.

use super::model::{Family, Kind, Value};

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

/// Parses the fields of `/proc/<pid>/stat` after the command name (which may hold spaces
/// and parentheses, so the split is at the last `)`). `ticks` is `_SC_CLK_TCK`, `page` the
/// page size and `boot` the boot time (epoch seconds).
fn parse_stat(stat: &str, ticks: f64, page: f64, boot: f64) -> Option<ProcessStats> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // Fields from 3 (state) on; utime is field 14, so index 11 here.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
    Some(ProcessStats {
        cpu_seconds: (num(11)? + num(12)?) / ticks,
        threads: num(17)?,
        start_time_seconds: boot + num(19)? / ticks,
        virtual_bytes: num(20)?,
        resident_bytes: num(21)? * page,
        open_fds: 0.0,
        max_fds: 0.0,
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
    // SAFETY: sysconf with valid names has no preconditions.
    let (ticks, page) = unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let mut stats = parse_stat(&stat, ticks as f64, page as f64, boot)?;
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
        // A command name with a space and a ')' in it; utime 250, stime 50 ticks; 4 threads;
        // starttime 1000 ticks; vsize 8192; rss 3 pages.
        let stat = "42 (f0 (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 1000 8192 3 18446744073709551615";
        let s = parse_stat(stat, 100.0, 4096.0, 1_700_000_000.0).unwrap();
        assert_eq!(s.cpu_seconds, 3.0);
        assert_eq!(s.threads, 4.0);
        assert_eq!(s.start_time_seconds, 1_700_000_010.0);
        assert_eq!(s.virtual_bytes, 8192.0);
        assert_eq!(s.resident_bytes, 12288.0);
        assert!(parse_stat("garbage", 100.0, 4096.0, 0.0).is_none());
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
