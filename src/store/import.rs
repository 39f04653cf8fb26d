//! Measurements from elsewhere (`f0 import`): CSV `timestamp,value` of one named metric, or
//! Framework0 `PerformanceMetric` JSON, loaded into the store all at once or not at all.
//!
//! **CSV.** One sample per line, two comma-separated fields; blank lines and lines starting
//! with `#` are skipped; a field may be wrapped in double quotes. An optional first line names
//! the columns: `timestamp,value` (also `time` or `ts` for the first), or `index,value` (Apache
//! Otava's test series), where `index` is a 0-based position turned into a synthetic timestamp
//! of *index seconds after the Unix epoch*. Without a header every line is `timestamp,value`.
//! Timestamps are read by [`super::timestamp::parse_timestamp`] (epoch seconds, epoch ns or
//! RFC 3339). The metric's name, type, unit and tags come from [`CsvOptions`].
//!
//! **JSON.** [`PerformanceMetric`](crate::metrics::PerformanceMetric) objects (COMPAT §4):
//! `{"name", "value", "metric_type", "unit", "timestamp", "tags", "source", "context"}`;
//! `tags`, `source` and `context` may be absent, type and unit are Framework0's. Accepted as
//! one object per line (JSON lines), as objects spread over several lines (pretty-printed) one
//! after another, or as one JSON array of objects — what Framework0's Python side writes with
//! `json.dump(metrics, f, indent=2)`. An integer `timestamp` is epoch nanoseconds (COMPAT); a
//! number with a fraction or exponent (Python's `time.time()`) is epoch seconds. `context`
//! is kept with each sample (`metric_samples.context`).
//!
//! A UTF-8 byte-order mark at the start of the file (as spreadsheet programs write) is skipped.
//! Every value must be a finite number. The first bad line stops the import with its 1-based
//! line number ([`ImportError::Line`]) and nothing is written; the samples land in one
//! transaction together with a `runs` row (`recipe` = `import`, `recipe_path` = the file,
//! status `completed`), so an import is a run that `last_run` and drift analysis can see.
//! [`Store::import_from`](super::Store::import_from) streams an [`super::ImportSource`]:
//! memory stays bounded whatever the file's size.

use std::path::Path;

use super::timestamp::parse_timestamp;
use super::{SampleRow, SeriesKey, Store, StoreError};
use crate::metrics::{MetricType, MetricUnit, Tags};

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
    // Each value from the file is quoted briefly where the message is made, so the message
    // itself is only kept to one line: cutting it would cut what is accepted off its end.
    #[error("{path}:{line}: {}", crate::diagnostic::escape_text(.message))]
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

/// The file formats [`ImportSource::open`](super::ImportSource::open) understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// `timestamp,value` or `index,value` lines.
    Csv,
    /// `PerformanceMetric` JSON objects: one per line, pretty-printed, or in one array.
    JsonLines,
}

