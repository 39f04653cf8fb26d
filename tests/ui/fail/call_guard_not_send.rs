// A sync timer guard restores its own thread's current span, so it cannot cross threads.
fn assert_send<T: Send>() {}

fn main() {
    assert_send::<framework0::metrics::CallGuard>();
}
