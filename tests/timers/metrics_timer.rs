//! `#[performance_timer]` end to end: names, tags, Result errors, panics, methods, async,
//! and parent/child call records.

use crate::support;

use std::io;

use framework0::metrics::{self, CallTree};
use framework0::performance_timer;
use support::{one_series, sink, written};

#[performance_timer]
fn plain_add(a: u64, b: u64) -> u64 {
    a + b
}

#[performance_timer(metric_name = "db_query", tags(db = "main", kind = "read"))]
fn query(id: u32) -> u32 {
    id * 2
}

#[performance_timer(metric_name = "parse_number")]
fn parse_number(s: &str) -> Result<i64, std::num::ParseIntError> {
    let v: i64 = s.trim().parse()?;
    if v < 0 {
        return Ok(0);
    }
    Ok(v)
}

#[performance_timer(metric_name = "io_op")]
fn io_op(fail: bool) -> io::Result<()> {
    if fail {
        Err(io::Error::new(io::ErrorKind::NotFound, "no such thing"))
    } else {
        Ok(())
    }
}

#[performance_timer(metric_name = "panicky")]
fn panicky(n: u32) -> u32 {
    if n == 3 {
        panic!("boom at {n}");
    }
    n
}

#[test]
fn bare_timer_uses_module_path_and_function_tag() {
    sink();
    for i in 0..50 {
        assert_eq!(plain_add(i, 1), i + 1);
    }
    let s = one_series(concat!(module_path!(), "::plain_add"));
    assert_eq!(s.aggregation.count, 50);
    assert_eq!(
        s.tags.get("function").map(String::as_str),
        Some("plain_add")
    );
    assert_eq!(s.metric_type, metrics::MetricType::Timing);
    assert_eq!(s.unit, metrics::MetricUnit::Nanoseconds);
    assert!(s.aggregation.min_value <= s.aggregation.median);
    assert!(s.aggregation.median <= s.aggregation.max_value);
    let raw = written(concat!(module_path!(), "::plain_add"));
    assert_eq!(
        raw.len(),
        50,
        "every call is emitted below the overhead budget"
    );
    assert!(raw
        .iter()
        .all(|m| m.source.as_deref() == Some("application_collector")));
}

#[test]
fn named_timer_carries_its_tags() {
    sink();
    assert_eq!(query(21), 42);
    let s = one_series("db_query");
    assert_eq!(s.aggregation.count, 1);
    let tags: Vec<(&str, &str)> = s
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        tags,
        [("db", "main"), ("function", "query"), ("kind", "read")]
    );
}

#[test]
fn err_results_record_the_error_metric_with_context() {
    sink();
    assert_eq!(parse_number("12"), Ok(12));
    assert_eq!(
        parse_number("-4"),
        Ok(0),
        "early return still counts as success"
    );
    assert!(parse_number("x1").is_err());
    assert_eq!(one_series("parse_number").aggregation.count, 2);
    let err = one_series("parse_number_error");
    assert_eq!(err.aggregation.count, 1);
    assert_eq!(err.tags.get("status").map(String::as_str), Some("error"));
    let raw = written("parse_number_error");
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].context["error"], "invalid digit found in string");
    assert_eq!(
        raw[0].context["error_type"],
        "core::num::error::ParseIntError"
    );

    assert!(io_op(true).is_err());
    io_op(false).unwrap();
    let raw = written("io_op_error");
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].context["error"], "no such thing");
}

#[test]
fn a_panic_records_the_error_and_keeps_unwinding() {
    sink();
    assert_eq!(panicky(1), 1);
    let caught = std::panic::catch_unwind(|| panicky(3));
    let payload = caught.expect_err("the panic must propagate");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom at 3")
    );
    assert_eq!(one_series("panicky").aggregation.count, 1);
    assert_eq!(one_series("panicky_error").aggregation.count, 1);
    let raw = written("panicky_error");
    assert_eq!(raw[0].context["error_type"], "panic");
}

#[performance_timer(metric_name = "cleanup_step")]
fn cleanup_step(fail: bool) -> Result<u32, String> {
    if fail {
        Err("cleanup failed".into())
    } else {
        Ok(1)
    }
}

/// Runs `cleanup_step` from its destructor, i.e. while a panic unwinds past it.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        assert!(std::thread::panicking());
        assert_eq!(cleanup_step(false), Ok(1));
        assert!(cleanup_step(true).is_err());
    }
}

#[test]
fn a_result_function_run_while_unwinding_records_what_it_returned() {
    sink();
    let caught = std::panic::catch_unwind(|| {
        let _c = Cleanup;
        panic!("outer");
    });
    assert!(caught.is_err());
    assert_eq!(one_series("cleanup_step").aggregation.count, 1, "the Ok");
    let raw = written("cleanup_step_error");
    assert_eq!(raw.len(), 1, "only the Err is a failure");
    assert_eq!(raw[0].context["error"], "cleanup failed");
}

