//! `f0`: the Framework0 recipe runner.
fn main() {
    eprintln!("f0: not available yet");
    std::process::exit(1);
}
