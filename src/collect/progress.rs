//! The `collect` progress bar: drawn on stderr with `indicatif`, only when stderr is a
//! terminal (never in pipes, logs or tests). It fills over the requested duration and shows
//! what is running.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when hidden.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: Duration,
    start: Instant,
}

impl Progress {
    /// A bar over `total` on stderr when stderr is a terminal, hidden otherwise.
    pub fn for_stderr(total: Duration) -> Self {
        Progress::new(total, std::io::stderr().is_terminal())
    }

    /// A bar that draws nothing.
    pub fn hidden() -> Self {
        Progress::new(Duration::ZERO, false)
    }

    fn new(total: Duration, visible: bool) -> Self {
        let bar = visible.then(|| {
            let len = u64::try_from(total.as_millis()).unwrap_or(u64::MAX).max(1);
            let b = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("collect [{bar:30}] {percent:>3}% {elapsed:>4} {msg}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        Progress {
            bar,
            total,
            start: Instant::now(),
        }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// Moves the bar to the elapsed time.
    pub fn tick(&self) {
        if let Some(b) = &self.bar {
            let done = self.start.elapsed().min(self.total);
            b.set_position(u64::try_from(done.as_millis()).unwrap_or(u64::MAX));
        }
    }

    /// Moves the bar and shows `msg`.
    pub fn message(&self, msg: impl Into<Cow<'static, str>>) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
        self.tick();
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bars_draw_nothing() {
        let p = Progress::hidden();
        assert!(!p.is_visible());
        p.message("x");
        p.finish();
    }
}
