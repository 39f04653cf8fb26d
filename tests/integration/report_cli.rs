//! `f0 report` driven as a user would: escaping of hostile metric names and tags in every
//! format, the output folder's safety rules, ownership of files, and clear errors.

use std::collections::BTreeMap;

use framework0::store::{SampleRow, SeriesKey, Store};
use serde_json::Value;

use crate::report::assert_valid;
use crate::util::action::{fails, ok};
use crate::util::Scratch;

const EVIL_NAME: &str = "evil<script>alert(1)</script>|`x`";
const EVIL_KEY: &str = "q\"uote|";
const EVIL_VALUE: &str = "v`tick`\nnew<b>|line\r";

/// A store with one run holding a hostile series and a plain one.
fn hostile(s: &Scratch) {
    let mut store = Store::open(&s.store()).unwrap();
    let run = store
        .begin_run("ci <b>", "recipes/ci.yaml", 1_767_225_600.0)
        .unwrap();
    let evil = SeriesKey {
        name: EVIL_NAME.to_owned(),
        metric_type: "timing".to_owned(),
        unit: "ms".to_owned(),
        tags: BTreeMap::from([(EVIL_KEY.to_owned(), EVIL_VALUE.to_owned())]),
        source: None,
    };
    let plain = SeriesKey {
        name: "plain".to_owned(),
        tags: BTreeMap::new(),
        ..evil.clone()
    };
    let rows: Vec<SampleRow> = (0..30)
        .flat_map(|i| {
            [&evil, &plain].map(|k| SampleRow {
                series: k.clone(),
                ts_ns: 1_767_225_600_000_000_000 + i * 1_000_000_000,
                value: 10.0 + (i % 7) as f64,
                context: None,
            })
        })
        .collect();
    store.insert_samples(Some(run), &rows).unwrap();
    store.finish_run(run, 1_767_225_700.0, "completed").unwrap();
}

