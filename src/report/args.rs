//! The report action's arguments, parsed from a step's `args` into [`ReportArgs`] with one
//! [`Finding`] per problem at its path (e.g. `recipe.steps[3].args.formats[1]`).
//!
//! | arg | accepted | default |
//! |---|---|---|
//! | `formats` | a list (or comma-separated string) of `html`, `markdown` (`md`), `json`, `text` (`txt`) | all four |
//! | `output_dir` | a folder; relative to the recipe's folder, and must stay inside it | `reports/<recipe>-<run id>/` beside the store |
//! | `timeframe` | `this_run`, `last_run`, `all` or a span like `24h` (see [`Timeframe`]) | `this_run` |
//! | `run` | a run id (instead of `timeframe`) | — |
//! | `metrics` | a series selector (`name`, `glob*`, `name{tag="v"}`, see [`crate::metrics::selector`]), or a list of them | every series except the system collector's |
//! | `title` | text | `Framework0 Performance Metrics Report` |
//! | `percentile_method` | a [`PercentileMethod`] name | `linear` |
//!
//! `metrics` is read by the analyze action's own reader ([`selectors`]): the same parser, the
//! same positioned errors.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::output::lexical_parts;
use crate::analyze::action::args::selectors;
use crate::analyze::action::timeframe::Timeframe;
use crate::analyze::quantile::PercentileMethod;
use crate::diagnostic::{compact, Finding};
use crate::metrics::selector::Selector;
use crate::scriptlet::args::{value, ArgReader};

/// The keys the report action reads.
pub const KNOWN_KEYS: &[&str] = &[
    "action",
    "formats",
    "output_dir",
    "timeframe",
    "run",
    "metrics",
    "title",
    "percentile_method",
];

/// The default title (Framework0's).
pub const DEFAULT_TITLE: &str = "Framework0 Performance Metrics Report";

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// One self-contained HTML dashboard.
    Html,
    /// GitHub-flavoured Markdown (a CI job summary).
    Markdown,
    /// The report model as JSON.
    Json,
    /// Framework0's plain-text layout.
    Text,
}

/// What [`Format::from_str`] accepts, for messages.
pub const FORMATS_ACCEPTED: &str = "html, markdown (md), json, text (txt)";

impl Format {
    /// Every format, in writing order.
    pub const ALL: [Format; 4] = [Format::Html, Format::Markdown, Format::Json, Format::Text];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Text => "text",
        }
    }

    /// The file this format is written to inside the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "report.html",
            Format::Markdown => "report.md",
            Format::Json => "report.json",
            Format::Text => "report.txt",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "html" => Ok(Format::Html),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "text" | "txt" => Ok(Format::Text),
            other => Err(format!(
                "unknown format {}; accepted: {FORMATS_ACCEPTED}",
                compact(&Value::String(other.to_owned()))
            )),
        }
    }
}

/// Parses a comma-separated list of formats (`html,md`), without repeats, in the given order.
pub fn parse_formats(text: &str) -> Result<Vec<Format>, String> {
    let out = text
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect::<Result<Vec<Format>, String>>()?;
    let out = without_repeats(out);
    if out.is_empty() {
        return Err(format!("no format given; accepted: {FORMATS_ACCEPTED}"));
    }
    Ok(out)
}

fn without_repeats(list: Vec<Format>) -> Vec<Format> {
    let mut out = Vec::with_capacity(list.len());
    for f in list {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// Which samples a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowSpec {
    /// A timeframe (relative span, last run, this run, all).
    Timeframe(Timeframe),
    /// One run by id.
    Run(i64),
}

impl fmt::Display for WindowSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowSpec::Timeframe(t) => write!(f, "{t}"),
            WindowSpec::Run(id) => write!(f, "run {id}"),
        }
    }
}

