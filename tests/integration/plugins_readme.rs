//! README "Extending f0" shows the shipped examples as they are: every code block of the
//! section is a verbatim part of a file that a test runs (`examples/plugins.rs` and its recipe
//! by `cargo test --example plugins`, `recipes/extend_*.yaml` by `plugins_python` and by
//! `readme_examples`, which also runs the example).

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The (language, text) of every fenced block in README's "Extending f0" section.
fn blocks() -> Vec<(String, String)> {
    let readme = read("README.md");
    let start = readme
        .find("\n## Extending f0\n")
        .expect("README has an Extending f0 section");
    let rest = &readme[start + 1..];
    let section = &rest[..rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3)];
    let mut out = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```").filter(|l| !l.is_empty()) {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((lang.to_owned(), body.join("\n")));
        }
    }
    out
}

#[test]
fn every_code_block_of_extending_f0_is_part_of_a_tested_file() {
    let files = [
        ("rust", "examples/plugins.rs"),
        ("text", "examples/plugins/plugins.yaml"),
        ("yaml", "recipes/extend_exec.yaml"),
        ("yaml", "recipes/extend_python.yaml"),
        ("python", "recipes/extend/plugins.py"),
    ];
    let found = blocks();
    assert!(found.len() >= 6, "{found:?}");
    let mut langs = std::collections::BTreeSet::new();
    for (lang, text) in &found {
        langs.insert(lang.as_str());
        let inside = files
            .iter()
            .filter(|(l, _)| l == lang)
            .any(|(_, f)| read(f).contains(text.as_str()));
        assert!(
            inside,
            "README block ({lang}) is in none of the shipped files:\n{text}"
        );
    }
    assert_eq!(
        langs,
        ["python", "rust", "text", "yaml"].into_iter().collect()
    );
}
