//! `f0 import` streaming: the file is read, parsed and written in one pass inside one
//! transaction, so memory stays bounded whatever its size (a 1 MiB read buffer, one line, 64
//! rows waiting for their multi-row `INSERT`, SQLite's page cache) and a bad line anywhere
//! rolls everything back: nothing is half-imported.

use super::metrics::SeriesIds;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rusqlite::{Transaction, TransactionBehavior};

use super::import::{csv_series, CsvLines, CsvOptions, ImportError, ImportFormat, IMPORT_RECIPE};
use super::writer::{Row, SampleWriter};
use super::{SampleRow, SeriesKey, Store, StoreError};

const READ_BUFFER: usize = 1 << 20;

/// An opened import file, its format known and its options checked (before any store opens).
pub struct ImportSource {
    reader: BufReader<File>,
    label: String,
    format: ImportFormat,
    /// The series of a CSV file.
    csv: Option<SeriesKey>,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    /// The run that records the import.
    pub run_id: i64,
    /// Samples written.
    pub samples: u64,
    /// The metric names, sorted.
    pub metrics: Vec<String>,
}

impl ImportSource {
    /// Opens `path`, skips a byte-order mark and detects the format; `csv` must name the metric
    /// of a CSV file and must not name one (or tags) for a JSON file.
    pub fn open(path: &Path, csv: &CsvOptions) -> Result<ImportSource, ImportError> {
        let label = path.display().to_string();
        let io = |source| ImportError::Io {
            path: label.clone(),
            source,
        };
        let mut reader = BufReader::with_capacity(READ_BUFFER, File::open(path).map_err(io)?);
        let head = reader.fill_buf().map_err(io)?;
        if head.starts_with("\u{feff}".as_bytes()) {
            reader.consume(3);
        }
        let head = reader.fill_buf().map_err(io)?;
        let start = String::from_utf8_lossy(&head[..head.len().min(4096)]).into_owned();
        let format = ImportFormat::detect(path, &start);
        let csv = match format {
            ImportFormat::Csv => Some(csv_series(&label, csv)?),
            ImportFormat::JsonLines => {
                if csv.name.is_some() || !csv.tags.is_empty() {
                    return Err(ImportError::Option(format!(
                        "a metric name and tags apply to CSV files only; {label} holds \
                         PerformanceMetric JSON lines, which name their own metrics"
                    )));
                }
                None
            }
        };
        Ok(ImportSource {
            reader,
            label,
            format,
            csv,
        })
    }
}

/// Series ids for one import: those it writes to (`seen`), those of them new (`fresh`).
struct Resolver<'k> {
    known: &'k SeriesIds,
    seen: SeriesIds,
    fresh: SeriesIds,
    path: &'k Path,
}

impl Resolver<'_> {
    /// The id of `key`, created inside `tx` if new (its identity checked first).
    fn id(&mut self, tx: &Transaction<'_>, key: &SeriesKey) -> Result<i64, ImportError> {
        if let Some(id) = self.seen.get(key) {
            return Ok(*id);
        }
        let id = match self.known.get(key) {
            Some(&id) => id,
            None => {
                crate::metrics::check_identity(&key.name, &key.tags).map_err(|e| {
                    ImportError::Store(StoreError::Data {
                        path: self.path.to_path_buf(),
                        message: format!("cannot store a sample: {e}"),
                    })
                })?;
                let row = SampleRow {
                    series: key.clone(),
                    ts_ns: 0,
                    value: 0.0,
                    context: None,
                };
                let (ids, found) = super::metrics::resolve_series(tx, self.known, [&row])
                    .map_err(|e| ImportError::Store(StoreError::sqlite(self.path, e)))?;
                let id = ids[0];
                self.fresh.extend(found);
                id
            }
        };
        self.seen.insert(key.clone(), id);
        Ok(id)
    }
}

impl Store {
    /// Streams `source` into the store as one completed `import` run, all in one transaction.
    pub fn import_from(&mut self, source: ImportSource) -> Result<ImportSummary, ImportError> {
        let ImportSource {
            reader,
            label,
            format,
            csv,
        } = source;
        let (path, waited) = (self.path.clone(), self.busy_timeout);
        let store_err = |e| ImportError::Store(StoreError::from_sqlite(&path, waited, e));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store_err)?;
        tx.execute(
            "INSERT INTO runs (recipe, recipe_path, started_at, ended_at, status) \
             VALUES (?1, ?2, ?3, ?3, 'completed')",
            rusqlite::params![IMPORT_RECIPE, label, crate::util::epoch_seconds()],
        )
        .map_err(store_err)?;
        let run_id = tx.last_insert_rowid();
        let mut ids = Resolver {
            known: &self.series_ids,
            seen: SeriesIds::default(),
            fresh: SeriesIds::default(),
            path: &path,
        };
        let mut out = SampleWriter::new(&tx);
        let mut push = |series: i64, ts_ns: i64, value: f64, context: Option<String>| {
            let run = Some(run_id);
            out.push(Row {
                series,
                run,
                ts_ns,
                value,
                context,
            })
            .map_err(store_err)
        };
        match (format, csv) {
            (ImportFormat::Csv, Some(key)) => {
                let id = ids.id(&tx, &key)?;
                each_csv_line(reader, &label, &mut |ts, v| push(id, ts, v, None))?;
            }
            _ => super::import_json::each_metric(reader, &label, &mut |row| {
                let id = ids.id(&tx, &row.series)?;
                let context = row.context.as_ref().map(serde_json::Value::to_string);
                push(id, row.ts_ns, row.value, context)
            })?,
        }
        let samples = out.finish().map_err(store_err)?;
        if samples == 0 {
            return Err(ImportError::Empty { path: label });
        }
        let (seen, fresh) = (ids.seen, ids.fresh);
        tx.commit().map_err(store_err)?;
        self.series_ids.extend(fresh);
        let mut metrics: Vec<String> = seen.into_keys().map(|k| k.name).collect();
        metrics.sort_unstable();
        metrics.dedup();
        Ok(ImportSummary {
            run_id,
            samples,
            metrics,
        })
    }
}

/// Calls `sink` with the `(ts_ns, value)` of every data line of a CSV stream.
fn each_csv_line(
    mut reader: impl BufRead,
    label: &str,
    sink: &mut dyn FnMut(i64, f64) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut parser = CsvLines::default();
    let mut line = Vec::new();
    let mut lineno = 0;
    let io = |source| ImportError::Io {
        path: label.to_owned(),
        source,
    };
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            return Ok(());
        }
        lineno += 1;
        if let Some((ts, v)) = parser.fast(&line) {
            sink(ts, v)?;
            continue;
        }
        let text = std::str::from_utf8(&line).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
        })?;
        if let Some((ts, v)) = parser.parse(label, lineno, text)? {
            sink(ts, v)?;
        }
    }
}
