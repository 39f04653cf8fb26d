//! Recipe loading + validation + a dry run of the plan: any bytes, read as JSON when they start
//! with `{` (after whitespace), else as YAML, must give a recipe or a typed error, never a panic.
#![no_main]

use std::path::Path;

use framework0::catalog::default_registry;
use framework0::recipe::{parse_recipe, validate::validate};
use framework0::runner::execution_order;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = if text.trim_start().starts_with('{') {
        "fuzz.json"
    } else {
        "fuzz.yaml"
    };
    let Ok(recipe) = parse_recipe(Path::new(name), text) else {
        return;
    };
    let findings = validate(&recipe, &default_registry());
    let order = execution_order(&recipe);
    assert!(order.len() <= recipe.steps.len());
    for f in &findings {
        let _ = f.to_string();
    }
});
