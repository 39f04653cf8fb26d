//! Reading and parsing recipe files (YAML or JSON) under Framework0's acceptance rules.

mod fast;
#[cfg(test)]
mod fast_props;
mod fast_scalar;
#[cfg(test)]
mod fast_tests;
mod tree;

use std::cell::Cell;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeSeed;
use serde_json::Value;

use tree::Node;
pub use tree::MAX_RECIPE_NODES;

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

/// Reads a JSON recipe through the tree builder.
fn parse_json(path: &Path, text: &str) -> Result<Value, RecipeError> {
    let budget = Cell::new(MAX_RECIPE_NODES);
    let mut de = serde_json::Deserializer::from_str(text);
    Node::root(&budget)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| {
            let location = format!(" at line {} column {}", e.line(), e.column());
            RecipeError::Syntax {
                path: path.to_path_buf(),
                message: without_suffix(e.to_string(), &location),
                location,
            }
        })
}

/// Reads a YAML recipe: the fast reader when the text is in its subset, serde_yaml otherwise.
fn parse_yaml(path: &Path, text: &str) -> Result<Value, RecipeError> {
    match fast::parse(text) {
        Some(root) => Ok(root),
        None => parse_yaml_serde(path, text),
    }
}

/// Reads a YAML recipe with serde_yaml and the tree builder: every YAML feature, every error.
fn parse_yaml_serde(path: &Path, text: &str) -> Result<Value, RecipeError> {
    // serde_yaml bounds recursion depth and alias expansion ("repetition limit"), and the tree
    // builder bounds the values built, so alias bombs are refused while memory stays small.
    // A text too short to hold more than MAX_RECIPE_NODES nodes is parsed once, not twice.
    if text.len() > PRE_SCAN_BYTES {
        count_yaml_nodes(path, text)?;
    }
    let budget = Cell::new(MAX_RECIPE_NODES);
    let syntax = |e: serde_yaml::Error| {
        let location = e
            .location()
            .map(|l| format!(" at line {} column {}", l.line(), l.column()))
            .unwrap_or_default();
        let mut message = without_suffix(e.to_string(), &location);
        if message.contains("repetition limit") {
            message.push_str(" (YAML aliases expand to too many nodes; refused to protect memory)");
        }
        RecipeError::Syntax {
            path: path.to_path_buf(),
            location,
            message,
        }
    };
    let mut documents = serde_yaml::Deserializer::from_str(text);
    let Some(first) = documents.next() else {
        return Ok(Value::Null);
    };
    let root = Node::root(&budget).deserialize(first).map_err(syntax)?;
    if documents.next().is_some() {
        return Err(syntax(serde::de::Error::custom(
            "deserializing from YAML containing more than one document is not supported",
        )));
    }
    Ok(root)
}

/// The parser's message without the ` at line L column C` it ends with (the error prints the
/// location once, before the message).
fn without_suffix(message: String, location: &str) -> String {
    match message.strip_suffix(location) {
        Some(shorter) if !location.is_empty() => shorter.to_owned(),
        _ => message,
    }
}

/// Above this size a recipe whose nodes the streaming pre-scan cannot count is refused rather
/// than handed to serde_yaml unbounded (the two parsers rarely disagree; small files still get
/// serde_yaml's own message).
const UNCOUNTED_YAML_BYTES: usize = 1024 * 1024;

/// The longest text parsed without the streaming pre-scan: a YAML node takes at least two
/// thirds of a byte (`[:,:]` is the densest spelling: a pair and its two empty scalars for
/// every two bytes; an alias is one event however much it expands, and the tree builder bounds
/// what it expands to), so a text of at most `MAX_RECIPE_NODES / 2` bytes stays under the
/// limit and serde_yaml's event buffer is as small as the limit allows anyway.
const PRE_SCAN_BYTES: usize = MAX_RECIPE_NODES / 2;

