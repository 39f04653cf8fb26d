//! Selector parser: unit tests of every form and error, and property tests (the canonical form
//! parses back to the same selector; malformed input is an error, never a panic).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn err(text: &str) -> (usize, String) {
    let e = text.parse::<Selector>().unwrap_err();
    (e.column, e.message)
}

#[test]
fn names_globs_and_matchers_parse_and_match() {
    let s: Selector = "step_wall_time".parse().unwrap();
    assert_eq!(s.exact_name(), Some("step_wall_time"));
    assert!(s.matches("step_wall_time", &tags(&[("step", "a")])));
    assert!(!s.matches("step_cpu_time", &tags(&[])));

    let g: Selector = "step_cpu_*".parse().unwrap();
    assert!(g.matches_name("step_cpu_time") && !g.matches_name("step_wall_time"));
    assert_eq!(g.exact_name(), None);

    let s: Selector = r#" step_wall_time { step = "build" , recipe!='ci' , } "#
        .parse()
        .unwrap();
    assert_eq!(
        s.to_string(),
        r#"step_wall_time{step="build", recipe!="ci"}"#
    );
    assert!(s.matches(
        "step_wall_time",
        &tags(&[("step", "build"), ("recipe", "cd")])
    ));
    assert!(
        s.matches("step_wall_time", &tags(&[("step", "build")])),
        "absent is \"\""
    );
    assert!(!s.matches(
        "step_wall_time",
        &tags(&[("step", "build"), ("recipe", "ci")])
    ));
    assert_eq!(s.keys(), ["step", "recipe"]);

    let r: Selector = r#"{step=~"compile.*", host!~"test-[0-9]+"}"#.parse().unwrap();
    assert_eq!(r.name, None);
    assert!(r.matches("any", &tags(&[("step", "compile_c"), ("host", "prod")])));
    assert!(
        !r.matches("any", &tags(&[("step", "xcompile"), ("host", "prod")])),
        "anchored"
    );
    assert!(!r.matches("any", &tags(&[("step", "compile"), ("host", "test-12")])));
    let empty: Selector = r#"m{step=""}"#.parse().unwrap();
    assert!(empty.matches("m", &tags(&[("recipe", "x")])));
    assert!(!empty.matches("m", &tags(&[("step", "x")])));
}

