//! The `f0` command line: flag parsing (clap) and dispatch to the library.

mod analyze_cmd;
mod changepoints_cmd;
mod context_cmd;
mod detect_cmd;
mod import_cmd;
mod logging;
mod profile_cmd;
mod push_args;
mod python_flags;
mod report_cmd;
mod run_cmd;
mod safety;
mod serve_cmd;
mod validate_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use framework0::store::{Store, StoreError, DEFAULT_STORE_PATH, STORE_PATH_ENV};

/// `f0`: run Framework0 recipes and measure everything they do.
#[derive(Debug, Parser)]
#[command(name = "f0", version, about, propagate_version = true)]
pub struct Cli {
    /// The SQLite context store.
    #[arg(long, global = true, value_name = "PATH", env = STORE_PATH_ENV, default_value = DEFAULT_STORE_PATH)]
    pub context_db: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a recipe.
    Run(run_cmd::RunArgs),
    /// Check a recipe without running it.
    Validate(validate_cmd::ValidateArgs),
    /// Inspect the context store.
    Context {
        /// What to show.
        #[command(subcommand)]
        command: context_cmd::ContextCommand,
    },
    /// Load measurements (CSV or PerformanceMetric JSON lines) into the store.
    Import(import_cmd::ImportArgs),
    /// Statistics, trend, change points and anomalies of stored metrics.
    Analyze(analyze_cmd::AnalyzeArgs),
    /// Change points of one stored metric (Hunter / Apache Otava).
    Changepoints(changepoints_cmd::ChangepointsArgs),
    /// Streaming anomaly detection over a CSV file or stdin, one line per event.
    Detect(detect_cmd::DetectArgs),
    /// Sample a command's stacks and process tree: call tree, bottlenecks, flamegraph.
    Profile(profile_cmd::ProfileArgs),
    /// Serve the store's latest values to Prometheus (text 0.0.4 / OpenMetrics at /metrics).
    Serve(serve_cmd::ServeArgs),
    /// Write HTML, Markdown, JSON and text reports of stored series.
    Report(report_cmd::ReportArgsCli),
}

/// Parses the process arguments, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    safety::install();
    let cli = Cli::parse();
    let debug = matches!(&cli.command, Command::Run(a) if a.debug);
    logging::init(debug);
    ExitCode::from(safety::guarded(|| dispatch(cli)))
}

fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Run(args) => run_cmd::run(&cli.context_db, args),
        Command::Validate(args) => validate_cmd::run(args),
        Command::Context { command } => context_cmd::run(&cli.context_db, command),
        Command::Import(args) => import_cmd::run(&cli.context_db, args),
        Command::Analyze(args) => analyze_cmd::run(&cli.context_db, args),
        Command::Changepoints(args) => changepoints_cmd::run(&cli.context_db, args),
        Command::Detect(args) => detect_cmd::run(args),
        Command::Profile(args) => profile_cmd::run(&cli.context_db, args),
        Command::Serve(args) => serve_cmd::run(&cli.context_db, args),
        Command::Report(args) => report_cmd::run(&cli.context_db, args),
    }
}

/// Prints `report` as one JSON object (`json`) or with `text`; false (after `Error: ...` on
/// stderr) when it cannot be serialised.
fn print_report<T: serde::Serialize>(report: &T, json: bool, text: impl FnOnce(&T)) -> bool {
    if !json {
        text(report);
        return true;
    }
    match serde_json::to_string(report) {
        Ok(line) => {
            println!("{line}");
            true
        }
        Err(e) => {
            eprintln!("Error: {e}");
            false
        }
    }
}

/// Opens the store, creating it when missing (for commands that write).
fn open_store(path: &std::path::Path) -> Result<Store, StoreError> {
    Store::open(path)
}

/// Opens an existing store for a command that only reads: read-only at the SQLite level
/// (nothing created, migrated or written); a mistyped path is an error, not a new empty store.
fn open_existing_store(path: &std::path::Path) -> Result<Store, StoreError> {
    Store::open_read_only(path)
}
