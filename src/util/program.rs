//! Finding a program as `execvp` would.

use std::path::{Path, PathBuf};

/// Finds `program` as `execvp` would: a name with a `/` is a path (relative to the working
/// directory); any other name is searched in `PATH`. Returns it when it is an executable
/// file.
pub fn find_program(program: &str) -> Option<PathBuf> {
    fn executable(p: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| executable(p))
}
