use framework0::performance_timer;

#[performance_timer]
const fn f() -> u32 {
    1
}

fn main() {}
