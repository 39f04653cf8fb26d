//! What a scriptlet reports when it cannot do its job.

/// A scriptlet's failure. The runner reports it as `Step execution failed: {error}`
/// (Framework0's wording for an escaping exception); [`ScriptletError::Failed`] keeps the
/// typed error behind the message as its `source`.
#[derive(Debug, thiserror::Error)]
pub enum ScriptletError {
    /// A failure with a message for the user and no typed cause.
    #[error("{0}")]
    Message(String),
    /// An argument is wrong.
    #[error("invalid argument '{field}': {message}")]
    InvalidArg {
        /// Path of the argument, e.g. `args.seconds`.
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A typed error from the work itself (a store, a collector, an analysis), with what was
    /// being done when it happened (`context`, e.g. `step 'collect'`) when there is one.
    #[error("{}{source}", .context.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
    Failed {
        /// What was being done, printed before the cause.
        context: Option<String>,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A failure worded by the host itself and reported as is, without the
    /// `Step execution failed:` prefix (Framework0's import, class lookup and exit-code
    /// messages for a hosted Python scriptlet).
    #[error("{0}")]
    Reported(String),
    /// The step was cancelled (timeout or Ctrl-C) and must stop.
    #[error("step cancelled")]
    Cancelled,
}

impl ScriptletError {
    /// A failure caused by `source`.
    pub fn failed(source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        ScriptletError::Failed {
            context: None,
            source: source.into(),
        }
    }

    /// A failure caused by `source` while doing `context` (printed as `context: source`).
    pub fn failed_in(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        ScriptletError::Failed {
            context: Some(context.into()),
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn failed_keeps_its_source_and_prints_its_context() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = ScriptletError::failed_in("step 'load'", io);
        assert_eq!(e.to_string(), "step 'load': no such file");
        let src = e.source().expect("source kept");
        assert!(src.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(ScriptletError::failed("plain").to_string(), "plain");
    }
}
