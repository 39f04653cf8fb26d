//! The command line's safety net: a closed stdout (`f0 analyze ... | head -1`) ends the
//! command quietly as ripgrep does, and a panic anywhere — a bug — is reported in one line and
//! exits 1, never 101. Step panics never reach here: the runner turns them into failed steps.

use std::panic::{self, AssertUnwindSafe};

/// The text of a panic payload.
fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Whether a panic is the standard library reporting a write to a closed pipe.
fn is_broken_pipe(text: &str) -> bool {
    text.contains("Broken pipe") || text.contains("os error 32")
}

/// Installs the hook: broken pipes exit 0 at once without a message; other panics print
/// `f0: internal error: ...` (with where it happened) instead of Rust's default text.
pub fn install() {
    panic::set_hook(Box::new(|info| {
        let text = payload_text(info.payload());
        if is_broken_pipe(&text) {
            std::process::exit(0);
        }
        if framework0::runner::running_a_step() {
            return; // the runner reports it as the step's failure
        }
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("main");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("f0: internal error in thread '{name}': {text}{at}");
    }));
}

/// Runs a command; a panic that escapes it exits 1 (the hook has already said what happened).
pub fn guarded(f: impl FnOnce() -> u8) -> u8 {
    panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_panics_are_recognised() {
        assert!(is_broken_pipe(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_broken_pipe("index out of bounds"));
        assert_eq!(guarded(|| 7), 7);
    }
}
