//! Timed calls: the runtime behind `#[performance_timer]` and the [`Timer`] handle.
//!
//! Entering a call checks the enabled flag, takes a span id from the thread, makes it the
//! current span (remembering the parent) and reads the clock. Leaving reads the clock again,
//! restores the parent, applies the series' filters, adds the duration to the thread's
//! aggregate of the series and (one call in the stride) pushes a 40-byte raw record into the
//! thread's ring: no lookup, lock or allocation. Entering and leaving are one out-of-line
//! call each, inside this crate, so the thread-local is reached directly and the caller's
//! code stays small; the guard hands its four words over in registers. A call that returns `Err` or panics is
//! recorded instead in the `<name>_error` series (tags plus `status: "error"`, context
//! `{error, error_type}`) through the slow path. Async functions are wrapped in
//! [`TimedFuture`], which makes its span current only while it is being polled, so parents
//! are right even when tasks interleave on a thread; a future dropped before completion
//! (cancelled) records nothing.

use std::collections::BTreeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

use serde_json::json;

use super::calltree::CallRecord;
use super::clock::{clock, direct_tsc, raw_now};
use super::direct::{push_direct, Direct};
use super::drain::{metric_for, span_context};
use super::handles::{admitted, tags_of};
use super::pipeline::ENABLED;
use super::registry::{register, Site};
use super::ring::{Event, Local, LOCAL};
use super::types::{MetricType, MetricUnit};

/// The success and failure series of one timer.
#[derive(Debug)]
pub struct TimerSeries {
    ok: &'static Site,
    err: &'static Site,
}

impl TimerSeries {
    /// Registers `name` (tags plus `function`) and `name_error` (plus `status: error`), once
    /// per distinct series: the pair lives for the rest of the process.
    fn register(name: &str, function: &str, tags: &[(&str, &str)]) -> &'static TimerSeries {
        static INTERNED: Mutex<BTreeMap<u32, &'static TimerSeries>> = Mutex::new(BTreeMap::new());
        let mut t = tags_of(tags);
        t.insert("function".into(), function.into());
        let ok = register(name, MetricType::Timing, MetricUnit::Nanoseconds, t.clone());
        let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
        interned.entry(ok.id).or_insert_with(|| {
            t.insert("status".into(), "error".into());
            let err = register(
                &format!("{name}_error"),
                MetricType::Timing,
                MetricUnit::Nanoseconds,
                t,
            );
            Box::leak(Box::new(TimerSeries { ok, err }))
        })
    }
}

/// A named timer handle.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    series: &'static TimerSeries,
}

/// The timer `name` with `tags`; its `function` tag is the name itself.
pub fn timer(name: &str, tags: &[(&str, &str)]) -> Timer {
    Timer {
        series: TimerSeries::register(name, name, tags),
    }
}

impl Timer {
    /// Starts a timed call; it is recorded when the guard drops (as a failure if unwinding).
    /// Drop the guard on the thread that started it: it restores that thread's current span.
    #[inline]
    pub fn start(&self) -> CallGuard {
        CallGuard::enter(self.series)
    }

    /// Times `f`.
    #[inline]
    pub fn time<R>(&self, f: impl FnOnce() -> R) -> R {
        let _g = self.start();
        f()
    }
}

/// A call site of `#[performance_timer]`: a `static` whose series are registered on first use.
#[derive(Debug)]
pub struct TimerSite {
    name: &'static str,
    function: &'static str,
    tags: &'static [(&'static str, &'static str)],
    series: OnceLock<&'static TimerSeries>,
}

impl TimerSite {
    /// A site for metric `name` timing `function`, with fixed `tags`.
    pub const fn new(
        name: &'static str,
        function: &'static str,
        tags: &'static [(&'static str, &'static str)],
    ) -> TimerSite {
        TimerSite {
            name,
            function,
            tags,
            series: OnceLock::new(),
        }
    }

    #[inline(always)]
    fn series(&self) -> &'static TimerSeries {
        match self.series.get() {
            Some(s) => s,
            None => self.register(),
        }
    }

    #[cold]
    #[inline(never)]
    fn register(&self) -> &'static TimerSeries {
        self.series
            .get_or_init(|| TimerSeries::register(self.name, self.function, self.tags))
    }

    /// Starts a timed call.
    #[inline(always)]
    pub fn enter(&'static self) -> CallGuard {
        if !ENABLED.load(Relaxed) {
            return CallGuard::INACTIVE;
        }
        open(self.series())
    }
}

