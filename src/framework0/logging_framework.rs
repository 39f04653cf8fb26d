//! `scriptlets.foundation.logging_framework.LoggingFrameworkScriptlet`: sets up the JSON
//! logging framework ([`crate::events::LoggingFramework`]).
//!
//! `args`: `action` (`setup`, the default), `log_dir` (default `logs`), `config_profile`
//! (`development` | `testing` | `production`, default `development`), `enable_audit`,
//! `enable_performance` (default true). Setup creates the directory, writes real log lines
//! (an initialisation entry, an audit entry and a `Performance: logging_setup_time = … ms`
//! event), prints `✅ Logging framework setup completed successfully` and sets
//! `logging.framework_initialized`, `logging.config_loaded` and `logging.setup_results`
//! (the loggers configured: `framework0`, `audit`, `performance`), as Framework0 does.
//!
//! Like Python's logging configuration, the framework is then the process's
//! ([`crate::events::logging::set_active`]): later steps write to its files (the metrics
//! actions' lifecycle and performance events, `TestLoggingFramework`), and its INFO entries
//! also appear on the console in Framework0's line format.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::diagnostic::{compact, Code, Finding};
use crate::events::logging::set_active;
use crate::events::logging::{AUDIT_LOGGER, FRAMEWORK_LOGGER, PROFILE_NAMES};
use crate::events::{console, execution_id, LogContext, LoggingConfig, LoggingFramework, Profile};
use crate::scriptlet::args::{bool_arg, check_bool, Choice};
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};

/// The module path.
pub const MODULE: &str = "scriptlets.foundation.logging_framework";
/// The class name.
pub const FUNCTION: &str = "LoggingFrameworkScriptlet";

const ACTION: Choice = Choice {
    scriptlet: FUNCTION,
    field: "action",
    default: Some("setup"),
    valid: &["setup"],
    code: Code::UnknownAction,
};

const PROFILE: Choice = Choice {
    scriptlet: FUNCTION,
    field: "config_profile",
    default: Some("development"),
    valid: PROFILE_NAMES,
    code: Code::InvalidArg,
};

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &[MODULE],
        FUNCTION,
        "JSON logging framework: args.action = setup (log_dir, config_profile, enable_audit, enable_performance)",
        || Box::new(LoggingFrameworkScriptlet),
        Some(validate),
    );
}

fn validate(args: &Map<String, Value>, base: &str) -> Vec<Finding> {
    let mut out = ACTION.validate(args, base);
    out.extend(PROFILE.validate(args, base));
    out.extend(check_bool(args, base, "enable_audit"));
    out.extend(check_bool(args, base, "enable_performance"));
    match args.get("log_dir") {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(v) => out.push(Finding::error(
            Code::InvalidArg,
            format!("{base}.log_dir"),
            format!("must be a non-empty directory path, got {}", compact(v)),
        )),
    }
    out
}

/// The logging configuration in `args` (the keys of `setup`, or of `logging.config`).
pub(crate) fn config_from_args(args: &Map<String, Value>) -> Result<LoggingConfig, ScriptletError> {
    let log_dir = match args.get("log_dir") {
        None => PathBuf::from("logs"),
        Some(Value::String(s)) if !s.is_empty() => PathBuf::from(s),
        Some(v) => {
            return Err(ScriptletError::InvalidArg {
                field: "args.log_dir".into(),
                message: format!("must be a non-empty directory path, got {}", compact(v)),
            })
        }
    };
    let profile = PROFILE.get(args)?;
    Ok(LoggingConfig {
        log_dir,
        // PROFILE only yields names Profile::parse knows.
        config_profile: Profile::parse(profile).unwrap_or(Profile::Development),
        enable_audit: bool_arg(args, "enable_audit", true)?,
        enable_performance: bool_arg(args, "enable_performance", true)?,
        console: false,
    })
}

/// The identity of entries written by the running step.
pub(crate) fn log_context(env: &StepEnv) -> LogContext {
    let info = env.info();
    LogContext {
        context_id: Some(info.run_id.to_string()),
        recipe_name: Some(info.recipe_name.clone()),
        step_name: Some(info.step_name.clone()),
        execution_id: Some(execution_id()),
    }
}

/// Opens the framework, mapping I/O errors to a step failure.
pub(crate) fn open(
    config: &LoggingConfig,
    ctx: LogContext,
) -> Result<LoggingFramework, ScriptletError> {
    LoggingFramework::open(config, ctx)
        .map_err(|e| ScriptletError::failed_in("cannot set up logging", e))
}

struct LoggingFrameworkScriptlet;

impl Scriptlet for LoggingFrameworkScriptlet {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        ACTION.get(args)?;
        let started = Instant::now();
        let config = config_from_args(args)?;
        let fw = open(&config, log_context(env))?;
        let profile = config.config_profile.as_str();
        let log_dir = config.log_dir.display().to_string();
        let mut written = 0u64;
        fw.in_scope(|| {
            tracing::info!(target: FRAMEWORK_LOGGER, log_dir = log_dir.as_str(), profile, "Logging framework initialized");
            written += 1;
            tracing::debug!(target: FRAMEWORK_LOGGER, enable_audit = config.enable_audit, enable_performance = config.enable_performance, "Logging configuration loaded");
            if config.config_profile.min_level() <= crate::events::LogLevel::Debug {
                written += 1;
            }
            if config.enable_audit {
                tracing::info!(target: AUDIT_LOGGER, action = "setup", actor = env.info().step_name.as_str(), profile, "Logging framework setup");
                written += 1;
            }
        });
        if config.enable_performance {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            fw.log_performance("logging_setup_time", ms, "ms");
            written += 1;
        }
        if fw.write_errors() > 0 {
            return Err(ScriptletError::Message(format!(
                "{} log line(s) could not be written to {log_dir}",
                fw.write_errors()
            )));
        }
        let mut loggers = vec!["framework0"];
        if config.enable_audit {
            loggers.push("audit");
        }
        if config.enable_performance {
            loggers.push("performance");
        }
        let activated = open(
            &LoggingConfig {
                console: true,
                ..config.clone()
            },
            fw.context().clone(),
        )?;
        set_active(activated);
        env.set("logging.framework_initialized", json!(true))?;
        env.set("logging.config_loaded", json!(true))?;
        env.set("logging.setup_results", json!(loggers))?;
        console::print_line("✅ Logging framework setup completed successfully");
        tracing::info!(target: "f0.logging", "Logging framework set up in {log_dir} ({profile}, {written} entries)");
        Ok(0)
    }
}
