//! The interpreter and fixtures of the Python bridge tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::Scratch;

/// The real `python3` executable (`sys.executable`, past launcher shims such as pyenv's, so
/// each test pays one interpreter start, not a shell script's), or None after printing how
/// to install it: the calling test then returns without asserting anything.
pub fn python() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        let exe = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (!exe.is_empty()).then(|| PathBuf::from(exe))
    });
    if found.is_none() {
        eprintln!(
            "SKIPPED: python3 is not installed, so the Python bridge is not tested \
             (install it: apt-get install -y python3)"
        );
    }
    found.clone()
}

/// The bridge fixtures folder (`tests/fixtures/bridge`).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bridge")
}

/// `f0 run RECIPE --json-output --python PY --pythonpath FIXTURES` plus `extra`: (exit
/// code, JSON, stdout, stderr).
pub fn run_py(
    s: &Scratch,
    py: &Path,
    recipe: &Path,
    extra: &[&str],
) -> (i32, serde_json::Value, String, String) {
    let out = s
        .f0()
        .arg("run")
        .arg(recipe)
        .arg("--json-output")
        .arg("--python")
        .arg(py)
        .arg("--pythonpath")
        .arg(fixtures())
        .args(extra)
        .output()
        .expect("run f0");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stdout.lines().last().unwrap_or_default();
    let json = serde_json::from_str(last).unwrap_or_else(|e| {
        panic!("last stdout line is not JSON ({e}): {stdout}\nstderr: {stderr}")
    });
    (out.status.code().unwrap_or(-1), json, stdout, stderr)
}

/// A recipe step line for a Python class of the fixtures.
pub fn py_step(name: &str, idx: i64, module: &str, class: &str, extra: &str) -> String {
    format!(
        "  - {{name: {name}, idx: {idx}, type: python, module: {module}, function: {class}{}{extra}}}\n",
        if extra.is_empty() { "" } else { ", " }
    )
}

/// The step of a run's JSON output named `name`.
pub fn step_of<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {json:#}"))
}
