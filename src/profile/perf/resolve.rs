//! Replaying the records in time order: each process's executable mappings (copied on
//! `fork`, cleared on `exec`), thread names, and every sample's frames resolved to
//! `(file, file offset)` while the mapping that held them was current, so processes that
//! exited long before the end are still symbolized.

use std::collections::HashMap;
use std::sync::Arc;

use perf_event_open_sys::bindings as b;

use super::records::Record;

/// Where one frame's address points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FrameKey {
    /// Inside a mapped file, at this file offset.
    File {
        /// The file.
        path: Arc<str>,
        /// Offset in the file.
        offset: u64,
    },
    /// A special or anonymous mapping (`[vdso]`, `//anon`, JIT code).
    Special(Arc<str>),
    /// Kernel code (collapsed into one frame).
    Kernel,
    /// No mapping holds the address.
    Unknown,
}

/// One sample with its frames, root first.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSample {
    /// Process id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// CPU time it stands for, ns.
    pub period_ns: u64,
    /// Indices into [`Resolved::frames`], root first.
    pub stack: Vec<u32>,
}

/// A thread seen during the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Process id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Its last name (`comm`).
    pub name: String,
}

/// Everything the records say, resolved.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The distinct frames.
    pub frames: Vec<FrameKey>,
    /// The samples.
    pub samples: Vec<ResolvedSample>,
    /// Threads by tid.
    pub threads: HashMap<u32, ThreadInfo>,
    /// Processes created (forks that were not threads).
    pub processes: u64,
    /// Records the kernel lost (full ring).
    pub lost: u64,
    /// Times the kernel throttled sampling.
    pub throttled: u64,
}

#[derive(Debug, Clone)]
struct Mapping {
    start: u64,
    end: u64,
    pgoff: u64,
    path: Arc<str>,
}

#[derive(Default)]
struct Replay {
    maps: HashMap<u32, Vec<Mapping>>,
    frame_ids: HashMap<FrameKey, u32>,
    out: Resolved,
    paths: HashMap<String, Arc<str>>,
}

const KERNEL_START: u64 = 0xffff_8000_0000_0000;

impl Replay {
    fn intern(&mut self, key: FrameKey) -> u32 {
        if let Some(&id) = self.frame_ids.get(&key) {
            return id;
        }
        let id = self.out.frames.len() as u32;
        self.out.frames.push(key.clone());
        self.frame_ids.insert(key, id);
        id
    }

    fn path(&mut self, p: String) -> Arc<str> {
        self.paths
            .entry(p)
            .or_insert_with_key(|k| Arc::from(k.as_str()))
            .clone()
    }

    fn locate(&self, pid: u32, addr: u64) -> FrameKey {
        if addr >= KERNEL_START {
            return FrameKey::Kernel;
        }
        let Some(maps) = self.maps.get(&pid) else {
            return FrameKey::Unknown;
        };
        // Latest mapping first: a later mmap over the same range wins.
        match maps.iter().rev().find(|m| m.start <= addr && addr < m.end) {
            Some(m) if m.path.starts_with('/') => FrameKey::File {
                path: m.path.clone(),
                offset: addr - m.start + m.pgoff,
            },
            Some(m) => FrameKey::Special(m.path.clone()),
            None => FrameKey::Unknown,
        }
    }

    /// The caller of a frameless leaf: the word on top of the stack when it is a code address
    /// in a mapped file that the frame-pointer chain skipped. A leaf built without a frame
    /// (GCC's default `-momit-leaf-frame-pointer`) leaves the frame pointer at its caller's
    /// frame, so the chain goes straight to the caller's caller.
    fn leaf_caller(&self, pid: u32, user: &[u64], stack_top: Option<u64>) -> Option<FrameKey> {
        let ra = stack_top?;
        if user.is_empty() || user.get(1) == Some(&ra) || ra >= KERNEL_START {
            return None;
        }
        match self.locate(pid, ra.saturating_sub(1)) {
            k @ FrameKey::File { .. } => Some(k),
            _ => None,
        }
    }

    fn sample(&mut self, pid: u32, tid: u32, period: u64, ips: &[u64], stack_top: Option<u64>) {
        let mut keys = Vec::with_capacity(ips.len() + 1);
        let mut in_kernel = false;
        let mut user = Vec::with_capacity(ips.len());
        for &ip in ips {
            if ip >= b::PERF_CONTEXT_MAX {
                in_kernel = ip == b::PERF_CONTEXT_KERNEL;
                continue;
            }
            if in_kernel || ip >= KERNEL_START {
                if keys.last() != Some(&FrameKey::Kernel) {
                    keys.push(FrameKey::Kernel);
                }
                continue;
            }
            user.push(ip);
        }
        let leaf_caller = self.leaf_caller(pid, &user, stack_top);
        for (i, &ip) in user.iter().enumerate() {
            // Return addresses point after the call: look up the call instruction itself.
            let addr = if i == 0 { ip } else { ip.saturating_sub(1) };
            keys.push(self.locate(pid, addr));
            if i == 0 {
                keys.extend(leaf_caller.clone());
            }
        }
        let stack: Vec<u32> = keys.into_iter().rev().map(|k| self.intern(k)).collect();
        self.out.samples.push(ResolvedSample {
            pid,
            tid,
            period_ns: period,
            stack,
        });
    }

