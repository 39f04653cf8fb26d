//! Prometheus naming rules: metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names
//! `[a-zA-Z_][a-zA-Z0-9_]*` and must not start with `__` (reserved for Prometheus itself).
//!
//! Names from the store or the recorder are free text (`cpu.usage`, `db-query`, `μs`), so
//! every character outside the allowed set becomes `_`, and a name starting with a digit gets a
//! leading `_`. Colons are allowed by the rules but reserved for recording rules, so an
//! exporter replaces them too (Prometheus's writing-exporters guide).

use std::borrow::Cow;

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn sanitize(name: &str) -> Cow<'_, str> {
    let bytes = name.as_bytes();
    let valid =
        !bytes.is_empty() && !bytes[0].is_ascii_digit() && bytes.iter().all(|&b| is_name_char(b));
    if valid {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 1);
    if !matches!(bytes.first(), Some(b) if !b.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    Cow::Owned(out)
}

/// `name` as a valid Prometheus metric name (unchanged when it already is one).
pub fn metric_name(name: &str) -> Cow<'_, str> {
    sanitize(name)
}

/// `key` as a valid label name: invalid characters become `_`, a leading digit gets a `_`
/// before it, and a reserved `__` prefix becomes `tag__`.
pub fn label_name(key: &str) -> Cow<'_, str> {
    let clean = sanitize(key);
    if clean.starts_with("__") {
        Cow::Owned(format!("tag{clean}"))
    } else {
        clean
    }
}

/// Where a unit goes in a family name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UnitPlace {
    /// The name already ends with `_{unit}`.
    AtEnd,
    /// The unit word is inside the name (`bytes_per_sec`): leave the name and declare no
    /// unit (OpenMetrics wants a declared unit as the name's suffix).
    Inside,
    /// Not in the name: append `_{unit}`.
    Absent,
}

/// Where `unit` stands in `name` (as a whole `_`-separated word).
pub(crate) fn unit_place(name: &str, unit: &str) -> UnitPlace {
    let mut words = name.split('_').peekable();
    let mut place = UnitPlace::Absent;
    while let Some(w) = words.next() {
        if w == unit {
            place = if words.peek().is_none() {
                UnitPlace::AtEnd
            } else {
                UnitPlace::Inside
            };
        }
    }
    place
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_borrowed_unchanged() {
        assert!(matches!(
            metric_name("step_wall_time"),
            Cow::Borrowed("step_wall_time")
        ));
        assert!(matches!(label_name("step"), Cow::Borrowed("step")));
    }

    #[test]
    fn invalid_characters_become_underscores() {
        assert_eq!(metric_name("cpu.usage-total"), "cpu_usage_total");
        assert_eq!(metric_name("latency μs"), "latency__s");
        assert_eq!(metric_name("a:b"), "a_b");
        assert_eq!(metric_name("9lives"), "_9lives");
        assert_eq!(metric_name(""), "_");
    }

    #[test]
    fn reserved_label_prefix_is_renamed() {
        assert_eq!(label_name("__name__"), "tag__name__");
        assert_eq!(label_name("1st"), "_1st");
        assert_eq!(label_name("host.name"), "host_name");
    }

    #[test]
    fn unit_words_are_found_whole() {
        assert_eq!(unit_place("wall", "seconds"), UnitPlace::Absent);
        assert_eq!(unit_place("wall_seconds", "seconds"), UnitPlace::AtEnd);
        assert_eq!(unit_place("seconds", "seconds"), UnitPlace::AtEnd);
        assert_eq!(unit_place("microseconds", "seconds"), UnitPlace::Absent);
        assert_eq!(
            unit_place("disk_read_bytes_per_sec", "bytes"),
            UnitPlace::Inside
        );
    }

    proptest::proptest! {
        #[test]
        fn sanitised_names_match_the_rules(s in "\\PC{0,24}") {
            let m = metric_name(&s);
            let b = m.as_bytes();
            proptest::prop_assert!(!b.is_empty() && !b[0].is_ascii_digit());
            proptest::prop_assert!(b.iter().all(|&c| is_name_char(c)));
            let l = label_name(&s);
            proptest::prop_assert!(!l.starts_with("__"));
            proptest::prop_assert!(l.bytes().all(is_name_char));
        }
    }
}
