use framework0::performance_timer;

#[performance_timer(metric_name = "  ")]
fn f() {}

fn main() {}
