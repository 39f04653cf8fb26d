//! Which interpreter runs Python steps and where their modules are looked for.

use std::path::{Path, PathBuf};

/// The environment variable naming the interpreter (`--python` wins).
pub const PYTHON_ENV: &str = "F0_PYTHON";
/// The interpreter used when neither `--python` nor [`PYTHON_ENV`] names one.
pub const DEFAULT_PYTHON: &str = "python3";

/// The bridge's settings for one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeConfig {
    python: PathBuf,
    search_path: Vec<PathBuf>,
}

impl BridgeConfig {
    /// Settings for the recipe at `recipe` run with `python`: modules are looked for in the
    /// recipe's directory, the current directory, each of `extra` (`--pythonpath`, in order),
    /// then each directory of `PYTHONPATH`, then wherever the interpreter itself looks
    /// (its standard library and site-packages). Every directory is made absolute; repeats
    /// keep their first place.
    pub fn new(python: impl Into<PathBuf>, recipe: &Path, extra: &[PathBuf]) -> Self {
        let recipe_dir = match recipe.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut dirs = vec![recipe_dir, PathBuf::from(".")];
        dirs.extend(extra.iter().cloned());
        BridgeConfig::searching(python, dirs)
    }

    /// Settings that look for modules in `dirs`, in order, then in each directory of
    /// `PYTHONPATH`, then wherever the interpreter itself looks; every directory is made
    /// absolute, repeats keep their first place.
    pub fn searching(python: impl Into<PathBuf>, mut dirs: Vec<PathBuf>) -> Self {
        let env_path = std::env::var_os("PYTHONPATH").unwrap_or_default();
        dirs.extend(std::env::split_paths(&env_path).filter(|p| !p.as_os_str().is_empty()));
        let mut search_path: Vec<PathBuf> = Vec::new();
        for d in dirs {
            let abs = std::path::absolute(&d).unwrap_or(d);
            if !search_path.contains(&abs) {
                search_path.push(abs);
            }
        }
        BridgeConfig {
            python: python.into(),
            search_path,
        }
    }

    /// The interpreter.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// The directories searched before the interpreter's own, in order.
    pub fn search_path(&self) -> &[PathBuf] {
        &self.search_path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_path_is_recipe_dir_cwd_extra_then_pythonpath_without_repeats() {
        let cwd = std::env::current_dir().unwrap();
        let c = BridgeConfig::new(
            "py",
            Path::new("recipes/r.yaml"),
            &[PathBuf::from("/opt/steps"), PathBuf::from(".")],
        );
        assert_eq!(c.python(), Path::new("py"));
        let p = c.search_path();
        assert_eq!(p[0], cwd.join("recipes"));
        assert_eq!(p[1], cwd);
        assert_eq!(p[2], PathBuf::from("/opt/steps"));
        assert_eq!(p.iter().filter(|d| **d == cwd).count(), 1);
        let bare = BridgeConfig::new("py", Path::new("r.yaml"), &[]);
        assert_eq!(bare.search_path()[0], cwd);
    }
}
