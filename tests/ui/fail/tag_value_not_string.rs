use framework0::performance_timer;

#[performance_timer(tags(shard = 3))]
fn f() {}

fn main() {}
