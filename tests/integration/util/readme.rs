//! The README's fenced examples, read the way a user copies them: `sh` blocks as command
//! lines, `yaml` blocks as recipes, recipe fragments or CI steps, `rust` blocks as programs
//! or fragments of a program in `examples/`.

/// One fenced block with a language tag.
#[derive(Debug, Clone)]
pub struct Block {
    /// The tag after the opening fence (`sh`, `yaml`, `rust`).
    pub lang: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The text between the fences.
    pub text: String,
}

impl Block {
    /// `README.md:LINE (lang)`, for messages.
    pub fn at(&self) -> String {
        format!("README.md:{} ({})", self.line, self.lang)
    }
}

/// Every block of `readme` whose tag is one of `langs`.
pub fn blocks(readme: &str, langs: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(tag)) => {
                open = Some(Block {
                    lang: tag.trim().to_owned(),
                    line: i + 1,
                    text: String::new(),
                })
            }
            (Some(_), Some(_)) => {
                let b = open.take().unwrap();
                if langs.contains(&b.lang.as_str()) {
                    out.push(b);
                }
            }
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "README.md: a fence is never closed");
    out
}

/// The commands of an `sh` block: comment-only lines dropped, a trailing `  # comment` cut
/// (two spaces before the `#`, outside quotes).
pub fn commands(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| strip_comment(l).trim().to_owned())
        .collect()
}

fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let bytes = line.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && i >= 2 && &bytes[i - 2..i] == b"  " => {
                return &line[..i];
            }
            _ => {}
        }
    }
    line
}

/// The text with every whitespace character and every trailing comma (before a closing
/// bracket) removed: a README block and its example file agree when they differ only in
/// layout (rustfmt's, the README's compact one).
pub fn squeeze(text: &str) -> String {
    let bare: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    bare.iter()
        .enumerate()
        .filter(|(i, c)| !(**c == ',' && matches!(bare.get(i + 1), Some(')' | ']' | '}'))))
        .map(|(_, c)| *c)
        .collect()
}

/// The lines of a `run: |` body in a CI step (`- name: … run: |` YAML), dedented.
pub fn ci_run_lines(text: &str) -> Option<Vec<String>> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let steps = value.as_sequence()?;
    let run = steps.iter().find_map(|step| step.get("run")?.as_str())?;
    Some(commands(run))
}

/// A recipe fragment (a list of steps, maybe indented) as a whole recipe.
pub fn fragment_as_recipe(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut recipe = String::from("metadata: {name: readme_fragment}\nsteps:\n");
    for (k, line) in text.lines().enumerate() {
        let line = line.get(indent..).unwrap_or("");
        if k == 0 {
            recipe.push_str(&format!("  {line}\n    idx: 1\n"));
        } else {
            recipe.push_str(&format!("  {line}\n"));
        }
    }
    recipe
}

#[test]
fn a_trailing_comment_is_cut_only_outside_quotes() {
    assert_eq!(commands("f0 a  # note\n# whole\n"), vec!["f0 a"]);
    assert_eq!(commands("echo 'a  # b'  # c\n"), vec!["echo 'a  # b'"]);
    assert_eq!(commands("f0 x#y\n"), vec!["f0 x#y"]);
}

#[test]
fn layout_and_trailing_commas_do_not_count() {
    assert_eq!(squeeze("f(a,\n    b,\n)"), squeeze("f(a, b)"));
    assert_ne!(squeeze("f(a, b)"), squeeze("f(a, c)"));
}

#[test]
fn fragments_become_recipes_with_an_idx() {
    let r = fragment_as_recipe("  - name: a\n    module: m\n    function: f\n");
    assert_eq!(
        r,
        "metadata: {name: readme_fragment}\nsteps:\n  - name: a\n    idx: 1\n    module: m\n    function: f\n"
    );
}
