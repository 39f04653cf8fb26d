use framework0::performance_timer;

#[performance_timer(metric_name = "a", metric_name = "b")]
fn f() {}

fn main() {}
