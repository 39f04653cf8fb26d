//! Streams of points into events: a line reader for `timestamp,value` or plain `value`
//! text, and [`OnlineRunner`], the loop every live path shares (detector set → event
//! builder). Memory is bounded whatever the stream's length: one line at a time, the
//! detectors' fixed state, at most one open event.
//!
//! Lines: a UTF-8 byte-order mark at the start is skipped, as are blank lines and lines
//! starting with `#`; a first line that is not data
//! is a header (`timestamp,value`, `time,value`, `ts,value` or `value`); each other line is
//! `TIMESTAMP,VALUE` or `VALUE` (the first data line fixes which), fields may be quoted.
//! Timestamps are read by [`parse_timestamp`] (epoch seconds or ns, RFC 3339, or
//! `YYYY-MM-DD HH:MM:SS` as UTC); values must be finite numbers.

use super::{DetectorSet, Event, EventBuilder, EventPoint, OnlineError, OnlineOptions};
use crate::store::timestamp::parse_timestamp;

/// One parsed point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Timestamp (epoch ns), when the line has one.
    pub ts_ns: Option<i64>,
    /// The value.
    pub value: f64,
}

/// How data lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Unknown,
    Timestamped,
    Plain,
}

/// Reads lines one at a time (see the module docs).
#[derive(Debug, Clone)]
pub struct LineReader {
    shape: Shape,
    seen_first: bool,
}

impl Default for LineReader {
    fn default() -> Self {
        LineReader::new()
    }
}

fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(f)
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(120).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn finite(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("value '{}' is not a finite number", short(text))),
        Err(_) => Err(format!("value '{}' is not a number", short(text))),
    }
}

fn is_header(fields: &[&str]) -> bool {
    let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
    match names.as_slice() {
        [v] => v == "value",
        [t, v] => matches!(t.as_str(), "timestamp" | "time" | "ts") && v == "value",
        _ => false,
    }
}

impl LineReader {
    /// A reader before its first line.
    pub fn new() -> Self {
        LineReader {
            shape: Shape::Unknown,
            seen_first: false,
        }
    }

    /// The point on `line`, `None` for a blank, comment or header line, or what is wrong with
    /// it (without the line number, which the caller adds).
    pub fn read(&mut self, line: &str) -> Result<Option<Point>, String> {
        let line = if self.seen_first {
            line
        } else {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let fields: Vec<&str> = line.split(',').map(unquote).collect();
        if !self.seen_first {
            self.seen_first = true;
            if is_header(&fields) {
                return Ok(None);
            }
        }
        let shape = match fields.len() {
            1 => Shape::Plain,
            2 => Shape::Timestamped,
            n => {
                return Err(format!(
                    "expected TIMESTAMP,VALUE or VALUE, got {n} comma-separated fields in '{}'",
                    short(line)
                ))
            }
        };
        if self.shape == Shape::Unknown {
            self.shape = shape;
        } else if self.shape != shape {
            return Err(format!(
                "'{}' has {} field(s) where earlier lines had {}; one form per stream",
                short(line),
                fields.len(),
                if self.shape == Shape::Plain { 1 } else { 2 }
            ));
        }
        match fields.as_slice() {
            [v] => Ok(Some(Point {
                ts_ns: None,
                value: finite(v)?,
            })),
            [t, v] => {
                let ts = parse_timestamp(t).map_err(|e| e.to_string())?;
                Ok(Some(Point {
                    ts_ns: Some(ts),
                    value: finite(v)?,
                }))
            }
            _ => unreachable!("shape checked above"),
        }
    }
}

/// The longest line [`read_line_bounded`] accepts.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Why a line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadLineError {
    /// The reader failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The line is longer than [`MAX_LINE_BYTES`].
    #[error("line longer than {MAX_LINE_BYTES} bytes")]
    TooLong,
    /// The line is not UTF-8.
    #[error("line is not UTF-8 text")]
    NotUtf8,
}

