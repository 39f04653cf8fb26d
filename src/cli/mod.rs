//! The `f0` command line: flag parsing (clap) and dispatch to the library.

mod analyze_cmd;
mod changepoints_cmd;
mod compare_cmd;
mod context_cmd;
mod detect_cmd;
mod history_cmd;
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
    /// Change points of one stored series (Hunter / Apache Otava).
    Changepoints(changepoints_cmd::ChangepointsArgs),
    /// Every series of one run against another run (or its baseline), worst first.
    Compare(compare_cmd::CompareArgs),
    /// Per-run means of series across runs, with change points.
    History(history_cmd::HistoryArgs),
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
    let opts = match &cli.command {
        Command::Run(a) => a.log_options(),
        _ => logging::LogOptions::default(),
    };
    if let Err(e) = logging::init(&opts) {
        eprintln!("f0: {}", framework0::diagnostic::escape_text(&e));
        return ExitCode::from(1);
    }
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
        Command::Compare(args) => compare_cmd::run(&cli.context_db, args),
        Command::History(args) => history_cmd::run(&cli.context_db, args),
        Command::Detect(args) => detect_cmd::run(args),
        Command::Profile(args) => profile_cmd::run(&cli.context_db, args),
        Command::Serve(args) => serve_cmd::run(&cli.context_db, args),
        Command::Report(args) => report_cmd::run(&cli.context_db, args),
    }
}

/// What a text renderer hands back: the text to print (written so that a closed stdout, as
/// in `f0 ... | head`, ends the output quietly instead of panicking), or nothing when it
/// printed itself.
trait Rendered {
    /// Prints it.
    fn emit(self);
}

impl Rendered for () {
    fn emit(self) {}
}

impl Rendered for String {
    fn emit(self) {
        write_stdout(&self);
    }
}

/// Prints `report` as one JSON object (`json`) or with `text`; false (after `Error: ...` on
/// stderr) when it cannot be serialised.
fn print_report<T: serde::Serialize, R: Rendered>(
    report: &T,
    json: bool,
    text: impl FnOnce(&T) -> R,
) -> bool {
    if !json {
        text(report).emit();
        return true;
    }
    match serde_json::to_string(report) {
        Ok(line) => {
            write_stdout(&format!("{line}\n"));
            true
        }
        Err(e) => {
            eprintln!("Error: {e}");
            false
        }
    }
}

/// Writes `text` to stdout; a reader that went away (broken pipe) is not an error.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
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
