//! A fast reader for the common shape of YAML recipes, tried before serde_yaml.
//!
//! It reads a subset of YAML straight into the `serde_json::Value` tree that serde_yaml and
//! the tree builder ([`super::tree`]) would build, about ten times cheaper (serde_yaml's event
//! loading was most of a run's start-up on a long recipe). Anything outside the subset answers
//! `None` ("not mine") and serde_yaml reads the recipe as before, so every error message and
//! every rarer YAML feature behaves exactly as without this reader.
//!
//! The subset: block mappings and block sequences by indentation (spaces only), `- ` entries
//! (with `- key: value` compact mappings and sequences at their key's indentation), one-line
//! flow collections `{k: v}` and `[a, b]` (nested), `#` comments, blank lines; scalars are
//! plain (resolved by [`super::fast_scalar::resolve_plain`]) or quoted on one line without escapes. Anchors,
//! aliases, tags, block scalars, multi-line scalars, `?` keys, document markers, directives,
//! tabs, carriage returns, a byte-order mark, control characters, duplicate keys, non-text
//! keys and more than [`FAST_NODES`] nodes are left to serde_yaml.

use serde_json::{Map, Value};

use super::fast_scalar::{scan, Context, Scalar};
use super::tree::MAX_RECIPE_NODES;

/// Most nodes (values and keys) a recipe read here may hold: half the limit, so that the
/// streaming pre-scan serde_yaml's path runs on long texts can never refuse what is read here.
const FAST_NODES: usize = MAX_RECIPE_NODES / 2;

/// Longest text read here: longer ones may meet the pre-scan's refusal of text it cannot read.
const FAST_BYTES: usize = 1024 * 1024;

/// Deepest nesting read here (serde_yaml refuses beyond 128).
const FAST_DEPTH: usize = 64;

/// Longest implicit key read here (libyaml refuses a key spanning more than 1024 characters).
const FAST_KEY_BYTES: usize = 1000;

/// Reads `text` when it is in the subset, as serde_yaml's path would; `None` otherwise.
pub(super) fn parse(text: &str) -> Option<Value> {
    if text.len() > FAST_BYTES || !plain_text(text) {
        return None;
    }
    let lines = significant_lines(text)?;
    let first = *lines.first()?;
    let mut parser = Parser {
        lines,
        pos: 0,
        nodes: 0,
        depth: 0,
    };
    let root = parser.block(first.indent)?;
    (parser.pos == parser.lines.len()).then_some(root)
}

/// Whether `text` holds only characters libyaml reads as themselves: no tab, carriage return,
/// control character, byte-order mark or Unicode line break (NEL, LS, PS).
fn plain_text(text: &str) -> bool {
    // Whole chunks at a time, without an early exit, so that the check is vectorised.
    let ascii = |chunk: &[u8]| {
        chunk.iter().fold(true, |ok, &b| {
            ok & ((b' '..=b'~').contains(&b) | (b == b'\n'))
        })
    };
    if text.as_bytes().chunks(64).all(ascii) {
        return true;
    }
    text.chars().all(|c| match c {
        '\n' | ' '..='~' => true,
        '\u{0}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
            false
        }
        _ => true,
    })
}

/// One line holding a node: its indentation and its text after it (trailing spaces dropped).
#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

/// The lines of `text` that hold nodes (blank and comment lines dropped); `None` at a document
/// marker or directive.
fn significant_lines(text: &str) -> Option<Vec<Line<'_>>> {
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    for line in text.split('\n') {
        let body = skip_spaces(line);
        let body_end = body.trim_end_matches(' ');
        if body_end.is_empty() || body_end.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent == 0
            && (body.starts_with("---") || body.starts_with("...") || body.starts_with('%'))
        {
            return None;
        }
        lines.push(Line {
            indent,
            text: body_end,
        });
    }
    Some(lines)
}

/// `s` without its leading spaces.
fn skip_spaces(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| b == b' ').count();
    &s[n..]
}

