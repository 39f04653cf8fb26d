//! `engine.steps.python.test_logging_framework.TestLoggingFramework`: a real self-test of
//! the logging framework, reported in Framework0's shape ([`super::selftest`]). It writes
//! entries through the framework, reads the files back and validates every line.
//!
//! `test_type`:
//! - `import_validation` (default), in a scratch directory: `core` (the entry shape and the
//!   strict reader), `formatters` (JSON and console lines of the tracing layer), `adapters`
//!   (logger routing: audit entries in `audit.log` and `framework0.log`), `main_init` (the
//!   files are created), `framework_scriptlet` (the setup arguments and the
//!   `Performance: …` event);
//! - `full_validation`, also through the framework a setup step configured in this process
//!   (else a scratch one): `functionality_tests` — `logger_creation`, `basic_logging`
//!   (`Test info message`, `Test debug message`, `Test warning message` on
//!   `framework0.functionality_test`, read back at the profile's level; a production profile
//!   drops DEBUG), `config_loading` (`config_sections`); `framework_integration` —
//!   `context_integration` (`test.logging_integration`), `adapter_functionality` (an entry
//!   on `framework0.integration_test` and an ERROR with its stack trace read back; every
//!   line of the framework's files validates).
//!
//! Sets `logging_test.results`, `logging_test.import_success` (whether it passed) and, for
//! `full_validation`, `test.logging_integration`. Exit code 1 when a test fails.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use tracing_subscriber::layer::SubscriberExt;

use super::logging_framework::{config_from_args, log_context, open};
use super::selftest::{done, ensure, with, Outcome, SelfTest};
use crate::diagnostic::Code;
use crate::events::logging::{
    active, AUDIT_LOGGER, ERRORS_LOGGER, FRAMEWORK_LOGGER, PERFORMANCE_LOGGER,
};
use crate::events::{
    short_hex, JsonLogLayer, LineFormat, LogContext, LogEntry, LogLevel, LoggingConfig,
    LoggingFramework, Profile,
};
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

const GROUPS: [&str; 3] = [
    "import_validation",
    "functionality_tests",
    "framework_integration",
];
const PACKAGE: &str = "scriptlets.foundation.logging";

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
        let mut t = SelfTest::new(test_type, &GROUPS);
        imports(&mut t, env, &scratch);
        let mut integration = None;
        if test_type == "full_validation" {
            integration = Some(full(&mut t, env, &scratch)?);
        }
        let cleanup = std::fs::remove_dir_all(&scratch);
        env.set("logging_test.results", t.to_json())?;
        env.set("logging_test.import_success", json!(t.success()))?;
        if let Some(ok) = integration {
            env.set("test.logging_integration", json!(ok))?;
        }
        if let Err(e) = cleanup {
            tracing::warn!(target: "framework0.selftest", "cannot remove {}: {e}", scratch.display());
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

/// The entries of `logger`'s file written by `fw` (its execution id).
fn mine(fw: &LoggingFramework, logger: &str) -> Result<Vec<LogEntry>, String> {
    let all = read_entries(&file(fw, logger)?)?;
    Ok(all
        .into_iter()
        .filter(|e| e.execution_id == fw.context().execution_id)
        .collect())
}

fn scratch_config(dir: &Path, profile: Profile, console: bool) -> LoggingConfig {
    LoggingConfig {
        log_dir: dir.to_path_buf(),
        config_profile: profile,
        console,
        ..LoggingConfig::default()
    }
}

fn imports(t: &mut SelfTest, env: &StepEnv, scratch: &Path) {
    let g = GROUPS[0];
    t.record_module(g, "core", &format!("{PACKAGE}.core"), core());
    t.record_module(
        g,
        "formatters",
        &format!("{PACKAGE}.formatters"),
        formatters(),
    );
    let fw = open(
        &scratch_config(&scratch.join("imports"), Profile::Development, false),
        log_context(env),
    )
    .map_err(|e| e.to_string());
    t.record_module(
        g,
        "adapters",
        &format!("{PACKAGE}.adapters"),
        fw.as_ref().map_err(Clone::clone).and_then(adapters),
    );
    t.record_module(
        g,
        "main_init",
        PACKAGE,
        fw.as_ref().map_err(Clone::clone).and_then(main_init),
    );
    t.record_module(
        g,
        "framework_scriptlet",
        super::logging_framework::MODULE,
        fw.as_ref()
            .map_err(Clone::clone)
            .and_then(performance_event),
    );
}

fn core() -> Result<(), String> {
    let line = r#"{"timestamp":"2025-10-13T12:14:56.123456+00:00","level":"INFO","logger_name":"framework0.performance","message":"m","execution_id":"0a1b2c3d","thread_id":"1","process_id":4242}"#;
    let e = LogEntry::parse_line(line, 1).map_err(|e| e.to_string())?;
    ensure(e.to_line() == line, format!("round trip: {}", e.to_line()))?;
    ensure(
        e.level.as_str() == "INFO" && LogLevel::Warning.as_str() == "WARNING",
        "level names",
    )?;
    let null = line.replace(r#""process_id":4242"#, r#""process_id":null"#);
    ensure(
        LogEntry::parse_line(&null, 1).is_err(),
        "a null key was accepted",
    )?;
    ensure(
        LogEntry::parse_line(&line.replace("+00:00", "Z"), 1).is_err(),
        "a non-Framework0 timestamp was accepted",
    )
}

fn formatters() -> Result<(), String> {
    let json = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let text = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let ctx = LogContext {
        recipe_name: Some("r".into()),
        execution_id: Some("00ff00ff".into()),
        ..LogContext::default()
    };
    let layer = JsonLogLayer::new(ctx, LogLevel::Debug)
        .route(FRAMEWORK_LOGGER, json.clone())
        .route_as(
            FRAMEWORK_LOGGER,
            text.clone(),
            LineFormat::Text,
            LogLevel::Info,
        );
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!(target: "framework0.formatter_test", answer = 42u64, "formatted\nline");
        tracing::debug!(target: "framework0.formatter_test", "debug only in JSON");
    });
    let lock = |b: &std::sync::Arc<std::sync::Mutex<Vec<u8>>>| {
        String::from_utf8_lossy(&b.lock().map(|v| v.clone()).unwrap_or_default()).into_owned()
    };
    let entries = LogEntry::parse_lines(&lock(&json)).map_err(|e| e.to_string())?;
    ensure(
        entries.len() == 2 && entries[0].recipe_name.as_deref() == Some("r"),
        format!("JSON lines: {entries:?}"),
    )?;
    ensure(
        entries[0].extra_data.as_ref().and_then(|x| x.get("answer")) == Some(&json!(42)),
        "extra_data lost",
    )?;
    let console = lock(&text);
    ensure(
        console.lines().count() == 1
            && console.contains(" [INFO    ] framework0.formatter_test: formatted\\nline"),
        format!("console line: {console}"),
    )
}

