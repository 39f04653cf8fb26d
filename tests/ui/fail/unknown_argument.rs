use framework0::performance_timer;

#[performance_timer(name = "x")]
fn f() {}

fn main() {}
