//! Sampling a command's call stacks with `perf_event_open` (cpu-clock, all threads and
//! children, kernel frame-pointer call chains): [`events`] opens them, [`ring`] reads the
//! buffers, [`records`] decodes, [`resolve`] replays mappings in time order,
//! [`symbolize`] names the frames, [`launch`] starts the command held before `exec`.

pub mod events;
pub mod launch;
pub mod records;
pub mod resolve;
pub mod ring;
pub mod symbolize;

pub use events::{EventSetup, PerfEvents, Refusal};

use records::Record;
use resolve::Resolved;

/// Collects the records of open events while the command runs.
pub struct Sampler {
    events: PerfEvents,
    buf: Vec<u8>,
    records: Vec<Record>,
    /// Bytes read from the rings.
    pub bytes: u64,
}

impl Sampler {
    /// Starts collecting from `events`.
    pub fn new(events: PerfEvents) -> Sampler {
        Sampler {
            events,
            buf: Vec::with_capacity(1 << 16),
            records: Vec::new(),
            bytes: 0,
        }
    }

    /// The event descriptors, for `poll`.
    pub fn fds(&self) -> Vec<i32> {
        self.events.raw_fds()
    }

    /// Copies and decodes what the rings hold now.
    pub fn drain(&mut self) {
        for ring in &mut self.events.rings {
            self.buf.clear();
            self.bytes += ring.drain(&mut self.buf) as u64;
            records::parse(&self.buf, &mut self.records);
        }
    }

    /// Stops sampling, drains the rest and replays everything. `initial` names the launched
    /// process until its first `comm` record.
    pub fn finish(mut self, initial: (u32, &str)) -> (Resolved, EventSetup) {
        self.events.disable();
        self.drain();
        let setup = self.events.setup;
        (resolve::resolve(self.records, initial), setup)
    }
}
