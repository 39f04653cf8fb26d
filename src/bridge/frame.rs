//! The bridge's wire format: frames of a 4-byte big-endian length and that many bytes of
//! UTF-8 JSON, over two pipes (f0 → worker, worker → f0). Reading waits in `poll(2)` slices
//! so the caller can notice a cancellation between them; a partial frame stays buffered.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use serde_json::Value;

/// Frames larger than this are refused (a worker gone wrong, not a context).
pub(crate) const MAX_FRAME: usize = 1 << 30;

/// A pipe's two ends, both close-on-exec: (read, write).
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both are fresh descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The bytes of one frame carrying `value`.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    let body = value.to_string().into_bytes();
    let mut out = Vec::with_capacity(body.len() + 4);
    // Bodies are built here from a context and args; a 4 GiB one cannot be produced.
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// Writes frames to the worker and counts the bytes.
pub(crate) struct FrameWriter {
    file: Option<File>,
    /// Bytes written so far.
    pub(crate) written: u64,
}

impl FrameWriter {
    pub(crate) fn new(fd: OwnedFd) -> Self {
        FrameWriter {
            file: Some(File::from(fd)),
            written: 0,
        }
    }

    /// Sends one frame.
    pub(crate) fn send(&mut self, value: &Value) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "the pipe is closed"))?;
        let bytes = encode(value);
        file.write_all(&bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Closes the pipe (the reader sees end of file).
    pub(crate) fn close(&mut self) {
        self.file = None;
    }
}

/// What one wait for a frame gave.
#[derive(Debug)]
pub(crate) enum Polled {
    /// A whole frame.
    Frame(Value),
    /// Nothing complete yet.
    Pending,
    /// The other end closed the pipe (the worker exited).
    Closed,
}

/// Reads frames from the worker, keeping a partial one between waits.
pub(crate) struct FrameReader {
    file: File,
    buf: Vec<u8>,
    /// Bytes read so far.
    pub(crate) read: u64,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FrameError {
    /// The pipe failed.
    #[error("reading from the Python worker: {0}")]
    Io(#[from] io::Error),
    /// The worker sent something that is not a frame of JSON.
    #[error("the Python worker sent a bad frame: {0}")]
    Bad(String),
}

impl FrameReader {
    pub(crate) fn new(fd: OwnedFd) -> Self {
        FrameReader {
            file: File::from(fd),
            buf: Vec::new(),
            read: 0,
        }
    }

    /// A complete frame from the buffer, if there is one.
    fn take(&mut self) -> Result<Option<Value>, FrameError> {
        let Some(head) = self.buf.get(..4) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if len > MAX_FRAME {
            return Err(FrameError::Bad(format!("a frame of {len} bytes")));
        }
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let value = serde_json::from_slice(&self.buf[4..4 + len])
            .map_err(|e| FrameError::Bad(format!("{e}")));
        self.buf.drain(..4 + len);
        value.map(Some)
    }

    /// Waits up to `wait` for a whole frame.
    pub(crate) fn poll(&mut self, wait: Duration) -> Result<Polled, FrameError> {
        if let Some(v) = self.take()? {
            return Ok(Polled::Frame(v));
        }
        if !readable(&self.file, wait)? {
            return Ok(Polled::Pending);
        }
        let mut chunk = [0u8; 64 * 1024];
        let n = match self.file.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(Polled::Pending),
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Ok(Polled::Closed);
        }
        self.read += n as u64;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(match self.take()? {
            Some(v) => Polled::Frame(v),
            None => Polled::Pending,
        })
    }
}

/// Whether `file` has data (or end of file) within `wait`.
fn readable(file: &File, wait: Duration) -> io::Result<bool> {
    let mut fd = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd for the duration of the call.
    match unsafe { libc::poll(&mut fd, 1, ms) } {
        -1 => {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(e)
            }
        }
        0 => Ok(false),
        _ => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_cross_a_pipe_whole_and_in_pieces() {
        let (r, w) = pipe().unwrap();
        let mut reader = FrameReader::new(r);
        let mut raw = File::from(w);
        let bytes = encode(&json!({"op": "done", "x": [1, 2.5, "é"]}));
        assert!(matches!(
            reader.poll(Duration::ZERO).unwrap(),
            Polled::Pending
        ));
        raw.write_all(&bytes[..3]).unwrap();
        assert!(matches!(
            reader.poll(Duration::from_millis(5)).unwrap(),
            Polled::Pending
        ));
        raw.write_all(&bytes[3..]).unwrap();
        raw.write_all(&encode(&json!(7))).unwrap();
        match reader.poll(Duration::from_millis(50)).unwrap() {
            Polled::Frame(v) => assert_eq!(v["x"][2], "é"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(reader.poll(Duration::ZERO).unwrap(), Polled::Frame(v) if v == json!(7)));
        drop(raw);
        assert!(matches!(
            reader.poll(Duration::from_millis(50)).unwrap(),
            Polled::Closed
        ));
    }

    #[test]
    fn a_bad_frame_is_an_error_not_a_panic() {
        let (r, w) = pipe().unwrap();
        let mut reader = FrameReader::new(r);
        let mut raw = File::from(w);
        raw.write_all(&[0, 0, 0, 3, b'{', b'x', b'}']).unwrap();
        assert!(matches!(
            reader.poll(Duration::from_millis(50)),
            Err(FrameError::Bad(_))
        ));
        raw.write_all(&[0xff, 0xff, 0xff, 0xff]).unwrap();
        assert!(matches!(
            reader.poll(Duration::from_millis(50)),
            Err(FrameError::Bad(m)) if m.contains("bytes")
        ));
    }
}
