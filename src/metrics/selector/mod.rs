//! Series selectors: which series (a metric name plus its tag set, as Prometheus and
//! OpenTelemetry define a series) an analysis, comparison or history is about.
//!
//! The syntax is PromQL's instant-vector selector, with name globs:
//!
//! | selector | selects |
//! |---|---|
//! | `step_wall_time` | every series of that name |
//! | `step_cpu_*` | every series whose name the glob matches (`*`, `?`, `[..]`) |
//! | `step_wall_time{step="build"}` | the series whose `step` tag is `build` |
//! | `{step=~"compile.*"}` | series of any name whose `step` matches the regex |
//! | `net_bytes{interface!="lo", host!~"test-.*"}` | `!=` and `!~` exclude |
//!
//! - Matchers are comma-separated (a trailing comma is allowed); whitespace around tokens is
//!   ignored. Values are double- or single-quoted with the escapes `\\`, `\"`, `\'`, `\n`, `\t`,
//!   `\r` and `\u{hex}`. A name or tag key outside `[A-Za-z0-9_:./-]` (a space, say) is written
//!   quoted too: `"my metric"{"my key"="v"}`; a quoted name is exact, never a glob.
//! - Regexes (`=~`, `!~`) are fully anchored (`=~"a.*"` does not match `ba`), as in PromQL, with
//!   the `regex` crate's syntax.
//! - As in PromQL, a tag a series does not carry reads as the empty string: `{step=""}` selects
//!   the series without a `step` tag and `{step!="a"}` includes them.
//!
//! Errors give the 1-based column and what was expected there (`at column 17: expected '=',
//! '!=', '=~' or '!~' after tag key 'step'`), quoting at most 200 characters of the input; no
//! input makes the parser panic. [`Selector`]'s `Display` is the canonical form
//! (`name{k="v", k2=~"re"}`), which parses back to an equal selector.
//!
//! [`tag_string`] is the canonical tag string of one series (`recipe=ci,step=build`, `{}` for
//! none) that keys per-series results and baselines.

mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use regex::Regex;

pub use parse::SelectorError;

/// Characters a name or tag key may have without quotes (globs add `*`, `?` and `[..]`).
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '/' | '-')
}

/// Whether `s` can be written without quotes as a name or tag key.
fn is_plain_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_plain)
}

/// How a selector names its metrics.
#[derive(Debug, Clone, PartialEq)]
pub enum NameMatch {
    /// One exact name.
    Exact(String),
    /// A shell glob over names.
    Glob(glob::Pattern),
}

impl NameMatch {
    /// Whether `name` is selected.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            NameMatch::Exact(n) => n == name,
            NameMatch::Glob(g) => g.matches(name),
        }
    }
}

/// A matcher's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: the tag equals the value.
    Eq,
    /// `!=`: the tag differs from the value.
    Ne,
    /// `=~`: the tag matches the (anchored) regex.
    Re,
    /// `!~`: the tag does not match the (anchored) regex.
    NotRe,
}

impl MatchOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }
}

/// One tag matcher, `key op "value"`.
#[derive(Debug, Clone)]
pub struct TagMatcher {
    /// The tag key.
    pub key: String,
    /// The operator.
    pub op: MatchOp,
    /// The value (the regex source for `=~` / `!~`).
    pub value: String,
    /// The compiled, anchored regex of `=~` / `!~`.
    regex: Option<Regex>,
}

impl PartialEq for TagMatcher {
    fn eq(&self, other: &Self) -> bool {
        (&self.key, self.op, &self.value) == (&other.key, other.op, &other.value)
    }
}

impl TagMatcher {
    /// A matcher; a regex operator compiles `value` fully anchored.
    pub fn new(key: &str, op: MatchOp, value: &str) -> Result<TagMatcher, regex::Error> {
        let regex = match op {
            MatchOp::Eq | MatchOp::Ne => None,
            MatchOp::Re | MatchOp::NotRe => Some(
                regex::RegexBuilder::new(&format!("^(?:{value})$"))
                    .size_limit(1 << 20)
                    .build()?,
            ),
        };
        Ok(TagMatcher {
            key: key.to_owned(),
            op,
            value: value.to_owned(),
            regex,
        })
    }

