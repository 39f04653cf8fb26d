//! Where flushed metrics go: the [`MetricSink`] trait and two sinks, [`MemorySink`] (tests,
//! in-process inspection) and [`JsonLinesSink`] (one `PerformanceMetric` JSON object per line,
//! appended to a file; the format `f0 import` reads).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::types::PerformanceMetric;

/// A sink failed to take a batch.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    /// What failed, naming the destination.
    pub message: String,
    /// The underlying error, if any.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl SinkError {
    /// An error with a message only.
    pub fn msg(message: impl Into<String>) -> Self {
        SinkError {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        SinkError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// Receives flushed metrics in batches of at most `performance.batch_size`, from the
/// flusher thread.
pub trait MetricSink: Send {
    /// Stores one batch; an error is counted and reported by the pipeline, which goes on.
    fn write_batch(&mut self, batch: &[PerformanceMetric]) -> Result<(), SinkError>;

    /// Makes everything written so far durable. Called on shutdown; the default does nothing.
    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

#[derive(Debug, Default)]
struct MemoryInner {
    metrics: Vec<PerformanceMetric>,
    written: u64,
    batches: u64,
}

/// Keeps written metrics in memory (the most recent `limit` of them) and counts all of them.
/// Clone the sink (or call [`MemorySink::reader`]) before installing it to read from tests.
#[derive(Debug, Clone)]
pub struct MemorySink {
    inner: Arc<Mutex<MemoryInner>>,
    limit: usize,
}

impl Default for MemorySink {
    fn default() -> Self {
        MemorySink::new()
    }
}

impl MemorySink {
    /// A sink that keeps everything.
    pub fn new() -> Self {
        MemorySink::with_limit(usize::MAX)
    }

    /// A sink that keeps only the last `limit` metrics (all are still counted).
    pub fn with_limit(limit: usize) -> Self {
        MemorySink {
            inner: Arc::default(),
            limit,
        }
    }

    /// Another handle on the same storage.
    pub fn reader(&self) -> MemorySink {
        self.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept metrics.
    pub fn metrics(&self) -> Vec<PerformanceMetric> {
        self.lock().metrics.clone()
    }

    /// Metrics written in total (kept or not).
    pub fn written(&self) -> u64 {
        self.lock().written
    }

    /// Batches written.
    pub fn batches(&self) -> u64 {
        self.lock().batches
    }
}

impl MetricSink for MemorySink {
    fn write_batch(&mut self, batch: &[PerformanceMetric]) -> Result<(), SinkError> {
        let limit = self.limit;
        let mut inner = self.lock();
        inner.written += batch.len() as u64;
        inner.batches += 1;
        if limit == 0 {
            return Ok(());
        }
        let keep = batch.len().min(limit);
        inner
            .metrics
            .extend_from_slice(&batch[batch.len() - keep..]);
        let excess = inner.metrics.len().saturating_sub(limit);
        inner.metrics.drain(..excess);
        Ok(())
    }
}

/// Appends each metric as one JSON line to a file.
#[derive(Debug)]
pub struct JsonLinesSink {
    path: PathBuf,
    out: BufWriter<File>,
}

impl JsonLinesSink {
    /// Opens (creating if needed) `path` for appending.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SinkError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| SinkError::with_source(format!("cannot open {}", path.display()), e))?;
        Ok(JsonLinesSink {
            path,
            out: BufWriter::new(file),
        })
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_err(&self, e: std::io::Error) -> SinkError {
        SinkError::with_source(format!("cannot write {}", self.path.display()), e)
    }
}

impl MetricSink for JsonLinesSink {
    fn write_batch(&mut self, batch: &[PerformanceMetric]) -> Result<(), SinkError> {
        for m in batch {
            serde_json::to_writer(&mut self.out, m).map_err(|e| {
                SinkError::with_source(format!("cannot encode metric `{}`", m.name), e)
            })?;
            self.out.write_all(b"\n").map_err(|e| self.io_err(e))?;
        }
        self.out.flush().map_err(|e| self.io_err(e))
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| self.io_err(e))?;
        self.out.get_ref().sync_data().map_err(|e| self.io_err(e))
    }
}

/// Reads a JSON-lines file written by [`JsonLinesSink`].
pub fn read_json_lines(path: impl AsRef<Path>) -> Result<Vec<PerformanceMetric>, SinkError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SinkError::with_source(format!("cannot read {}", path.display()), e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                SinkError::with_source(
                    format!("{}:{}: not a PerformanceMetric", path.display(), i + 1),
                    e,
                )
            })
        })
        .collect()
}