/// The parsed arguments of one report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportArgs {
    /// What to write.
    pub formats: Vec<Format>,
    /// Where, as written.
    pub output_dir: Option<String>,
    /// Which samples.
    pub window: WindowSpec,
    /// Which series (empty: every series except the system collector's).
    pub metrics: Vec<Selector>,
    /// The title.
    pub title: String,
    /// Quantile definition.
    pub percentile_method: PercentileMethod,
}

impl Default for ReportArgs {
    fn default() -> Self {
        ReportArgs {
            formats: Format::ALL.to_vec(),
            output_dir: None,
            window: WindowSpec::Timeframe(Timeframe::ThisRun),
            metrics: Vec::new(),
            title: DEFAULT_TITLE.to_owned(),
            percentile_method: PercentileMethod::default(),
        }
    }
}

/// A string or a non-empty list of strings at `field`, each parsed by `parse`.
fn list<T>(
    r: &mut ArgReader<'_>,
    field: &str,
    v: &Value,
    what: &str,
    parse: impl Fn(&str) -> Result<Vec<T>, String>,
) -> Option<Vec<T>> {
    let items: Vec<(String, &Value)> = match v {
        Value::String(_) => vec![(field.to_owned(), v)],
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("{field}[{i}]"), x))
            .collect(),
        _ => {
            r.invalid(
                field,
                format!(
                    "must be {what} or a non-empty list of them, got {}",
                    compact(v)
                ),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for (path, item) in items {
        let parsed = value::nonempty_string(item)
            .map_err(|e| format!("{e} ({what})"))
            .and_then(|text| parse(&text));
        match parsed {
            Ok(p) => out.extend(p),
            Err(e) => {
                r.invalid(&path, e);
                return None;
            }
        }
    }
    Some(out)
}

fn string(r: &mut ArgReader<'_>, field: &str, v: &Value, what: &str) -> Option<String> {
    value::nonempty_string(v)
        .map_err(|e| r.invalid(field, format!("{e} ({what})")))
        .ok()
}

/// Parses `args` (at path `base`); every finding is returned, the arguments only when no
/// finding is an error.
pub fn parse_args(args: &Map<String, Value>, base: &str) -> (Option<ReportArgs>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut r = ArgReader::new(base, &mut findings);
    let mut out = ReportArgs::default();
    r.unknown_keys(args, KNOWN_KEYS);
    for (key, v) in args {
        match key.as_str() {
            "formats" => {
                if let Some(f) = list(&mut r, key, v, "a format", parse_formats) {
                    out.formats = without_repeats(f);
                }
            }
            "output_dir" => {
                out.output_dir = string(&mut r, key, v, "a folder");
                if let Some(Err(why)) = out.output_dir.as_deref().map(lexical_parts) {
                    r.invalid(key, format!("{} is refused: {why}", compact(v)));
                }
            }
            "timeframe" => {
                if let Some(t) = r.parsed::<Timeframe>(key, v, "a timeframe") {
                    out.window = WindowSpec::Timeframe(t);
                }
            }
            "metrics" => {
                out.metrics = selectors(&mut r, v).unwrap_or_default();
            }
            "title" => {
                if let Some(t) = string(&mut r, key, v, "a title") {
                    out.title = t;
                }
            }
            "percentile_method" => {
                if let Some(m) = r.parsed(key, v, "a percentile method") {
                    out.percentile_method = m;
                }
            }
            _ => {}
        }
    }
    if let Some(v) = args.get("run") {
        match v.as_i64().filter(|id| *id > 0) {
            Some(id) if args.contains_key("timeframe") => r.invalid(
                "run",
                format!("give either run ({id}) or timeframe, not both"),
            ),
            Some(id) => out.window = WindowSpec::Run(id),
            None => r.invalid(
                "run",
                format!("must be a run id (a positive integer), got {}", compact(v)),
            ),
        }
    }
    let ok = !r.has_errors();
    (ok.then_some(out), findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> (Option<ReportArgs>, Vec<Finding>) {
        parse_args(v.as_object().unwrap(), "args")
    }

    #[test]
    fn defaults_write_every_format_for_this_run() {
        let (a, f) = parse(json!({"action": "report"}));
        assert!(f.is_empty(), "{f:?}");
        let a = a.unwrap();
        assert_eq!(a.formats, Format::ALL);
        assert_eq!(a.window, WindowSpec::Timeframe(Timeframe::ThisRun));
        assert_eq!(a.title, DEFAULT_TITLE);
    }

    #[test]
    fn formats_accept_lists_strings_and_aliases_without_repeats() {
        let (a, _) = parse(json!({"formats": ["md", "html", "markdown"]}));
        assert_eq!(a.unwrap().formats, [Format::Markdown, Format::Html]);
        let (a, _) = parse(json!({"formats": "json,txt"}));
        assert_eq!(a.unwrap().formats, [Format::Json, Format::Text]);
    }

    #[test]
    fn every_bad_value_is_named_with_its_path_and_what_is_accepted() {
        let (a, f) = parse(json!({
            "formats": ["html", "pdf"], "timeframe": "1 hour", "metrics": [3],
            "title": "", "percentile_method": "median", "run": -1, "colour": "red"
        }));
        assert!(a.is_none());
        let text: Vec<String> = f.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        for want in [
            "args.formats[1]: unknown format \"pdf\"; accepted: html, markdown (md), json, text (txt)",
            "args.timeframe: invalid timeframe '1 hour'",
            "args.metrics[0]: must be a string (a series selector), got 3",
            "args.title: must be a non-empty string",
            "args.percentile_method:",
            "args.run: must be a run id (a positive integer), got -1",
            "ERROR [INVALID_ARG] at args.colour: unknown key 'colour'; accepted: action, formats",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
    }

    #[test]
    fn metrics_take_series_selectors_with_tag_matchers() {
        let (a, f) =
            parse(json!({"metrics": ["step_*", "step_wall_time{step=~\"a|b\"}"], "run": 4}));
        assert!(f.is_empty(), "{f:?}");
        let a = a.unwrap();
        let shown: Vec<String> = a.metrics.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["step_*", "step_wall_time{step=~\"a|b\"}"]);
        assert_eq!(a.window, WindowSpec::Run(4));
    }

    #[test]
    fn a_malformed_selector_is_refused_with_its_column() {
        let (a, f) = parse(json!({"metrics": ["cpu", "step_wall_time{step}"]}));
        assert!(a.is_none());
        let text = f[0].to_string();
        assert!(text.contains("args.metrics[1]"), "{text}");
        assert!(text.contains("at column 20"), "{text}");
    }

    #[test]
    fn run_and_timeframe_together_are_refused() {
        let (a, f) = parse(json!({"run": 3, "timeframe": "1h"}));
        assert!(a.is_none());
        assert_eq!(
            f[0].to_string(),
            "ERROR [INVALID_ARG] at args.run: give either run (3) or timeframe, not both"
        );
    }

    #[test]
    fn formats_that_are_neither_a_string_nor_a_list_or_name_nothing_are_refused() {
        let (a, f) = parse(json!({"formats": 5}));
        assert!(a.is_none());
        assert!(
            f[0].to_string()
                .contains("args.formats: must be a format or a non-empty list of them, got 5"),
            "{f:?}"
        );
        let (a, f) = parse(json!({"formats": " , "}));
        assert!(a.is_none());
        assert!(
            f[0].to_string()
                .contains("no format given; accepted: html, markdown (md), json, text (txt)"),
            "{f:?}"
        );
    }

    #[test]
    fn a_percentile_method_is_taken_and_formats_print_their_names() {
        let (a, f) = parse(json!({"percentile_method": "hazen"}));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(a.unwrap().percentile_method.name(), "hazen");
        let shown: Vec<String> = Format::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["html", "markdown", "json", "text"]);
    }
}
