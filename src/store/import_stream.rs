//! `f0 import` streaming: the file is read, parsed and written in one pass inside one
//! transaction, so memory stays bounded whatever its size (a 1 MiB read buffer whose lines are
//! parsed in place, at most one line cut off by a read — refused beyond [`MAX_CSV_LINE`] —,
//! 64 rows waiting for their multi-row `INSERT`, SQLite's page cache) and a bad line anywhere
//! rolls everything back: nothing is half-imported. The log's pages are written back to disk
//! as the import goes ([`super::write_behind`]), not all at the commit's checkpoint.

use super::metrics::SeriesIds;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rusqlite::{Transaction, TransactionBehavior};

use super::import::{csv_series, CsvLines, CsvOptions, ImportError, ImportFormat, IMPORT_RECIPE};
use super::write_behind::WalWriteBehind;
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
        let mut wal = WalWriteBehind::open(&path);
        let mut push = |series: i64, ts_ns: i64, value: f64, context: Option<String>| {
            let run = Some(run_id);
            wal.row();
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

/// The longest CSV line read: a `timestamp,value` line is far shorter, and a longer one
/// would have to be held whole, so it stops the import instead of growing memory with it.
pub(super) const MAX_CSV_LINE: usize = 1 << 20;

/// Calls `sink` with the `(ts_ns, value)` of every data line of a CSV stream: lines are read
/// in place from the reader's buffer (the fast ones parsed there, [`CsvLines::fast`]); only a
/// line split across two reads is copied, and one longer than [`MAX_CSV_LINE`] is refused.
fn each_csv_line(
    mut reader: impl BufRead,
    label: &str,
    sink: &mut dyn FnMut(i64, f64) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut parser = CsvLines::default();
    let mut lineno = 0;
    // The start of a line that the last read cut off.
    let mut carry = Vec::new();
    let io = |source| ImportError::Io {
        path: label.to_owned(),
        source,
    };
    loop {
        let buf = match reader.fill_buf() {
            // As `read_until` did: a read interrupted by a signal is retried.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => other.map_err(io)?,
        };
        let len = buf.len();
        if len == 0 {
            break;
        }
        let mut at = 0;
        if !carry.is_empty() {
            let Some(end) = buf.iter().position(|&b| b == b'\n') else {
                carry_on(&mut carry, buf, label, lineno)?;
                reader.consume(len);
                continue;
            };
            carry_on(&mut carry, &buf[..=end], label, lineno)?;
            lineno += 1;
            general_line(&mut parser, label, lineno, &carry, sink)?;
            carry.clear();
            at = end + 1;
        }
        while at < len {
            let rest = &buf[at..];
            if let Some((ts, v, taken)) = parser.fast(rest) {
                lineno += 1;
                sink(ts, v)?;
                at += taken;
                continue;
            }
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                break;
            };
            lineno += 1;
            general_line(&mut parser, label, lineno, &rest[..=end], sink)?;
            at += end + 1;
        }
        carry_on(&mut carry, &buf[at..], label, lineno)?;
        reader.consume(len);
    }
    if carry.is_empty() {
        return Ok(());
    }
    general_line(&mut parser, label, lineno + 1, &carry, sink)
}

/// Appends `more` to the cut-off line `carry` (line `lineno + 1`), refusing a line longer
/// than [`MAX_CSV_LINE`].
fn carry_on(
    carry: &mut Vec<u8>,
    more: &[u8],
    label: &str,
    lineno: usize,
) -> Result<(), ImportError> {
    if carry.len() + more.len() > MAX_CSV_LINE {
        return Err(ImportError::Line {
            path: label.to_owned(),
            line: lineno + 1,
            message: format!(
                "line is longer than {} MiB; accepted: timestamp,value lines",
                MAX_CSV_LINE >> 20
            ),
        });
    }
    carry.extend_from_slice(more);
    Ok(())
}

