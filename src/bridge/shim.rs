//! The Python files shipped inside the binary, written to a private directory (mode 0700,
//! removed when the run ends) the first time a Python step runs: the worker (`shim.py`) and
//! the metrics API it offers scriptlets (`f0_metrics.py`).

use std::io;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;

/// The worker's source.
pub(crate) const SHIM_PY: &str = include_str!("shim.py");
/// The metrics module's source (`scriptlets.foundation.metrics` inside the worker).
pub(crate) const METRICS_PY: &str = include_str!("f0_metrics.py");

/// The directory holding the written files.
pub(crate) struct ShimDir {
    dir: tempfile::TempDir,
}

impl ShimDir {
    /// Writes the files into a fresh private directory under the system's temporary one.
    pub(crate) fn write() -> io::Result<ShimDir> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("f0-bridge-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()?;
        std::fs::write(dir.path().join("f0_bridge_worker.py"), SHIM_PY)?;
        std::fs::write(dir.path().join("f0_metrics.py"), METRICS_PY)?;
        Ok(ShimDir { dir })
    }

    /// The worker script to run.
    pub(crate) fn script(&self) -> PathBuf {
        self.dir.path().join("f0_bridge_worker.py")
    }

    /// The directory.
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_land_in_a_private_directory_removed_on_drop() {
        let shim = ShimDir::write().unwrap();
        let dir = shim.path().to_path_buf();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private: {mode:o}");
        assert_eq!(std::fs::read_to_string(shim.script()).unwrap(), SHIM_PY);
        assert!(dir.join("f0_metrics.py").is_file());
        drop(shim);
        assert!(!dir.exists());
    }
}
