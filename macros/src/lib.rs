//! Procedural macros for the `framework0` crate.
//!
//! `#[performance_timer]` is implemented in issue #3; until then this crate only
//! exists so that the workspace layout is in place.
