//! Framework0 `PerformanceMetric` JSON for `f0 import`, read one object at a time from any
//! reader: JSON lines (each line parsed on its own, errors name the line), pretty-printed
//! objects one after another, or one array of objects (both parsed as a stream; errors name
//! the line serde_json stopped at). No line is held whole beyond [`MAX_JSON_LINE`]: a longer
//! JSON line is refused, and a first line that long (an array on one line, as Python's
//! `json.dump` writes it) is streamed. See [`super::import`] for the accepted fields.

use std::io::{BufRead, Read};

use serde::de::{self, Deserializer as _, SeqAccess, Visitor};
use serde::Deserialize;

use super::import::ImportError;
use super::timestamp::parse_timestamp;
use super::{SampleRow, SeriesKey};
use crate::metrics::{MetricType, MetricUnit, Tags};

/// One metric as Framework0 writes it; `timestamp` may be integer ns or float seconds.
#[derive(Deserialize)]
struct Imported {
    #[serde(deserialize_with = "non_empty")]
    name: String,
    value: f64,
    metric_type: MetricType,
    unit: MetricUnit,
    #[serde(deserialize_with = "timestamp_ns")]
    timestamp: i64,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    context: serde_json::Map<String, serde_json::Value>,
}

impl From<Imported> for SampleRow {
    fn from(m: Imported) -> Self {
        SampleRow {
            series: SeriesKey {
                name: m.name,
                metric_type: m.metric_type.as_str().to_owned(),
                unit: m.unit.as_str().to_owned(),
                tags: m.tags,
                source: m.source,
            },
            ts_ns: m.timestamp,
            value: m.value,
            context: (!m.context.is_empty()).then_some(serde_json::Value::Object(m.context)),
        }
    }
}

fn non_empty<'de, D: de::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    if name.trim().is_empty() {
        return Err(de::Error::custom(crate::metrics::MetricError::EmptyName));
    }
    Ok(name)
}

/// An integer is epoch nanoseconds (COMPAT §4); a number with a fraction or an exponent is
/// epoch seconds (Python's `time.time()`), read by [`parse_timestamp`].
fn timestamp_ns<'de, D: de::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match serde_json::Number::deserialize(d)? {
        n if n.is_i64() => Ok(n.as_i64().unwrap_or_default()),
        n if n.is_u64() => Err(de::Error::custom(format!(
            "timestamp {n} is beyond the year 2262 in nanoseconds"
        ))),
        n => parse_timestamp(&n.to_string()).map_err(de::Error::custom),
    }
}

/// Where a sample goes; an error stops the import.
pub(super) type Sink<'a> = dyn FnMut(SampleRow) -> Result<(), ImportError> + 'a;

/// Calls `sink` with every metric of `reader` in order (`label` names the file in errors).
pub(super) fn each_metric<R: BufRead>(
    mut reader: R,
    label: &str,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let bad = |line: usize, e: &serde_json::Error| not_a_metric(label, line, e);
    let io = |source| ImportError::Io {
        path: label.to_owned(),
        source,
    };
    // The first line decides: a whole object on it means JSON lines. It is read at most
    // MAX_JSON_LINE bytes at a time, so a one-line array (what Python's `json.dump` writes)
    // is streamed like any other, never held whole.
    let mut first = Vec::new();
    let mut lineno = 0;
    let mut cut = false;
    while !cut && first.trim_ascii().is_empty() {
        first.clear();
        let (n, c) = read_line_capped(&mut reader, &mut first).map_err(io)?;
        if n == 0 {
            return Ok(());
        }
        (lineno, cut) = (lineno + 1, c);
    }
    let head = first.trim_ascii();
    let is_array = head.starts_with(b"[");
    if !cut && head.starts_with(b"{") && head.ends_with(b"}") {
        return each_line(reader, first, lineno, label, sink);
    }
    // A stream: the lines already read, then the rest. serde_json counts lines from the
    // first non-blank one, so its line numbers are shifted by the blank lines before it.
    let skipped = lineno - 1;
    let chained = std::io::Cursor::new(first).chain(reader);
    let mut de = serde_json::Deserializer::from_reader(chained);
    let mut failed = None;
    let result = if is_array {
        de.deserialize_seq(Elements {
            sink,
            failed: &mut failed,
        })
        .and_then(|()| de.end())
    } else {
        let mut out = Ok(());
        for m in de.into_iter::<Imported>() {
            match m {
                Ok(m) => {
                    if let Err(e) = sink(m.into()) {
                        failed = Some(e);
                        break;
                    }
                }
                Err(e) => {
                    out = Err(e);
                    break;
                }
            }
        }
        out
    };
    if let Some(e) = failed {
        return Err(e);
    }
    result.map_err(|e| bad(e.line() + skipped, &e))
}

