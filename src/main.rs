//! `f0`: the Framework0 recipe runner. The command line ([`cli`]) parses flags and calls the
//! library (`framework0`), where all the logic lives.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
