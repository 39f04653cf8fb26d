//! Measurements from elsewhere (`f0 import`): CSV `timestamp,value` of one named metric, or
//! Framework0 `PerformanceMetric` JSON lines, loaded into the store all at once or not at all.
//!
//! **CSV.** One sample per line, two comma-separated fields; blank lines and lines starting
//! with `#` are skipped; a field may be wrapped in double quotes. An optional first line names
//! the columns: `timestamp,value` (also `time` or `ts` for the first), or `index,value` (Apache
//! Otava's test series), where `index` is a 0-based position turned into a synthetic timestamp
//! of *index seconds after the Unix epoch*. Without a header every line is `timestamp,value`.
//! Timestamps are read by [`super::timestamp::parse_timestamp`] (epoch seconds, epoch ns or
//! RFC 3339). The metric's name, type, unit and tags come from [`CsvOptions`].
//!
//! **JSON lines.** One [`PerformanceMetric`] object per line (COMPAT §4):
//! `{"name", "value", "metric_type", "unit", "timestamp": <epoch ns>, "tags", "source",
//! "context"}`; `tags`, `source` and `context` may be absent, type and unit are Framework0's.
//!
//! A UTF-8 byte-order mark at the start of the file (as spreadsheet programs write) is skipped.
//! Every value must be a finite number. The first bad line stops the import with its 1-based
//! line number ([`ImportError::Line`]) before anything is written; the samples then land in
//! one transaction together with a `runs` row (`recipe` = `import`, `recipe_path` = the file,
//! status `completed`), so an import is a run that `last_run` and drift analysis can see.

use std::path::Path;

use super::timestamp::parse_timestamp;
use super::{SampleRow, SeriesKey, Store, StoreError};
use crate::metrics::{MetricError, MetricType, MetricUnit, PerformanceMetric, Tags};

/// The `recipe` name of the run an import records.
pub const IMPORT_RECIPE: &str = "import";
/// The `source` of samples imported from CSV.
pub const IMPORT_SOURCE: &str = "import";

/// Why an import was refused (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// One line is malformed.
    #[error("{path}:{line}: {}", crate::diagnostic::quote(.message))]
    Line {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The file holds no sample.
    #[error("{path} holds no samples")]
    Empty {
        /// The file.
        path: String,
    },
    /// An option is invalid (CSV name, type, unit).
    #[error("{0}")]
    Option(String),
    /// The store refused the samples.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The file formats [`read_file`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// `timestamp,value` or `index,value` lines.
    Csv,
    /// `PerformanceMetric` JSON objects, one per line.
    JsonLines,
}

impl ImportFormat {
    /// By extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by the first non-blank
    /// character (`{` is JSON lines).
    pub fn detect(path: &Path, text: &str) -> ImportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => ImportFormat::Csv,
            Some(e) if ["jsonl", "ndjson", "json"].contains(&e.to_ascii_lowercase().as_str()) => {
                ImportFormat::JsonLines
            }
            _ if text.trim_start().starts_with('{') => ImportFormat::JsonLines,
            _ => ImportFormat::Csv,
        }
    }
}

/// What a CSV file's samples are called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Metric name (required for CSV).
    pub name: Option<String>,
    /// Framework0 metric type; default `gauge`.
    pub metric_type: MetricType,
    /// Framework0 unit; default `count`.
    pub unit: MetricUnit,
    /// Tags of every sample.
    pub tags: Tags,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            name: None,
            metric_type: MetricType::Gauge,
            unit: MetricUnit::Count,
            tags: Tags::new(),
        }
    }
}

/// Reads and parses `path` (format by [`ImportFormat::detect`]) into samples; `csv` must not
/// name a metric or tags for a JSON-lines file.
pub fn read_file(path: &Path, csv: &CsvOptions) -> Result<Vec<SampleRow>, ImportError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: label.clone(),
        source,
    })?;
    let text = without_bom(&text);
    let samples = match ImportFormat::detect(path, text) {
        ImportFormat::Csv => parse_csv(text, &label, csv)?,
        ImportFormat::JsonLines => {
            if csv.name.is_some() || !csv.tags.is_empty() {
                return Err(ImportError::Option(format!(
                    "a metric name and tags apply to CSV files only; {label} holds \
                     PerformanceMetric JSON lines, which name their own metrics"
                )));
            }
            parse_json_lines(text, &label)?
        }
    };
    if samples.is_empty() {
        return Err(ImportError::Empty { path: label });
    }
    Ok(samples)
}

/// `text` without a leading UTF-8 byte-order mark (U+FEFF).
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// How the first CSV column is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FirstColumn {
    Timestamp,
    Index,
}

