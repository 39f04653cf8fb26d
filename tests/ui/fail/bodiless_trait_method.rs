use framework0::performance_timer;

trait T {
    #[performance_timer]
    fn f(&self);
}

fn main() {}
