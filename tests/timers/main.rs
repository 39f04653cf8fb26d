//! Timers and trackers recording into one pipeline installed once per binary
//! ([`support::sink`]); kept apart from the integration suite because the pipeline is global.

mod support;

mod metrics_timer;
mod metrics_tracker;
