//! The selector parser: a hand-written scanner over the characters of the input that reports
//! the 1-based column of the first problem and what was expected there.

use super::{is_plain, MatchOp, NameMatch, Selector, TagMatcher};

/// The most input characters an error quotes.
const QUOTE_MAX: usize = 200;

/// A selector that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid series selector {input}: at column {column}: {message}")]
pub struct SelectorError {
    /// The input, quoted and shortened to at most 200 characters.
    pub input: String,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

fn quoted_input(s: &str) -> String {
    let mut out: String = s.chars().take(QUOTE_MAX).collect();
    if s.chars().count() > QUOTE_MAX {
        out.push('…');
    }
    format!("'{out}'")
}

/// A character as an error message shows it (control characters escaped).
fn shown(c: char) -> String {
    if c.is_control() {
        c.escape_debug().to_string()
    } else {
        c.to_string()
    }
}

struct Scanner<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
}

type Step<T> = Result<T, (usize, String)>;

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// An error at the current position (column = index + 1).
    fn fail<T>(&self, message: impl Into<String>) -> Step<T> {
        Err((self.at + 1, message.into()))
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the selector".to_owned(),
            Some(c) => format!("'{}'", shown(c)),
        }
    }

    /// A plain word (name characters), with glob characters and `[..]` classes when `glob`.
    fn word(&mut self, glob: bool) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if is_plain(c) || (glob && matches!(c, '*' | '?')) {
                out.push(c);
                self.at += 1;
            } else if glob && c == '[' {
                // A class runs to its closing bracket; a `]` right after `[` or `[!` belongs
                // to the class, as in the glob crate.
                out.push(c);
                self.at += 1;
                if self.peek() == Some('!') {
                    out.push('!');
                    self.at += 1;
                }
                if let Some(first) = self.peek() {
                    out.push(first);
                    self.at += 1;
                }
                while let Some(d) = self.peek() {
                    out.push(d);
                    self.at += 1;
                    if d == ']' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        out
    }

    /// A quoted string starting at the current quote character.
    fn string(&mut self) -> Step<String> {
        let quote = self.peek().unwrap_or('"');
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err((
                        start + 1,
                        format!("unterminated string: no closing {quote} for the quote here"),
                    ))
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Step<char> {
        const ACCEPTED: &str = "accepted: \\\\ \\\" \\' \\n \\t \\r \\u{hex}";
        // The column of the backslash (the scanner stands right after it).
        let column = self.at;
        let Some(c) = self.peek() else {
            return Err((column, format!("expected an escape after '\\'; {ACCEPTED}")));
        };
        self.at += 1;
        Ok(match c {
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'u' => return self.unicode_escape(),
            other => {
                return Err((
                    column,
                    format!("unknown escape '\\{}'; {ACCEPTED}", shown(other)),
                ))
            }
        })
    }

    fn unicode_escape(&mut self) -> Step<char> {
        if self.peek() != Some('{') {
            return self.fail("expected '{' after '\\u' (write \\u{hex})");
        }
        self.at += 1;
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            self.at += 1;
        }
        let hex: String = self.chars[start..self.at].iter().collect();
        if hex.is_empty() || hex.len() > 6 || self.peek() != Some('}') {
            return self.fail("expected 1 to 6 hex digits and '}' in \\u{hex}");
        }
        self.at += 1;
        u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or((
                start + 1,
                format!("\\u{{{hex}}} is not a Unicode scalar value"),
            ))
    }

    fn name(&mut self) -> Step<Option<NameMatch>> {
        let start = self.at;
        match self.peek() {
            Some('"' | '\'') => Ok(Some(NameMatch::Exact(self.string()?))),
            Some('{') => Ok(None),
            _ => {
                let w = self.word(true);
                if w.is_empty() {
                    return self.fail(format!(
                        "expected a metric name, a name glob or '{{', found {}",
                        self.found()
                    ));
                }
                if !w.contains(['*', '?', '[']) {
                    return Ok(Some(NameMatch::Exact(w)));
                }
                glob::Pattern::new(&w)
                    .map(|g| Some(NameMatch::Glob(g)))
                    .map_err(|e| (start + 1, format!("'{w}' is not a valid name glob: {e}")))
            }
        }
    }

    fn key(&mut self) -> Step<String> {
        match self.peek() {
            Some('"' | '\'') => self.string(),
            _ => {
                let w = self.word(false);
                if w.is_empty() {
                    return self.fail(format!(
                        "expected a tag key or '}}', found {}",
                        self.found()
                    ));
                }
                Ok(w)
            }
        }
    }

    fn op(&mut self, key: &str) -> Step<MatchOp> {
        let two: String = self.chars[self.at..].iter().take(2).collect();
        let (op, len) = match (two.as_str(), self.peek()) {
            ("=~", _) => (MatchOp::Re, 2),
            ("!=", _) => (MatchOp::Ne, 2),
            ("!~", _) => (MatchOp::NotRe, 2),
            (_, Some('=')) => (MatchOp::Eq, 1),
            _ => {
                return self.fail(format!(
                    "expected '=', '!=', '=~' or '!~' after tag key '{key}', found {}",
                    self.found()
                ))
            }
        };
        self.at += len;
        Ok(op)
    }

    fn matcher(&mut self) -> Step<TagMatcher> {
        let key = self.key()?;
        self.skip_space();
        let op = self.op(&key)?;
        self.skip_space();
        if !matches!(self.peek(), Some('"' | '\'')) {
            return self.fail(format!(
                "expected a quoted value (\"...\" or '...') after '{key}{}', found {}",
                op.as_str(),
                self.found()
            ));
        }
        let value_at = self.at + 2; // the column of the first character inside the quotes
        let value = self.string()?;
        TagMatcher::new(&key, op, &value).map_err(|e| {
            let first = e.to_string().lines().last().unwrap_or_default().to_owned();
            (
                value_at,
                format!("invalid regex for tag '{key}': {}", first.trim()),
            )
        })
    }

    fn matchers(&mut self) -> Step<Vec<TagMatcher>> {
        let mut out = Vec::new();
        self.at += 1; // '{'
        loop {
            self.skip_space();
            if self.peek() == Some('}') {
                self.at += 1;
                return Ok(out);
            }
            out.push(self.matcher()?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.at += 1,
                Some('}') => {}
                _ => {
                    return self.fail(format!(
                        "expected ',' or '}}' after a matcher, found {}",
                        self.found()
                    ))
                }
            }
        }
    }

    fn selector(&mut self) -> Step<Selector> {
        self.skip_space();
        if self.peek().is_none() {
            return self.fail("expected a metric name, a name glob or '{' (the selector is empty)");
        }
        let name = self.name()?;
        self.skip_space();
        let braces_at = self.at;
        let matchers = match self.peek() {
            Some('{') => self.matchers()?,
            None => Vec::new(),
            Some(_) => {
                return self.fail(format!(
                    "expected '{{' or the end of the selector after the name, found {}",
                    self.found()
                ))
            }
        };
        self.skip_space();
        if self.peek().is_some() {
            return self.fail(format!(
                "expected the end of the selector after '}}', found {}",
                self.found()
            ));
        }
        if name.is_none() && matchers.is_empty() {
            return Err((
                braces_at + 1,
                "a selector needs a metric name or at least one tag matcher".to_owned(),
            ));
        }
        Ok(Selector { name, matchers })
    }
}

/// Parses `text` (see the module docs).
pub(super) fn parse(text: &str) -> Result<Selector, SelectorError> {
    let mut s = Scanner {
        text,
        chars: text.chars().collect(),
        at: 0,
    };
    s.selector().map_err(|(column, message)| SelectorError {
        input: quoted_input(s.text),
        column,
        message,
    })
}
