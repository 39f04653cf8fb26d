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
            self.path,
            self.message
        )?;
        match &self.step {
            Some(step) if !self.message.contains(&format!("step '{step}'")) => {
                write!(f, " (step '{step}')")
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
