//! Folded stacks and flamegraphs (inferno, the Rust port of Brendan Gregg's FlameGraph):
//! `name;name;name self_ns` lines from a call tree, rendered to SVG; a differential
//! flamegraph colours each frame by how its time changed against a baseline's folded stacks
//! (red slower, blue faster; the baseline is scaled to the new total first).

use std::collections::BTreeMap;
use std::io::{BufReader, Cursor};

use super::tree::Node;

/// Folded lines of a forest: one line per path with self time, sorted by path. Frame names
/// lose `;` and newlines (they separate frames and lines).
pub fn folded(roots: &[Node]) -> String {
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    for r in roots {
        fold(r, "", &mut lines);
    }
    let mut out = String::new();
    for (path, ns) in lines {
        out.push_str(&format!("{path} {ns}\n"));
    }
    out
}

fn clean(name: &str) -> String {
    name.replace([';', '\n', '\r'], "_")
}

fn fold(n: &Node, prefix: &str, lines: &mut BTreeMap<String, u64>) {
    let path = if prefix.is_empty() {
        clean(&n.name)
    } else {
        format!("{prefix};{}", clean(&n.name))
    };
    if n.self_ns > 0 {
        *lines.entry(path.clone()).or_default() += n.self_ns;
    }
    for c in &n.children {
        fold(c, &path, lines);
    }
}

fn options(title: &str) -> inferno::flamegraph::Options<'static> {
    let mut o = inferno::flamegraph::Options::default();
    o.title = title.to_owned();
    o.count_name = "ns".to_owned();
    o
}

/// Renders folded lines to an SVG flamegraph. An empty profile renders inferno's "no stack
/// counts" image rather than failing.
pub fn svg(folded: &str, title: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut o = options(title);
    let lines: Vec<&str> = folded.lines().collect();
    if lines.is_empty() {
        return svg("[no samples] 1\n", title);
    }
    inferno::flamegraph::from_lines(&mut o, lines, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The differential folded lines (`stack before after`) of `before` → `after`, the baseline
/// normalised to the new total.
pub fn diff_folded(before: &str, after: &str) -> Result<String, String> {
    let mut out = Vec::new();
    let opt = inferno::differential::Options {
        normalize: true,
        ..Default::default()
    };
    inferno::differential::from_readers(
        opt,
        BufReader::new(Cursor::new(before.as_bytes())),
        BufReader::new(Cursor::new(after.as_bytes())),
        &mut out,
    )
    .map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// A differential flamegraph SVG of `before` → `after`.
pub fn diff_svg(before: &str, after: &str, title: &str) -> Result<Vec<u8>, String> {
    svg(&diff_folded(before, after)?, title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::tree::StackTreeBuilder;

    fn forest() -> Vec<Node> {
        let mut b = StackTreeBuilder::default();
        b.add(["main", "hot"], 90);
        b.add(["main", "co;ld"], 10);
        b.add(["main"], 5);
        b.finish()
    }

    #[test]
    fn folded_lines_carry_self_time_per_path() {
        assert_eq!(folded(&forest()), "main 5\nmain;co_ld 10\nmain;hot 90\n");
    }

    #[test]
    fn svg_names_the_frames_and_escapes_them() {
        let mut b = StackTreeBuilder::default();
        b.add(["main", "a<b>&c"], 10);
        let text = String::from_utf8(svg(&folded(&b.finish()), "t").unwrap()).unwrap();
        assert!(text.starts_with("<?xml"), "{}", &text[..80]);
        assert!(text.contains("a&lt;b&gt;&amp;c"));
        assert!(String::from_utf8(svg("", "empty").unwrap())
            .unwrap()
            .contains("no samples"));
    }

    #[test]
    fn diff_lines_hold_both_counts() {
        let d = diff_folded("main;hot 50\n", "main;hot 90\nmain;new 10\n").unwrap();
        assert!(
            d.contains("main;hot 100 90") || d.contains("main;hot 50 90"),
            "{d}"
        );
        assert!(d.contains("main;new 0 10"), "{d}");
        assert!(String::from_utf8(diff_svg("a 1\n", "a 2\n", "d").unwrap())
            .unwrap()
            .contains("<svg"));
    }
}