#[test]
fn quoted_names_keys_and_escapes_round_trip() {
    let s: Selector = r#""my metric"{"my key"="a\"b\\c\n\u{e9}", k='it\'s'}"#
        .parse()
        .unwrap();
    assert_eq!(s.exact_name(), Some("my metric"));
    assert_eq!(s.matchers[0].key, "my key");
    assert_eq!(s.matchers[0].value, "a\"b\\c\né");
    assert_eq!(s.matchers[1].value, "it's");
    assert_eq!(
        s.to_string(),
        r#""my metric"{"my key"="a\"b\\c\né", k="it's"}"#
    );
    assert_eq!(s.to_string().parse::<Selector>().unwrap(), s);
    let star: Selector = r#""a*b""#.parse().unwrap();
    assert_eq!(
        star.exact_name(),
        Some("a*b"),
        "a quoted name is never a glob"
    );
    assert_eq!(star.to_string(), r#""a*b""#);
}

#[test]
fn errors_name_the_column_and_what_was_expected() {
    assert_eq!(
        err(r#"step_wall_time{step"build"}"#),
        (
            20,
            r#"expected '=', '!=', '=~' or '!~' after tag key 'step', found '"'"#.to_owned()
        )
    );
    assert_eq!(
        err("m{step=build}"),
        (
            8,
            "expected a quoted value (\"...\" or '...') after 'step=', found 'b'".to_owned()
        )
    );
    assert_eq!(
        err(r#"m{a="x" b="y"}"#),
        (
            9,
            "expected ',' or '}' after a matcher, found 'b'".to_owned()
        )
    );
    assert_eq!(
        err(r#"m{a="x"#),
        (
            5,
            "unterminated string: no closing \" for the quote here".to_owned()
        )
    );
    assert_eq!(
        err(""),
        (
            1,
            "expected a metric name, a name glob or '{' (the selector is empty)".to_owned()
        )
    );
    assert_eq!(
        err("  {}"),
        (
            3,
            "a selector needs a metric name or at least one tag matcher".to_owned()
        )
    );
    assert_eq!(
        err("m}"),
        (
            2,
            "expected '{' or the end of the selector after the name, found '}'".to_owned()
        )
    );
    assert_eq!(
        err("m{} x"),
        (
            5,
            "expected the end of the selector after '}', found 'x'".to_owned()
        )
    );
    assert_eq!(err(r#"m{a="\q"}"#).0, 6);
    assert!(err(r#"m{a="\q"}"#)
        .1
        .starts_with("unknown escape '\\q'; accepted: "));
    assert_eq!(
        err(r#"m{a="\u{d800}"}"#).1,
        "\\u{d800} is not a Unicode scalar value"
    );
    assert_eq!(err(r#"m{a=~"(x"}"#).0, 7);
    assert!(err(r#"m{a=~"(x"}"#)
        .1
        .starts_with("invalid regex for tag 'a': "));
    assert!(err("m[").1.starts_with("'m[' is not a valid name glob: "));
    assert_eq!(err("m{,}").1, "expected a tag key or '}', found ','");
    let long = format!("{}{{", "x".repeat(300));
    let e = long.parse::<Selector>().unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "invalid series selector '{}…': at column 302: ",
            "x".repeat(200)
        )),
        "{e}"
    );
}

#[test]
fn tag_strings_are_canonical_and_escaped() {
    assert_eq!(tag_string(&tags(&[])), "{}");
    assert_eq!(
        tag_string(&tags(&[("step", "build"), ("recipe", "ci")])),
        "recipe=ci,step=build"
    );
    assert_eq!(tag_string(&tags(&[("a,b", "x=y\\")])), "a\\,b=x\\=y\\\\");
    assert_eq!(
        series_label("m", &tags(&[("step", "a b")])),
        r#"m{step="a b"}"#
    );
    assert_eq!(series_label("m", &tags(&[])), "m");
}

fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>(),
            1 => prop::sample::select(vec!['"', '\'', '\\', '{', '}', ',', '=', '!', '~', '\n', ' ']),
        ],
        0..10,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_:./-]{1,10}"
}

fn name_match() -> impl Strategy<Value = NameMatch> {
    prop_oneof![
        word().prop_map(NameMatch::Exact),
        any_text().prop_map(NameMatch::Exact),
        (
            "[a-z_]{0,5}",
            prop::sample::select(vec!["*", "?", "[ab]", "[!x]"]),
            "[a-z_]{0,5}"
        )
            .prop_map(|(a, g, b)| NameMatch::Glob(
                glob::Pattern::new(&format!("{a}{g}{b}")).unwrap()
            )),
    ]
}

fn matcher() -> impl Strategy<Value = TagMatcher> {
    let key = prop_oneof![word(), any_text()];
    let plain = (
        prop::sample::select(vec![MatchOp::Eq, MatchOp::Ne]),
        any_text(),
    );
    let regex = (
        prop::sample::select(vec![MatchOp::Re, MatchOp::NotRe]),
        prop_oneof![
            any_text().prop_map(|t| regex::escape(&t)),
            prop::sample::select(vec![".*", "a|b", "[0-9]+", "x\\.y", ""]).prop_map(str::to_owned),
        ],
    );
    (key, prop_oneof![plain, regex]).prop_map(|(k, (op, v))| TagMatcher::new(&k, op, &v).unwrap())
}

fn selector() -> impl Strategy<Value = Selector> {
    (
        prop::option::of(name_match()),
        prop::collection::vec(matcher(), 0..4),
    )
        .prop_filter("a name or a matcher", |(n, m)| n.is_some() || !m.is_empty())
        .prop_map(|(name, matchers)| Selector { name, matchers })
}

proptest! {
    #[test]
    fn the_canonical_form_parses_back_to_the_same_selector(s in selector()) {
        let text = s.to_string();
        let back: Selector = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &s);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn any_input_parses_or_errors_at_a_column_inside_it(text in any_text(), tail in any_text()) {
        let input = format!("{text}{tail}");
        match input.parse::<Selector>() {
            Ok(s) => prop_assert_eq!(s.to_string().parse::<Selector>().unwrap(), s),
            Err(e) => prop_assert!(e.column >= 1 && e.column <= input.chars().count() + 1, "{e}"),
        }
    }

    #[test]
    fn a_selector_cut_inside_its_braces_is_an_error(s in selector(), cut in any::<prop::sample::Index>()) {
        let chars: Vec<char> = s.to_string().chars().collect();
        if !s.matchers.is_empty() {
            let name = Selector { name: s.name.clone(), matchers: vec![] };
            let open = s.name.as_ref().map_or(0, |_| name.to_string().chars().count());
            prop_assert_eq!(chars[open], '{');
            // Every prefix that keeps the '{' but loses the closing '}'.
            let at = open + 1 + cut.index(chars.len() - 1 - open);
            let prefix: String = chars[..at].iter().collect();
            prop_assert!(prefix.parse::<Selector>().is_err(), "{} parsed", prefix);
        }
    }

    #[test]
    fn inserting_a_structural_character_never_panics(
        s in selector(),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(vec!['"', '\'', '\\', '{', '}', ',', '=', '!', '~', '[', '*']),
    ) {
        let mut chars: Vec<char> = s.to_string().chars().collect();
        chars.insert(at.index(chars.len() + 1), c);
        let text: String = chars.iter().collect();
        match text.parse::<Selector>() {
            Ok(back) => prop_assert_eq!(back.to_string().parse::<Selector>().unwrap(), back),
            Err(e) => prop_assert!(e.column >= 1 && e.column <= chars.len() + 1, "{}", e),
        }
    }
}
