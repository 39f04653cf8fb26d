//! Reading and analysing at once: this thread reads the selected series one by one (the
//! store's SQLite connection stays on it) and hands each to worker threads, which judge and
//! analyse the series already read — so reading the samples hides behind the statistics
//! instead of preceding them. Series go out one at a time, so one long series does not hold
//! up a whole chunk; results come back in reading order.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::select::{Plan, SeriesData};
use super::verdict::judge;
use super::{bottleneck, context_band, series_report, ContextInputs, Settings};
use crate::report::error::ReportError;
use crate::report::model::{Bottlenecks, Headline, SeriesReport, Skipped};
use crate::store::{BaselineRecord, Store};

/// What every series' verdict and analysis read, shared by the workers.
pub struct Inputs<'a> {
    /// How series are analysed.
    pub settings: &'a Settings,
    /// Run id → its start, epoch ns.
    pub run_starts: &'a HashMap<i64, i64>,
    /// The context's inputs.
    pub context: &'a ContextInputs,
}

/// One analysed series.
pub struct Analysed {
    /// Its samples (the points to draw are picked once every series is known).
    pub data: SeriesData,
    /// Its verdict.
    pub headline: Headline,
    /// Its report, without points yet.
    pub report: SeriesReport,
    /// Sample indexes the drawing must keep (anomalies, change points).
    pub keep: Vec<usize>,
}

/// Every analysed series in reading order, and the series left out.
pub struct Outcome {
    /// Series with samples in the window.
    pub analysed: Vec<Analysed>,
    /// The plan's skipped selectors, then series without samples in the window.
    pub skipped: Vec<Skipped>,
}

type Job = (usize, SeriesData, Arc<Vec<BaselineRecord>>);

fn analyse(s: SeriesData, stored: &[BaselineRecord], inputs: &Inputs<'_>) -> Analysed {
    let mut j = judge(
        &s,
        stored,
        inputs.context.last_analysis.as_ref(),
        inputs.settings,
    );
    if j.band.is_none() {
        j.band = context_band(inputs.context.baselines.get(&s.key.name), &s.key.tags);
    }
    let (report, keep) = series_report(&s, j.band, inputs.settings, inputs.run_starts);
    Analysed {
        data: s,
        headline: j.headline,
        report,
        keep,
    }
}

type Panic = Box<dyn std::any::Any + Send>;

/// A worker: analyses jobs until the reader is done. After a panic it keeps taking jobs
/// (without analysing them) so that the reader never waits on a full queue, and returns it.
fn work(jobs: &Mutex<Receiver<Job>>, inputs: &Inputs<'_>) -> Result<Vec<(usize, Analysed)>, Panic> {
    let mut out = Vec::new();
    let mut panicked = None;
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok((i, s, stored)) = job else {
            return panicked.map_or(Ok(out), Err);
        };
        if panicked.is_some() {
            continue;
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| analyse(s, &stored, inputs))) {
            Ok(a) => out.push((i, a)),
            Err(p) => panicked = Some(p),
        }
    }
}

/// Reads (here) and analyses (on every available core) the series of `plan`; every series
/// with samples in the window also goes through Framework0's bottleneck rules.
pub fn run(
    store: &Store,
    plan: &Plan,
    inputs: &Inputs<'_>,
    bottlenecks: &mut Bottlenecks,
) -> Result<Outcome, ReportError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (tx, rx) = sync_channel::<Job>(2 * threads);
    let rx = Mutex::new(rx);
    let mut skipped = plan.skipped.clone();
    let mut baselines: HashMap<String, Arc<Vec<BaselineRecord>>> = HashMap::new();
    let (read, mut done) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| work(&rx, inputs)))
            .collect();
        let mut read = || -> Result<(), ReportError> {
            for (i, stored) in plan.stored.iter().enumerate() {
                let Some(s) = plan.read(store, stored)? else {
                    continue;
                };
                if s.window.is_empty() {
                    skipped.push(plan.left_out(&s));
                    continue;
                }
                let name = &s.key.name;
                if !baselines.contains_key(name) {
                    baselines.insert(name.clone(), Arc::new(store.baselines_of(name)?));
                }
                let values = &s.window.values;
                bottleneck::judge(
                    bottlenecks,
                    &s.label,
                    &s.key.metric_type,
                    &s.key.unit,
                    values,
                );
                let stored = Arc::clone(&baselines[name]);
                // The receiver lives until the scope ends and the workers never stop taking
                // jobs before the sender is dropped, so this cannot fail or block forever.
                tx.send((i, s, stored)).expect("the workers' queue is open");
            }
            Ok(())
        };
        let read = read();
        drop(tx);
        let mut done: Vec<(usize, Analysed)> = Vec::new();
        for w in workers {
            match w.join() {
                Ok(Ok(part)) => done.extend(part),
                Ok(Err(p)) | Err(p) => std::panic::resume_unwind(p),
            }
        }
        (read, done)
    });
    read?;
    done.sort_by_key(|(i, _)| *i);
    Ok(Outcome {
        analysed: done.into_iter().map(|(_, a)| a).collect(),
        skipped,
    })
}
