//! A parser of the Prometheus text exposition format 0.0.4 (what `node_exporter`'s textfile
//! collector, `promtool` and every client library print), with the line number of the first
//! problem.
//!
//! Grammar (one item per line):
//! ```text
//! # HELP <name> <text>          ignored
//! # TYPE <name> counter|gauge|histogram|summary|untyped
//! # <anything else>             a comment, ignored
//! <name>[{<label>="<value>",...}] <value> [<timestamp ms>]
//! # EOF                         (OpenMetrics) ends the input
//! ```
//! Names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`; label values
//! are double-quoted with `\\`, `\"` and `\n` escapes; a trailing comma in the label set is
//! allowed. Values are Go floats (`1`, `-2.5e3`, `NaN`, `+Inf`, `-Inf`); the timestamp is an
//! integer of milliseconds since the epoch. A sample's family type is the `# TYPE` of its name,
//! or of its name less a `_bucket`, `_sum`, `_count`, `_total` or `_created` suffix.

use std::collections::BTreeMap;

/// The type a `# TYPE` line gives a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `counter`.
    Counter,
    /// `gauge`.
    Gauge,
    /// `histogram`.
    Histogram,
    /// `summary`.
    Summary,
    /// `untyped`, or no `# TYPE` line.
    Untyped,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSample {
    /// The metric name.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// The value (may be NaN or infinite, as the format allows).
    pub value: f64,
    /// Milliseconds since the epoch, when the line has a timestamp.
    pub timestamp_ms: Option<i64>,
    /// The family's type.
    pub family: Family,
}

/// The first bad line: its 1-based number and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TextError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and what is accepted.
    pub message: String,
}

/// Parses `text`; the first bad line stops it.
pub fn parse(text: &str) -> Result<Vec<TextSample>, TextError> {
    let mut types: BTreeMap<String, Family> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let bad = |message: String| TextError {
            line: i + 1,
            message,
        };
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.split_whitespace().collect();
            match words.as_slice() {
                ["EOF"] => break,
                ["TYPE", name, kind] => {
                    let family = family(kind).ok_or_else(|| {
                        bad(format!("unknown metric type {kind:?} in # TYPE; accepted: counter, gauge, histogram, summary, untyped"))
                    })?;
                    types.insert((*name).to_owned(), family);
                }
                ["TYPE", ..] => return Err(bad("a # TYPE line is '# TYPE <name> <type>'".into())),
                _ => {}
            }
            continue;
        }
        let mut s = sample(line).map_err(bad)?;
        s.family = family_of(&types, &s.name);
        out.push(s);
    }
    Ok(out)
}

fn family(kind: &str) -> Option<Family> {
    Some(match kind {
        "counter" => Family::Counter,
        "gauge" => Family::Gauge,
        "histogram" => Family::Histogram,
        "summary" => Family::Summary,
        "untyped" => Family::Untyped,
        _ => return None,
    })
}

fn family_of(types: &BTreeMap<String, Family>, name: &str) -> Family {
    if let Some(f) = types.get(name) {
        return *f;
    }
    ["_bucket", "_sum", "_count", "_total", "_created"]
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix))
        .find_map(|base| types.get(base).copied())
        .unwrap_or(Family::Untyped)
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut chars = s.chars();
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':');
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'))
        && chars.all(ok)
}

fn sample(line: &str) -> Result<TextSample, String> {
    let name_end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if !is_name(name, true) {
        return Err(format!(
            "{name:?} is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
        ));
    }
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(after) = rest.strip_prefix('{') {
        rest = label_set(after, &mut labels)?;
    }
    let mut fields = rest.split_whitespace();
    let value = match fields.next() {
        Some(v) => float(v).ok_or_else(|| {
            format!("value {v:?} of '{name}' is not a number (e.g. 1, -2.5e3, NaN, +Inf)")
        })?,
        None => return Err(format!("'{name}' has no value")),
    };
    let timestamp_ms = match fields.next() {
        Some(t) => Some(t.parse::<i64>().map_err(|_| {
            format!("timestamp {t:?} of '{name}' is not an integer of milliseconds")
        })?),
        None => None,
    };
    if let Some(extra) = fields.next() {
        return Err(format!(
            "unexpected {extra:?} after the value and timestamp of '{name}'"
        ));
    }
    Ok(TextSample {
        name: name.to_owned(),
        labels,
        value,
        timestamp_ms,
        family: Family::Untyped,
    })
}

/// Reads `label="value", ...}` into `labels`; returns what follows the `}`.
fn label_set<'a>(
    mut rest: &'a str,
    labels: &mut BTreeMap<String, String>,
) -> Result<&'a str, String> {
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix('}') {
            return Ok(after);
        }
        let eq = rest
            .find('=')
            .ok_or_else(|| "a label set is {name=\"value\",...}; missing '='".to_owned())?;
        let key = rest[..eq].trim();
        if !is_name(key, false) {
            return Err(format!(
                "{key:?} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"
            ));
        }
        let (value, after) = quoted(rest[eq + 1..].trim_start()).ok_or_else(|| {
            format!("the value of label '{key}' is not a closed \"quoted\" string")
        })?;
        if labels.insert(key.to_owned(), value).is_some() {
            return Err(format!("label '{key}' appears twice"));
        }
        rest = after.trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err("labels must be separated by ',' and closed by '}'".to_owned());
        }
    }
}

/// A `"..."` string with `\\`, `\"`, `\n` escapes, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                c @ ('\\' | '"') => out.push(c),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

fn float(v: &str) -> Option<f64> {
    match v {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ if v.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => v.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
#[path = "prometheus_text_tests.rs"]
mod tests;
