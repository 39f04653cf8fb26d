//! Tests of the fast recipe reader against serde_yaml's path: edge cases that must fall back
//! or agree, and every recipe shipped with the repository and with Framework0's samples.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{fast, parse_yaml_serde};

/// serde_yaml's reading of `text`, or its error message.
pub(super) fn serde_path(text: &str) -> Result<Value, String> {
    parse_yaml_serde(Path::new("t.yaml"), text).map_err(|e| e.to_string())
}

/// Whether the fast reader read `text`; when it did, its tree must be serde_yaml's.
pub(super) fn agrees(text: &str) -> Result<bool, String> {
    match fast::parse(text) {
        None => Ok(false),
        Some(fast) => match serde_path(text) {
            Ok(slow) if slow == fast => Ok(true),
            other => Err(format!(
                "fast reader: {fast}\nserde_yaml: {other:?}\ntext: {text:?}"
            )),
        },
    }
}

fn assert_agrees(text: &str) -> bool {
    agrees(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts the fast reader declines `text` (serde_yaml reads it, or refuses it, alone).
fn assert_declined(text: &str) {
    assert!(
        fast::parse(text).is_none(),
        "{text:?} was read: {:?}",
        fast::parse(text)
    );
}

/// Asserts the fast reader reads `text` as `expected`, and that serde_yaml agrees.
fn assert_reads(text: &str, expected: Value) {
    assert_eq!(fast::parse(text), Some(expected.clone()), "{text:?}");
    assert_eq!(serde_path(text), Ok(expected), "{text:?}");
}

#[test]
fn scalars_resolve_as_serde_yaml_resolves_them() {
    for (plain, expected) in [
        ("yes", json!("yes")),
        ("No", json!("No")),
        ("null", Value::Null),
        ("NULL", Value::Null),
        ("~", Value::Null),
        ("True", json!(true)),
        ("FALSE", json!(false)),
        ("012", json!("012")),
        ("-012", json!("-012")),
        ("-0", json!(0)),
        ("0", json!(0)),
        ("-17", json!(-17)),
        ("18446744073709551615", json!(18446744073709551615u64)),
        ("-9223372036854775808", json!(i64::MIN)),
        ("1.25", json!(1.25)),
        ("-0.5", json!(-0.5)),
        ("00.5", json!(0.5)),
        ("1.2.3", json!("1.2.3")),
        ("2s", json!("2s")),
        ("0.5s", json!("0.5s")),
        ("-5ms", json!("-5ms")),
        ("-c", json!("-c")),
        ("--x", json!("--x")),
        ("f0.builtin", json!("f0.builtin")),
        ("a b  c", json!("a b  c")),
        ("http://x:8080/y", json!("http://x:8080/y")),
        ("b#c", json!("b#c")),
        ("it's", json!("it's")),
        ("naïve", json!("naïve")),
    ] {
        assert_reads(&format!("k: {plain}\n"), json!({ "k": expected }));
    }
}

#[test]
fn numbers_and_words_it_does_not_reproduce_fall_back() {
    for plain in [
        "0x1F",
        "0o17",
        "0b101",
        "-0x1F",
        "1_000",
        "1e3",
        "1E3",
        "1.5e-3",
        "+1",
        "+1.5",
        ".5",
        "1.",
        ".inf",
        "-.inf",
        ".nan",
        ".NaN",
        "inf",
        "NaN",
        "infinity",
        "-inf",
        "-",
        "-.5",
        "18446744073709551616",
        "-9223372036854775809",
    ] {
        assert_declined(&format!("k: {plain}\n"));
        assert_declined(&format!("k: [{plain}]\n"));
    }
}

#[test]
fn structures_outside_the_subset_fall_back() {
    for text in [
        "a: b: c\n",
        "a: 1\na: 2\n",
        "steps:\n  - {a: 1, a: 2}\n",
        "a: &x 1\nb: *x\n",
        "a: !tag 1\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: multi\n  line\n",
        "? a\n: b\n",
        "---\na: 1\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "a:\tb\n",
        "a: b\r\n",
        "\u{feff}a: b\n",
        "a: 'it''s'\n",
        "a: \"x\\ty\"\n",
        "a: 'open\n  close'\n",
        "a: [1, 2,\n  3]\n",
        "a: [1, 2,]\n",
        "a: {b}\n",
        "a: {\"b\":1}\n",
        "a:b: c\n",
        "key:with: colon\n",
        "true: x\n",
        "1: x\n",
        "~: x\n",
        "- - a\n",
        "a:\n  [1, 2]\n",
        "just a scalar\n",
        "",
        "# only a comment\n",
        "a: 1\n  b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: \"b\"#c\n",
        "a: \u{2028}b\n",
    ] {
        assert_declined(text);
    }
}

#[test]
fn the_common_shapes_are_read_and_agree() {
    assert_reads(
        "# c\nsteps:\n  - {name: s1, idx: 1, module: f0.builtin, function: Noop}\n",
        json!({"steps": [{"name": "s1", "idx": 1, "module": "f0.builtin", "function": "Noop"}]}),
    );
    assert_reads(
        "a:   \n- x   \n-\n  - 'y'  # c\n- k: [1, {z: \"q r\"}]\n  l:\n  - ~\nb: \n",
        json!({"a": ["x", [ "y" ], {"k": [1, {"z": "q r"}], "l": [null]}], "b": null}),
    );
    assert_reads(
        "- a:\n    b: 1\n-\n-  c: 2\n   d: []\n",
        json!([{"a": {"b": 1}}, null, {"c": 2, "d": []}]),
    );
    assert_reads("\"a b\" : {}\n'': ''\n", json!({"a b": {}, "": ""}));
    assert_reads(
        "steps:\n  - idx: 1\n    args:\n      values: {demo.stage: prepared, n: 3}\n",
        json!({"steps": [{"idx": 1, "args": {"values": {"demo.stage": "prepared", "n": 3}}}]}),
    );
}

#[test]
fn a_thousand_step_recipe_takes_the_fast_path() {
    let mut text = String::from("metadata: {name: long}\nsteps:\n");
    for i in 1..=1000 {
        text.push_str(&format!(
            "  - {{name: s{i}, idx: {i}, module: f0.builtin, function: Noop}}\n"
        ));
    }
    assert!(
        assert_agrees(&text),
        "the long recipe fell back to serde_yaml"
    );
}

/// The `.yaml`/`.yml` files under `dir`, recursively (none when it does not exist).
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Checks every YAML file under `dirs` and returns (files, files the fast reader read).
fn check_recipes(dirs: &[PathBuf]) -> (usize, usize) {
    let (mut files, mut fast) = (0, 0);
    for path in dirs.iter().flat_map(|d| yaml_files(d)) {
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        match agrees(&text) {
            Ok(true) => fast += 1,
            Ok(false) => eprintln!("fast reader declined {}", path.display()),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    (files, fast)
}

#[test]
fn every_shipped_recipe_reads_the_same_on_both_paths() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (files, fast) = check_recipes(&[root.join("recipes"), root.join("tests/fixtures")]);
    eprintln!("repository recipes: {fast} of {files} read by the fast reader");
    assert!(files >= 9, "only {files} recipes found");
    assert!(
        fast >= 9,
        "only {fast} of {files} recipes took the fast path"
    );
    let samples = root.join("../shared/framework0");
    if !samples.is_dir() {
        eprintln!(
            "{} is absent: Framework0's sample recipes not checked",
            samples.display()
        );
        return;
    }
    let (files, fast) = check_recipes(&[samples]);
    eprintln!("Framework0 samples: {fast} of {files} read by the fast reader");
    assert!(files > 0, "no sample recipes found");
}
