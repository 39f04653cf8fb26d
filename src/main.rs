//! `f0`: the Framework0 recipe runner. All logic lives in the library (`framework0::cli`).

fn main() -> std::process::ExitCode {
    framework0::cli::main()
}
