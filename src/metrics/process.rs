//! Process facts the metrics layer reports about itself.

/// Resident set size of this process in bytes (Linux `/proc/self/statm`), None elsewhere.
pub fn resident_set_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf with a valid name has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).ok().map(|p| pages * p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rss_is_reported_and_grows_with_touched_memory() {
        let before = super::resident_set_bytes().expect("linux /proc");
        let v = vec![1u8; 64 << 20];
        let after = super::resident_set_bytes().unwrap();
        assert!(after >= before + (48 << 20), "{before} -> {after}");
        drop(std::hint::black_box(v));
    }
}