fn adapters(fw: &LoggingFramework) -> Result<(), String> {
    fw.in_scope(
        || tracing::info!(target: AUDIT_LOGGER, action = "self_test", "self-test audit entry"),
    );
    let audit = mine(fw, AUDIT_LOGGER)?;
    ensure(
        audit.len() == 1 && audit[0].logger_name == AUDIT_LOGGER,
        format!("audit.log holds {} entries", audit.len()),
    )?;
    ensure(
        mine(fw, FRAMEWORK_LOGGER)?
            .iter()
            .any(|e| e.logger_name == AUDIT_LOGGER),
        "audit entry did not reach framework0.log",
    )
}

fn main_init(fw: &LoggingFramework) -> Result<(), String> {
    let names: Vec<&str> = fw.files().iter().map(|f| f.logger.as_str()).collect();
    ensure(
        names == [FRAMEWORK_LOGGER, AUDIT_LOGGER, PERFORMANCE_LOGGER],
        format!("files: {names:?}"),
    )?;
    fw.files()
        .iter()
        .try_for_each(|f| ensure(f.path.is_file(), format!("{} missing", f.path.display())))
}

fn performance_event(fw: &LoggingFramework) -> Result<(), String> {
    let defaults = config_from_args(&Map::new()).map_err(|e| e.to_string())?;
    ensure(
        defaults == LoggingConfig::default(),
        format!("setup defaults: {defaults:?}"),
    )?;
    fw.log_performance("selftest_metric", 12.5, "ms");
    let perf = mine(fw, PERFORMANCE_LOGGER)?;
    let e = perf.first().ok_or("performance.log is empty")?;
    ensure(
        e.message == "Performance: selftest_metric = 12.5 ms",
        format!("message: {}", e.message),
    )?;
    let x = e.extra_data.as_ref().ok_or("extra_data missing")?;
    ensure(
        x.get("metric_name") == Some(&json!("selftest_metric"))
            && x.get("value") == Some(&json!(12.5))
            && x.get("unit") == Some(&json!("ms"))
            && x.get("performance_category") == Some(&json!("timing"))
            && x.get("timestamp").is_some_and(Value::is_f64),
        format!("extra_data: {x:?}"),
    )
}