struct Repo {
    hits: u32,
}

impl Repo {
    #[performance_timer(metric_name = "repo_get")]
    fn get(&self, k: u32) -> u32 {
        self.hits + k
    }

    #[performance_timer(metric_name = "repo_put")]
    fn put(&mut self, k: u32) -> Result<u32, String> {
        self.hits += k;
        if k == 0 {
            return Err("zero".into());
        }
        Ok(self.hits)
    }

    #[performance_timer(metric_name = "repo_into")]
    fn into_hits(self) -> u32 {
        self.hits
    }

    #[performance_timer(metric_name = "repo_generic")]
    fn largest<T: PartialOrd + Copy>(&self, xs: &[T]) -> Option<T> {
        xs.iter().copied().fold(None, |m, x| match m {
            Some(y) if y >= x => Some(y),
            _ => Some(x),
        })
    }
}

#[test]
fn methods_of_every_receiver_kind_are_timed() {
    sink();
    let mut r = Repo { hits: 1 };
    assert_eq!(r.get(2), 3);
    assert_eq!(r.put(4), Ok(5));
    assert_eq!(r.put(0), Err("zero".to_string()));
    assert_eq!(r.largest(&[3, 9, 2]), Some(9));
    assert_eq!(r.into_hits(), 5);
    for (name, n) in [
        ("repo_get", 1),
        ("repo_put", 1),
        ("repo_put_error", 1),
        ("repo_into", 1),
        ("repo_generic", 1),
    ] {
        assert_eq!(one_series(name).aggregation.count, n, "{name}");
    }
    assert_eq!(written("repo_put_error")[0].context["error"], "zero");
}

#[performance_timer(metric_name = "outer_sync")]
fn outer_sync() -> u32 {
    inner_sync() + inner_sync()
}

#[performance_timer(metric_name = "inner_sync")]
fn inner_sync() -> u32 {
    7
}

#[test]
fn nested_timers_record_parent_and_child() {
    sink();
    assert_eq!(outer_sync(), 14);
    let recs: Vec<_> = metrics::call_records()
        .into_iter()
        .filter(|r| r.name == "outer_sync" || r.name == "inner_sync")
        .collect();
    let outer = recs.iter().find(|r| r.name == "outer_sync").unwrap();
    let inner: Vec<_> = recs.iter().filter(|r| r.name == "inner_sync").collect();
    assert_eq!(inner.len(), 2);
    assert!(inner.iter().all(|r| r.parent_id == Some(outer.span_id)));
    assert!(inner.iter().all(|r| r.duration_ns <= outer.duration_ns));
    let tree = CallTree::build(&recs);
    assert_eq!(tree.roots.len(), 1);
    assert_eq!(tree.roots[0].children[0].name, "inner_sync");
    assert_eq!(tree.roots[0].children[0].calls, 2);
}

#[performance_timer(metric_name = "async_outer")]
async fn async_outer(n: u32) -> Result<u32, String> {
    let a = async_inner(n).await?;
    Ok(a + 1)
}

#[performance_timer(metric_name = "async_inner")]
async fn async_inner(n: u32) -> Result<u32, String> {
    if n == 0 {
        return Err("n is zero".into());
    }
    Ok(n * 10)
}

#[test]
fn async_functions_are_timed_with_parents_and_errors() {
    sink();
    assert_eq!(pollster::block_on(async_outer(2)), Ok(21));
    assert_eq!(pollster::block_on(async_outer(0)), Err("n is zero".into()));
    assert_eq!(one_series("async_outer").aggregation.count, 1);
    assert_eq!(one_series("async_outer_error").aggregation.count, 1);
    assert_eq!(one_series("async_inner").aggregation.count, 1);
    assert_eq!(one_series("async_inner_error").aggregation.count, 1);
    let recs = metrics::call_records();
    let outers: Vec<_> = recs.iter().filter(|r| r.name == "async_outer").collect();
    let inners: Vec<_> = recs.iter().filter(|r| r.name == "async_inner").collect();
    assert_eq!((outers.len(), inners.len()), (2, 2));
    for i in &inners {
        let p = i.parent_id.expect("inner has a parent");
        let o = outers
            .iter()
            .find(|o| o.span_id == p)
            .expect("parent is an outer call");
        assert_eq!(
            o.failed, i.failed,
            "the failing inner belongs to the failing outer"
        );
    }
}

#[test]
fn a_cancelled_future_records_nothing() {
    sink();
    #[performance_timer(metric_name = "never_finishes")]
    async fn never_finishes() {
        std::future::pending::<()>().await
    }
    use std::future::Future;
    let mut fut = Box::pin(never_finishes());
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    drop(fut);
    assert!(support::series("never_finishes").is_empty());
}
