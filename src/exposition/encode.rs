//! The text encoders: Prometheus text format 0.0.4 and OpenMetrics 1.0.
//!
//! The two differ in a few places, all handled here:
//! - a counter family is declared as `<name>_total` in 0.0.4 and as `<name>` in OpenMetrics
//!   (its samples are `<name>_total` in both);
//! - `# UNIT` lines and the closing `# EOF` exist only in OpenMetrics;
//! - help text escapes `\` and newline in 0.0.4, and `"` as well in OpenMetrics.
//!
//! Label values escape `\`, `"` and newline in both. Numbers use the shortest text that reads
//! back as the same `f64` (integral values as integers), and `NaN`, `+Inf`, `-Inf`.
//!
//! Specifications: <https://prometheus.io/docs/instrumenting/exposition_formats/> and
//! <https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md>.

use super::model::{Family, Kind, Value};

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` header value of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// Writes families into a byte buffer; [`Encoder::finish`] closes the exposition.
pub struct Encoder<'a> {
    format: Format,
    out: &'a mut Vec<u8>,
    labels: Vec<u8>,
}

impl<'a> Encoder<'a> {
    /// An encoder appending to `out`.
    pub fn new(format: Format, out: &'a mut Vec<u8>) -> Encoder<'a> {
        Encoder {
            format,
            out,
            labels: Vec::with_capacity(128),
        }
    }

    /// Writes one family: its metadata lines, then every series. A family without series is
    /// left out (both formats allow it, but an empty family says nothing).
    pub fn family(&mut self, family: &Family) {
        if family.series.is_empty() {
            return;
        }
        self.metadata(family);
        for series in &family.series {
            self.labels.clear();
            for (i, (k, v)) in series.labels.iter().enumerate() {
                if i > 0 {
                    self.labels.push(b',');
                }
                self.labels.extend_from_slice(k.as_bytes());
                self.labels.extend_from_slice(b"=\"");
                escape_label_value(&mut self.labels, v);
                self.labels.push(b'"');
            }
            self.series(&family.name, &series.value);
        }
    }

    /// Ends the exposition (`# EOF` in OpenMetrics).
    pub fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.out.extend_from_slice(b"# EOF\n");
        }
    }

    fn metadata(&mut self, f: &Family) {
        let total = f.kind == Kind::Counter && self.format == Format::Text;
        let name = |out: &mut Vec<u8>| {
            out.extend_from_slice(f.name.as_bytes());
            if total {
                out.extend_from_slice(b"_total");
            }
        };
        if !f.help.is_empty() {
            self.out.extend_from_slice(b"# HELP ");
            name(self.out);
            self.out.push(b' ');
            escape_help(self.out, &f.help, self.format == Format::OpenMetrics);
            self.out.push(b'\n');
        }
        self.out.extend_from_slice(b"# TYPE ");
        name(self.out);
        self.out.push(b' ');
        self.out.extend_from_slice(f.kind.as_str().as_bytes());
        self.out.push(b'\n');
        if let (Some(unit), Format::OpenMetrics) = (&f.unit, self.format) {
            self.out.extend_from_slice(b"# UNIT ");
            name(self.out);
            self.out.push(b' ');
            self.out.extend_from_slice(unit.as_bytes());
            self.out.push(b'\n');
        }
    }

    fn series(&mut self, name: &str, value: &Value) {
        match value {
            Value::Gauge(v) => self.sample(name, "", None, |o| write_number(o, *v)),
            Value::Counter(v) => self.sample(name, "_total", None, |o| write_number(o, *v)),
            Value::Histogram(h) => {
                for &(bound, n) in &h.buckets {
                    self.sample(name, "_bucket", Some(("le", bound)), |o| write_count(o, n));
                }
                self.sample(name, "_bucket", Some(("le", f64::INFINITY)), |o| {
                    write_count(o, h.count)
                });
                self.sample(name, "_sum", None, |o| write_number(o, h.sum));
                self.sample(name, "_count", None, |o| write_count(o, h.count));
            }
            Value::Summary(s) => {
                for &(q, v) in &s.quantiles {
                    self.sample(name, "", Some(("quantile", q)), |o| write_number(o, v));
                }
                self.sample(name, "_sum", None, |o| write_number(o, s.sum));
                self.sample(name, "_count", None, |o| write_count(o, s.count));
            }
        }
    }

    /// One line: `name+suffix{labels[,extra="x"]} value`.
    fn sample(
        &mut self,
        name: &str,
        suffix: &str,
        extra: Option<(&str, f64)>,
        value: impl FnOnce(&mut Vec<u8>),
    ) {
        let out = &mut *self.out;
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        if !self.labels.is_empty() || extra.is_some() {
            out.push(b'{');
            out.extend_from_slice(&self.labels);
            if let Some((key, bound)) = extra {
                if !self.labels.is_empty() {
                    out.push(b',');
                }
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b"=\"");
                write_float(out, bound);
                out.push(b'"');
            }
            out.push(b'}');
        }
        out.push(b' ');
        value(out);
        out.push(b'\n');
    }
}

/// Encodes `families` as one complete exposition in `format`, appended to `out`.
pub fn encode<'f>(
    families: impl IntoIterator<Item = &'f Family>,
    format: Format,
    out: &mut Vec<u8>,
) {
    let mut enc = Encoder::new(format, out);
    for f in families {
        enc.family(f);
    }
    enc.finish();
}

fn escape_label_value(out: &mut Vec<u8>, v: &str) {
    if !v.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
        out.extend_from_slice(v.as_bytes());
        return;
    }
    for b in v.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
}

fn escape_help(out: &mut Vec<u8>, v: &str, quote: bool) {
    for b in v.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'"' if quote => out.extend_from_slice(b"\\\""),
            _ => out.push(b),
        }
    }
}

fn write_count(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A sample value: integral values as integers, others in shortest round-trip form.
fn write_number(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        write_float(out, v);
    }
}

/// A float in shortest round-trip form (`1.0`, `0.005`, `2.5e-6`) or `NaN` / `±Inf`.
fn write_float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
}