/// Counts the YAML nodes (scalars, lists, mappings, aliases) of `text` with a streaming parser
/// and refuses more than [`MAX_RECIPE_NODES`] before serde_yaml buffers them all.
fn count_yaml_nodes(path: &Path, text: &str) -> Result<(), RecipeError> {
    use saphyr_parser::{Event, Parser};
    let mut nodes = 0usize;
    for event in Parser::new_from_str(text) {
        match event {
            Ok((Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..), _))
            | Ok((Event::Alias(_), _)) => nodes += 1,
            Ok(_) => continue,
            Err(e) if text.len() > UNCOUNTED_YAML_BYTES => {
                let m = e.marker();
                return Err(RecipeError::Syntax {
                    path: path.to_path_buf(),
                    location: format!(" at line {} column {}", m.line(), m.col() + 1),
                    message: e.info().to_owned(),
                });
            }
            Err(_) => return Ok(()),
        }
        if nodes > MAX_RECIPE_NODES {
            return Err(RecipeError::Syntax {
                path: path.to_path_buf(),
                location: String::new(),
                message: format!(
                    "the recipe holds more than {MAX_RECIPE_NODES} YAML nodes (mappings, lists, \
                     scalars); refused to bound memory"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str, name: &str) -> String {
        match parse_recipe(Path::new(name), text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{text:?} was accepted"),
        }
    }

    #[test]
    fn the_structure_errors_name_pythons_type_as_framework0_does() {
        let e = refused("steps: 5\n", "r.yaml");
        assert!(e.contains("Recipe 'steps' must be a list, got int"), "{e}");
        let e = refused("steps: [1.5]\n", "r.yaml");
        assert!(e.contains("Step 0 must be a dictionary, got float"), "{e}");
        let e = refused("steps:\n  - {module: m, function: f}\n  - true\n", "r.yaml");
        assert!(e.contains("Step 1 must be a dictionary, got bool"), "{e}");
        let e = refused("steps: ~\n", "r.yaml");
        assert!(e.contains("got NoneType"), "{e}");
        let e = refused(r#"{"steps": "abc"}"#, "r.json");
        assert!(e.contains("Recipe 'steps' must be a list, got str"), "{e}");
    }

    #[test]
    fn more_than_one_yaml_document_is_refused() {
        let e = refused("steps: []\n---\nsteps: []\n", "two.yaml");
        assert!(e.contains("more than one document is not supported"), "{e}");
    }

    #[test]
    fn an_empty_yaml_file_is_not_a_dictionary() {
        let e = refused("", "empty.yaml");
        assert!(e.contains("got NoneType"), "{e}");
    }

    /// The nodes the pre-scan would count in `text` (None when it cannot parse it).
    fn nodes(text: &str) -> Option<usize> {
        use saphyr_parser::{Event, Parser};
        let mut n = 0;
        for event in Parser::new_from_str(text) {
            match event.ok()?.0 {
                Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_) => n += 1,
                _ => {}
            }
        }
        Some(n)
    }

    #[test]
    fn texts_short_enough_to_skip_the_pre_scan_hold_fewer_nodes_than_the_limit() {
        // The densest spellings of nodes: each stays under 2 nodes per byte, which is what
        // skipping the pre-scan below PRE_SCAN_BYTES relies on.
        for unit in ["[:,:]", "- \n", "? \n", "a:\n", "[a,a]", "{a,b}", "[[],[]]"] {
            let wrapped = if unit.starts_with('[') || unit.starts_with('{') {
                format!("[{}]", vec![unit; 1000].join(","))
            } else {
                unit.repeat(1000)
            };
            let n = nodes(&wrapped).unwrap_or_else(|| panic!("{unit:?} does not parse"));
            assert!(n > wrapped.len() / 4, "{unit:?}: only {n} nodes: not dense");
            assert!(
                n <= 2 * wrapped.len(),
                "{unit:?}: {n} nodes in {} bytes",
                wrapped.len()
            );
        }
        // A recipe of more nodes than the limit is refused whatever its length.
        let mut big = String::from("steps:\n- {module: m, function: f, args: {v: [");
        big.push_str(&"1,".repeat(MAX_RECIPE_NODES));
        big.push_str("1]}}\n");
        let e = refused(&big, "many.yaml");
        assert!(e.contains("YAML nodes") || e.contains("nodes"), "{e}");
    }

    #[test]
    fn a_large_recipe_the_pre_scan_cannot_read_is_refused_with_its_position() {
        let mut text = String::from("steps:\n");
        while text.len() <= UNCOUNTED_YAML_BYTES {
            text.push_str("  - {module: m, function: f}\n");
        }
        text.push_str("  - [unclosed\n");
        let e = refused(&text, "big.yaml");
        assert!(e.contains(" at line "), "{e}");
    }
}