fn read(s: &Scratch, rel: &str) -> String {
    std::fs::read_to_string(s.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn hostile_names_and_tags_are_escaped_in_every_format() {
    let s = Scratch::new();
    hostile(&s);
    ok(
        &s,
        &[
            "report",
            "--run",
            "1",
            "-o",
            "out",
            "--title",
            "T <i>\"x\"</i>",
        ],
    );
    let html = read(&s, "out/report.html");
    assert_eq!(
        html.matches("<script").count(),
        3,
        "only our three script elements"
    );
    assert!(!html.contains("alert(1)</script>"), "raw name in the HTML");
    assert!(
        !html.contains("<b>") && !html.contains("<i>"),
        "raw tag or title markup"
    );
    assert!(
        html.contains("evil&lt;script&gt;alert(1)&lt;/script&gt;|`x`"),
        "escaped name shown"
    );
    assert!(html.contains("<title>T &lt;i&gt;&quot;x&quot;&lt;/i&gt;</title>"));
    assert!(
        html.contains("\\u003cscript\\u003e"),
        "chart data escaped for its script element"
    );
    let md = read(&s, "out/report.md");
    assert!(
        !md.contains("<script") && !md.contains("<b>"),
        "raw markup in Markdown"
    );
    let header_cells = md
        .lines()
        .find(|l| l.starts_with("| | Series"))
        .unwrap()
        .matches('|')
        .count();
    for row in md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("evil"))
    {
        let unescaped = row
            .match_indices('|')
            .filter(|(i, _)| !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(
            unescaped, header_cells,
            "a pipe in a name split the row: {row}"
        );
        assert!(!row.contains(" `"), "unescaped backtick: {row}");
    }
    assert!(
        md.lines().all(|l| !l.starts_with("new")),
        "a newline in a tag broke a line"
    );
    let txt = read(&s, "out/report.txt");
    assert!(
        txt.lines()
            .all(|l| !l.starts_with("new") && !l.contains('\r')),
        "text line forged"
    );
    assert!(
        txt.contains("new<b>|line"),
        "text keeps the value, escaped line breaks: \\n"
    );
    let json: Value = serde_json::from_str(&read(&s, "out/report.json")).unwrap();
    assert_valid(&json);
    let evil = json["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == EVIL_NAME)
        .unwrap();
    assert_eq!(
        evil["tags"][EVIL_KEY], EVIL_VALUE,
        "JSON keeps the exact strings"
    );
}

#[test]
fn output_dir_may_not_leave_its_base_through_dotdot_or_a_symlink() {
    let s = Scratch::new();
    hostile(&s);
    std::fs::create_dir_all(s.path("work")).unwrap();
    let out = s
        .f0()
        .current_dir(s.path("work"))
        .args(["report", "--run", "1", "-o", "../escaped"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("output_dir '../escaped' is refused: its '..' leaves"),
        "{err}"
    );
    assert!(!s.path("escaped").exists(), "nothing created outside");
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), s.path("work/link")).unwrap();
        let out = s
            .f0()
            .current_dir(s.path("work"))
            .args(["report", "--run", "1", "-o", "link/r"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("is a symlink to"), "{err}");
        assert!(
            std::fs::read_dir(outside.path()).unwrap().next().is_none(),
            "nothing written through the link"
        );
    }
}

#[test]
fn a_file_that_is_not_ours_is_never_overwritten_but_our_own_are() {
    let s = Scratch::new();
    hostile(&s);
    s.write("out/report.md", "# my own notes\n");
    let err = fails(&s, &["report", "--run", "1", "-o", "out", "--format", "md"]);
    assert!(
        err.contains("refusing to overwrite") && err.contains("report.md"),
        "{err}"
    );
    assert_eq!(read(&s, "out/report.md"), "# my own notes\n");
    ok(
        &s,
        &[
            "report",
            "--run",
            "1",
            "-o",
            "fresh",
            "--format",
            "html,json",
        ],
    );
    let first = read(&s, "fresh/report.json");
    ok(
        &s,
        &[
            "report",
            "--run",
            "1",
            "-o",
            "fresh",
            "--format",
            "html,json",
        ],
    );
    assert_ne!(
        first,
        read(&s, "fresh/report.json"),
        "rewritten (generated_at moved on)"
    );
}

#[test]
fn the_default_folder_is_beside_the_store_and_json_names_the_files() {
    let s = Scratch::new();
    hostile(&s);
    let text = ok(&s, &["report", "--json"]);
    let v: Value = serde_json::from_str(text.trim()).unwrap();
    let dir = v["output_dir"].as_str().unwrap();
    assert!(dir.ends_with("reports/ci__b_-1"), "{dir}");
    for f in ["html", "markdown", "json", "text"] {
        let p = v["files"][f].as_str().unwrap();
        assert!(std::path::Path::new(p).is_file(), "{p}");
    }
    assert_eq!(v["series"], 2);
    assert_eq!(
        v["verdicts"]["insufficient"], 2,
        "one run: nothing to compare with"
    );
    let plain = ok(&s, &["report", "--format", "text", "-o", "t"]);
    assert!(
        plain.starts_with(
            "report of 2 series (0 regressed, 0 improved, 0 unchanged, 2 insufficient) in "
        ),
        "{plain}"
    );
    assert!(plain.contains("t/report.txt"), "{plain}");
}

#[test]
fn bad_flags_and_empty_selections_get_clear_errors() {
    let s = Scratch::new();
    let err = fails(&s, &["report"]);
    assert!(
        err.contains("no context store at") && err.contains("store.db"),
        "{err}"
    );
    hostile(&s);
    for (args, want) in [
        (
            vec!["--format", "pdf"],
            "--format: unknown format \"pdf\"; accepted: html, markdown (md), json, text (txt)",
        ),
        (
            vec!["--since", "1 hour"],
            "--since: invalid timeframe '1 hour'",
        ),
        (
            vec!["--metric", "plain{a=\"b\"}"],
            "selector 'plain{a=\"b\"}': no series of 'plain' has tag key 'a'; its tag keys: none",
        ),
        (
            vec!["--metric", "plain{a}"],
            "--metric: invalid series selector 'plain{a}': at column 8",
        ),
        (vec!["--metric", "nosuch"], "nosuch"),
        (vec!["--run", "7"], "nothing to report for timeframe run 7"),
        (vec!["--run", "0"], "--run must be a run id"),
        (vec!["--percentile-method", "avg"], "--percentile-method"),
    ] {
        let mut all = vec!["report", "-o", "x"];
        all.extend(args.iter().copied());
        let err = fails(&s, &all);
        assert!(err.contains(want), "f0 {all:?}: {err}");
    }
}
