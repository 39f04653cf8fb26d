use framework0::performance_timer;

#[performance_timer(metric_name = 42)]
fn f() {}

fn main() {}
