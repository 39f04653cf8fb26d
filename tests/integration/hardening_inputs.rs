//! Small input hardening (issue 13, item 8): the busy-timeout variable, CSV byte-order marks,
//! duplicate keys in JSON recipes, and the memory `f0 validate` takes on the largest recipes.

use std::process::{Command, Stdio};

use crate::util::Scratch;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn busy_timeout_env_that_is_not_a_number_is_an_error_not_ignored() {
    // Broke: F0_BUSY_TIMEOUT_MS=abc fell back to 10 s silently; 99999999999 panicked (exit 101)
    // inside rusqlite ("too big").
    let s = Scratch::new();
    let csv = s.write("m.csv", "timestamp,value\n1,2\n");
    for bad in ["abc", "99999999999", "-5", "1.5"] {
        let out = s
            .f0()
            .env("F0_BUSY_TIMEOUT_MS", bad)
            .args(["import", csv.to_str().unwrap(), "--name", "m"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("F0_BUSY_TIMEOUT_MS=\"{bad}\" is not accepted"))
                && err.contains("a whole number of milliseconds from 0 to 2147483647"),
            "{err}"
        );
    }
    let out = s
        .f0()
        .env("F0_BUSY_TIMEOUT_MS", " 250 ")
        .args(["import", csv.to_str().unwrap(), "--name", "m"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn csv_with_a_utf8_byte_order_mark_is_imported() {
    // Broke: "\u{feff}timestamp,value" was refused as an unknown header.
    let s = Scratch::new();
    let csv = s.write(
        "bom.csv",
        "\u{feff}timestamp,value\n1700000000,1.5\n1700000001,2.5\n",
    );
    let out = s.run(&["import", csv.to_str().unwrap(), "--name", "bom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Imported 2 samples"),
        "{}",
        stdout(&out)
    );
    // Headerless, and JSON lines, with a mark too.
    let plain = s.write("plain.csv", "\u{feff}1700000000,1.5\n");
    assert!(s
        .run(&["import", plain.to_str().unwrap(), "--name", "plain"])
        .status
        .success());
    let jsonl = s.write(
        "m.jsonl",
        "\u{feff}{\"name\": \"j\", \"value\": 1.0, \"metric_type\": \"gauge\", \"unit\": \"count\", \"timestamp\": 1700000000000000000}\n",
    );
    let out = s.run(&["import", jsonl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn duplicate_keys_in_a_json_recipe_are_refused_like_yaml() {
    // Broke: serde_json kept the last of two `args` (last-wins) while YAML refused duplicates.
    let s = Scratch::new();
    let json = s.write(
        "dup.json",
        "{\"steps\": [\n  {\"module\": \"f0.builtin\", \"function\": \"Sleep\",\n   \"args\": {\"seconds\": 0}, \"args\": {\"seconds\": 5}}]}\n",
    );
    let out = s.run(&["validate", json.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("at line 3 column 33: duplicate key 'args' in recipe.steps[0]"),
        "{text}"
    );
    let yaml = s.write(
        "dup.yaml",
        "steps:\n  - module: f0.builtin\n    function: Sleep\n    function: Sleep\n",
    );
    let out = s.run(&["validate", yaml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("duplicate key 'function' in recipe.steps[0]"),
        "{}",
        stdout(&out)
    );
    // A nested duplicate names its path; `f0 run` refuses it before running anything.
    let nested = s.write(
        "nested.json",
        "{\"steps\": [{\"module\": \"f0.builtin\", \"function\": \"SetContext\", \"args\": {\"values\": {\"a\": 1, \"a\": 2}}}]}",
    );
    let out = s.run(&["run", nested.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains("duplicate key 'a' in recipe.steps[0].args.values"),
        "{all}"
    );
}

/// GNU time, which reports the peak RSS of the one process it runs (a `wait4` from the test
/// itself would also count the test process: Linux carries `ru_maxrss` across `exec`).
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `f0 validate path` under GNU time; returns (exit code, stdout, peak RSS in MiB), or
/// `None` (with a line saying so) when GNU time is not installed.
fn validate_peak_rss(s: &Scratch, path: &std::path::Path) -> Option<(i32, String, f64)> {
    if !std::path::Path::new(GNU_TIME).exists() {
        eprintln!("{GNU_TIME} is not installed (apt-get install -y time): peak RSS not measured");
        return None;
    }
    let report = s.path("time.txt");
    let out = Command::new(GNU_TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_f0"))
        .current_dir(s.dir.path())
        .args(["validate", path.to_str().unwrap()])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    let kib: f64 = text.lines().last().unwrap().trim().parse().unwrap();
    Some((out.status.code().unwrap_or(-1), stdout(&out), kib / 1024.0))
}

/// Just under 8 MiB of `prefix` + `unit` repeated + `suffix`.
fn just_under_8_mib(prefix: &str, unit: &str, suffix: &str) -> String {
    let room = framework0::recipe::MAX_RECIPE_BYTES as usize - 64 - prefix.len() - suffix.len();
    format!("{prefix}{}{suffix}", unit.repeat(room / unit.len()))
}

#[test]
fn validate_of_a_just_under_8_mib_recipe_stays_within_bounded_memory() {
    // Broke: 8 MiB of YAML peaked at 334–830 MB (serde_yaml buffers every event, then a
    // serde_yaml::Value, its JSON copy and two copies of each step); now the nodes are counted
    // by a streaming parser first and every tree is built once.
    let s = Scratch::new();
    let head = "steps:\n  - module: f0.builtin\n    function: SetContext\n    args: {values: {k: [";
    let cases = [
        ("flat.yaml", just_under_8_mib(head, "0,", "0]}}\n")),
        ("maps.yaml", just_under_8_mib(head, "{},", "{}]}}\n")),
        (
            "steps.yaml",
            just_under_8_mib(
                "steps:\n",
                "  - {name: s, module: f0.builtin, function: Sleep, args: {seconds: 0}}\n",
                "",
            ),
        ),
        (
            "flat.json",
            just_under_8_mib(
                "{\"steps\": [{\"module\": \"m\", \"function\": \"f\", \"args\": {\"k\": [",
                "0,",
                "0]}}]}",
            ),
        ),
    ];
    for (name, text) in cases {
        assert!(text.len() as u64 <= framework0::recipe::MAX_RECIPE_BYTES);
        let path = s.write(name, &text);
        let Some((code, out, peak)) = validate_peak_rss(&s, &path) else {
            return;
        };
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("refused to bound memory"), "{name}: {out}");
        println!(
            "{name}: {} bytes, f0 validate peak RSS {peak:.1} MiB",
            text.len()
        );
        assert!(peak < 100.0, "{name}: f0 validate peaked at {peak:.0} MiB");
    }
}

#[test]
fn the_largest_accepted_recipe_validates_within_bounded_memory() {
    // Just under the node limit, in the shape that costs most per node (small mappings).
    let s = Scratch::new();
    let n = (framework0::recipe::MAX_RECIPE_NODES - 20) / 3;
    let text = format!(
        "steps:\n  - module: f0.builtin\n    function: SetContext\n    args: {{values: {{k: [{}]}}}}\n",
        vec!["{a: 1}"; n].join(",")
    );
    let path = s.write("big.yaml", &text);
    let Some((code, out, peak)) = validate_peak_rss(&s, &path) else {
        return;
    };
    assert_eq!(code, 0, "{out}");
    println!("{n} mappings: f0 validate peak RSS {peak:.1} MiB");
    assert!(peak < 150.0, "f0 validate peaked at {peak:.0} MiB");
    let over = s.write(
        "over.yaml",
        &text.replace("[{a: 1},", &format!("[{}", "{a: 1},".repeat(11))),
    );
    let (code, out, _) = validate_peak_rss(&s, &over).unwrap();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("more than 200000 YAML nodes"), "{out}");
}

mod tree_builder {
    //! The recipe tree is built straight from the deserializers: any JSON document survives it
    //! unchanged, written as JSON or as YAML, and a repeated key is refused wherever it stands.

    use std::path::Path;

    use framework0::recipe::parse_recipe;
    use proptest::prelude::*;
    use serde_json::{json, Map, Value};

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            prop::num::f64::NORMAL.prop_map(Value::from),
            "[a-z0-9 :#-]{0,8}".prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn document(args: Value, extra: Value) -> Map<String, Value> {
        let args = match args {
            Value::Object(m) => Value::Object(m),
            other => json!({ "v": other }),
        };
        let doc = json!({
            "metadata": {"name": "prop"},
            "extra": extra,
            "steps": [{"name": "s", "module": "f0.builtin", "function": "Noop", "args": args}],
        });
        doc.as_object().unwrap().clone()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_document_round_trips_through_json_and_yaml(args in value(), extra in value()) {
            let doc = document(args, extra);
            let as_json = serde_json::to_string(&doc).unwrap();
            let r = parse_recipe(Path::new("p.json"), &as_json).unwrap();
            prop_assert_eq!(&r.to_document(), &doc);
            let as_yaml = serde_yaml::to_string(&doc).unwrap();
            let r = parse_recipe(Path::new("p.yaml"), &as_yaml).unwrap();
            prop_assert_eq!(&r.to_document(), &doc);
        }

        #[test]
        fn a_repeated_key_is_refused_at_any_depth(depth in 0usize..5, key in "[a-z]{1,5}") {
            let mut inner = format!("{{\"{key}\": 1, \"{key}\": 2}}");
            for _ in 0..depth {
                inner = format!("{{\"k\": [{inner}]}}");
            }
            let text = format!(
                "{{\"steps\": [{{\"module\": \"f0.builtin\", \"function\": \"Noop\", \"args\": {inner}}}]}}"
            );
            let err = parse_recipe(Path::new("d.json"), &text).unwrap_err().to_string();
            let wanted = format!("duplicate key '{key}' in recipe.steps[0].args");
            prop_assert!(err.contains(&wanted), "{}", err);
        }
    }
}