    fn apply(&mut self, r: Record) {
        match r {
            Record::Sample {
                pid,
                tid,
                period,
                ips,
                stack_top,
                ..
            } => self.sample(pid, tid, period, &ips, stack_top),
            Record::Mmap {
                pid,
                addr,
                len,
                pgoff,
                path,
                ..
            } => {
                let path = self.path(path);
                self.maps.entry(pid).or_default().push(Mapping {
                    start: addr,
                    end: addr.saturating_add(len),
                    pgoff,
                    path,
                });
            }
            Record::Comm {
                pid,
                tid,
                name,
                exec,
                ..
            } => {
                if exec {
                    self.maps.remove(&pid);
                }
                self.out.threads.insert(tid, ThreadInfo { pid, tid, name });
            }
            Record::Fork { pid, ppid, tid, .. } => {
                let parent_name = self
                    .out
                    .threads
                    .values()
                    .find(|t| t.pid == ppid)
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                if pid != ppid {
                    self.out.processes += 1;
                    if let Some(m) = self.maps.get(&ppid).cloned() {
                        self.maps.insert(pid, m);
                    }
                }
                self.out.threads.entry(tid).or_insert(ThreadInfo {
                    pid,
                    tid,
                    name: parent_name,
                });
            }
            Record::Exit { .. } => {}
            Record::Lost { count, .. } => self.out.lost += count,
            Record::Throttle { .. } => self.out.throttled += 1,
        }
    }
}

/// Replays `records` (from all rings, any order) in time order. `initial` names the
/// launched process (pid, name) before its first `comm` record.
pub fn resolve(mut records: Vec<Record>, initial: (u32, &str)) -> Resolved {
    records.sort_by_key(Record::time);
    let mut r = Replay::default();
    r.out.threads.insert(
        initial.0,
        ThreadInfo {
            pid: initial.0,
            tid: initial.0,
            name: initial.1.to_owned(),
        },
    );
    for rec in records {
        r.apply(rec);
    }
    r.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mmap(pid: u32, addr: u64, path: &str, time: u64) -> Record {
        Record::Mmap {
            pid,
            addr,
            len: 0x1000,
            pgoff: 0x2000,
            path: path.into(),
            time,
        }
    }

    fn sample(pid: u32, time: u64, ips: Vec<u64>) -> Record {
        Record::Sample {
            pid,
            tid: pid,
            time,
            period: 10,
            ips,
            stack_top: None,
        }
    }

    #[test]
    fn frames_resolve_against_the_mapping_current_at_sample_time() {
        let recs = vec![
            sample(1, 5, vec![b::PERF_CONTEXT_USER, 0x1010, 0x1021]),
            mmap(1, 0x1000, "/bin/old", 1),
            Record::Comm {
                pid: 1,
                tid: 1,
                name: "new".into(),
                exec: true,
                time: 6,
            },
            mmap(1, 0x1000, "/bin/new", 7),
            sample(
                1,
                8,
                vec![
                    b::PERF_CONTEXT_KERNEL,
                    0xffff_ffff_8100_0000,
                    b::PERF_CONTEXT_USER,
                    0x1010,
                ],
            ),
        ];
        let r = resolve(recs, (1, "old"));
        let names: Vec<Vec<FrameKey>> = r
            .samples
            .iter()
            .map(|s| {
                s.stack
                    .iter()
                    .map(|&i| r.frames[i as usize].clone())
                    .collect()
            })
            .collect();
        let file = |p: &str, o: u64| FrameKey::File {
            path: p.into(),
            offset: o,
        };
        // Root first; the caller's return address is looked up one byte back.
        assert_eq!(
            names[0],
            vec![file("/bin/old", 0x2020), file("/bin/old", 0x2010)]
        );
        assert_eq!(names[1], vec![file("/bin/new", 0x2010), FrameKey::Kernel]);
        assert_eq!(r.threads[&1].name, "new");
    }

    #[test]
    fn a_frameless_leafs_caller_comes_from_the_top_of_the_stack() {
        let with_top = |ips: Vec<u64>, top: u64| Record::Sample {
            pid: 1,
            tid: 1,
            time: 5,
            period: 10,
            ips,
            stack_top: Some(top),
        };
        let recs = vec![
            mmap(1, 0x1000, "/bin/p", 1),
            // leaf at 0x1010, chain skips to 0x1800; the stack top 0x1400 is the caller.
            with_top(vec![b::PERF_CONTEXT_USER, 0x1010, 0x1800], 0x1400),
            // the stack top equals the chain's caller: nothing added.
            with_top(vec![b::PERF_CONTEXT_USER, 0x1010, 0x1800], 0x1800),
            // not a code address: nothing added.
            with_top(vec![b::PERF_CONTEXT_USER, 0x1010, 0x1800], 0x7fff_0000),
        ];
        let r = resolve(recs, (1, "p"));
        let offsets = |i: usize| -> Vec<u64> {
            r.samples[i]
                .stack
                .iter()
                .map(|&f| match &r.frames[f as usize] {
                    FrameKey::File { offset, .. } => *offset,
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(offsets(0), vec![0x27ff, 0x23ff, 0x2010]);
        assert_eq!(offsets(1), vec![0x27ff, 0x2010]);
        assert_eq!(offsets(2), vec![0x27ff, 0x2010]);
    }

    #[test]
    fn a_forked_child_inherits_its_parents_mappings() {
        let recs = vec![
            mmap(1, 0x1000, "/bin/sh", 1),
            Record::Fork {
                pid: 2,
                ppid: 1,
                tid: 2,
                time: 2,
            },
            sample(2, 3, vec![0x1004]),
            sample(3, 4, vec![0x1004]),
        ];
        let r = resolve(recs, (1, "sh"));
        assert_eq!(r.processes, 1);
        assert_eq!(
            r.frames[r.samples[0].stack[0] as usize],
            FrameKey::File {
                path: "/bin/sh".into(),
                offset: 0x2004
            }
        );
        assert_eq!(r.frames[r.samples[1].stack[0] as usize], FrameKey::Unknown);
        assert_eq!(r.threads[&2].name, "sh");
    }
}
