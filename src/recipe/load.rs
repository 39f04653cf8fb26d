//! Reading and parsing recipe files (YAML or JSON) under Framework0's acceptance rules.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::error::RecipeError;
use super::model::Recipe;
use super::pytype::python_type_name;
use super::validate::Code;

/// Largest recipe file accepted: 8 MiB. Real recipes are a few KiB; this bounds memory and
/// parse time for hostile or accidental input.
pub const MAX_RECIPE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads, parses and structurally checks the recipe at `path`.
pub fn load_recipe(path: &Path) -> Result<Recipe, RecipeError> {
    let io = |source| RecipeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_RECIPE_BYTES {
        return Err(RecipeError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: MAX_RECIPE_BYTES,
        });
    }
    let mut text = String::new();
    file.take(MAX_RECIPE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    // A pipe or special file reports no size: what was read decides.
    if text.len() as u64 > MAX_RECIPE_BYTES {
        return Err(RecipeError::TooLarge {
            path: path.to_path_buf(),
            size: text.len() as u64,
            limit: MAX_RECIPE_BYTES,
        });
    }
    parse_recipe(path, &text)
}

/// Parses recipe text (JSON when `path` ends in `.json`, YAML otherwise) and applies
/// Framework0's acceptance rules, in Framework0's order.
pub fn parse_recipe(path: &Path, text: &str) -> Result<Recipe, RecipeError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let root = if is_json {
        parse_json(path, text)?
    } else {
        parse_yaml(path, text)?
    };
    let structure = |code: Code, at: String, message: String| RecipeError::Structure {
        path: path.to_path_buf(),
        code,
        at,
        message,
    };
    let Value::Object(document) = root else {
        return Err(structure(
            Code::InvalidType,
            "recipe".into(),
            format!(
                "Recipe file must contain a YAML dictionary, got {}",
                python_type_name(&root)
            ),
        ));
    };
    let Some(steps) = document.get("steps") else {
        return Err(structure(
            Code::MissingField,
            "recipe.steps".into(),
            format!(
                "Recipe file missing required 'steps' section: {}",
                path.display()
            ),
        ));
    };
    let Value::Array(steps) = steps else {
        return Err(structure(
            Code::InvalidType,
            "recipe.steps".into(),
            format!(
                "Recipe 'steps' must be a list, got {}",
                python_type_name(steps)
            ),
        ));
    };
    for (i, step) in steps.iter().enumerate() {
        let Value::Object(step) = step else {
            return Err(structure(
                Code::InvalidType,
                format!("recipe.steps[{i}]"),
                format!(
                    "Step {i} must be a dictionary, got {}",
                    python_type_name(step)
                ),
            ));
        };
        if !step.contains_key("module") || !step.contains_key("function") {
            let field = if step.contains_key("module") {
                "function"
            } else {
                "module"
            };
            return Err(structure(
                Code::MissingField,
                format!("recipe.steps[{i}].{field}"),
                format!("Step {i} missing required 'module' or 'function' field"),
            ));
        }
    }
    Ok(Recipe::from_document(path.to_path_buf(), document))
}

fn parse_json(path: &Path, text: &str) -> Result<Value, RecipeError> {
    serde_json::from_str(text).map_err(|e| RecipeError::Syntax {
        path: path.to_path_buf(),
        location: format!(" at line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    })
}

fn parse_yaml(path: &Path, text: &str) -> Result<Value, RecipeError> {
    // serde_yaml bounds recursion depth and alias expansion ("repetition limit"), so alias
    // bombs are refused while memory stays small.
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let mut message = e.to_string();
        if message.contains("repetition limit") {
            message.push_str(" (YAML aliases expand to too many nodes; refused to protect memory)");
        }
        RecipeError::Syntax {
            path: path.to_path_buf(),
            location: e
                .location()
                .map(|l| format!(" at line {} column {}", l.line(), l.column()))
                .unwrap_or_default(),
            message,
        }
    })?;
    yaml_to_json(&yaml, "recipe").map_err(|message| RecipeError::Syntax {
        path: path.to_path_buf(),
        location: String::new(),
        message,
    })
}

/// Converts YAML to JSON values: non-string keys become their text, tags are dropped,
/// and non-finite numbers are refused with the path where they stand.
fn yaml_to_json(value: &serde_yaml::Value, at: &str) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        format!("{at}: non-finite number {n} is not accepted (use a finite number)")
                    })?
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "None".to_owned(),
                    _ => return Err(format!("{at}: mapping keys must be scalars")),
                };
                let child = yaml_to_json(v, &format!("{at}.{key}"))?;
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(&t.value, at)?,
    })
}
