//! Profiling (issue #12): where the time goes, and what to change.
pub mod perf;
pub mod proctree;
pub mod tree;
pub mod command;
pub mod error;
pub mod sampled;
