//! Finding a step's Python module without running it: on the search path by looking at the
//! file system as Python's path finder would (`name.py`, a package or namespace directory,
//! `name.pyc`, an extension module `name*.so`), and, for a top-level name found nowhere
//! there, one batched `python -c` probe asking the interpreter (its standard library and
//! site-packages) with `importlib.util.find_spec`, which imports nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How a module was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Found (the file or directory, or `None` when only the interpreter knows it).
    Found(Option<PathBuf>),
    /// Its top-level package exists but `missing` (the first dotted prefix Python would not
    /// find) does not.
    Missing(String),
    /// Not even its top-level name exists anywhere.
    Absent,
}

/// Looks modules up and remembers the answers for the run (what the interpreter said about
/// top-level names, and every module looked up: a run resolves each step more than once).
pub(crate) struct Locator {
    search: Vec<PathBuf>,
    python: PathBuf,
    /// How long the interpreter gets to answer a probe.
    probe_timeout: Duration,
    probed: Mutex<HashMap<String, bool>>,
    found: Mutex<HashMap<String, Lookup>>,
}

const PROBE: &str = r#"
import sys, importlib.util as u
for n in sys.argv[1:]:
    try:
        ok = u.find_spec(n) is not None
    except Exception:
        ok = False
    print(n, int(ok))
"#;
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

impl Locator {
    pub(crate) fn new(search: Vec<PathBuf>, python: PathBuf) -> Self {
        Locator {
            search,
            python,
            probe_timeout: PROBE_TIMEOUT,
            probed: Mutex::new(HashMap::new()),
            found: Mutex::new(HashMap::new()),
        }
    }

    /// Asks the interpreter, in one process, about the top-level names of `modules` that
    /// the search path does not hold and that were not asked about before.
    pub(crate) fn prepare(&self, modules: &[&str]) {
        let mut tops: Vec<&str> = modules
            .iter()
            .filter_map(|m| m.split('.').next())
            .filter(|t| valid_name(t) && self.depth(&[t]) == 0)
            .collect();
        tops.sort_unstable();
        tops.dedup();
        let mut probed = lock(&self.probed);
        tops.retain(|t| !probed.contains_key(*t));
        if tops.is_empty() {
            return;
        }
        let found = probe(&self.python, &tops, self.probe_timeout);
        for t in tops {
            probed.insert(t.to_owned(), found.iter().any(|f| f == t));
        }
    }

    /// Where `module` is (looked up once per run).
    pub(crate) fn lookup(&self, module: &str) -> Lookup {
        let cached = lock(&self.found).get(module).cloned();
        cached.unwrap_or_else(|| {
            let answer = self.search_for(module);
            lock(&self.found).insert(module.to_owned(), answer.clone());
            answer
        })
    }

    fn search_for(&self, module: &str) -> Lookup {
        let parts: Vec<&str> = module.split('.').collect();
        if !parts.iter().all(|p| valid_name(p)) {
            return Lookup::Absent;
        }
        let mut best = 0;
        for dir in &self.search {
            let (depth, path) = resolve_in(dir, &parts);
            if depth == parts.len() {
                return Lookup::Found(path);
            }
            best = best.max(depth);
        }
        if best > 0 {
            return Lookup::Missing(parts[..=best].join("."));
        }
        self.prepare(&[module]);
        let known = lock(&self.probed);
        if known.get(parts[0]).copied().unwrap_or(false) {
            Lookup::Found(None)
        } else {
            Lookup::Absent
        }
    }