/// The error for line `line` of `label` that serde_json refused (`e`).
fn not_a_metric(label: &str, line: usize, e: &serde_json::Error) -> ImportError {
    ImportError::Line {
        path: label.to_owned(),
        line,
        // serde_json's message may hold a whole string value of the file: quoted briefly.
        message: format!(
            "not a PerformanceMetric JSON object: {}",
            crate::diagnostic::quote(&e.to_string())
        ),
    }
}

/// JSON lines from `first` (line `lineno`) on: one object per line, blank lines skipped.
fn each_line<R: BufRead>(
    mut reader: R,
    mut line: Vec<u8>,
    mut lineno: usize,
    label: &str,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        path: label.to_owned(),
        source,
    };
    loop {
        if !line.trim_ascii().is_empty() {
            let text = std::str::from_utf8(&line).map_err(|_| io(not_utf8()))?;
            let m: Imported =
                serde_json::from_str(text).map_err(|e| not_a_metric(label, lineno, &e))?;
            sink(m.into())?;
        }
        line.clear();
        let (n, cut) = read_line_capped(&mut reader, &mut line).map_err(io)?;
        if n == 0 {
            return Ok(());
        }
        lineno += 1;
        if cut {
            return Err(ImportError::Line {
                path: label.to_owned(),
                line: lineno,
                message: format!(
                    "line is longer than {} MiB; accepted: one PerformanceMetric JSON object \
                     per line",
                    MAX_JSON_LINE >> 20
                ),
            });
        }
    }
}

/// The longest JSON line read whole: a JSON-lines file's line beyond it is refused, and a
/// first line beyond it (one object or array on one line) is read as a stream.
pub(super) const MAX_JSON_LINE: usize = 1 << 20;

/// Appends the next line of `reader` to `buf`, at most [`MAX_JSON_LINE`] bytes of it: the
/// bytes read and whether the line was cut there (its rest stays in `reader`).
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
    let n = reader.take(MAX_JSON_LINE as u64).read_until(b'\n', buf)?;
    let cut = n == MAX_JSON_LINE && buf.last() != Some(&b'\n');
    debug_assert!(buf.len() - start == n);
    Ok((n, cut))
}

/// The error std's `read_line` gives for bytes that are not UTF-8.
fn not_utf8() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

/// Visits the array's elements one at a time (never holding the array).
struct Elements<'s, 'a> {
    sink: &'s mut Sink<'a>,
    failed: &'s mut Option<ImportError>,
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of PerformanceMetric objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(m) = seq.next_element::<Imported>()? {
            if let Err(e) = (self.sink)(m.into()) {
                *self.failed = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<SampleRow>, ImportError> {
        let mut out = Vec::new();
        each_metric(text.as_bytes(), "f.json", &mut |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    const A: &str = r#"{"name":"a","value":1,"metric_type":"gauge","unit":"count","timestamp":1767225600000000000}"#;

    #[test]
    fn lines_arrays_and_pretty_objects_read_the_same() {
        let pretty = A.replace(',', ",\n  ");
        let lines = all(&format!("{A}\n{A}\n")).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(all(&format!("\n{pretty}\n{pretty}")).unwrap(), lines);
        assert_eq!(all(&format!("[\n{pretty},\n{A}\n]\n")).unwrap(), lines);
        assert_eq!(all("[]").unwrap(), vec![]);
    }

    #[test]
    fn float_timestamps_are_epoch_seconds_and_context_is_kept() {
        let t = A
            .replace("1767225600000000000", "1767225600.25")
            .replace("}", r#","context":{"run":3}}"#);
        let got = all(&format!("[{t}]")).unwrap();
        assert_eq!(got[0].ts_ns, 1_767_225_600_250_000_000);
        assert_eq!(got[0].context, Some(serde_json::json!({"run": 3})));
    }

    #[test]
    fn errors_name_the_line_in_every_form() {
        let bad = A.replace("gauge", "meter");
        let line_of = |text: &str| match all(text) {
            Err(ImportError::Line { line, .. }) => line,
            other => panic!("{:?}", other.map(|v| v.len())),
        };
        assert_eq!(line_of(&format!("{A}\n\n{bad}\n")), 3);
        assert_eq!(line_of(&format!("\n[\n{A},\n{bad}\n]")), 4);
        let pretty = bad.replace(',', ",\n");
        assert_eq!(line_of(&format!("{}\n{pretty}", A.replace(',', ",\n"))), 8);
        let empty = A.replace(r#""a""#, r#""  ""#);
        assert_eq!(line_of(&format!("[{empty}]")), 1);
        assert_eq!(line_of("[1, 2"), 1);
    }
}
