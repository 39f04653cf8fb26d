//! Property tests of the fast recipe reader: random documents in and slightly outside its
//! subset (random keys, scalars, nesting, styles, spacing, comments and one-character
//! mutations); whenever it reads one, serde_yaml must read the same tree.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use super::fast_tests::agrees;

/// A document's shape before rendering.
#[derive(Debug, Clone)]
enum Doc {
    Scalar(String),
    Seq(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

/// Scalars whose reading is easy to get wrong.
const TRICKY: &[&str] = &[
    "yes", "no", "on", "null", "Null", "~", "true", "False", "TRUE", "0", "-0", "012", "0x1F",
    "0o7", "1_000", "1e3", "1.5", "-2.25", "1.", ".5", "+3", ".inf", "-.inf", ".nan", "nan", "inf",
    "2s", "0.5s", "1.2.3", "a b", "a: b", "a:b", "a #b", "a#b", "#x", "- x", "-x", "x,y", "[x]",
    "{x}", "x]", "'q'", "\"q\"", "it's", "&a", "*a", "!t", "|", ">", "@x", "%x", "`x", "?x", "é",
    "",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(TRICKY).prop_map(str::to_owned),
        3 => "[a-z_][a-z0-9_.]{0,6}",
        3 => "-?[0-9]{1,3}(\\.[0-9]{1,2})?[a-z]{0,1}",
        1 => "[0-9]{18,21}",
        2 => "[ -~]{1,6}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(&["a", "b", "name", "idx", "args", "module", "x.y"][..]).prop_map(str::to_owned),
        1 => scalar(),
    ]
}

fn doc() -> impl Strategy<Value = Doc> {
    scalar()
        .prop_map(Doc::Scalar)
        .prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Doc::Seq),
                prop::collection::vec((key(), inner), 0..4).prop_map(Doc::Map),
            ]
        })
}

/// Renders a [`Doc`] as YAML, each style choice taken from `bits`.
struct Render<'a> {
    bits: &'a [u8],
    next: usize,
    out: String,
}

impl Render<'_> {
    fn pick(&mut self, n: u8) -> u8 {
        let b = self.bits.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        b % n
    }

    fn scalar(&mut self, s: &str) -> String {
        match self.pick(8) {
            0 => format!("'{s}'"),
            1 => format!("\"{s}\""),
            _ => s.to_owned(),
        }
    }

    fn flow(&mut self, d: &Doc) -> String {
        let sep = [", ", ",", " , ", ",  "][self.pick(4) as usize];
        match d {
            Doc::Scalar(s) => self.scalar(s),
            Doc::Seq(items) => {
                let items: Vec<String> = items.iter().map(|i| self.flow(i)).collect();
                format!("[{}]", items.join(sep))
            }
            Doc::Map(pairs) => {
                let pairs: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.scalar(k), self.flow(v)))
                    .collect();
                format!("{{{}}}", pairs.join(sep))
            }
        }
    }

    /// The end of a line: nothing, trailing spaces or a comment.
    fn end(&mut self) {
        match self.pick(8) {
            0 => self.out.push_str("  "),
            1 => self.out.push_str(" # note: x"),
            _ => {}
        }
        self.out.push('\n');
        match self.pick(16) {
            0 => self.out.push('\n'),
            1 => self.out.push_str("   # comment\n"),
            _ => {}
        }
    }

    /// Whether `d` is written on its line (a scalar, an empty collection or a flow choice).
    fn inline(&mut self, d: &Doc) -> bool {
        match d {
            Doc::Scalar(_) => true,
            Doc::Seq(v) if v.is_empty() => true,
            Doc::Map(v) if v.is_empty() => true,
            _ => self.pick(4) == 0,
        }
    }

    fn block(&mut self, d: &Doc, indent: usize) {
        let step = 1 + self.pick(3) as usize;
        match d {
            Doc::Scalar(_) => {
                let text = self.flow(d);
                self.out.push_str(&format!("{}{text}", " ".repeat(indent)));
                self.end();
            }
            Doc::Seq(items) => {
                for item in items {
                    self.out.push_str(&" ".repeat(indent));
                    self.out.push('-');
                    self.value(item, indent, step, true);
                }
            }
            Doc::Map(pairs) => {
                for (k, v) in pairs {
                    let k = self.scalar(k);
                    self.out.push_str(&format!("{}{k}:", " ".repeat(indent)));
                    self.value(v, indent, step, false);
                }
            }
        }
    }

    /// The value after a `-` or `key:` at `indent`.
    fn value(&mut self, v: &Doc, indent: usize, step: usize, entry: bool) {
        if self.inline(v) {
            let spaces = " ".repeat(1 + self.pick(2) as usize);
            let text = self.flow(v);
            self.out.push_str(&format!("{spaces}{text}"));
            self.end();
        } else if entry && matches!(v, Doc::Map(_)) && self.pick(2) == 0 {
            // A compact mapping: its first key on the entry's line.
            let start = self.out.len();
            self.block(v, indent + 1 + step);
            self.out
                .replace_range(start..start + indent + 1 + step, &" ".repeat(step));
        } else {
            self.end();
            let indentless = !entry && matches!(v, Doc::Seq(_)) && self.pick(2) == 0;
            self.block(v, if indentless { indent } else { indent + step });
        }
    }
}

