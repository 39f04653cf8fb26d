//! `f0 validate`: findings as `LEVEL [CODE] at path: text`, or JSON; exit 1 on errors.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use framework0::catalog::default_registry;
use framework0::diagnostic::{escape_text, Finding, Level};
use framework0::recipe::load_recipe;
use framework0::recipe::validate::validate;

/// Flags of `f0 validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The recipe to check.
    #[arg(value_name = "RECIPE")]
    pub path: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Python steps.
    #[command(flatten)]
    pub python: super::python_flags::PythonFlags,
}

/// Runs the command; returns the exit code.
pub fn run(args: ValidateArgs) -> u8 {
    let (steps, findings): (usize, Vec<Finding>) = match load_recipe(&args.path) {
        Ok(recipe) => {
            let mut registry = default_registry();
            args.python.install(&mut registry, &args.path);
            (recipe.steps.len(), validate(&recipe, &registry))
        }
        Err(e) => (0, vec![e.to_finding()]),
    };
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    let path = args.path.display().to_string();
    if args.json {
        let obj = json!({
            "recipe": path,
            "valid": errors == 0,
            "steps": steps,
            "errors": errors,
            "warnings": warnings,
            "findings": findings,
        });
        println!("{obj}");
    } else {
        for f in &findings {
            println!("{f}");
        }
        let verdict = if errors == 0 { "valid" } else { "invalid" };
        println!(
            "{}: {verdict} ({steps} steps, {errors} errors, {warnings} warnings)",
            escape_text(&path)
        );
    }
    u8::from(errors > 0)
}
