//! The integration suite: one test binary (linking dominates `cargo test` on small machines),
//! one module per area. Most areas drive the `f0` binary in a scratch directory
//! ([`util::Scratch`]); the statistics areas call the library against certified or golden
//! values. Shared helpers live in `util` and its submodules.

// A scenario test reads top to bottom; the library keeps the 80-line limit.
#![allow(clippy::too_many_lines)]

mod util;

mod analyze_action;
mod analyze_bad_input;
mod analyze_cli;
mod analyze_descriptive;
mod analyze_nist;
mod analyze_parity;
mod analyze_props;
mod analyze_quantile;
mod analyze_shipped;
mod analyze_trend;
mod anomaly_golden;
mod anomaly_props;
mod anomaly_spikes;
mod architecture;
mod bad_input;
mod baseline_args;
mod baseline_single;
mod bridge;
mod bridge_failures;
mod bridge_lifecycle;
mod bridge_protocol;
mod changepoint_otava;
mod changepoint_props;
mod changepoint_stats;
mod collect_bad_input;
mod collect_recipes;
mod events_alerts;
mod events_health;
mod events_log;
mod events_perf;
mod events_quickstart;
mod events_scriptlets;
mod framework0_samples;
mod golden_framework0;
mod hardening_extremes;
mod hardening_https;
mod hardening_inputs;
mod hypothesis_baseline;
mod hypothesis_props;
mod hypothesis_simulation;
mod hypothesis_special;
mod hypothesis_tests;
mod import_stream;
mod interrupt;
mod metrics_aggregation;
mod metrics_config;
mod metrics_filters;
mod metrics_types;
mod metrics_ui;
mod online_analyze;
mod online_benchmark;
mod online_cli;
mod online_collect;
mod online_detectors;
mod online_props;
mod online_state;
mod plugins_exec;
mod plugins_python;
mod plugins_readme;
mod profile_command;
mod profile_recipe;
mod profile_timers;
mod prometheus_push;
mod prometheus_scrape;
mod prometheus_serve;
mod prometheus_servers;
mod readme_examples;
mod report;
mod report_action;
mod report_browser;
mod report_cdp;
mod report_cli;
mod report_fixture;
mod report_series;
mod robustness;
mod run_semantics;
mod series_cli;
mod series_steps;
mod store;
mod store_analysis;
mod store_edges;
mod store_migration;
mod store_reliability;
mod store_rows;
mod store_timestamps;
mod trend;
mod trend_props;
mod validate_and_schema;