/// The functionality and integration tests; returns whether the integration passed.
fn full(t: &mut SelfTest, env: &StepEnv, scratch: &Path) -> Result<bool, ScriptletError> {
    let config = match active() {
        Some(fw) => fw.config().clone(),
        None => scratch_config(&scratch.join("full"), Profile::Development, true),
    };
    let fw = open(&config, log_context(env));
    let g = GROUPS[1];
    t.record(
        g,
        "logger_creation",
        fw.as_ref().map(|_| Map::new()).map_err(ToString::to_string),
    );
    let Ok(fw) = fw else {
        return Ok(false);
    };
    t.record(g, "basic_logging", basic_logging(&fw, env, scratch));
    t.record(
        g,
        "config_loading",
        with("config_sections", json!(fw.files().len())),
    );
    let g = GROUPS[2];
    env.set("test.logging_integration", json!(true))?;
    let value = env.get("test.logging_integration").unwrap_or(Value::Null);
    let context_ok = value == json!(true);
    t.record(
        g,
        "context_integration",
        if context_ok {
            with("value", value)
        } else {
            Err(format!("read back {value}"))
        },
    );
    // The error entry goes to the same files without the console (Framework0's console
    // shows only the integration message).
    let quiet = open(
        &LoggingConfig {
            console: false,
            ..config.clone()
        },
        fw.context().clone(),
    );
    let adapter = quiet
        .map_err(|e| e.to_string())
        .and_then(|q| adapter_functionality(&fw, &q));
    let adapter_ok = adapter.is_ok();
    t.record(g, "adapter_functionality", adapter);
    Ok(context_ok && adapter_ok)
}

fn basic_logging(fw: &LoggingFramework, env: &StepEnv, scratch: &Path) -> Outcome {
    let logger = "framework0.functionality_test";
    fw.in_scope(|| {
        tracing::info!(target: "framework0.functionality_test", "Test info message");
        tracing::debug!(target: "framework0.functionality_test", "Test debug message");
        tracing::warn!(target: "framework0.functionality_test", "Test warning message");
    });
    let got: Vec<(LogLevel, String)> = mine(fw, FRAMEWORK_LOGGER)?
        .into_iter()
        .filter(|e| e.logger_name == logger)
        .map(|e| (e.level, e.message))
        .collect();
    let mut want = vec![(LogLevel::Info, "Test info message".to_owned())];
    if fw.config().config_profile.min_level() <= LogLevel::Debug {
        want.push((LogLevel::Debug, "Test debug message".to_owned()));
    }
    want.push((LogLevel::Warning, "Test warning message".to_owned()));
    ensure(got == want, format!("read back {got:?}"))?;
    let prod = open(
        &scratch_config(&scratch.join("production"), Profile::Production, false),
        log_context(env),
    )
    .map_err(|e| e.to_string())?;
    prod.in_scope(|| {
        tracing::debug!(target: FRAMEWORK_LOGGER, "debug entry");
        tracing::info!(target: FRAMEWORK_LOGGER, "info entry");
    });
    let messages: Vec<String> = mine(&prod, FRAMEWORK_LOGGER)?
        .into_iter()
        .map(|e| e.message)
        .collect();
    ensure(
        messages == ["info entry"],
        format!("production profile wrote {messages:?}"),
    )?;
    done()
}

fn adapter_functionality(fw: &LoggingFramework, quiet: &LoggingFramework) -> Outcome {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    fw.in_scope(|| tracing::info!(target: "framework0.integration_test", "Framework0 integration test message"));
    quiet.in_scope(
        || tracing::error!(target: ERRORS_LOGGER, stack_trace = trace.as_str(), "self-test error"),
    );
    let entries = mine(fw, FRAMEWORK_LOGGER)?;
    ensure(
        entries.iter().any(|e| {
            e.logger_name == "framework0.integration_test"
                && e.message == "Framework0 integration test message"
        }),
        "integration entry not read back",
    )?;
    ensure(
        entries.iter().any(|e| {
            e.logger_name == ERRORS_LOGGER
                && e.level == LogLevel::Error
                && e.stack_trace.as_deref() == Some(trace.as_str())
        }),
        "error entry lacks level ERROR or its stack trace",
    )?;
    for f in fw.files() {
        read_entries(&f.path)?;
    }
    done()
}
