//! Diagnostics: findings with a level, a stable code, the path they point at, a message and
//! the step they belong to. The bottom of the crate: every argument parser and the recipe
//! validator produce them, and nothing here depends on any other module of the crate.
//!
//! Findings print as `LEVEL [CODE] at recipe.steps[i].field: text (step 'name')`.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// The recipe cannot run as written.
    Error,
    /// The recipe runs, but probably not as meant.
    Warning,
}

/// Stable finding codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// A required field is absent or empty.
    MissingField,
    /// A field has the wrong type.
    InvalidType,
    /// The `steps` list is empty.
    EmptySteps,
    /// Two steps share a name.
    DuplicateStepName,
    /// Two steps share an `idx` (order falls back to list position).
    DuplicateIndex,
    /// A negative `idx`.
    NegativeIndex,
    /// `depends_on` names a step that does not exist.
    MissingDependency,
    /// `depends_on` forms a cycle.
    CircularDependency,
    /// No scriptlet is registered under this module and function.
    UnknownScriptlet,
    /// The scriptlet does not know `args.action`.
    UnknownAction,
    /// A scriptlet argument is invalid.
    InvalidArg,
    /// The file is not valid YAML or JSON.
    ParseError,
    /// The file could not be read (missing, unreadable, too large).
    ReadError,
    /// A key nobody reads (it is ignored).
    UnknownKey,
}

impl Code {
    /// The code as printed, e.g. `MISSING_FIELD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingField => "MISSING_FIELD",
            Code::InvalidType => "INVALID_TYPE",
            Code::EmptySteps => "EMPTY_STEPS",
            Code::DuplicateStepName => "DUPLICATE_STEP_NAME",
            Code::DuplicateIndex => "DUPLICATE_INDEX",
            Code::NegativeIndex => "NEGATIVE_INDEX",
            Code::MissingDependency => "MISSING_DEPENDENCY",
            Code::CircularDependency => "CIRCULAR_DEPENDENCY",
            Code::UnknownScriptlet => "UNKNOWN_SCRIPTLET",
            Code::UnknownAction => "UNKNOWN_ACTION",
            Code::InvalidArg => "INVALID_ARG",
            Code::ParseError => "PARSE_ERROR",
            Code::ReadError => "READ_ERROR",
            Code::UnknownKey => "UNKNOWN_KEY",
        }
    }

    /// Whether Framework0 reports this when the step runs rather than at load time.
    pub fn is_runtime_failure(self) -> bool {
        matches!(self, Code::UnknownScriptlet | Code::UnknownAction)
    }
}

/// One validation finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub level: Level,
    /// Stable code.
    pub code: Code,
    /// Where: `recipe.steps[2].args.action`.
    pub path: String,
    /// What is wrong and what is accepted.
    pub message: String,
    /// The name of the step the path points into, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

impl Finding {
    /// An error finding.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            level: Level::Error,
            code,
            path: path.into(),
            message: message.into(),
            step: None,
        }
    }

    /// A warning finding.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            level: Level::Warning,
            ..Finding::error(code, path, message)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "ERROR",
            Level::Warning => "WARNING",
        };
        write!(
            f,
            "{level} [{}] at {}: {}",
            self.code.as_str(),
            escape_text(&self.path),
            escape_text(&self.message)
        )?;
        match &self.step {
            Some(step) if !self.message.contains(&format!("step '{step}'")) => {
                write!(f, " (step '{}')", escape_text(step))
            }
            _ => Ok(()),
        }
    }
}

/// A short rendering of a bad value for messages.
pub fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// The longest user-provided text an error message quotes, in characters.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `text` for an error message: at most [`MAX_QUOTED_CHARS`] characters (then `…` and the full
/// length), with control characters escaped so the message stays one line.
pub fn quote(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_QUOTED_CHARS {
        return escape_text(text).into_owned();
    }
    let head: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    format!("{}… ({n} characters)", escape_text(&head))
}

/// `text` with every control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, and the Unicode
/// line and paragraph separators), so that a step name, a metric name, a tag or a context key
/// can never forge a line of text output or of a log.
pub fn escape_text(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_is_one_line_and_quotes_are_short() {
        assert_eq!(
            escape_text("a\nb\r\tc\u{1b}[31m\u{2028}"),
            "a\\nb\\r\\tc\\u{1b}[31m\\u{2028}"
        );
        assert!(matches!(
            escape_text("plain é"),
            std::borrow::Cow::Borrowed(_)
        ));
        let long = "x".repeat(5000);
        let q = quote(&long);
        assert!(
            q.starts_with(&"x".repeat(200)) && q.ends_with("… (5000 characters)"),
            "{q}"
        );
        assert_eq!(quote("a\nb"), "a\\nb");
    }
}
