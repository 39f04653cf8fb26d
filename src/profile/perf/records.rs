//! Parsing the records the sampling events write (see perf_event_open(2), "MMAP layout").
//!
//! The events are opened with `sample_type = IP | TID | TIME | PERIOD | CALLCHAIN` and
//! `sample_id_all`, so every non-sample record ends with `{pid: u32, tid: u32, time: u64}`:
//! records from several CPU rings can be merged in time order.

use perf_event_open_sys::bindings as b;

/// One decoded record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A stack sample.
    Sample {
        /// Process id.
        pid: u32,
        /// Thread id.
        tid: u32,
        /// Kernel timestamp, ns.
        time: u64,
        /// CPU time this sample stands for, ns (cpu-clock counts nanoseconds).
        period: u64,
        /// The call chain, leaf first, with the kernel's context markers.
        ips: Vec<u64>,
        /// The word at the top of the user stack, when it was copied.
        stack_top: Option<u64>,
    },
    /// A file (or anonymous region) mapped executable.
    Mmap {
        /// Process id.
        pid: u32,
        /// Start address.
        addr: u64,
        /// Length, bytes.
        len: u64,
        /// File offset of `addr`.
        pgoff: u64,
        /// The file (or `[vdso]`, `//anon`, ...).
        path: String,
        /// Kernel timestamp, ns.
        time: u64,
    },
    /// A thread's name changed; `exec` when a process replaced its image.
    Comm {
        /// Process id.
        pid: u32,
        /// Thread id.
        tid: u32,
        /// The new name.
        name: String,
        /// Set by `exec`.
        exec: bool,
        /// Kernel timestamp, ns.
        time: u64,
    },
    /// A process or thread was created.
    Fork {
        /// New process id.
        pid: u32,
        /// Parent process id.
        ppid: u32,
        /// New thread id.
        tid: u32,
        /// Kernel timestamp, ns.
        time: u64,
    },
    /// A thread exited.
    Exit {
        /// Process id.
        pid: u32,
        /// Thread id.
        tid: u32,
        /// Kernel timestamp, ns.
        time: u64,
    },
    /// The ring was full: `count` records were lost.
    Lost {
        /// Lost records.
        count: u64,
        /// Kernel timestamp, ns.
        time: u64,
    },
    /// The kernel throttled sampling (too high a rate).
    Throttle {
        /// Kernel timestamp, ns.
        time: u64,
    },
}

impl Record {
    /// The record's timestamp.
    pub fn time(&self) -> u64 {
        match self {
            Record::Sample { time, .. }
            | Record::Mmap { time, .. }
            | Record::Comm { time, .. }
            | Record::Fork { time, .. }
            | Record::Exit { time, .. }
            | Record::Lost { time, .. }
            | Record::Throttle { time } => *time,
        }
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn u32(&mut self) -> Option<u32> {
        let v = self.buf.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_ne_bytes(v.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        let v = self.buf.get(self.at..self.at + 8)?;
        self.at += 8;
        Some(u64::from_ne_bytes(v.try_into().ok()?))
    }
    fn skip(&mut self, n: usize) {
        self.at += n;
    }
    /// A NUL-terminated string that ends before the 16-byte sample-id trailer.
    fn string(&mut self) -> String {
        let end = self.buf.len().saturating_sub(16).max(self.at);
        let raw = self.buf.get(self.at..end).unwrap_or_default();
        let text = raw.split(|&c| c == 0).next().unwrap_or_default();
        String::from_utf8_lossy(text).into_owned()
    }
}

/// The trailing sample-id time of a non-sample record.
fn trailer_time(rec: &[u8]) -> u64 {
    rec.len()
        .checked_sub(8)
        .and_then(|i| rec.get(i..))
        .and_then(|t| t.try_into().ok())
        .map_or(0, u64::from_ne_bytes)
}

/// Decodes the records in `buf` (as copied from a ring), appending them to `out`. Unknown
/// record types are skipped; a truncated tail is ignored.
pub fn parse(buf: &[u8], out: &mut Vec<Record>) {
    let mut at = 0;
    while at + 8 <= buf.len() {
        let kind = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap_or_default());
        let misc = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap_or_default());
        let size = u16::from_ne_bytes(buf[at + 6..at + 8].try_into().unwrap_or_default()) as usize;
        if size < 8 || at + size > buf.len() {
            break;
        }
        let rec = &buf[at..at + size];
        if let Some(r) = decode(kind, misc, rec) {
            out.push(r);
        }
        at += size;
    }
}