    /// How many leading components of `parts` the best search directory holds.
    fn depth(&self, parts: &[&str]) -> usize {
        self.search
            .iter()
            .map(|d| resolve_in(d, parts).0)
            .max()
            .unwrap_or(0)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A Python identifier (ASCII letters, digits, `_`, not starting with a digit), the only
/// names looked up on disk.
fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// How many leading components resolve under `dir`, and the path of the last one.
fn resolve_in(dir: &Path, parts: &[&str]) -> (usize, Option<PathBuf>) {
    let mut cur = dir.to_path_buf();
    let mut last = None;
    for (i, name) in parts.iter().enumerate() {
        let package = cur.join(name);
        if i + 1 == parts.len() {
            return match module_file(&cur, name).or_else(|| package.is_dir().then_some(package)) {
                Some(p) => (parts.len(), Some(p)),
                None => (i, last),
            };
        }
        if !package.is_dir() {
            // A module file where a package is needed still counts as found: Python names
            // the next component as the missing one.
            let depth = if module_file(&cur, name).is_some() {
                i + 1
            } else {
                i
            };
            return (depth, last);
        }
        last = Some(package.clone());
        cur = package;
    }
    (parts.len(), last)
}

/// A module file `name.py`, `name.pyc` or extension module `name.so` / `name.<tag>.so` in
/// `dir`.
fn module_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for ext in ["py", "pyc", "so"] {
        let p = dir.join(format!("{name}.{ext}"));
        if p.is_file() {
            return Some(p);
        }
    }
    let prefix = format!("{name}.");
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let file = e.file_name();
        let file = file.to_str()?;
        (file.starts_with(&prefix) && file.ends_with(".so")).then(|| e.path())
    })
}

/// The names among `tops` the interpreter can import; none when it cannot be run.
fn probe(python: &Path, tops: &[&str], timeout: Duration) -> Vec<String> {
    let started = Instant::now();
    let child = Command::new(python)
        .arg("-c")
        .arg(PROBE)
        .args(tops)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!(target: "f0.bridge", "cannot run {} to look modules up: {e}", python.display());
            return Vec::new();
        }
    };
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            tracing::warn!(target: "f0.bridge", "{} did not answer the module lookup within {timeout:?}", python.display());
            return Vec::new();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child
        .wait_with_output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    tracing::debug!(target: "f0.bridge", "probed {} module name(s) in {:?}", tops.len(), started.elapsed());
    String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.strip_suffix(" 1"))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let w = |rel: &str| {
            let p = d.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        };
        w("steps.py");
        w("pkg/__init__.py");
        w("pkg/sub/mod.py");
        w("ns/inner.py");
        w("fast.cpython-311-x86_64-linux-gnu.so");
        d
    }

    #[test]
    fn files_packages_namespaces_and_extensions_are_found() {
        let d = tree();
        let l = Locator::new(vec![d.path().into()], "/nonexistent/python".into());
        let found = |m: &str| matches!(l.lookup(m), Lookup::Found(Some(_)));
        for m in ["steps", "pkg", "pkg.sub", "pkg.sub.mod", "ns.inner", "fast"] {
            assert!(found(m), "{m}");
        }
        assert_eq!(
            l.lookup("pkg.sub.nope"),
            Lookup::Missing("pkg.sub.nope".into())
        );
        assert_eq!(l.lookup("pkg.other.x"), Lookup::Missing("pkg.other".into()));
        assert_eq!(
            l.lookup("steps.inner"),
            Lookup::Missing("steps.inner".into())
        );
        // Without an interpreter, a name found nowhere is absent.
        assert_eq!(l.lookup("nowhere.at.all"), Lookup::Absent);
        assert_eq!(l.lookup("bad-name"), Lookup::Absent);
    }

    #[test]
    fn the_interpreter_is_asked_once_about_top_level_names() {
        if Command::new("python3")
            .arg("-c")
            .arg("pass")
            .status()
            .is_err()
        {
            eprintln!(
                "python3 not found: install python3 (apt-get install -y python3) to run this test"
            );
            return;
        }
        let l = Locator::new(Vec::new(), "python3".into());
        l.prepare(&["json.decoder", "no_such_module_f0"]);
        assert_eq!(l.probed.lock().unwrap().len(), 2);
        assert_eq!(l.lookup("json.decoder"), Lookup::Found(None));
        assert_eq!(l.lookup("no_such_module_f0.x"), Lookup::Absent);
        assert_eq!(l.probed.lock().unwrap().len(), 2, "cached, not asked again");
    }

    #[test]
    fn an_interpreter_that_does_not_answer_the_probe_is_given_up_on() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let hung = d.path().join("python3");
        std::fs::write(&hung, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&hung, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut l = Locator::new(Vec::new(), hung);
        l.probe_timeout = Duration::from_millis(200);
        let started = Instant::now();
        assert_eq!(l.lookup("json"), Lookup::Absent);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "waited {:?} for a hung interpreter",
            started.elapsed()
        );
        assert_eq!(l.probed.lock().unwrap().get("json"), Some(&false));
    }
}