    /// Whether a series with `tags` passes (a missing tag reads as "").
    pub fn matches(&self, tags: &BTreeMap<String, String>) -> bool {
        let got = tags.get(&self.key).map_or("", String::as_str);
        match (self.op, &self.regex) {
            (MatchOp::Eq, _) => got == self.value,
            (MatchOp::Ne, _) => got != self.value,
            (MatchOp::Re, Some(re)) => re.is_match(got),
            (MatchOp::NotRe, Some(re)) => !re.is_match(got),
            (MatchOp::Re | MatchOp::NotRe, None) => false,
        }
    }
}

/// A parsed series selector (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The metric names; `None` selects every name.
    pub name: Option<NameMatch>,
    /// Tag matchers, all of which must pass, in written order.
    pub matchers: Vec<TagMatcher>,
}

impl Selector {
    /// The selector of every series named exactly `name`.
    pub fn name(name: &str) -> Selector {
        Selector {
            name: Some(NameMatch::Exact(name.to_owned())),
            matchers: Vec::new(),
        }
    }

    /// The selector of exactly the series `name` with `tags` (`=` on every tag, `=""` never
    /// needed since only the series' own keys are named).
    pub fn of_series(name: &str, tags: &BTreeMap<String, String>) -> Selector {
        let matchers = tags
            .iter()
            .map(|(k, v)| TagMatcher::new(k, MatchOp::Eq, v).expect("= needs no regex"))
            .collect();
        Selector {
            name: Some(NameMatch::Exact(name.to_owned())),
            matchers,
        }
    }

    /// Whether the metric `name` is selected (ignoring tags).
    pub fn matches_name(&self, name: &str) -> bool {
        self.name.as_ref().map_or(true, |n| n.matches(name))
    }

    /// Whether a series with `tags` passes every matcher.
    pub fn matches_tags(&self, tags: &BTreeMap<String, String>) -> bool {
        self.matchers.iter().all(|m| m.matches(tags))
    }

    /// Whether the series `name` with `tags` is selected.
    pub fn matches(&self, name: &str, tags: &BTreeMap<String, String>) -> bool {
        self.matches_name(name) && self.matches_tags(tags)
    }

    /// The exact name, when the selector names one.
    pub fn exact_name(&self) -> Option<&str> {
        match &self.name {
            Some(NameMatch::Exact(n)) => Some(n),
            _ => None,
        }
    }

    /// The tag keys the matchers name, in order, without repeats.
    pub fn keys(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.matchers {
            if !out.contains(&m.key.as_str()) {
                out.push(&m.key);
            }
        }
        out
    }
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse::parse(s)
    }
}

/// `s` as a double-quoted string with the selector's escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn word(s: &str) -> String {
    if is_plain_word(s) {
        s.to_owned()
    } else {
        quote(s)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(NameMatch::Exact(n)) => f.write_str(&word(n))?,
            Some(NameMatch::Glob(g)) => f.write_str(g.as_str())?,
            None => {}
        }
        if self.matchers.is_empty() && self.name.is_some() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, m) in self.matchers.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}{}{}", word(&m.key), m.op.as_str(), quote(&m.value))?;
        }
        f.write_str("}")
    }
}

/// The series `name` with `tags` as a selector string: `name{k="v", ..}` (`name` alone when
/// untagged), the label results print.
pub fn series_label(name: &str, tags: &BTreeMap<String, String>) -> String {
    Selector::of_series(name, tags).to_string()
}

/// The canonical tag string of a series: `k=v` pairs sorted by key, joined by `,` (`\`, `,`
/// and `=` inside keys and values escaped with `\`); `{}` for a series without tags.
pub fn tag_string(tags: &BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return "{}".to_owned();
    }
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace('=', "\\=")
    };
    tags.iter()
        .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
        .collect::<Vec<_>>()
        .join(",")
}
