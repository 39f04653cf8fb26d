//! Escaping of every user-provided string (metric names, tag keys and values, recipe names,
//! titles, context values) for the place it is written to, and the series label.
//!
//! - [`html`]: text and attribute values (`&`, `<`, `>`, `"`, `'` as entities); control
//!   characters become visible `\u{..}` escapes, so a name cannot break a row either.
//! - [`json_in_script`]: JSON inside `<script type="application/json">` (`<`, `>`, `&`, U+2028,
//!   U+2029 as `\uXXXX`), so `</script>` or `<!--` in a value cannot end the element.
//! - [`markdown`]: a GitHub-flavoured Markdown table cell or heading: HTML specials as entities,
//!   the punctuation GitHub gives a meaning inside a line (`\ | * _ ` [ ] # ~ $`) backslash-escaped, line breaks
//!   as visible `\n`, so a value stays inside its cell and renders as the literal text.
//! - [`text`]: a plain-text line: control characters (newline, carriage return, escape
//!   sequences) as `\u{..}` escapes, so a name cannot forge report lines or terminal codes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `name{key="value",...}` (PromQL's form; values escaped as PromQL strings: `\\`, `\"`, `\n`).
pub fn series_label(name: &str, tags: &BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len() + 16 * tags.len());
    out.push_str(name);
    out.push('{');
    for (i, (k, v)) in tags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push_str("=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('}');
    out
}

fn push_control(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Escapes `s` for HTML text or a quoted attribute value.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push(' '),
            c if c.is_control() => push_control(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes serialized JSON for a `<script type="application/json">` element.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for a GitHub Markdown table cell or heading.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\\\n"),
            '\r' => out.push_str("\\\\r"),
            '\t' => out.push(' '),
            c if c.is_control() => {
                out.push('\\');
                push_control(&mut out, c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for one line of a plain-text report.
pub fn text(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => push_control(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "a<script>alert('x\")</script>|`b`\nc\r\u{1b}[31m&";

    #[test]
    fn html_leaves_no_tag_quote_or_line_break() {
        let e = html(EVIL);
        for bad in ['<', '>', '"', '\'', '\n', '\r', '\u{1b}'] {
            assert!(!e.contains(bad), "{bad:?} in {e}");
        }
        assert_eq!(html("a&b"), "a&amp;b");
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let json = serde_json::to_string(&EVIL).unwrap();
        let e = json_in_script(&json);
        assert!(!e.contains("</") && !e.contains("<!--"), "{e}");
        let back: String = serde_json::from_str(&e).unwrap();
        assert_eq!(back, EVIL, "still the same JSON string");
    }

    #[test]
    fn markdown_cell_keeps_pipes_backticks_and_lines_inside() {
        let e = markdown(EVIL);
        assert!(
            !e.contains('\n') && !e.contains('\r') && !e.contains('<'),
            "{e}"
        );
        let unescaped_pipes = e
            .match_indices('|')
            .filter(|(i, _)| !e[..*i].ends_with('\\'));
        assert_eq!(unescaped_pipes.count(), 0, "{e}");
        assert!(e.contains("\\`b\\`"), "{e}");
    }

    #[test]
    fn text_cannot_forge_a_line_or_a_terminal_code() {
        let e = text(EVIL);
        assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
        assert!(e.contains("\\n") && e.contains("\\u{1b}"), "{e}");
        assert_eq!(text("plain"), "plain");
    }

    #[test]
    fn tabs_and_javascript_line_separators_stay_on_their_line() {
        assert_eq!(html("a\tb"), "a b");
        assert_eq!(markdown("a\tb"), "a b");
        assert_eq!(text("a\tb"), "a\\tb");
        let e = json_in_script("\"x\u{2028}y\u{2029}\"");
        assert_eq!(e, "\"x\\u2028y\\u2029\"");
        let back: String = serde_json::from_str(&e).unwrap();
        assert_eq!(back, "x\u{2028}y\u{2029}");
    }

    #[test]
    fn labels_quote_tag_values_like_promql() {
        let tags: BTreeMap<String, String> = [
            ("step".to_owned(), "build".to_owned()),
            ("q".to_owned(), "a\"b\\c\nd".to_owned()),
        ]
        .into();
        assert_eq!(
            series_label("t", &tags),
            "t{q=\"a\\\"b\\\\c\\nd\",step=\"build\"}"
        );
        assert_eq!(series_label("t", &BTreeMap::new()), "t");
    }
}
