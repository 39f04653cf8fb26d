//! `f0 validate` findings and the recipe JSON Schema.

use crate::util::{shared, step, Scratch};

#[test]
fn validate_prints_every_finding_with_level_code_and_path() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}{}{}{}",
            step("a", 1, "Noop", ""),
            step("a", 1, "Noop", "depends_on: [ghost]"),
            step("c", -1, "Nope", ""),
            "  - {name: d, idx: 2, module: '', function: X}\n",
            step("e", 3, "Sleep", "args: {seconds: -2}"),
        ),
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "ERROR [DUPLICATE_STEP_NAME] at recipe.steps[1].name: ",
        "WARNING [DUPLICATE_INDEX] at recipe.steps[1].idx: ",
        "ERROR [MISSING_DEPENDENCY] at recipe.steps[1].depends_on: step 'a' depends on 'ghost'",
        "WARNING [NEGATIVE_INDEX] at recipe.steps[2].idx: ",
        "ERROR [UNKNOWN_SCRIPTLET] at recipe.steps[2].module: step 'c': Scriptlet class/method not found: module 'f0.builtin' has no attribute 'Nope'",
        "ERROR [MISSING_FIELD] at recipe.steps[3].module: ",
        "ERROR [INVALID_ARG] at recipe.steps[4].args.seconds: must be a non-negative number, got -2",
    ] {
        assert!(text.lines().any(|l| l.starts_with(expected)), "missing {expected:?} in:\n{text}");
    }
    assert!(
        text.trim_end()
            .ends_with("invalid (5 steps, 5 errors, 2 warnings)"),
        "{text}"
    );
}

#[test]
fn findings_name_the_step_they_point_into() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!(
            "steps:\n{}{}",
            step("nap", 1, "Sleep", "args: {seconds: -2}"),
            step("ghost", 2, "Nope", ""),
        ),
    );
    let out = s.run(&["validate", r.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in:\n{text}"))
            .to_owned()
    };
    assert!(
        line("ERROR [INVALID_ARG] at recipe.steps[0].args.seconds: ").ends_with(" (step 'nap')"),
        "{text}"
    );
    let unknown = line("ERROR [UNKNOWN_SCRIPTLET] at recipe.steps[1].module: step 'ghost': ");
    assert!(
        !unknown.ends_with("(step 'ghost')"),
        "named once: {unknown}"
    );
    let out = s.run(&["validate", "--json", r.to_str().unwrap()]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["step"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(steps, ["nap", "ghost"], "{j}");
}

#[test]
fn validate_json_and_clean_recipes() {
    let s = Scratch::new();
    let r = s.write(
        "r.yaml",
        &format!("steps:\n{}", step("a", 1, "Noop", "depends_on: [a2]")),
    );
    let out = s.run(&["validate", r.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["valid"], false);
    assert_eq!(j["findings"][0]["code"], "MISSING_DEPENDENCY");
    assert_eq!(j["findings"][0]["level"], "ERROR");
    assert_eq!(j["findings"][0]["path"], "recipe.steps[0].depends_on");
    let out = s.run(&["validate", "recipes/none.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("ERROR [READ_ERROR] at recipe: cannot read recipe"));
    let quick = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/quickstart.yaml");
    let out = s.run(&["validate", quick]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn validate_reports_framework0_load_errors_as_findings() {
    let s = Scratch::new();
    let p = shared("framework0/recipes/test_missing.yaml");
    let out = s.run(&["validate", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ERROR [MISSING_FIELD] at recipe.steps[0].function: Step 0 missing required 'module' or 'function' field"), "{text}");
    let p = s.write("c.yaml", "steps:\n  - {name: a, module: m, function: f, depends_on: [b]}\n  - {name: b, module: m, function: f, depends_on: [a]}\n");
    let out = s.run(&["validate", p.to_str().unwrap()]);
    assert!(String::from_utf8(out.stdout).unwrap().contains(
        "ERROR [CIRCULAR_DEPENDENCY] at recipe.steps[0].depends_on: dependency cycle: a → b → a"
    ));
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/recipe.schema.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn as_json(path: &std::path::Path) -> serde_json::Value {
    let r = framework0::recipe::load_recipe(path);
    match r {
        Ok(r) => serde_json::Value::Object(r.to_document()),
        Err(_) => {
            let y: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            serde_json::to_value(y).unwrap()
        }
    }
}

#[test]
fn shipped_and_runnable_sample_recipes_match_the_schema() {
    let v = schema();
    let mut checked = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/recipes")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "yaml" || e == "json") {
            let errors: Vec<String> = v.iter_errors(&as_json(&p)).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
            checked += 1;
        }
    }
    assert!(checked >= 1);
    for name in [
        "example_numbers",
        "compute_median",
        "test_comprehensive_missing",
        "simple_logging_test",
        "integration_logging_test",
        "health_integration_test",
        "health_comprehensive_test",
        "hello_framework0",
    ] {
        let p = shared(&format!("framework0/recipes/{name}.yaml"));
        assert!(v.is_valid(&as_json(&p)), "{name}");
    }
    for name in [
        "test_missing",
        "example_numbers0",
        "foundation_logging_test",
        "file_processing",
    ] {
        let p = shared(&format!("framework0/recipes/{name}.yaml"));
        assert!(
            !v.is_valid(&as_json(&p)),
            "{name} should not match the schema"
        );
    }
}
