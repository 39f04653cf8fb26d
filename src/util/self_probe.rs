//! This process's own figures at the price of one system call each: `/proc/self/statm`,
//! `/proc/self/status`, `/proc/self/io` and `/proc/self/clear_refs` are opened once per
//! process and then read with `pread` at offset 0 into a stack buffer (the kernel regenerates
//! the text on every read from offset 0), so a step's measurement opens no file and
//! allocates nothing. Where a file is missing (off Linux) its figures read as 0.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::OnceLock;

use super::procfs::parse_io;

/// The process's `/proc/self` files, opened once.
pub struct SelfProbe {
    statm: Option<File>,
    status: Option<File>,
    io: Option<File>,
    clear_refs: Option<File>,
    page_size: u64,
}

/// What one read of `/proc/self/status` says about memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryMarks {
    /// `VmHWM`: the peak resident set since start or the last reset, KiB.
    pub peak_kib: u64,
    /// `VmRSS`: the resident set now, KiB.
    pub rss_kib: u64,
}

impl SelfProbe {
    /// The process-wide probe (opened on first use).
    pub fn get() -> &'static SelfProbe {
        static PROBE: OnceLock<SelfProbe> = OnceLock::new();
        PROBE.get_or_init(|| {
            let open = |p: &str| File::open(p).ok();
            // SAFETY: sysconf with a valid name has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            SelfProbe {
                statm: open("/proc/self/statm"),
                status: open("/proc/self/status"),
                io: open("/proc/self/io"),
                clear_refs: std::fs::OpenOptions::new()
                    .write(true)
                    .open("/proc/self/clear_refs")
                    .ok(),
                page_size: u64::try_from(page).unwrap_or(4096),
            }
        })
    }

    /// Resets the kernel's peak-resident-set mark (`clear_refs` value 5; best effort).
    pub fn reset_peak(&self) {
        if let Some(f) = &self.clear_refs {
            let _ = f.write_at(b"5", 0);
        }
    }

    /// Resident set in bytes (`statm`'s second field), 0 where unavailable.
    pub fn rss_bytes(&self) -> u64 {
        let mut buf = [0u8; 256];
        read(&self.statm, &mut buf)
            .and_then(|t| t.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |pages| pages.saturating_mul(self.page_size))
    }

    /// Peak and current resident set from one read of `status`.
    pub fn memory(&self) -> MemoryMarks {
        let mut buf = [0u8; 8192];
        read(&self.status, &mut buf).map_or(MemoryMarks::default(), |t| {
            // VmRSS follows VmHWM in every kernel's layout: search once from there.
            let at = t.find("VmHWM:").unwrap_or(0);
            let rest = &t[at..];
            MemoryMarks {
                peak_kib: kib_after(rest, "VmHWM:").unwrap_or(0),
                rss_kib: kib_after(rest, "VmRSS:")
                    .or_else(|| kib_after(t, "VmRSS:"))
                    .unwrap_or(0),
            }
        })
    }

    /// `rchar` and `wchar` of `io`: bytes read and written through system calls.
    pub fn io(&self) -> (u64, u64) {
        let mut buf = [0u8; 512];
        read(&self.io, &mut buf).map_or((0, 0), parse_io)
    }
}

/// A per-thread file of `/proc/thread-self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFile {
    /// `/proc/thread-self/io`.
    Io,
    /// `/proc/thread-self/schedstat`.
    Schedstat,
}

thread_local! {
    /// The calling thread's own files, opened on its first reading (`/proc/thread-self`
    /// resolves to the opening thread, so each thread keeps its own).
    static THREAD_FILES: [Option<File>; 2] = [
        File::open("/proc/thread-self/io").ok(),
        File::open("/proc/thread-self/schedstat").ok(),
    ];
}

/// `f` of the text of the calling thread's `which` file (one `pread`; None where absent).
pub fn with_thread_file<T>(which: ThreadFile, f: impl FnOnce(&str) -> T) -> Option<T> {
    THREAD_FILES.with(|files| {
        let mut buf = [0u8; 512];
        read(&files[which as usize], &mut buf).map(f)
    })
}

/// `(rchar, wchar)` of the text of an `io` file; with `counting_this_read`, `rchar` as it
/// stands once the read that returned `text` is done: the kernel writes the figures before it
/// counts that read's own bytes, so a reading taken before a measured span adds them to stay
/// out of the span's bytes.
pub fn io_of(text: &str, counting_this_read: bool) -> (u64, u64) {
    let (r, w) = parse_io(text);
    let own = if counting_this_read {
        text.len() as u64
    } else {
        0
    };
    (r.saturating_add(own), w)
}

/// The KiB figure after the first `field` in `text` (`VmHWM:   1234 kB`).
fn kib_after(text: &str, field: &str) -> Option<u64> {
    let at = text.find(field)? + field.len();
    text[at..].split_whitespace().next()?.parse().ok()
}

/// The text of `file` read from offset 0 into `buf` (None when absent or unreadable).
fn read<'b>(file: &Option<File>, buf: &'b mut [u8]) -> Option<&'b str> {
    let n = file.as_ref()?.read_at(buf, 0).ok()?;
    std::str::from_utf8(&buf[..n]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_agrees_with_a_fresh_read_of_each_file() {
        let p = SelfProbe::get();
        let rss = p.rss_bytes();
        let fresh = super::super::procfs::resident_set_bytes().unwrap();
        assert!(rss > 0 && rss.abs_diff(fresh) < 8 << 20, "{rss} vs {fresh}");
        let m = p.memory();
        assert!(m.peak_kib >= m.rss_kib && m.rss_kib > 0, "{m:?}");
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let hwm = super::super::procfs::parse_status_kib(&status, "VmHWM:").unwrap();
        assert!(m.peak_kib.abs_diff(hwm) < 8 << 10, "{m:?} vs VmHWM {hwm}");
        let (r0, _) = p.io();
        let _ = std::fs::read("/proc/self/maps").unwrap();
        let (r1, _) = p.io();
        assert!(r1 > r0, "rchar grows after a read: {r0} -> {r1}");
        let big = vec![1u8; 32 << 20];
        std::hint::black_box(&big);
        drop(big);
        let before = p.memory().peak_kib;
        p.reset_peak();
        assert!(p.memory().peak_kib < before, "reset lowers the peak");
    }

    #[test]
    fn thread_files_are_the_calling_threads_own() {
        let mine = with_thread_file(ThreadFile::Io, str::to_owned).unwrap();
        assert!(mine.starts_with("rchar:"), "{mine}");
        let (a, b) = std::thread::scope(|s| {
            let t = s.spawn(|| {
                let first = with_thread_file(ThreadFile::Io, |t| super::parse_io(t).0).unwrap();
                let _ = std::fs::read("/proc/self/maps").unwrap();
                let then = with_thread_file(ThreadFile::Io, |t| super::parse_io(t).0).unwrap();
                (first, then)
            });
            t.join().unwrap()
        });
        assert!(b > a, "the reading thread's rchar grew: {a} -> {b}");
        assert!(
            with_thread_file(ThreadFile::Schedstat, |t| t.split_whitespace().count()) == Some(3)
        );
    }
}
