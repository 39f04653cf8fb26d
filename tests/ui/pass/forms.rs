use framework0::performance_timer;

#[performance_timer]
fn bare() {}

#[performance_timer(metric_name = "db_query", tags(db = "main"))]
fn named(x: u32) -> u32 {
    x
}

#[performance_timer(tags(region = "eu"))]
pub fn only_tags() -> std::io::Result<()> {
    Ok(())
}

#[performance_timer(metric_name = "opaque")]
fn opaque_result() -> Result<impl std::fmt::Display, String> {
    Ok(5)
}

#[performance_timer]
fn generic<T: Clone, E: std::fmt::Debug>(t: &T, fail: Option<E>) -> Result<T, E> {
    match fail {
        Some(e) => Err(e),
        None => Ok(t.clone()),
    }
}

#[performance_timer]
async fn asynchronous(x: u8) -> Result<u8, std::num::TryFromIntError> {
    let y: u8 = u16::from(x).try_into()?;
    Ok(y)
}

struct S(u32);

impl S {
    #[performance_timer(metric_name = "method")]
    fn method(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }

    #[performance_timer]
    async fn async_method(&self) -> u32 {
        self.0
    }
}

#[performance_timer]
unsafe fn unsafe_fn(p: *const u8) -> u8 {
    *p
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    // Timed futures stay Send, so they run on multi-threaded executors.
    assert_send(&asynchronous(1));
    bare();
    named(1);
    only_tags().unwrap();
    let _ = opaque_result();
    let _ = generic::<u8, String>(&1, None);
    let _ = asynchronous(1);
    let mut s = S(0);
    s.method();
    let _ = s.async_method();
    let b = 3u8;
    // SAFETY: points at a live u8.
    unsafe { unsafe_fn(&b) };
}