/// Reads one whole line through [`CsvLines::parse`].
fn general_line(
    parser: &mut CsvLines,
    label: &str,
    lineno: usize,
    line: &[u8],
    sink: &mut dyn FnMut(i64, f64) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let text = std::str::from_utf8(line).map_err(|_| ImportError::Io {
        path: label.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ),
    })?;
    match parser.parse(label, lineno, text)? {
        Some((ts, v)) => sink(ts, v),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{each_csv_line, MAX_CSV_LINE};
    use crate::store::import::{parse_csv, CsvOptions, ImportError};

    /// `(ts_ns, value bits)` of every sample `text` yields when read through a buffer of
    /// `capacity` bytes, or the error's message.
    fn streamed(text: &str, capacity: usize) -> Result<Vec<(i64, u64)>, String> {
        let reader = std::io::BufReader::with_capacity(capacity, text.as_bytes());
        let mut out = Vec::new();
        each_csv_line(reader, "f.csv", &mut |ts, v| {
            out.push((ts, v.to_bits()));
            Ok(())
        })
        .map(|()| out)
        .map_err(|e| e.to_string())
    }

    fn whole(text: &str) -> Result<Vec<(i64, u64)>, String> {
        let opts = CsvOptions {
            name: Some("m".to_owned()),
            ..CsvOptions::default()
        };
        parse_csv(text, "f.csv", &opts)
            .map(|rows| rows.iter().map(|r| (r.ts_ns, r.value.to_bits())).collect())
            .map_err(|e| e.to_string())
    }

    proptest::proptest! {
        #[test]
        fn lines_cut_by_any_read_size_read_as_the_whole_file_does(
            lines in proptest::collection::vec(
                "(17672256[0-9]{2},-?[0-9]{1,4}(\\.[0-9]{1,3})?|#c|| 1,2 |1,\"3\"|1,x|1.5,2|timestamp,value)\r?",
                0..12,
            ),
            last_newline in proptest::bool::ANY,
            capacity in 1usize..40,
        ) {
            let mut text = lines.join("\n");
            if last_newline {
                text.push('\n');
            }
            proptest::prop_assert_eq!(streamed(&text, capacity), whole(&text), "{:?}", text);
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_with_its_number() {
        let mut text = String::from("timestamp,value\n1767225600,1\n# ");
        text.push_str(&"x".repeat(MAX_CSV_LINE));
        text.push_str("\n1767225601,2\n");
        let err = streamed(&text, 64 << 10).unwrap_err();
        assert_eq!(
            err,
            "f.csv:3: line is longer than 1 MiB; accepted: timestamp,value lines"
        );
        let mut fits = String::from("# ");
        fits.push_str(&"x".repeat(MAX_CSV_LINE - 3));
        fits.push_str("\n1767225601,2\n");
        assert_eq!(
            streamed(&fits, 64 << 10),
            Ok(vec![(1_767_225_601_000_000_000, 2f64.to_bits())]),
            "a line of exactly the limit, its end included, is read"
        );
    }

    /// A reader whose every other read is interrupted by a signal.
    struct Interrupting<'a> {
        text: &'a [u8],
        interrupt: bool,
    }

    impl std::io::Read for Interrupting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.text.len()).min(5);
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_interrupted_read_is_retried() {
        let text = "timestamp,value\n1767225600,1.5\n1767225601,2\n";
        let reader = std::io::BufReader::new(Interrupting {
            text: text.as_bytes(),
            interrupt: false,
        });
        let mut out = Vec::new();
        each_csv_line(reader, "f.csv", &mut |ts, v| {
            out.push((ts, v.to_bits()));
            Ok(())
        })
        .unwrap();
        assert_eq!(Ok(out), whole(text));
    }

    #[test]
    fn bad_utf8_is_refused_as_before() {
        let reader = std::io::BufReader::new(&b"1,2\n\xff,1\n"[..]);
        let err = each_csv_line(reader, "f.csv", &mut |_, _| Ok(())).unwrap_err();
        assert!(matches!(err, ImportError::Io { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "cannot read f.csv: stream did not contain valid UTF-8"
        );
    }
}
