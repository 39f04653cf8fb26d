//! Framework0 JSON log entries (COMPAT.md §6): golden shape, strict reading, and the logging
//! framework writing real files through `tracing`.

use framework0::events::logging::{AUDIT_LOGGER, FRAMEWORK_LOGGER};
use framework0::events::{
    EventsError, LogContext, LogEntry, LogLevel, LoggingConfig, LoggingFramework, Profile,
};
use serde_json::json;

fn golden_entry() -> LogEntry {
    let mut extra = serde_json::Map::new();
    extra.insert("metric_name".into(), json!("db_query"));
    extra.insert("value".into(), json!(12.5));
    extra.insert("unit".into(), json!("ms"));
    extra.insert("timestamp".into(), json!(1760357696.123456));
    extra.insert("performance_category".into(), json!("timing"));
    LogEntry {
        timestamp: "2025-10-13T12:14:56.123456+00:00".into(),
        level: LogLevel::Info,
        logger_name: "framework0.performance".into(),
        message: "Performance: db_query = 12.5 ms".into(),
        context_id: Some("42".into()),
        recipe_name: Some("integration_logging_test".into()),
        step_name: Some("setup_logging_framework".into()),
        execution_id: Some("0a1b2c3d".into()),
        thread_id: Some("1".into()),
        process_id: Some(4242),
        extra_data: Some(extra),
        stack_trace: None,
    }
}

#[test]
fn log_entry_matches_the_golden_line() {
    let golden = include_str!("../fixtures/events/log_entry.golden.jsonl");
    let line = golden_entry().to_line();
    assert_eq!(line, golden.trim_end());
    assert_eq!(LogEntry::parse_line(&line, 1).unwrap(), golden_entry());
}

#[test]
fn bad_lines_are_refused_with_the_reason() {
    let good = golden_entry().to_line();
    let edit = |f: &dyn Fn(&mut serde_json::Map<String, serde_json::Value>)| {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        f(v.as_object_mut().unwrap());
        v.to_string()
    };
    let cases = [
        (
            edit(&|m| {
                m.insert("stack_trace".into(), json!(null));
            }),
            "null",
        ),
        (
            edit(&|m| {
                m.remove("message");
            }),
            "missing key 'message'",
        ),
        (
            edit(&|m| {
                m.insert("timestamp".into(), json!("2025-10-13 12:14:56"));
            }),
            "not ISO-8601",
        ),
        (
            edit(&|m| {
                m.insert("execution_id".into(), json!("XYZ"));
            }),
            "8 lowercase hex",
        ),
        (
            edit(&|m| {
                m.insert("colour".into(), json!("red"));
            }),
            "unknown field",
        ),
        (
            edit(&|m| {
                m.insert("process_id".into(), json!("4242"));
            }),
            "wrong key or type",
        ),
        (
            edit(&|m| {
                m.insert("level".into(), json!("LOUD"));
            }),
            "wrong key or type",
        ),
        ("[1,2]".to_owned(), "not a JSON object"),
        ("{".to_owned(), "not JSON"),
    ];
    for (line, why) in cases {
        match LogEntry::parse_line(&line, 3) {
            Err(EventsError::BadLogLine { line: 3, message }) => {
                assert!(message.contains(why), "{line}: {message}")
            }
            other => panic!("{line}: {other:?}"),
        }
    }
}

#[test]
fn the_framework_writes_routed_filtered_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = LogContext {
        context_id: Some("9".into()),
        recipe_name: Some("r".into()),
        step_name: Some("s".into()),
        execution_id: Some("00ff00ff".into()),
    };
    let config = LoggingConfig {
        log_dir: dir.path().join("nested/logs"),
        config_profile: Profile::Production,
        enable_audit: true,
        enable_performance: false,
        console: false,
    };
    let fw = LoggingFramework::open(&config, ctx).unwrap();
    let files: Vec<&str> = fw.files().iter().map(|f| f.logger.as_str()).collect();
    assert_eq!(files, [FRAMEWORK_LOGGER, AUDIT_LOGGER]);
    fw.in_scope(|| {
        tracing::debug!(target: "framework0", "dropped by production");
        tracing::info!(target: "framework0.audit", who = "ann", "audited");
        tracing::warn!(target: "framework0", "careful");
    });
    fw.log_performance("t", 1.0, "ms"); // no performance file: reaches framework0.log only
    let read = |name: &str| {
        LogEntry::parse_lines(&std::fs::read_to_string(config.log_dir.join(name)).unwrap()).unwrap()
    };
    let main = read("framework0.log");
    let messages: Vec<&str> = main.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["audited", "careful", "Performance: t = 1.0 ms"]);
    assert_eq!(main[1].level, LogLevel::Warning);
    assert!(main
        .iter()
        .all(|e| e.execution_id.as_deref() == Some("00ff00ff")
            && e.context_id.as_deref() == Some("9")));
    let audit = read("audit.log");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].extra_data.as_ref().unwrap()["who"], "ann");
    assert!(!config.log_dir.join("performance.log").exists());
    assert_eq!(fw.write_errors(), 0);
}

#[test]
fn an_unwritable_log_dir_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let config = LoggingConfig {
        log_dir: file.join("logs"),
        ..LoggingConfig::default()
    };
    match LoggingFramework::open(&config, LogContext::default()) {
        Err(EventsError::Io { path, .. }) => assert_eq!(path, file.join("logs")),
        other => panic!("{:?}", other.map(|_| ())),
    }
}
