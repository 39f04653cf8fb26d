//! `f0 detect FILE.csv` (or `-` for stdin): streaming anomaly detection over `timestamp,value`
//! or plain `value` lines. Every point is scored from its past only; each anomaly event is
//! printed (and flushed) as soon as it closes, so live data can be piped through
//! (`tail -f metrics.csv | f0 detect -`). `--json` prints one object per event
//! (`schemas/online_event.schema.json`). Memory stays bounded whatever the input's length.
//! Flags go through the same parser as the analyze action's `anomaly_detection: {mode:
//! online, …}`, see [`framework0::analyze::online::options`].

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Map, Value};

use framework0::analyze::online::{
    read_line_bounded, read_options, EventReport, LineReader, OnlineOptions, OnlineRunner,
    DEFAULT_THRESHOLD,
};
use framework0::diagnostic::{Finding, Level};
use framework0::scriptlet::args::ArgReader;

/// Flags of `f0 detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Input: a file of `timestamp,value` or `value` lines, or `-` for stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Online detectors, comma-separated: zscore, mad, ewma, seasonal, knn, or default
    /// (seasonal,zscore,knn).
    #[arg(long, value_name = "LIST", default_value = "default")]
    pub detectors: String,
    /// Calibrated score (0, 1] at which a point is flagged: a score s means a surprise this
    /// large happens about once in 10^(10·s) points.
    #[arg(long, value_name = "SCORE", default_value_t = DEFAULT_THRESHOLD, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Unflagged points that end an event.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gap: Option<i64>,
    /// Points after an event during which no new event opens.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub suppression: Option<i64>,
    /// Window of the rolling detectors / span of the EWMA baseline, in points.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub window: Option<i64>,
    /// Seasonal period in points (default: detected from the data).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub period: Option<i64>,
    /// Print one JSON object per event.
    #[arg(long)]
    pub json: bool,
}

/// The flags as the online options mapping, so that one parser checks both.
fn as_options_map(args: &DetectArgs) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("methods".into(), json!(args.detectors));
    m.insert("threshold".into(), json!(args.threshold));
    for (key, v) in [
        ("gap", args.gap),
        ("suppression", args.suppression),
        ("window", args.window),
        ("period", args.period),
    ] {
        if let Some(v) = v {
            m.insert(key.into(), json!(v));
        }
    }
    m
}

fn flag_errors(findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .map(|f| {
            let key = f.path.split(['.', '[']).next().unwrap_or_default();
            let flag = if key == "methods" { "detectors" } else { key };
            format!("--{flag}: {}", f.message)
        })
        .collect::<Vec<_>>()
        .join("\nError: ")
}

fn options(args: &DetectArgs) -> Result<OnlineOptions, String> {
    let mut findings = Vec::new();
    let options = read_options(
        &mut ArgReader::new("", &mut findings),
        &as_options_map(args),
    );
    if findings.iter().any(|f| f.level == Level::Error) {
        return Err(flag_errors(&findings));
    }
    Ok(options)
}

/// Runs the command; returns the exit code.
pub fn run(args: DetectArgs) -> u8 {
    match detect(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn open(args: &DetectArgs) -> Result<(Box<dyn BufRead>, String), String> {
    if args.file.as_os_str() == "-" {
        return Ok((Box::new(BufReader::new(std::io::stdin())), "<stdin>".into()));
    }
    let label = args.file.display().to_string();
    let f = std::fs::File::open(&args.file).map_err(|e| format!("cannot read {label}: {e}"))?;
    Ok((Box::new(BufReader::new(f)), label))
}

/// Prints one event; false when stdout is gone (a closed pipe ends the run quietly).
fn emit(out: &mut impl Write, report: &EventReport, json: bool) -> Result<bool, String> {
    let line = if json {
        serde_json::to_string(report).map_err(|e| e.to_string())?
    } else {
        report.text()
    };
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(format!("cannot write to stdout: {e}")),
    }
}

fn detect(args: &DetectArgs) -> Result<(), String> {
    let options = options(args)?;
    let (mut input, label) = open(args)?;
    let mut runner = OnlineRunner::new(&options).map_err(|e| e.to_string())?;
    let mut reader = LineReader::new();
    let mut out = std::io::stdout().lock();
    let (mut line, mut number, mut events) = (String::new(), 0u64, 0u64);
    loop {
        number += 1;
        let more = read_line_bounded(&mut input, &mut line)
            .map_err(|e| format!("{label}:{number}: {e}"))?;
        if !more {
            break;
        }
        let point = match reader.read(&line) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(message) => return Err(format!("{label}:{number}: {message}")),
        };
        let closed = runner
            .push(point)
            .map_err(|e| format!("{label}:{number}: {e}"))?;
        if let Some(e) = closed {
            events += 1;
            if !emit(&mut out, &EventReport::from(&e), args.json)? {
                return Ok(());
            }
        }
    }
    if let Some(e) = runner.finish() {
        events += 1;
        emit(&mut out, &EventReport::from(&e), args.json)?;
    }
    let names: Vec<&str> = options.detectors.iter().map(|d| d.name()).collect();
    eprintln!(
        "f0 detect: {} point(s) from {label}, {events} event(s); detectors {}, threshold {}",
        runner.points(),
        names.join(","),
        options.events.threshold
    );
    Ok(())
}
