//! Errors raised while loading a recipe file.

use std::path::PathBuf;

use super::validate::{Code, Finding};

/// Why a recipe could not be loaded. Messages for structural problems are
/// Framework0's own (COMPAT §1), so users moving from the Python runner see the same text.
#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    /// The file could not be read.
    #[error("cannot read recipe {path}: {source}")]
    Io {
        /// The recipe path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is larger than [`crate::recipe::MAX_RECIPE_BYTES`].
    #[error("recipe {path} is {}{size} bytes; recipes larger than {limit} bytes are refused", if *.size > *.limit && *.size == *.limit + 1 { "at least " } else { "" })]
    TooLarge {
        /// The recipe path.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The text is not valid YAML or JSON.
    #[error("cannot parse recipe {path}{location}: {message}")]
    Syntax {
        /// The recipe path.
        path: PathBuf,
        /// ` at line L column C` when known.
        location: String,
        /// The parser's message.
        message: String,
    },
    /// The document parsed but breaks Framework0's acceptance rules; the message is Framework0's.
    #[error("{message}")]
    Structure {
        /// The recipe path.
        path: PathBuf,
        /// The finding code this corresponds to.
        code: Code,
        /// Where, e.g. `recipe.steps[1]`.
        at: String,
        /// Framework0's message, e.g. `Step 0 missing required 'module' or 'function' field`.
        message: String,
    },
}

impl RecipeError {
    /// The error as a validation finding, for `f0 validate`.
    pub fn to_finding(&self) -> Finding {
        let (code, at) = match self {
            RecipeError::Io { .. } | RecipeError::TooLarge { .. } => {
                (Code::ReadError, "recipe".to_owned())
            }
            RecipeError::Syntax { .. } => (Code::ParseError, "recipe".to_owned()),
            RecipeError::Structure { code, at, .. } => (*code, at.clone()),
        };
        Finding::error(code, at, self.to_string())
    }
}
