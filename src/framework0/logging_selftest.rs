//! `engine.steps.python.test_logging_framework.TestLoggingFramework`: a real self-test of
//! the logging framework. It writes entries through it, reads the files back and validates
//! every line against Framework0's shape.
//!
//! `test_type`: `import_validation` (default): open, entry shape, routing, performance
//! event in a scratch directory; `full_validation`: also level filtering, error stack
//! traces, and, when an earlier step set `logging.config`, the configured directory (every
//! line in it must validate). Sets `logging_test.results`, `logging_test.import_success`
//! and, for `full_validation`, `test.logging_integration`. Exit code 1 when a check fails.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::logging_framework::{config_from_args, log_context, open};
use super::selftest::{ensure, SelfTest};
use crate::diagnostic::Code;
use crate::events::logging::{AUDIT_LOGGER, ERRORS_LOGGER, FRAMEWORK_LOGGER, PERFORMANCE_LOGGER};
use crate::events::{short_hex, LogEntry, LogLevel, LoggingConfig, LoggingFramework, Profile};
use crate::scriptlet::args::Choice;
use crate::scriptlet::{Registry, Scriptlet, ScriptletError, StepEnv};

/// The module path.
pub const MODULE: &str = "engine.steps.python.test_logging_framework";
/// The class name.
pub const FUNCTION: &str = "TestLoggingFramework";

const TEST_TYPE: Choice = Choice {
    scriptlet: FUNCTION,
    field: "test_type",
    default: Some("import_validation"),
    valid: &["import_validation", "full_validation"],
    code: Code::UnknownAction,
};

const IMPORT_CHECKS: &[&str] = &[
    "framework_open",
    "entry_shape",
    "logger_routing",
    "performance_event",
];

/// Registers this file's scriptlets in `r`.
pub fn register(r: &mut Registry) {
    r.register(
        &[MODULE],
        FUNCTION,
        "self-test of the JSON logging framework: args.test_type = import_validation | full_validation",
        || Box::new(TestLoggingFramework),
        Some(|a, b| TEST_TYPE.validate(a, b)),
    );
}

struct TestLoggingFramework;

impl Scriptlet for TestLoggingFramework {
    fn run(&mut self, env: &StepEnv, args: &Map<String, Value>) -> Result<i32, ScriptletError> {
        let test_type = TEST_TYPE.get(args)?;
        let scratch = std::env::temp_dir().join(format!(
            "f0-logging-selftest-{}-{}",
            std::process::id(),
            short_hex()
        ));
        let mut t = SelfTest::default();
        let config = LoggingConfig {
            log_dir: scratch.clone(),
            ..LoggingConfig::default()
        };
        match open(&config, log_context(env)) {
            Ok(fw) => {
                t.record(
                    "framework_open",
                    Ok(format!(
                        "{} files in {}",
                        fw.files().len(),
                        scratch.display()
                    )),
                );
                basic_checks(&mut t, &fw);
                if test_type == "full_validation" {
                    t.record("error_stack_trace", error_check(&fw));
                }
            }
            Err(e) => t.record("framework_open", Err(e.to_string())),
        }
        let mut integration = None;
        if test_type == "full_validation" {
            t.record(
                "level_filtering",
                level_check(env, &scratch.join("production")),
            );
            integration = Some(configured_check(&mut t, env)?);
        }
        if let Err(e) = std::fs::remove_dir_all(&scratch) {
            t.record(
                "scratch_cleanup",
                Err(format!("{}: {e}", scratch.display())),
            );
        }
        env.set("logging_test.results", t.to_json(test_type))?;
        env.set(
            "logging_test.import_success",
            json!(t.all_passed(IMPORT_CHECKS)),
        )?;
        if let Some(i) = integration {
            env.set("test.logging_integration", i)?;
        }
        Ok(if t.success() { 0 } else { 1 })
    }
}

/// Reads and validates every line of `path`.
fn read_entries(path: &Path) -> Result<Vec<LogEntry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    LogEntry::parse_lines(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn file(fw: &LoggingFramework, logger: &str) -> Result<PathBuf, String> {
    fw.file_of(logger)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no file for logger {logger}"))
}

fn mine<'a>(fw: &LoggingFramework, entries: &'a [LogEntry]) -> Vec<&'a LogEntry> {
    entries
        .iter()
        .filter(|e| e.execution_id == fw.context().execution_id)
        .collect()
}

