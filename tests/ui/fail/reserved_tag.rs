use framework0::performance_timer;

#[performance_timer(tags(status = "ok"))]
fn f() {}

fn main() {}