/// An error's text and type, for the `_error` metric's context.
pub type Failure = (String, &'static str);

/// The state of a timed call between its start and its end (no thread affinity).
#[derive(Debug, Clone, Copy)]
struct OpenCall {
    series: &'static TimerSeries,
    parent: u64,
    span: u64,
    start: u64,
}

impl OpenCall {
    /// Starts a call on the thread owning `l`: a new span becomes current.
    #[inline(always)]
    fn start(series: &'static TimerSeries, l: &Local) -> OpenCall {
        let parent = l.current.get();
        let span = l.next_span();
        l.current.set(span);
        OpenCall {
            series,
            parent,
            span,
            start: raw_now(),
        }
    }

    /// Records the call, ended at raw time `end`, on the thread owning `l` and makes `restore`
    /// its current span: a success when `failure` is None, else an `_error` record.
    #[inline(always)]
    fn close(self, l: &Local, end: u64, failure: Option<Failure>, restore: u64) {
        l.current.set(restore);
        match failure {
            None => self.succeeded(l, end),
            Some(f) => record_failure(self, end, f),
        }
    }

    /// Records a successful call: the thread's aggregate and (one in the stride) a raw record.
    #[inline(always)]
    fn succeeded(self, l: &Local, end: u64) {
        let OpenCall {
            series,
            parent,
            span,
            start,
        } = self;
        let ok = series.ok;
        if !admitted(ok, || clock().delta_ns(start, end) as f64, || end) {
            return;
        }
        let event = || Event::call(ok.id, start, end, span, parent);
        if !l.record(ok.id, end.saturating_sub(start), end, event) {
            record_unaggregated(ok, start, end, span, parent);
        }
    }
}

/// Opens a call of `series` on this thread (the recorder is enabled). Out of line, so the
/// caller's code stays small and the thread-local is reached directly.
#[inline(never)]
fn open(series: &'static TimerSeries) -> CallGuard {
    LOCAL.with(|l| CallGuard {
        call: Some(OpenCall::start(series, l)),
        _not_send: PhantomData,
    })
}

/// Closes a successful call: at its guard's drop (`unwinding_fails`: a failure if the
/// thread is unwinding) or at `finish` (a normal return). The common case — a TSC clock, no unwinding, no
/// filter, the thread's aggregate ready, the raw record thinned — runs straight through;
/// everything else goes to [`close_general`] (which records a failure when unwinding) or
/// [`close_recorded_slow`].
#[inline(never)]
fn close_ok(
    series: &'static TimerSeries,
    parent: u64,
    span: u64,
    start: u64,
    unwinding_fails: bool,
) {
    let Some(end) = direct_tsc() else {
        return close_general(series, parent, span, start, unwinding_fails);
    };
    if unwinding_fails && std::thread::panicking() {
        return close_general(series, parent, span, start, true);
    }
    let ok = series.ok;
    if ok.has_filter() {
        return close_recorded_slow(series, parent, span, start, end);
    }
    let done = LOCAL.with(|l| {
        l.current.set(parent);
        l.record_common(ok.id, end.saturating_sub(start), end)
    });
    if !done {
        close_recorded_slow(series, parent, span, start, end);
    }
}

/// Closes a call on any clock: a failure when `unwinding_fails` and the thread is unwinding.
#[cold]
#[inline(never)]
fn close_general(
    series: &'static TimerSeries,
    parent: u64,
    span: u64,
    start: u64,
    unwinding_fails: bool,
) {
    let end = raw_now();
    if unwinding_fails && std::thread::panicking() {
        let call = OpenCall {
            series,
            parent,
            span,
            start,
        };
        return close_panicked(call, end);
    }
    close_recorded_slow(series, parent, span, start, end);
}

/// Records a successful call ended at `end` through the general path.
#[cold]
#[inline(never)]
fn close_recorded_slow(series: &'static TimerSeries, parent: u64, span: u64, start: u64, end: u64) {
    let call = OpenCall {
        series,
        parent,
        span,
        start,
    };
    LOCAL.with(|l| call.close(l, end, None, parent));
}

/// Closes `call` as failed by a panic.
#[cold]
#[inline(never)]
fn close_panicked(call: OpenCall, end: u64) {
    let failure = Some(("panicked".to_string(), "panic"));
    let _ = LOCAL.try_with(|l| call.close(l, end, failure, call.parent));
}

/// An open timed call; dropping it records the call. It belongs to the thread that started it
/// (it is `!Send`): it restores that thread's current span.
#[derive(Debug)]
#[must_use = "the call is timed until the guard drops"]
pub struct CallGuard {
    call: Option<OpenCall>,
    _not_send: PhantomData<*const ()>,
}

impl CallGuard {
    const INACTIVE: CallGuard = CallGuard {
        call: None,
        _not_send: PhantomData,
    };

    #[inline(always)]
    fn enter(series: &'static TimerSeries) -> CallGuard {
        if !ENABLED.load(Relaxed) {
            return CallGuard::INACTIVE;
        }
        open(series)
    }

    /// Ends the call: a success when `failure` is None, else an `_error` record.
    #[inline(always)]
    pub fn finish(mut self, failure: Option<Failure>) {
        if let Some(call) = self.call.take() {
            match failure {
                None => close_ok(call.series, call.parent, call.span, call.start, false),
                Some(f) => close_failed(call, f),
            }
        }
    }
}

/// Closes `call` as failed with `f` (a function that returned `Err`).
#[cold]
#[inline(never)]
fn close_failed(call: OpenCall, f: Failure) {
    let end = raw_now();
    LOCAL.with(|l| call.close(l, end, Some(f), call.parent));
}

impl Drop for CallGuard {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(c) = self.call {
            close_ok(c.series, c.parent, c.span, c.start, true);
        }
    }
}