/// Whether a line's text is a block sequence entry (`- ...` or a lone `-`).
fn is_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// Whether `rest` (what follows a node on its line) is empty or a comment after a space.
fn line_end(rest: &str) -> bool {
    let t = skip_spaces(rest);
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

/// What a line's text starts with, for a mapping: `Some(Some((key, after)))` for `key: ...`
/// (`after` follows the colon), `Some(None)` for a node that is no key, `None` when unsure.
fn split_key(text: &str) -> Option<Option<(String, &str)>> {
    if text.starts_with(['[', '{']) {
        return Some(None);
    }
    let (scalar, rest) = scan(text, Context::Block)?;
    let after_spaces = skip_spaces(rest);
    let Some(after) = after_spaces.strip_prefix(':') else {
        return Some(None);
    };
    if !(after.is_empty() || after.starts_with(' ')) {
        return Some(None);
    }
    // A plain key with a colon inside (`a:b: c`) is left to serde_yaml; in a flow collection
    // a plain scalar already ends at any colon.
    let colon = matches!(scalar, Scalar::Plain(key) if key.contains(':'));
    if colon || text.len() - after.len() > FAST_KEY_BYTES {
        return None;
    }
    Some(Some((scalar.key()?, after)))
}

/// The recursive-descent reader over the significant lines.
struct Parser<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    nodes: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn current(&self) -> Option<Line<'a>> {
        self.lines.get(self.pos).copied()
    }

    /// Counts `n` nodes; `None` beyond [`FAST_NODES`].
    fn count(&mut self, n: usize) -> Option<()> {
        self.nodes += n;
        (self.nodes <= FAST_NODES).then_some(())
    }

    /// Runs `f` one level deeper; `None` beyond [`FAST_DEPTH`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= FAST_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// The block node whose first line is the current one, at `indent`.
    fn block(&mut self, indent: usize) -> Option<Value> {
        let line = self.current()?;
        if is_entry(line.text) {
            self.nested(|p| p.sequence(indent))
        } else {
            self.nested(|p| p.mapping(indent))
        }
    }

    /// A block sequence of `- ` entries at `indent`.
    fn sequence(&mut self, indent: usize) -> Option<Value> {
        self.count(1)?;
        let mut items = Vec::with_capacity(self.entries_ahead(indent));
        while let Some(line) = self.current() {
            if line.indent < indent || (line.indent == indent && !is_entry(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let after = &line.text[1..];
            let rest = skip_spaces(after);
            let column = indent + 1 + after.len() - rest.len();
            items.push(self.entry(indent, column, rest)?);
        }
        Some(Value::Array(items))
    }

    /// How many entries the sequence at `indent` starting at the current line holds at most
    /// (its entry lines), to size its list once.
    fn entries_ahead(&self, indent: usize) -> usize {
        self.lines[self.pos..]
            .iter()
            .take_while(|l| l.indent >= indent)
            .filter(|l| l.indent == indent && is_entry(l.text))
            .count()
    }

    /// The node of a sequence entry at `indent` whose text `rest` starts at `column`.
    fn entry(&mut self, indent: usize, column: usize, rest: &'a str) -> Option<Value> {
        if rest.is_empty() || rest.starts_with('#') {
            self.pos += 1;
            return self.nested_or_null(indent, false);
        }
        if is_entry(rest) {
            return None;
        }
        if split_key(rest)?.is_some() {
            // A compact mapping: its keys stand at the column of the first one.
            self.lines[self.pos] = Line {
                indent: column,
                text: rest,
            };
            return self.nested(|p| p.mapping(column));
        }
        self.inline_then_end(rest, indent)
    }

    /// A block mapping of `key: value` lines at `indent`.
    fn mapping(&mut self, indent: usize) -> Option<Value> {
        self.count(1)?;
        let mut map = Map::new();
        while let Some(line) = self.current() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let (key, after) = split_key(line.text)??;
            self.count(1)?;
            let rest = skip_spaces(after);
            let value = if rest.is_empty() || rest.starts_with('#') {
                self.pos += 1;
                self.nested_or_null(indent, true)?
            } else {
                self.inline_then_end(rest, indent)?
            };
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some(Value::Object(map))
    }

    /// The value of a key or entry at `indent` with nothing after it on its line: the block
    /// below it (a mapping's value may also be a sequence at the key's own indentation), or null.
    fn nested_or_null(&mut self, indent: usize, in_mapping: bool) -> Option<Value> {
        match self.current() {
            Some(next)
                if next.indent > indent
                    || (in_mapping && next.indent == indent && is_entry(next.text)) =>
            {
                self.block(next.indent)
            }
            _ => {
                self.count(1)?;
                Some(Value::Null)
            }
        }
    }

    /// A scalar or flow collection that fills the rest of its line, the next line not being
    /// a continuation of it (more indented than `indent`).
    fn inline_then_end(&mut self, rest: &'a str, indent: usize) -> Option<Value> {
        let (value, after) = if rest.starts_with(['[', '{']) {
            self.flow(rest)?
        } else {
            let (scalar, after) = scan(rest, Context::Block)?;
            self.count(1)?;
            (scalar.value()?, after)
        };
        if !line_end(after) {
            return None;
        }
        self.pos += 1;
        match self.current() {
            Some(next) if next.indent > indent => None,
            _ => Some(value),
        }
    }

    /// The flow collection `s` starts with, and the text after it.
    fn flow(&mut self, s: &'a str) -> Option<(Value, &'a str)> {
        self.count(1)?;
        self.nested(|p| {
            if let Some(body) = s.strip_prefix('[') {
                p.flow_sequence(body)
            } else {
                p.flow_mapping(s.strip_prefix('{')?)
            }
        })
    }

    /// The items of a flow sequence after its `[`, and the text after its `]`.
    fn flow_sequence(&mut self, body: &'a str) -> Option<(Value, &'a str)> {
        let mut items = Vec::new();
        let mut rest = skip_spaces(body);
        if let Some(after) = rest.strip_prefix(']') {
            return Some((Value::Array(items), after));
        }
        loop {
            let (item, after) = self.flow_item(rest)?;
            items.push(item);
            let after = skip_spaces(after);
            match after.as_bytes().first()? {
                b',' => rest = skip_spaces(&after[1..]),
                b']' => return Some((Value::Array(items), &after[1..])),
                _ => return None,
            }
        }
    }

    /// The pairs of a flow mapping after its `{`, and the text after its `}`.
    fn flow_mapping(&mut self, body: &'a str) -> Option<(Value, &'a str)> {
        let mut map = Map::new();
        let mut rest = skip_spaces(body);
        if let Some(after) = rest.strip_prefix('}') {
            return Some((Value::Object(map), after));
        }
        loop {
            let (scalar, after) = scan(rest, Context::Flow)?;
            let after = skip_spaces(after).strip_prefix(": ")?;
            if rest.len() - after.len() > FAST_KEY_BYTES {
                return None;
            }
            let key = scalar.key()?;
            self.count(1)?;
            let (value, after) = self.flow_item(skip_spaces(after))?;
            if map.insert(key, value).is_some() {
                return None;
            }
            let after = skip_spaces(after);
            match after.as_bytes().first()? {
                b',' => rest = skip_spaces(&after[1..]),
                b'}' => return Some((Value::Object(map), &after[1..])),
                _ => return None,
            }
        }
    }

    /// One item of a flow collection (a scalar or a nested collection) and the text after it.
    fn flow_item(&mut self, s: &'a str) -> Option<(Value, &'a str)> {
        if s.starts_with(['[', '{']) {
            return self.flow(s);
        }
        let (scalar, after) = scan(s, Context::Flow)?;
        self.count(1)?;
        Some((scalar.value()?, after))
    }
}