/// The meaning of a header line, or `None` when the line is data.
fn header(fields: &[&str]) -> Option<Result<FirstColumn, String>> {
    let [first, second] = fields else {
        return None;
    };
    let (first, second) = (first.to_ascii_lowercase(), second.to_ascii_lowercase());
    let first_is_data = parse_timestamp(&first).is_ok();
    if first_is_data || second.parse::<f64>().is_ok() {
        return None;
    }
    Some(match (first.as_str(), second.as_str()) {
        ("timestamp" | "time" | "ts", "value") => Ok(FirstColumn::Timestamp),
        ("index", "value") => Ok(FirstColumn::Index),
        _ => Err(format!(
            "unknown header '{},{}'; accepted: timestamp,value or index,value (or no header)",
            fields[0], fields[1]
        )),
    })
}

fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(f)
}

/// A finite number, or the reason it is not one.
fn finite_value(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("value '{text}' is not a finite number")),
        Err(_) => Err(format!("value '{text}' is not a number")),
    }
}

/// Parses CSV text (see the module docs); `label` names the file in errors.
pub fn parse_csv(
    text: &str,
    label: &str,
    opts: &CsvOptions,
) -> Result<Vec<SampleRow>, ImportError> {
    let name = match opts.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => {
            return Err(ImportError::Option(format!(
                "importing CSV {label} needs a metric name (--name NAME)"
            )))
        }
    };
    let series = SeriesKey {
        name,
        metric_type: opts.metric_type.as_str().to_owned(),
        unit: opts.unit.as_str().to_owned(),
        tags: opts.tags.clone(),
        source: Some(IMPORT_SOURCE.to_owned()),
    };
    let mut first_column = FirstColumn::Timestamp;
    let mut seen_data = false;
    let mut out = Vec::new();
    for (i, raw) in without_bom(text).lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |message: String| ImportError::Line {
            path: label.to_owned(),
            line: i + 1,
            message,
        };
        let fields: Vec<&str> = line.split(',').map(unquote).collect();
        if !seen_data {
            seen_data = true;
            if let Some(h) = header(&fields) {
                first_column = h.map_err(bad)?;
                continue;
            }
        }
        let [first, value] = fields[..] else {
            return Err(bad(format!(
                "expected 2 comma-separated fields (timestamp,value), got {}",
                fields.len()
            )));
        };
        let ts_ns = match first_column {
            FirstColumn::Timestamp => parse_timestamp(first).map_err(|e| bad(e.to_string()))?,
            FirstColumn::Index => first
                .parse::<u32>()
                .map(|k| i64::from(k) * 1_000_000_000)
                .map_err(|_| bad(format!("index '{first}' is not a non-negative integer")))?,
        };
        let value = finite_value(value).map_err(bad)?;
        out.push(SampleRow {
            series: series.clone(),
            ts_ns,
            value,
            context: None,
        });
    }
    Ok(out)
}

/// Parses one `PerformanceMetric` JSON line (also the `exec` collector's `jsonl` format).
pub fn parse_metric_line(raw: &str) -> Result<PerformanceMetric, String> {
    let m: PerformanceMetric = serde_json::from_str(raw)
        .map_err(|e| format!("not a PerformanceMetric JSON object: {e}"))?;
    if m.name.trim().is_empty() {
        return Err(MetricError::EmptyName.to_string());
    }
    Ok(m)
}

/// Parses `PerformanceMetric` JSON lines; `label` names the file in errors.
pub fn parse_json_lines(text: &str, label: &str) -> Result<Vec<SampleRow>, ImportError> {
    let mut out = Vec::new();
    for (i, raw) in without_bom(text).lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |message: String| ImportError::Line {
            path: label.to_owned(),
            line: i + 1,
            message,
        };
        let m = parse_metric_line(raw).map_err(bad)?;
        out.push(SampleRow::from(&m));
    }
    Ok(out)
}

impl Store {
    /// Records an import of `samples` from `source_path` as one completed run and writes the
    /// samples, all in one transaction; returns the run id.
    pub fn import_samples(
        &mut self,
        source_path: &str,
        samples: &[SampleRow],
    ) -> Result<i64, StoreError> {
        self.check_new_series(samples)?;
        let (path, waited) = (self.path.clone(), self.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, waited, e);
        let now = crate::util::epoch_seconds();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute(
            "INSERT INTO runs (recipe, recipe_path, started_at, ended_at, status) \
             VALUES (?1, ?2, ?3, ?3, 'completed')",
            rusqlite::params![IMPORT_RECIPE, source_path, now],
        )
        .map_err(err)?;
        let run_id = tx.last_insert_rowid();
        let fresh = super::metrics::resolve_series(&tx, &self.series_ids, samples).map_err(err)?;
        super::metrics::write_samples(&tx, Some(run_id), samples, &self.series_ids, &fresh)
            .map_err(err)?;
        tx.commit().map_err(err)?;
        self.series_ids.extend(fresh);
        Ok(run_id)
    }
}