impl ImportFormat {
    /// By extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by the first non-blank
    /// character of `text` (`{` or `[` is JSON).
    pub fn detect(path: &Path, text: &str) -> ImportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => ImportFormat::Csv,
            Some(e) if ["jsonl", "ndjson", "json"].contains(&e.to_ascii_lowercase().as_str()) => {
                ImportFormat::JsonLines
            }
            _ if text.trim_start().starts_with(['{', '[']) => ImportFormat::JsonLines,
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
fn header(first: &str, second: &str) -> Option<Result<FirstColumn, String>> {
    let (lfirst, lsecond) = (first.to_ascii_lowercase(), second.to_ascii_lowercase());
    if parse_timestamp(&lfirst).is_ok() || lsecond.parse::<f64>().is_ok() {
        return None;
    }
    Some(match (lfirst.as_str(), lsecond.as_str()) {
        ("timestamp" | "time" | "ts", "value") => Ok(FirstColumn::Timestamp),
        ("index", "value") => Ok(FirstColumn::Index),
        _ => Err(format!(
            "unknown header '{}'; accepted: timestamp,value or index,value (or no header)",
            crate::diagnostic::quote(&format!("{first},{second}"))
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
        Ok(_) => Err(format!(
            "value '{}' is not a finite number",
            crate::diagnostic::quote(text)
        )),
        Err(_) => Err(format!(
            "value '{}' is not a number",
            crate::diagnostic::quote(text)
        )),
    }
}

/// The series every sample of a CSV import belongs to (the name is required).
pub(super) fn csv_series(label: &str, opts: &CsvOptions) -> Result<SeriesKey, ImportError> {
    let name = match opts.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => {
            return Err(ImportError::Option(format!(
                "importing CSV {label} needs a metric name (--name NAME)"
            )))
        }
    };
    Ok(SeriesKey {
        name,
        metric_type: opts.metric_type.as_str().to_owned(),
        unit: opts.unit.as_str().to_owned(),
        tags: opts.tags.clone(),
        source: Some(IMPORT_SOURCE.to_owned()),
    })
}

/// Reads CSV lines one at a time (see the module docs): remembers the header.
#[derive(Debug, Default)]
pub(super) struct CsvLines {
    first_column: Option<FirstColumn>,
}

impl CsvLines {
    /// The fast path of the commonest data line (see [`super::csv_fast`]) at the start of
    /// `buf`, once the header question is settled and the first column holds timestamps: the
    /// answer [`CsvLines::parse`] gives and the bytes the line takes, its end included.
    /// `None` for every other line, which then goes through `parse`.
    pub fn fast(&self, buf: &[u8]) -> Option<(i64, f64, usize)> {
        if !matches!(self.first_column, Some(FirstColumn::Timestamp)) {
            return None;
        }
        super::csv_fast::line(buf)
    }

    /// The `(ts_ns, value)` of line `line` (1-based), `None` for a blank, comment or header
    /// line; `label` names the file in errors.
    pub fn parse(
        &mut self,
        label: &str,
        line: usize,
        raw: &str,
    ) -> Result<Option<(i64, f64)>, ImportError> {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            return Ok(None);
        }
        let bad = |message: String| ImportError::Line {
            path: label.to_owned(),
            line,
            message,
        };
        let two = text
            .split_once(',')
            .filter(|(_, rest)| !rest.contains(','))
            .map(|(a, b)| (unquote(a), unquote(b)));
        if self.first_column.is_none() {
            let found = match two.and_then(|(a, b)| header(a, b)) {
                Some(h) => Some(h.map_err(bad)?),
                None => None,
            };
            self.first_column = Some(found.unwrap_or(FirstColumn::Timestamp));
            if found.is_some() {
                return Ok(None);
            }
        }
        let Some((first, value)) = two else {
            return Err(bad(format!(
                "expected 2 comma-separated fields (timestamp,value), got {}",
                text.split(',').count()
            )));
        };
        let ts_ns = match self.first_column {
            Some(FirstColumn::Index) => first
                .parse::<u32>()
                .map(|k| i64::from(k) * 1_000_000_000)
                .map_err(|_| {
                    bad(format!(
                        "index '{}' is not a non-negative integer",
                        crate::diagnostic::quote(first)
                    ))
                })?,
            _ => parse_timestamp(first).map_err(|e| bad(e.to_string()))?,
        };
        let value = finite_value(value).map_err(bad)?;
        Ok(Some((ts_ns, value)))
    }
}

/// Parses CSV text (see the module docs); `label` names the file in errors.
pub fn parse_csv(
    text: &str,
    label: &str,
    opts: &CsvOptions,
) -> Result<Vec<SampleRow>, ImportError> {
    let series = csv_series(label, opts)?;
    let mut lines = CsvLines::default();
    let mut out = Vec::new();
    for (i, raw) in without_bom(text).lines().enumerate() {
        if let Some((ts_ns, value)) = lines.parse(label, i + 1, raw)? {
            out.push(SampleRow {
                series: series.clone(),
                ts_ns,
                value,
                context: None,
            });
        }
    }
    Ok(out)
}

/// Parses one `PerformanceMetric` JSON line (the `exec` collector's `jsonl` format).
pub fn parse_metric_line(raw: &str) -> Result<crate::metrics::PerformanceMetric, String> {
    let m: crate::metrics::PerformanceMetric = serde_json::from_str(raw)
        .map_err(|e| format!("not a PerformanceMetric JSON object: {e}"))?;
    if m.name.trim().is_empty() {
        return Err(crate::metrics::MetricError::EmptyName.to_string());
    }
    Ok(m)
}

/// Parses `PerformanceMetric` JSON (any of the forms in the module docs); `label` names the
/// file in errors.
pub fn parse_json_lines(text: &str, label: &str) -> Result<Vec<SampleRow>, ImportError> {
    let mut out = Vec::new();
    super::import_json::each_metric(without_bom(text).as_bytes(), label, &mut |row| {
        out.push(row);
        Ok(())
    })?;
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
        let (ids, fresh) =
            super::metrics::resolve_series(&tx, &self.series_ids, samples).map_err(err)?;
        let rows = samples
            .iter()
            .map(|s| super::group::SampleView::of_row(Some(run_id), s));
        super::metrics::write_samples(&tx, rows, &ids).map_err(err)?;
        tx.commit().map_err(err)?;
        self.series_ids.extend(fresh);
        Ok(run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::CsvLines;

    proptest::proptest! {
        #[test]
        fn the_fast_line_path_answers_as_the_general_one(
            line in "[0-9,.eE+ #\"a-]{0,24}(\r?\n)?",
            next in "[0-9,.\n]{0,8}",
        ) {
            let mut lines = CsvLines::default();
            assert_eq!(lines.parse("f.csv", 1, "timestamp,value\n").unwrap(), None);
            let buf = format!("{line}{next}");
            if let Some((ts, v, len)) = lines.fast(buf.as_bytes()) {
                proptest::prop_assert_eq!(len, line.len(), "{:?}", buf);
                let general = lines.parse("f.csv", 2, &line).ok().flatten();
                let bits = general.map(|(t, g)| (t, g.to_bits()));
                proptest::prop_assert_eq!(bits, Some((ts, v.to_bits())), "{:?}", line);
            }
        }
    }

    #[test]
    fn the_fast_line_path_waits_for_the_header_and_leaves_odd_lines_alone() {
        let mut lines = CsvLines::default();
        assert_eq!(lines.fast(b"1767225600,1.5\n"), None, "header not seen yet");
        assert_eq!(
            lines.parse("f.csv", 1, "1767225600,1.5").unwrap(),
            Some((1_767_225_600_000_000_000, 1.5))
        );
        assert_eq!(
            lines.fast(b"1767225601,2.5\r\n1,2\n"),
            Some((1_767_225_601_000_000_000, 2.5, 16))
        );
        for odd in [
            &b" 1,2\n"[..],
            b"1,2,3\n",
            b"1,1e999\n",
            b"1,\n",
            b"#1,2\n",
            b"1.5,2\n",
            b"1,\"2\"\n",
            b"1,2",
        ] {
            assert_eq!(lines.fast(odd), None, "{:?}", String::from_utf8_lossy(odd));
        }
        let mut index = CsvLines::default();
        assert_eq!(index.parse("f.csv", 1, "index,value").unwrap(), None);
        assert_eq!(
            index.fast(b"3,2\n"),
            None,
            "an index column is not a timestamp"
        );
    }
}
