//! Scalars of the fast recipe reader ([`super::fast`]): scanning one plain or quoted scalar on a
//! line, and resolving a plain one to the value serde_yaml and the tree builder give it.
//!
//! Every function answers `None` ("not mine") for a spelling whose reading it does not
//! reproduce exactly, so that serde_yaml reads the whole recipe instead.

use serde_json::{Number, Value};

/// Where a scalar stands: inside `[...]`/`{...}` a plain scalar also ends at `,[]{}`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A block value, key or sequence entry.
    Block,
    /// An item of a one-line flow collection.
    Flow,
}

/// One scalar as written.
#[derive(Clone, Copy)]
pub(super) enum Scalar<'a> {
    /// A plain scalar's text (trailing spaces dropped), resolved by [`resolve_plain`].
    Plain(&'a str),
    /// The text between the quotes of a single- or double-quoted scalar with no escape.
    Quoted(&'a str),
}

impl Scalar<'_> {
    /// The value the scalar reads as, or `None` when it is not reproduced here.
    pub(super) fn value(self) -> Option<Value> {
        match self {
            Scalar::Plain(text) => resolve_plain(text),
            Scalar::Quoted(text) => Some(Value::String(text.to_owned())),
        }
    }

    /// The scalar as a mapping key: only a key that reads as text is taken (a `true`, `1` or
    /// `~` key becomes Python's spelling of it on the serde_yaml path).
    pub(super) fn key(self) -> Option<String> {
        match self {
            Scalar::Plain(text) => match resolve_plain(text)? {
                Value::String(key) => Some(key),
                _ => None,
            },
            Scalar::Quoted(text) => Some(text.to_owned()),
        }
    }
}

/// Scans the scalar that `s` starts with (`s` starts with no space) and returns it with the
/// text after it (a plain scalar's trailing spaces stay in that text, so a comment after it
/// is still seen as preceded by a space).
pub(super) fn scan(s: &str, context: Context) -> Option<(Scalar<'_>, &str)> {
    let bytes = s.as_bytes();
    match *bytes.first()? {
        quote @ (b'\'' | b'"') => {
            let end = 1 + s[1..].find(quote as char)?;
            let inner = &s[1..end];
            let rest = &s[end + 1..];
            // `''` inside single quotes and every `\` escape are left to serde_yaml.
            if (quote == b'\'' && rest.starts_with('\'')) || (quote == b'"' && inner.contains('\\'))
            {
                return None;
            }
            Some((Scalar::Quoted(inner), rest))
        }
        first => {
            if !may_start_plain(first, bytes.get(1).copied()) {
                return None;
            }
            let mut end = plain_end(bytes, context);
            while bytes[end - 1] == b' ' {
                end -= 1;
            }
            Some((Scalar::Plain(&s[..end]), &s[end..]))
        }
    }
}

/// Whether a plain scalar may start with `first` (followed by `next`): not with an indicator,
/// and with `-` only when a character follows that is no space, comment or flow indicator.
fn may_start_plain(first: u8, next: Option<u8>) -> bool {
    match first {
        b'-' => next.is_some_and(|b| !matches!(b, b' ' | b'#' | b',' | b'[' | b']' | b'{' | b'}')),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' => false,
        _ => true,
    }
}

/// Where the plain scalar at the start of `bytes` ends: in a block at `: `, at a final `:` or
/// at ` #`; in a flow collection also at any of `,[]{}:#` (a colon or hash inside a flow
/// scalar is left to serde_yaml).
fn plain_end(bytes: &[u8], context: Context) -> usize {
    let stop = |i: usize, b: u8| match b {
        b':' => bytes.get(i + 1).map_or(true, |&n| n == b' '),
        b'#' => bytes[i - 1] == b' ',
        _ => false,
    };
    let found = match context {
        Context::Flow => bytes.iter().position(|&b| FLOW_STOP[b as usize]),
        Context::Block => bytes
            .iter()
            .enumerate()
            .position(|(i, &b)| (b == b':' || b == b'#') && stop(i, b)),
    };
    found.unwrap_or(bytes.len())
}

/// The bytes that end a plain scalar inside a flow collection.
static FLOW_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let stops = b",[]{}:#";
    let mut i = 0;
    while i < stops.len() {
        table[stops[i] as usize] = true;
        i += 1;
    }
    table
};

/// The value of an untagged plain scalar, as serde_yaml's `visit_untagged_scalar` gives it to
/// the tree builder: the null and boolean spellings, decimal integers that fit 64 bits,
/// decimals of the form `1.25`, and text. Other numbers (`0x1F`, `1e3`, `+1`, `.5`, `1_000`,
/// `.inf`, integers beyond 64 bits) and text that reads as a float (`nan`, `inf`) give `None`.
pub(super) fn resolve_plain(s: &str) -> Option<Value> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let text = || Some(Value::String(s.to_owned()));
    // `inf`, `NaN`, `infinity` (any case, signed or not): Rust's float parser reads them;
    // serde_yaml then calls the text a string, but they are rare enough to leave to it.
    let float_word = |words: &[&str]| words.iter().any(|w| unsigned.eq_ignore_ascii_case(w));
    match unsigned.as_bytes().first() {
        Some(b) if b.is_ascii_digit() => number_like(s, unsigned),
        Some(b'.' | b'+') => None,
        None if s.is_empty() => Some(Value::Null),
        None => None,
        Some(b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F') => match s {
            "~" | "null" | "Null" | "NULL" => Some(Value::Null),
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            _ if unsigned.len() == 3 && float_word(&["nan"]) => None,
            _ => text(),
        },
        Some(b'i' | b'I')
            if matches!(unsigned.len(), 3 | 8) && float_word(&["inf", "infinity"]) =>
        {
            None
        }
        Some(_) => text(),
    }
}

/// The value of `s`, whose `unsigned` part (without a leading `-`) starts with a digit.
fn number_like(s: &str, unsigned: &str) -> Option<Value> {
    let b = unsigned.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        // Leading zeros make it text (YAML 1.2), as serde_yaml's `digits_but_not_number`.
        if b.len() > 1 && b[0] == b'0' {
            return Some(Value::String(s.to_owned()));
        }
        return if s.len() == unsigned.len() {
            s.parse::<u64>().ok().map(Value::from)
        } else {
            s.parse::<i64>().ok().map(Value::from)
        };
    }
    if b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        let mut parts = unsigned.split('.');
        return match (parts.next(), parts.next(), parts.next()) {
            // Two dots or more: a version-like text no number parser reads.
            (_, _, Some(_)) => Some(Value::String(s.to_owned())),
            (Some(int), Some(frac), None) if !int.is_empty() && !frac.is_empty() => {
                let f: f64 = s.parse().ok()?;
                Number::from_f64(f).map(Value::Number)
            }
            _ => None,
        };
    }
    // An exponent, a sign, digit separators or a radix prefix may make it a number: left to
    // serde_yaml. Any other letter or sign makes every integer and float parser refuse it.
    let radix = b[0] == b'0' && matches!(b.get(1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B'));
    if radix || b.iter().any(|c| matches!(c, b'e' | b'E' | b'_' | b'+')) {
        return None;
    }
    Some(Value::String(s.to_owned()))
}
