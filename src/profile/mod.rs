//! Profiling (issue #12): where the time goes, and what to change.
pub mod perf;
pub mod proctree;
pub mod tree;
pub mod command;
pub mod error;
pub mod sampled;
pub mod scope;
pub mod timers;
pub use scope::scope;
pub mod bottleneck;
pub mod parity;
pub mod flame;