/// Reads `REGS_USER` (abi, then one word per sampled register) and `STACK_USER` (size, data,
/// dyn_size) after the call chain; the first stack word when the kernel copied one.
fn user_stack_top(c: &mut Cursor<'_>) -> Option<u64> {
    use super::events::REGS_USER_MASK;
    if REGS_USER_MASK == 0 {
        return None;
    }
    let abi = c.u64()?;
    if abi != 0 {
        c.skip(8 * REGS_USER_MASK.count_ones() as usize);
    }
    let size = c.u64()? as usize;
    let top = c
        .buf
        .get(c.at..c.at + 8)
        .and_then(|w| w.try_into().ok())
        .map(u64::from_ne_bytes);
    c.skip(size);
    let dyn_size = if size > 0 { c.u64()? } else { 0 };
    (abi != 0 && dyn_size >= 8).then_some(top).flatten()
}

fn decode(kind: u32, misc: u16, rec: &[u8]) -> Option<Record> {
    let mut c = Cursor { buf: rec, at: 8 };
    let time = trailer_time(rec);
    Some(match kind {
        b::PERF_RECORD_SAMPLE => {
            let ip = c.u64()?;
            let (pid, tid) = (c.u32()?, c.u32()?);
            let time = c.u64()?;
            let period = c.u64()?;
            let nr = c.u64()? as usize;
            let mut ips = Vec::with_capacity(nr.min(512));
            for _ in 0..nr {
                ips.push(c.u64()?);
            }
            if ips.is_empty() {
                ips.push(ip);
            }
            let stack_top = user_stack_top(&mut c);
            Record::Sample {
                pid,
                tid,
                time,
                period,
                ips,
                stack_top,
            }
        }
        b::PERF_RECORD_MMAP | b::PERF_RECORD_MMAP2 => {
            let pid = c.u32()?;
            c.skip(4);
            let (addr, len, pgoff) = (c.u64()?, c.u64()?, c.u64()?);
            if kind == b::PERF_RECORD_MMAP2 {
                c.skip(24 + 8); // maj/min/ino/ino_generation (or build id), prot, flags
            }
            Record::Mmap {
                pid,
                addr,
                len,
                pgoff,
                path: c.string(),
                time,
            }
        }
        b::PERF_RECORD_COMM => Record::Comm {
            pid: c.u32()?,
            tid: c.u32()?,
            name: c.string(),
            exec: u32::from(misc) & b::PERF_RECORD_MISC_COMM_EXEC != 0,
            time,
        },
        b::PERF_RECORD_FORK => {
            let (pid, ppid, tid) = (c.u32()?, c.u32()?, c.u32()?);
            Record::Fork {
                pid,
                ppid,
                tid,
                time,
            }
        }
        b::PERF_RECORD_EXIT => Record::Exit {
            pid: c.u32()?,
            tid: {
                c.skip(4);
                c.u32()?
            },
            time,
        },
        b::PERF_RECORD_LOST => {
            c.skip(8);
            Record::Lost {
                count: c.u64()?,
                time,
            }
        }
        b::PERF_RECORD_THROTTLE => Record::Throttle { time },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: u32, misc: u16, body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(kind.to_ne_bytes());
        v.extend(misc.to_ne_bytes());
        v.extend(((body.len() + 8) as u16).to_ne_bytes());
        v.extend(body);
        v
    }

    fn words(ws: &[u64]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    #[test]
    fn samples_and_comm_exec_round_trip() {
        let mut body = words(&[0x1000]);
        body.extend(7u32.to_ne_bytes());
        body.extend(8u32.to_ne_bytes());
        body.extend(words(&[
            99,
            1_000_000,
            3,
            b::PERF_CONTEXT_USER,
            0x1000,
            0x2000,
        ]));
        if super::super::events::REGS_USER_MASK != 0 {
            // abi 2 (64-bit), sp, size 16, 16 stack bytes, dyn_size 16.
            body.extend(words(&[2, 0x7ff0, 16, 0x1234, 0, 16]));
        }
        let mut buf = header(b::PERF_RECORD_SAMPLE, 0, &body);
        let mut comm = Vec::new();
        comm.extend(7u32.to_ne_bytes());
        comm.extend(7u32.to_ne_bytes());
        comm.extend(b"hot\0\0\0\0\0");
        comm.extend(7u32.to_ne_bytes());
        comm.extend(7u32.to_ne_bytes());
        comm.extend(123u64.to_ne_bytes());
        buf.extend(header(
            b::PERF_RECORD_COMM,
            b::PERF_RECORD_MISC_COMM_EXEC as u16,
            &comm,
        ));
        buf.extend([1, 2, 3]); // truncated tail
        let mut out = Vec::new();
        parse(&buf, &mut out);
        assert_eq!(
            out,
            vec![
                Record::Sample {
                    pid: 7,
                    tid: 8,
                    time: 99,
                    period: 1_000_000,
                    ips: vec![b::PERF_CONTEXT_USER, 0x1000, 0x2000],
                    stack_top: (super::super::events::REGS_USER_MASK != 0).then_some(0x1234),
                },
                Record::Comm {
                    pid: 7,
                    tid: 7,
                    name: "hot".into(),
                    exec: true,
                    time: 123
                }
            ]
        );
    }

    /// A record body followed by the sample-id trailer (pid, tid, time).
    fn with_trailer(mut body: Vec<u8>, time: u64) -> Vec<u8> {
        body.extend(1u32.to_ne_bytes());
        body.extend(1u32.to_ne_bytes());
        body.extend(time.to_ne_bytes());
        body
    }

    #[test]
    fn forks_losses_and_throttles_keep_their_counts_and_times_and_unknown_kinds_are_skipped() {
        let mut fork = Vec::new();
        for id in [10u32, 7, 11, 7] {
            fork.extend(id.to_ne_bytes()); // pid, ppid, tid, ptid
        }
        fork.extend(5u64.to_ne_bytes());
        let mut buf = header(b::PERF_RECORD_FORK, 0, &with_trailer(fork, 111));
        let lost = words(&[3, 42]); // id, lost
        buf.extend(header(b::PERF_RECORD_LOST, 0, &with_trailer(lost, 222)));
        buf.extend(header(99, 0, &with_trailer(words(&[0]), 1)));
        let throttle = words(&[7, 3, 3]); // time, id, stream id
        buf.extend(header(
            b::PERF_RECORD_THROTTLE,
            0,
            &with_trailer(throttle, 333),
        ));
        let mut out = Vec::new();
        parse(&buf, &mut out);
        assert_eq!(
            out,
            vec![
                Record::Fork {
                    pid: 10,
                    ppid: 7,
                    tid: 11,
                    time: 111
                },
                Record::Lost {
                    count: 42,
                    time: 222
                },
                Record::Throttle { time: 333 },
            ]
        );
        let times: Vec<u64> = out.iter().map(Record::time).collect();
        assert_eq!(times, [111, 222, 333]);
    }

    #[test]
    fn a_sample_without_a_callchain_is_its_instruction_pointer() {
        let mut body = words(&[0xabc]);
        body.extend(7u32.to_ne_bytes());
        body.extend(7u32.to_ne_bytes());
        body.extend(words(&[5, 1000, 0])); // time, period, nr = 0
        let mut out = Vec::new();
        parse(&header(b::PERF_RECORD_SAMPLE, 0, &body), &mut out);
        match &out[..] {
            [Record::Sample { ips, time, .. }] => {
                assert_eq!((ips.as_slice(), *time), (&[0xabc][..], 5))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_size_stops_parsing_without_panicking() {
        let mut out = Vec::new();
        parse(&[9, 0, 0, 0, 0, 0, 4, 0, 1, 2, 3, 4], &mut out);
        parse(&[9, 0, 0, 0, 0, 0, 200, 0], &mut out);
        assert!(out.is_empty());
    }
}
