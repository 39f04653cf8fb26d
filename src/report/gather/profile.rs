//! The profile section from `metrics.last_profile`, read tolerantly: its `bottlenecks` (a list
//! of objects, or an object of such lists as Framework0's `timing_bottlenecks` /
//! `resource_bottlenecks`) become a table, and a flamegraph SVG file it names (key
//! `flamegraph`, `flamegraph_svg` or `flamegraph_path`, at the top or under `files` /
//! `outputs` / `paths`) is embedded. Nothing else of the profile's shape is assumed. With
//! neither, there is no section at all.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::report::model::ProfileSection;

/// Largest flamegraph embedded.
pub const MAX_SVG_BYTES: u64 = 8 << 20;
/// Most bottleneck rows shown.
pub const MAX_ROWS: usize = 200;
const MAX_COLUMNS: usize = 12;
const SVG_KEYS: &[&str] = &["flamegraph", "flamegraph_svg", "flamegraph_path"];
const NESTS: &[&str] = &["files", "outputs", "paths"];

/// The section for `profile`; relative flamegraph paths resolve against `base`.
pub fn section(profile: &Value, base: &Path, notes: &mut Vec<String>) -> Option<ProfileSection> {
    let obj = profile.as_object()?;
    let mut rows: Vec<(Option<String>, &Map<String, Value>)> = Vec::new();
    match obj.get("bottlenecks") {
        Some(Value::Array(items)) => {
            rows.extend(items.iter().filter_map(Value::as_object).map(|o| (None, o)))
        }
        Some(Value::Object(groups)) => {
            for (kind, items) in groups {
                if let Some(items) = items.as_array() {
                    rows.extend(
                        items
                            .iter()
                            .filter_map(Value::as_object)
                            .map(|o| (Some(kind.clone()), o)),
                    );
                }
            }
        }
        _ => {}
    }
    let mut columns: Vec<String> = Vec::new();
    if rows.iter().any(|(k, _)| k.is_some()) {
        columns.push("kind".to_owned());
    }
    for (_, r) in &rows {
        for key in r.keys() {
            if !columns.contains(key) && columns.len() < MAX_COLUMNS {
                columns.push(key.clone());
            }
        }
    }
    if rows.len() > MAX_ROWS {
        notes.push(format!(
            "profile: showing {MAX_ROWS} of {} bottlenecks",
            rows.len()
        ));
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .take(MAX_ROWS)
        .map(|(kind, r)| {
            columns
                .iter()
                .map(|c| match (c.as_str(), kind) {
                    ("kind", Some(k)) if !r.contains_key("kind") => k.clone(),
                    _ => r.get(c).map_or(String::new(), cell),
                })
                .collect()
        })
        .collect();
    let (flamegraph_path, flamegraph_svg) = match svg_path(obj) {
        Some(p) => match read_svg(&p, base) {
            Ok((path, svg)) => (Some(path.display().to_string()), Some(svg)),
            Err(why) => {
                notes.push(format!("profile flamegraph {}: {why}", p.display()));
                (None, None)
            }
        },
        None => (None, None),
    };
    if table.is_empty() && flamegraph_svg.is_none() {
        return None;
    }
    Some(ProfileSection {
        columns,
        rows: table,
        flamegraph_path,
        flamegraph_svg,
    })
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => crate::report::numfmt::num(x),
            _ => n.to_string(),
        },
        Value::Null => String::new(),
        other => crate::diagnostic::compact(other),
    }
}

fn svg_path(obj: &Map<String, Value>) -> Option<PathBuf> {
    let pick = |m: &Map<String, Value>| {
        SVG_KEYS
            .iter()
            .filter_map(|k| m.get(*k)?.as_str())
            .find(|s| s.to_ascii_lowercase().ends_with(".svg"))
            .map(PathBuf::from)
    };
    pick(obj).or_else(|| {
        NESTS
            .iter()
            .filter_map(|n| obj.get(*n)?.as_object())
            .find_map(pick)
    })
}

