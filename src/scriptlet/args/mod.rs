//! The one argument reader of every scriptlet and action.
//!
//! - [`value`]: typed readings of one JSON value (a boolean, a number in a range, a count, a
//!   duration, a parsed string, a list of percents), each failing with a message that quotes
//!   the bad value briefly and says what is accepted;
//! - [`ArgMap`]: one mapping read key by key, every failure a [`FieldError`] at a relative path;
//! - [`ArgReader`]: collects findings at absolute paths (`recipe.steps[2].args.timeframe`)
//!   while a whole `args` mapping is read, so every problem shows at once;
//! - [`Choice`]: an argument that is one of a fixed set of names (`args.action`, ...).
//!
//! **The unknown-key rule** (the same everywhere): a key an action or scriptlet does not read
//! is an error (`INVALID_ARG`, `unknown key 'k'; accepted: a, b, c`), so a typo is caught
//! before anything runs. The MetricsConfiguration mapping (`config:`) is a Framework0 format
//! and keeps Framework0's leniency: its unknown keys are warnings (`UNKNOWN_KEY`).

mod choice;
mod map;
mod reader;
pub mod value;

pub use choice::{bool_arg, check_bool, Choice};
pub use map::{check_keys, ArgMap, FieldError, MIN_INTERVAL};
pub use reader::ArgReader;

/// The message of an unknown key under the one rule above.
pub fn unknown_key_message(key: &str, accepted: &[&str]) -> String {
    format!("unknown key '{key}'; accepted: {}", accepted.join(", "))
}