/// A successful call of a series without a per-thread aggregate (id beyond
/// `MAX_LOCAL_SITES`): recorded through the slow path.
#[cold]
#[inline(never)]
fn record_unaggregated(site: &'static Site, start: u64, end: u64, span: u64, parent: u64) {
    let c = clock();
    let dur = c.delta_ns(start, end);
    let ts = c.epoch_ns(end);
    let mut metric = metric_for(site, dur as f64, ts);
    metric.context = span_context(span, parent);
    push_direct(Direct {
        site,
        metric,
        call: Some(CallRecord::ended(span, parent, &site.name, ts, dur)),
    });
}

#[cold]
#[inline(never)]
fn record_failure(call: OpenCall, end: u64, f: Failure) {
    let OpenCall {
        series,
        parent,
        span,
        start,
    } = call;
    let c = clock();
    let dur = c.delta_ns(start, end);
    if !admitted(series.err, || dur as f64, || end) {
        return;
    }
    let ts = c.epoch_ns(end);
    let mut metric = metric_for(series.err, dur as f64, ts);
    metric.context = span_context(span, parent);
    metric.context.insert("error".into(), json!(f.0));
    metric.context.insert("error_type".into(), json!(f.1));
    push_direct(Direct {
        site: series.err,
        metric,
        call: Some(CallRecord {
            failed: true,
            ..CallRecord::ended(span, parent, &series.ok.name, ts, dur)
        }),
    });
}

/// A future timed from its first poll to completion, its span current while it is polled.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TimedFuture<F: Future> {
    site: &'static TimerSite,
    classify: fn(&F::Output) -> Option<Failure>,
    started: bool,
    call: Option<OpenCall>,
    inner: F,
}

impl<F: Future> TimedFuture<F> {
    /// Wraps `inner`; `classify` tells failures (`Err`) from successes.
    pub fn new(
        site: &'static TimerSite,
        classify: fn(&F::Output) -> Option<Failure>,
        inner: F,
    ) -> Self {
        TimedFuture {
            site,
            classify,
            started: false,
            call: None,
            inner,
        }
    }
}

impl<F: Future> Future for TimedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned (never moved out); other fields are Unpin data.
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            this.started = true;
            if ENABLED.load(Relaxed) {
                let series = this.site.series();
                this.call = Some(LOCAL.with(|l| {
                    let call = OpenCall::start(series, l);
                    // Each poll below makes the span current explicitly.
                    l.current.set(call.parent);
                    call
                }));
            }
        }
        let outer = match &this.call {
            Some(c) => LOCAL.with(|l| l.current.replace(c.span)),
            None => 0,
        };
        // SAFETY: see above.
        let inner = unsafe { Pin::new_unchecked(&mut this.inner) };
        let out = inner.poll(cx);
        if let Some(call) = this.call {
            LOCAL.with(|l| l.current.set(outer));
            if let Poll::Ready(v) = &out {
                this.call = None;
                let failure = (this.classify)(v);
                let end = raw_now();
                LOCAL.with(|l| call.close(l, end, failure, outer));
            }
        }
        out
    }
}

impl<F: Future> Drop for TimedFuture<F> {
    fn drop(&mut self) {
        // Unwinding out of a poll records the failure; dropped unfinished otherwise
        // (cancelled): nothing is recorded.
        if let Some(call) = self.call.take() {
            if std::thread::panicking() {
                let failure = Some(("panicked".to_string(), "panic"));
                let end = raw_now();
                let _ = LOCAL.try_with(|l| call.close(l, end, failure, call.parent));
            }
        }
    }
}
