//! The recipe and step model, built leniently from the parsed document.
//!
//! Construction never fails on a wrong type: [`crate::recipe::validate`] reports those with
//! a code and a path, and the runner refuses a recipe with errors before running anything.

use std::path::PathBuf;

use serde_json::{Map, Value};

/// A loaded recipe: its path, the parsed document and its steps in list order.
///
/// Each part of the document is held once: the step mappings live in [`Recipe::steps`] (not in
/// `document`), and a step's `args` mapping in [`Step::args`] (not in [`Step::raw`]), so a large
/// recipe costs one tree, not three. [`Recipe::to_document`] puts the whole document together.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Where it was read from, as given by the user.
    pub path: PathBuf,
    /// The document's top-level mapping without `steps`, unknown keys kept for validation and
    /// context.
    pub document: Map<String, Value>,
    /// Steps in list order (not yet sorted by `idx`).
    pub steps: Vec<Step>,
}

/// One step as written, with Framework0's defaults applied.
#[derive(Debug, Clone)]
pub struct Step {
    /// 0-based position in the `steps` list.
    pub position: usize,
    /// The raw mapping, for validation; without `args` when that is a mapping (it is in
    /// [`Step::args`]).
    pub raw: Map<String, Value>,
    /// `name`, defaulting to `step_{position}`.
    pub name: String,
    /// `idx` when it is an integer, else the list position (Framework0's fallback).
    pub idx: i64,
    /// `module` (may be empty when the recipe is invalid).
    pub module: String,
    /// `function`: the scriptlet class name.
    pub function: String,
    /// `args`, passed verbatim to the scriptlet (empty when absent or not a mapping).
    pub args: Map<String, Value>,
    /// True when the step wrote `args` as a mapping (kept here, not in `raw`).
    args_given: bool,
    /// `success.ctx_has_keys`.
    pub ctx_has_keys: Vec<String>,
    /// `depends_on`: names of steps that must succeed first.
    pub depends_on: Vec<String>,
    /// `timeout` (an extension; Framework0 ignores it); absent when it is not a valid
    /// duration, which validation reports.
    pub timeout: Option<std::time::Duration>,
    /// `retry_count` (an extension; Framework0 ignores it).
    pub retry_count: Option<u32>,
}

impl Recipe {
    /// Builds the model from a document that passed Framework0's structural checks (so
    /// `steps` is a list of mappings), moving every step out of it.
    pub(crate) fn from_document(path: PathBuf, mut document: Map<String, Value>) -> Recipe {
        let steps = match document.remove("steps") {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::Object(m) => Some(Step::from_raw(i, m)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Recipe {
            path,
            document,
            steps,
        }
    }

    /// The whole document as read: `document` with `steps` (each with its `args`) put back.
    pub fn to_document(&self) -> Map<String, Value> {
        let mut doc = self.document.clone();
        let steps = self
            .steps
            .iter()
            .map(|s| Value::Object(s.to_raw()))
            .collect();
        doc.insert("steps".to_owned(), Value::Array(steps));
        doc
    }

    /// Steps in execution order: a stable sort by `idx` (list position when absent).
    pub fn ordered_steps(&self) -> Vec<&Step> {
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.idx);
        steps
    }

    /// The recipe's display name: `metadata.name`, top-level `name`, or the file stem.
    pub fn display_name(&self) -> String {
        let from_meta = self
            .document
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str);
        let top = self.document.get("name").and_then(Value::as_str);
        from_meta
            .or(top)
            .map(str::to_owned)
            .or_else(|| {
                self.path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "recipe".to_owned())
    }
}

impl Step {
    /// The step's mapping as written (`raw` with `args` put back).
    pub fn to_raw(&self) -> Map<String, Value> {
        let mut raw = self.raw.clone();
        if !raw.contains_key("args") && self.args_given {
            raw.insert("args".to_owned(), Value::Object(self.args.clone()));
        }
        raw
    }

    fn from_raw(position: usize, mut raw: Map<String, Value>) -> Step {
        let (args, args_given) = match raw.remove("args") {
            Some(Value::Object(args)) => (args, true),
            Some(other) => {
                raw.insert("args".to_owned(), other);
                (Map::new(), false)
            }
            None => (Map::new(), false),
        };
        let str_field = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_owned);
        let str_list = |v: Option<&Value>| -> Vec<String> {
            match v {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let ctx_has_keys = str_list(raw.get("success").and_then(|s| s.get("ctx_has_keys")));
        Step {
            position,
            name: str_field("name").unwrap_or_else(|| format!("step_{position}")),
            idx: raw
                .get("idx")
                .and_then(Value::as_i64)
                .unwrap_or(position as i64),
            module: str_field("module").unwrap_or_default(),
            function: str_field("function").unwrap_or_default(),
            args,
            args_given,
            ctx_has_keys,
            depends_on: str_list(raw.get("depends_on")),
            timeout: raw
                .get("timeout")
                .and_then(Value::as_f64)
                .and_then(|t| crate::util::duration::from_seconds(t).ok()),
            retry_count: raw
                .get("retry_count")
                .and_then(Value::as_u64)
                .map(|n| n.min(u64::from(u32::MAX)) as u32),
            raw,
        }
    }
}