/// Characters a mutation inserts.
const NOISE: &[char] = &[
    ' ', ':', '-', '#', '\t', '\'', '"', '{', '}', '[', ']', ',', '\n', 'x',
];

/// Renders `d` with `bits`, then applies the mutation `mutation` chooses (often none).
fn render(d: &Doc, bits: &[u8], mutation: (u8, usize, usize)) -> String {
    let mut r = Render {
        bits,
        next: 0,
        out: String::new(),
    };
    r.block(d, 0);
    let mut text = r.out;
    let at = if text.is_empty() {
        0
    } else {
        mutation.1 % text.len()
    };
    if text.is_char_boundary(at) {
        match mutation.0 % 6 {
            0 => text.insert(at, NOISE[mutation.2 % NOISE.len()]),
            1 if at < text.len() && text.is_char_boundary(at + 1) => {
                text.remove(at);
            }
            _ => {}
        }
    }
    text
}

fn case() -> impl Strategy<Value = (String, Doc)> {
    let root = doc().prop_filter("a collection root", |d| !matches!(d, Doc::Scalar(_)));
    (
        root,
        prop::collection::vec(any::<u8>(), 256),
        any::<(u8, usize, usize)>(),
    )
        .prop_map(|(d, bits, m)| (render(&d, &bits, m), d))
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    #[test]
    fn what_the_fast_reader_reads_serde_yaml_reads_the_same((text, _doc) in case()) {
        agrees(&text).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn a_plain_scalar_resolves_as_serde_yaml_resolves_it(
        s in "[-+.0-9a-fA-FxoOnNiIlLuUtTrRsSyY_ :#~]{1,8}"
    ) {
        agrees(&format!("k: {s}\n")).map_err(TestCaseError::fail)?;
        agrees(&format!("- [{s}]\n")).map_err(TestCaseError::fail)?;
        agrees(&format!("{s}: v\n")).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn the_generated_documents_exercise_both_the_fast_reader_and_the_fallback() {
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let (mut read, total) = (0, 1500);
    for _ in 0..total {
        let (text, _) = strategy.new_tree(&mut runner).unwrap().current();
        if agrees(&text).unwrap_or_else(|e| panic!("{e}")) {
            read += 1;
        }
    }
    eprintln!("{read} of {total} generated documents read by the fast reader");
    assert!(
        read * 4 >= total,
        "only {read} of {total} documents were read"
    );
    assert!(
        read * 20 <= total * 19,
        "{read} of {total} read: the fallback is barely tried"
    );
}