/// Reads one line (without its `\n`) into `line`, never holding more than
/// [`MAX_LINE_BYTES`] of it: false at the end of the input. A too-long line is consumed up to
/// its end before the error, so memory stays bounded on any input.
pub fn read_line_bounded(
    reader: &mut impl std::io::BufRead,
    line: &mut String,
) -> Result<bool, ReadLineError> {
    line.clear();
    let mut bytes = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if bytes.len() + chunk.len() > MAX_LINE_BYTES {
            too_long = true;
        } else {
            bytes.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if too_long {
        return Err(ReadLineError::TooLong);
    }
    *line = String::from_utf8(bytes).map_err(|_| ReadLineError::NotUtf8)?;
    Ok(any)
}

/// A detector set feeding an event builder: push points, get events as they close.
#[derive(Debug)]
pub struct OnlineRunner {
    set: DetectorSet,
    events: EventBuilder,
    next_index: u64,
}

impl OnlineRunner {
    /// A runner with these options.
    pub fn new(options: &OnlineOptions) -> Result<Self, OnlineError> {
        Ok(OnlineRunner {
            set: DetectorSet::new(&options.detectors, &options.params)?,
            events: EventBuilder::new(options.events)?,
            next_index: 0,
        })
    }

    /// Scores the next point; returns the event it closes, if any.
    pub fn push(&mut self, point: Point) -> Result<Option<Event>, OnlineError> {
        let verdict = self.set.update(point.value)?;
        let p = EventPoint {
            index: self.next_index,
            ts_ns: point.ts_ns,
            value: point.value,
            score: verdict.score,
        };
        self.next_index += 1;
        Ok(self.events.push(p, &verdict))
    }

    /// Closes the open event at the end of the stream.
    pub fn finish(&mut self) -> Option<Event> {
        self.events.finish()
    }

    /// Points pushed so far.
    pub fn points(&self) -> u64 {
        self.next_index
    }

    /// Heap bytes of the detector state.
    pub fn state_bytes(&self) -> usize {
        self.set.state_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_forms_and_errors() {
        let mut r = LineReader::new();
        assert_eq!(
            r.read("\u{feff}timestamp,value"),
            Ok(None),
            "a byte-order mark is skipped"
        );
        assert_eq!(r.read("# comment"), Ok(None));
        let p = r.read("2014-04-01 00:05:00,\"12.5\"").unwrap().unwrap();
        assert_eq!(p.value, 12.5);
        assert_eq!(p.ts_ns, Some(1_396_310_700_000_000_000));
        assert!(r.read("13").unwrap_err().contains("one form per stream"));
        assert!(r
            .read("2014-04-01 00:10:00,nan")
            .unwrap_err()
            .contains("not a finite number"));
        assert!(r
            .read("yesterday,1")
            .unwrap_err()
            .contains("timestamp 'yesterday'"));
        assert!(r
            .read("1,2,3")
            .unwrap_err()
            .contains("3 comma-separated fields"));
        let mut plain = LineReader::new();
        assert_eq!(plain.read("value"), Ok(None));
        assert_eq!(plain.read(" 7 ").unwrap().unwrap().ts_ns, None);
        let mut bare = LineReader::new();
        assert!(bare
            .read("x")
            .unwrap_err()
            .contains("value 'x' is not a number"));
    }

    #[test]
    fn bounded_lines() {
        let long = "9".repeat(MAX_LINE_BYTES + 10);
        let text = format!("1\n{long}\n2\r\n\u{FFFD}");
        let mut input = std::io::Cursor::new(text.into_bytes());
        let mut line = String::new();
        assert!(read_line_bounded(&mut input, &mut line).unwrap());
        assert_eq!(line, "1");
        assert!(matches!(
            read_line_bounded(&mut input, &mut line),
            Err(ReadLineError::TooLong)
        ));
        assert!(read_line_bounded(&mut input, &mut line).unwrap());
        assert_eq!(line, "2\r");
        assert!(read_line_bounded(&mut input, &mut line).unwrap());
        assert!(!read_line_bounded(&mut input, &mut line).unwrap());
        let mut bad = std::io::Cursor::new(vec![b'1', 0xff, b'\n']);
        assert!(matches!(
            read_line_bounded(&mut bad, &mut line),
            Err(ReadLineError::NotUtf8)
        ));
    }
}
