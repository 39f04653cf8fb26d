use framework0::performance_timer;

#[performance_timer(tags(db = "a", db = "b"))]
fn f() {}

fn main() {}
