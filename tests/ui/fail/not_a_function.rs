use framework0::performance_timer;

#[performance_timer]
struct S;

fn main() {}