fn read_svg(p: &Path, base: &Path) -> Result<(PathBuf, String), String> {
    let path = if p.is_absolute() || p.exists() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a file".to_owned());
    }
    if meta.len() > MAX_SVG_BYTES {
        return Err(format!(
            "{} bytes is over the {MAX_SVG_BYTES}-byte limit",
            meta.len()
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    if !text.contains("<svg") {
        return Err("not an SVG document".to_owned());
    }
    Ok((path, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_from_a_list_or_from_framework0_groups() {
        let mut notes = Vec::new();
        let base = Path::new(".");
        let s = section(&json!({"bottlenecks": [{"function": "f", "self_ns": 1.5}, {"function": "g", "share": 2}]}), base, &mut notes).unwrap();
        assert_eq!(s.columns, ["function", "self_ns", "share"]);
        assert_eq!(s.rows[1], ["g", "", "2"]);
        let s = section(
            &json!({"bottlenecks": {"timing_bottlenecks": [{"metric": "m", "severity": "high"}]}}),
            base,
            &mut notes,
        )
        .unwrap();
        assert_eq!(s.columns, ["kind", "metric", "severity"]);
        assert_eq!(s.rows[0], ["timing_bottlenecks", "m", "high"]);
    }

    #[test]
    fn no_table_and_no_flamegraph_is_no_section() {
        let mut notes = Vec::new();
        for v in [
            json!(null),
            json!("x"),
            json!({}),
            json!({"bottlenecks": []}),
            json!({"flamegraph": "missing.svg"}),
        ] {
            assert!(
                section(&v, Path::new("/nonexistent"), &mut notes).is_none(),
                "{v}"
            );
        }
        assert!(notes.iter().any(|n| n.contains("missing.svg")), "{notes:?}");
    }

    #[test]
    fn a_named_svg_is_embedded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("fg.svg"),
            "<svg xmlns='http://www.w3.org/2000/svg'/>",
        )
        .unwrap();
        let mut notes = Vec::new();
        let s = section(
            &json!({"files": {"flamegraph": "fg.svg"}}),
            dir.path(),
            &mut notes,
        )
        .unwrap();
        assert!(s.flamegraph_svg.unwrap().starts_with("<svg"));
        assert!(s.rows.is_empty());
    }

    #[test]
    fn a_named_flamegraph_that_is_no_svg_file_is_left_out_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dir.svg")).unwrap();
        std::fs::write(dir.path().join("text.svg"), "just text").unwrap();
        let big = std::fs::File::create(dir.path().join("big.svg")).unwrap();
        big.set_len(MAX_SVG_BYTES + 1).unwrap();
        for (name, why) in [
            ("dir.svg", "not a file".to_owned()),
            ("text.svg", "not an SVG document".to_owned()),
            (
                "big.svg",
                format!(
                    "{} bytes is over the {MAX_SVG_BYTES}-byte limit",
                    MAX_SVG_BYTES + 1
                ),
            ),
        ] {
            let mut notes = Vec::new();
            let s = section(
                &json!({"flamegraph": name, "bottlenecks": [{"function": "f"}]}),
                dir.path(),
                &mut notes,
            )
            .unwrap();
            assert!(s.flamegraph_svg.is_none(), "{name}");
            assert_eq!(notes, [format!("profile flamegraph {name}: {why}")]);
        }
    }

    #[test]
    fn more_bottlenecks_than_shown_are_counted_in_a_note() {
        let rows: Vec<Value> = (0..MAX_ROWS + 5)
            .map(|i| json!({"function": format!("f{i}"), "calls": null, "where": {"file": "a.rs"}}))
            .collect();
        let mut notes = Vec::new();
        let s = section(&json!({"bottlenecks": rows}), Path::new("."), &mut notes).unwrap();
        assert_eq!(s.rows.len(), MAX_ROWS);
        assert_eq!(
            notes,
            [format!(
                "profile: showing {MAX_ROWS} of {} bottlenecks",
                MAX_ROWS + 5
            )]
        );
        // Columns in key order; a null is an empty cell, an object its compact JSON.
        assert_eq!(s.columns, ["calls", "function", "where"]);
        assert_eq!(s.rows[0], ["", "f0", "{\"file\":\"a.rs\"}"]);
    }
}