fn basic_checks(t: &mut SelfTest, fw: &LoggingFramework) {
    fw.in_scope(|| {
        tracing::info!(target: FRAMEWORK_LOGGER, probe = "shape", answer = 42u64, "self-test entry");
        tracing::info!(target: AUDIT_LOGGER, action = "self_test", "self-test audit entry");
    });
    fw.log_performance("selftest_metric", 12.5, "ms");
    t.record(
        "entry_shape",
        (|| {
            let all = read_entries(&file(fw, FRAMEWORK_LOGGER)?)?;
            let e = mine(fw, &all)
                .into_iter()
                .find(|e| e.message == "self-test entry")
                .ok_or("entry not found in framework0.log")?;
            ensure(
                e.level == LogLevel::Info && e.logger_name == FRAMEWORK_LOGGER,
                format!("level/logger wrong: {e:?}"),
            )?;
            ensure(
                e.process_id == Some(std::process::id()),
                "process_id is not this process",
            )?;
            ensure(
                e.thread_id.as_deref().is_some_and(|t| !t.is_empty()),
                "thread_id missing",
            )?;
            ensure(
                e.step_name == fw.context().step_name && e.recipe_name == fw.context().recipe_name,
                "step/recipe name missing",
            )?;
            let extra = e.extra_data.as_ref().ok_or("extra_data missing")?;
            ensure(
                extra.get("answer") == Some(&json!(42))
                    && extra.get("probe") == Some(&json!("shape")),
                format!("extra_data wrong: {extra:?}"),
            )?;
            Ok(format!("{} line(s) validated", all.len()))
        })(),
    );
    t.record(
        "logger_routing",
        (|| {
            let audit = read_entries(&file(fw, AUDIT_LOGGER)?)?;
            let all = read_entries(&file(fw, FRAMEWORK_LOGGER)?)?;
            ensure(
                audit.len() == 1 && audit[0].logger_name == AUDIT_LOGGER,
                format!("audit.log holds {} entries", audit.len()),
            )?;
            ensure(
                all.iter().any(|e| e.logger_name == AUDIT_LOGGER),
                "audit entry did not reach framework0.log",
            )?;
            Ok("audit entry in audit.log and framework0.log".to_owned())
        })(),
    );
    t.record(
        "performance_event",
        (|| {
            let perf = read_entries(&file(fw, PERFORMANCE_LOGGER)?)?;
            let e = perf.first().ok_or("performance.log is empty")?;
            ensure(
                e.message == "Performance: selftest_metric = 12.5 ms",
                format!("message: {}", e.message),
            )?;
            let x = e.extra_data.as_ref().ok_or("extra_data missing")?;
            ensure(
                x.get("metric_name") == Some(&json!("selftest_metric"))
                    && x.get("value") == Some(&json!(12.5))
                    && x.get("unit") == Some(&json!("ms")),
                format!("extra_data: {x:?}"),
            )?;
            ensure(
                x.get("performance_category") == Some(&json!("timing"))
                    && x.get("timestamp").is_some_and(Value::is_f64),
                format!("extra_data: {x:?}"),
            )?;
            Ok(e.message.clone())
        })(),
    );
}

fn error_check(fw: &LoggingFramework) -> Result<String, String> {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    fw.in_scope(
        || tracing::error!(target: ERRORS_LOGGER, stack_trace = trace.as_str(), "self-test error"),
    );
    let all = read_entries(&file(fw, FRAMEWORK_LOGGER)?)?;
    let e = mine(fw, &all)
        .into_iter()
        .find(|e| e.logger_name == ERRORS_LOGGER)
        .ok_or("error entry not found")?;
    ensure(
        e.level == LogLevel::Error && e.stack_trace.as_deref() == Some(trace.as_str()),
        "error entry lacks level ERROR or its stack trace",
    )?;
    Ok("ERROR entry carries its stack_trace".to_owned())
}

fn level_check(env: &StepEnv, dir: &Path) -> Result<String, String> {
    let config = LoggingConfig {
        log_dir: dir.to_path_buf(),
        config_profile: Profile::Production,
        ..LoggingConfig::default()
    };
    let fw = open(&config, log_context(env)).map_err(|e| e.to_string())?;
    fw.in_scope(|| {
        tracing::debug!(target: FRAMEWORK_LOGGER, "debug entry");
        tracing::info!(target: FRAMEWORK_LOGGER, "info entry");
    });
    let all = read_entries(&file(&fw, FRAMEWORK_LOGGER)?)?;
    let messages: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
    ensure(
        messages == ["info entry"],
        format!("production profile wrote {messages:?}"),
    )?;
    Ok("production profile drops DEBUG".to_owned())
}

/// Checks the directory an earlier setup step configured (`logging.config`).
fn configured_check(t: &mut SelfTest, env: &StepEnv) -> Result<Value, ScriptletError> {
    let Some(Value::Object(cfg)) = env.get("logging.config") else {
        t.not_applicable(
            "configured_framework",
            "no logging framework was set up in this run (logging.config is absent)",
        );
        return Ok(json!({"success": false, "reason": "logging.config absent"}));
    };
    let config = config_from_args(&cfg)?;
    let outcome = (|| {
        let fw = open(&config, log_context(env)).map_err(|e| e.to_string())?;
        fw.in_scope(|| tracing::info!(target: FRAMEWORK_LOGGER, "integration self-test entry"));
        let mut lines = 0;
        for f in fw.files() {
            lines += read_entries(&f.path)?.len();
        }
        let all = read_entries(&file(&fw, FRAMEWORK_LOGGER)?)?;
        ensure(
            mine(&fw, &all)
                .iter()
                .any(|e| e.message == "integration self-test entry"),
            "entry not found in the configured framework0.log",
        )?;
        Ok::<_, String>(lines)
    })();
    let log_dir = config.log_dir.display().to_string();
    Ok(match outcome {
        Ok(lines) => {
            t.record(
                "configured_framework",
                Ok(format!("{lines} line(s) in {log_dir} validated")),
            );
            json!({"success": true, "log_dir": log_dir, "lines_validated": lines})
        }
        Err(e) => {
            t.record("configured_framework", Err(e.clone()));
            json!({"success": false, "log_dir": log_dir, "error": e})
        }
    })
}
