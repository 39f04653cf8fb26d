//! `f0 run`: Framework0's runner flags, stdout lines, JSON object and exit codes (COMPAT §2).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::json;

use framework0::catalog::default_registry;
use framework0::diagnostic::escape_text;
use framework0::recipe::load_recipe;
use framework0::runner::{Interrupt, RunError, RunOptions, RunOutcome, RunStatus, Runner};
use framework0::store::SharedStore;
use framework0::util::duration::{parse_duration_str, parse_pause_str};

/// Flags of `f0 run` (Framework0's runner flags plus `--strict`).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The recipe (YAML or JSON).
    #[arg(value_name = "RECIPE", required_unless_present = "recipe")]
    pub path: Option<PathBuf>,
    /// The recipe, Framework0 style.
    #[arg(long, value_name = "PATH", conflicts_with = "path")]
    pub recipe: Option<PathBuf>,
    /// Debug logging and the summary lines.
    #[arg(long)]
    pub debug: bool,
    /// Run only these steps (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub only: Option<Vec<String>>,
    /// Skip these steps (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub skip: Vec<String>,
    /// Keep going after a failed step.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Fail a step that runs longer than this (a step's own `timeout` wins).
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub step_timeout: Option<Duration>,
    /// Retries after a failed attempt (a step's own `retry_count` wins).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_retries: u32,
    /// Pause between attempts.
    #[arg(long, value_name = "DURATION", default_value = "1", value_parser = pause)]
    pub retry_delay: Duration,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json_output: bool,
    /// Print the summary lines.
    #[arg(long)]
    pub summary: bool,
    /// Missing `success.ctx_has_keys` fail the step instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Python steps.
    #[command(flatten)]
    pub python: super::python_flags::PythonFlags,
    /// Log entries on stderr as Framework0's console lines (text) or JSON entries (json).
    #[arg(long, value_enum, default_value_t = super::logging::LogFormat::Text)]
    pub log_format: super::logging::LogFormat,
    /// Also append every log entry to this file as a Framework0 JSON line.
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Push the run's series to a Prometheus Pushgateway at its end.
    #[command(flatten)]
    pub push: super::push_args::PushArgs,
}

impl RunArgs {
    /// The logging these flags ask for.
    pub fn log_options(&self) -> super::logging::LogOptions {
        super::logging::LogOptions {
            debug: self.debug,
            format: self.log_format,
            file: self.log_file.clone(),
        }
    }
}

/// A duration flag: seconds or a number with a unit, positive, at most one year.
fn positive_duration(s: &str) -> Result<Duration, String> {
    parse_duration_str(s).map_err(|e| format!("'{s}' is not a positive number of seconds: {e}"))
}

/// A pause flag: like [`positive_duration`], zero allowed.
fn pause(s: &str) -> Result<Duration, String> {
    parse_pause_str(s).map_err(|e| format!("'{s}' is not a non-negative number of seconds: {e}"))
}

/// Runs the command; returns the exit code (0, 1, or 128 + the signal that interrupted it:
/// 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
pub fn run(store_path: &Path, args: RunArgs) -> u8 {
    let Some(path) = args.recipe.clone().or(args.path.clone()) else {
        return fail(&args, "", "no recipe given");
    };
    let shown = path.display().to_string();
    // Under --json-output stdout holds the one JSON object; scriptlet output goes to stderr.
    framework0::events::console::set_stdout(!args.json_output);
    let interrupt = Interrupt::new();
    interrupt.install_signal_handlers();
    let recipe = match load_recipe(&path) {
        Ok(r) => r,
        Err(e) => return fail(&args, &shown, &e.to_string()),
    };
    let store = match super::open_store(store_path) {
        Ok(s) => SharedStore::new(s),
        Err(e) => return fail(&args, &shown, &e.to_string()),
    };
    let mut registry = default_registry();
    args.python.install(&mut registry, &path);
    let opts = RunOptions {
        only: args.only.clone(),
        skip: args.skip.clone(),
        continue_on_error: args.continue_on_error,
        step_timeout: args.step_timeout,
        max_retries: args.max_retries,
        retry_delay: args.retry_delay,
        strict: args.strict,
    };
    let outcome = match Runner::new(&registry, store.clone(), interrupt.clone()).run(&recipe, &opts)
    {
        Ok(o) => o,
        Err(e @ (RunError::Invalid { .. } | RunError::Store(_))) => {
            return fail(&args, &shown, &e.to_string())
        }
    };
    print_outcome(&args, &shown, &outcome);
    let pushed = args.push.push_after(&store.lock(), outcome.run_id);
    match outcome.status {
        RunStatus::Interrupted => interrupt.exit_code(),
        _ if outcome.success && pushed => 0,
        _ => 1,
    }
}

fn fail(args: &RunArgs, path: &str, msg: &str) -> u8 {
    if args.json_output {
        println!(
            "{}",
            json!({"status": "error", "error": msg, "recipe_path": path})
        );
    } else {
        eprintln!("Error: {}", escape_text(msg));
    }
    1
}

fn print_outcome(args: &RunArgs, path: &str, o: &RunOutcome) {
    if args.json_output {
        // Through a JSON value: keys print sorted, as Framework0's `json.dumps` users expect.
        match serde_json::to_value(o) {
            Ok(obj) => println!("{obj}"),
            Err(e) => eprintln!("Error: {e}"),
        }
        return;
    }
    if o.status == RunStatus::Interrupted {
        println!("Recipe execution interrupted: {}", escape_text(path));
    } else {
        println!("Recipe execution completed: {}", escape_text(path));
    }
    if args.summary || args.debug {
        println!("  Status: {}", o.status.as_str());
        println!("  Success: {}", if o.success { "True" } else { "False" });
        println!("  Duration: {:.3}s", o.execution_time);
        println!("  Steps: {}/{}", o.completed_steps, o.total_steps);
        println!("  Success Rate: {:.1}%", o.success_rate);
    }
}
