//! The run's interrupt: raised by a signal (SIGINT, SIGTERM, SIGHUP) and read by the runner
//! between and during steps. It remembers which signal came first, for the step's message and
//! the exit status (128 + signal, as shells report it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Shared between the signal handlers and the runner; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicUsize>);

impl Interrupt {
    /// Not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes SIGINT, SIGTERM and SIGHUP here; a second signal while the first is being
    /// handled exits at once with 128 + that signal.
    pub fn install_signal_handlers(&self) {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let raised = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let _ =
                signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, raised.clone());
            let _ = signal_hook::flag::register(sig, raised);
            let _ = signal_hook::flag::register_usize(sig, self.0.clone(), sig as usize);
        }
    }

    /// Raises the interrupt as if `signal` had arrived (first one wins).
    pub fn raise(&self, signal: i32) {
        let _ = self.0.compare_exchange(
            0,
            usize::try_from(signal).unwrap_or(1),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    /// Whether a signal has arrived.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }

    /// The signal that arrived, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            s => i32::try_from(s).ok(),
        }
    }

    /// How the signal reads in messages: `Ctrl-C`, `SIGTERM`, `SIGHUP`.
    pub fn describe(&self) -> &'static str {
        match self.signal() {
            Some(libc::SIGTERM) => "SIGTERM",
            Some(libc::SIGHUP) => "SIGHUP",
            _ => "Ctrl-C",
        }
    }

    /// The exit status of an interrupted run: 128 + the signal (130 for Ctrl-C).
    pub fn exit_code(&self) -> u8 {
        u8::try_from(128 + self.signal().unwrap_or(libc::SIGINT)).unwrap_or(130)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_decides_message_and_exit_code() {
        let i = Interrupt::new();
        assert!(!i.is_raised());
        i.raise(libc::SIGTERM);
        i.raise(libc::SIGINT);
        assert_eq!((i.describe(), i.exit_code()), ("SIGTERM", 143));
        let h = Interrupt::new();
        h.raise(libc::SIGHUP);
        assert_eq!((h.describe(), h.exit_code()), ("SIGHUP", 129));
        let c = Interrupt::new();
        c.raise(libc::SIGINT);
        assert_eq!((c.describe(), c.exit_code()), ("Ctrl-C", 130));
    }
}
