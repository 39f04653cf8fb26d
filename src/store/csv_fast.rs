//! The fast path of the commonest CSV data line, `<1-18 digits>,<plain number>` ending in
//! `\n` or `\r\n`, read straight from the reader's buffer in one pass: no line copy, no UTF-8
//! check, no trimming, splitting or unquoting. Its answer is the one
//! [`CsvLines::parse`](super::import::CsvLines::parse) gives for the same line; any other
//! line (quotes, blanks, spaces, comments, RFC 3339 or fractional timestamps, `inf`, a
//! number of another shape, a line that runs past the buffer) is left to that general path.
//!
//! The value `-?D+(.D+)?` of at most 19 digits, 22 of them after the point, whose digits
//! make an integer of at most 2⁵³, is read exactly as Clinger's fast path does (the integer
//! and the power of ten are both exact `f64`s, so one division rounds correctly, as
//! `str::parse::<f64>` does); a value of the strict shape `-?D+(.D+)?([eE][+-]?D+)?` beyond
//! that goes to `fast_float2` (correctly rounded too). Both shapes are ones std's parser
//! accepts with the same meaning, so the two paths cannot disagree. Callgrind, 200,000 lines:
//! the line's parse fell from about 800 instructions (`read_until`'s copy, `from_utf8`
//! twice, std's float parser) to about 130.

use super::timestamp::integer_ns;

/// 10⁰ to 10²², every one an exact `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `acc` with the ASCII digits `b` starts with appended (wrapping: the caller checks the
/// count), and how many there were.
fn digits_onto(b: &[u8], mut acc: u64) -> (u64, usize) {
    let mut n = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        acc = acc.wrapping_mul(10).wrapping_add(u64::from(d));
        n += 1;
    }
    (acc, n)
}

/// How many ASCII digits `b` starts with.
fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// The length of the number `b` starts with, if it has the shape `-?D+(.D+)?([eE][+-]?D+)?`.
fn number_len(b: &[u8]) -> Option<usize> {
    let mut at = usize::from(b.first() == Some(&b'-'));
    let whole = digits(&b[at..]);
    if whole == 0 {
        return None;
    }
    at += whole;
    if b.get(at) == Some(&b'.') {
        let fraction = digits(&b[at + 1..]);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if matches!(b.get(at), Some(b'e' | b'E')) {
        let mut exp = at + 1;
        if matches!(b.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        let n = digits(&b[exp..]);
        if n == 0 {
            return None;
        }
        at = exp + n;
    }
    Some(at)
}

/// The number `b` starts with and its length (see the module docs), `None` when it does not
/// start with one of the strict shape.
fn number(b: &[u8]) -> Option<(f64, usize)> {
    let negative = b.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let (mut mantissa, whole) = digits_onto(&b[at..], 0);
    if whole == 0 {
        return None;
    }
    at += whole;
    let mut fraction = 0;
    if b.get(at) == Some(&b'.') {
        (mantissa, fraction) = digits_onto(&b[at + 1..], mantissa);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    let exact = whole + fraction <= 19 && mantissa <= 1 << 53 && fraction < POW10.len();
    if !exact || matches!(b.get(at), Some(b'e' | b'E')) {
        let n = number_len(b)?;
        return Some((fast_float2::parse(&b[..n]).ok()?, n));
    }
    // Both operands are exact, so the one rounding is the correct one.
    let v = mantissa as f64 / POW10[fraction];
    Some((if negative { -v } else { v }, at))
}

/// The `(ts_ns, value)` of the line `buf` starts with and the bytes it takes (its line end
/// included), when it is a fast line (see the module docs) whose value is finite.
pub(super) fn line(buf: &[u8]) -> Option<(i64, f64, usize)> {
    let (ts, comma) = digits_onto(buf, 0);
    if comma == 0 || comma > 18 || buf.get(comma) != Some(&b',') {
        return None;
    }
    let ts_ns = integer_ns(i64::try_from(ts).ok()?)?;
    let start = comma + 1;
    let (value, n) = number(&buf[start..])?;
    let end = match &buf[start + n..] {
        [b'\n', ..] => start + n + 1,
        [b'\r', b'\n', ..] => start + n + 2,
        _ => return None,
    };
    value.is_finite().then_some((ts_ns, value, end))
}

#[cfg(test)]
mod tests {
    use super::{line, number, number_len};

    #[test]
    fn a_fast_line_is_read_with_its_line_end() {
        let buf = b"1767225600,361.522775\n1767225601,-2e3\r\nrest";
        assert_eq!(line(buf), Some((1_767_225_600_000_000_000, 361.522775, 22)));
        assert_eq!(
            line(&buf[22..]),
            Some((1_767_225_601_000_000_000, -2000.0, 17))
        );
        assert_eq!(line(&buf[39..]), None);
        let ns = b"1767225600123456789,1\n";
        assert_eq!(line(ns), None, "19 digits are not cut to 18");
        assert_eq!(
            line(b"176722560012345678,1\n"),
            Some((176_722_560_012_345_678, 1.0, 21)),
            "18 digits above the threshold are nanoseconds"
        );
    }

    #[test]
    fn only_the_strict_number_shape_is_fast() {
        for (text, len) in [
            (&b"1"[..], Some(1)),
            (b"-1.25", Some(5)),
            (b"1e5", Some(3)),
            (b"1.5E-3x", Some(6)),
            (b"1.", None),
            (b".5", None),
            (b"+1", None),
            (b"1e", None),
            (b"1e+", None),
            (b"-", None),
            (b"", None),
        ] {
            assert_eq!(number_len(text), len, "{:?}", String::from_utf8_lossy(text));
        }
    }

    proptest::proptest! {
        #[test]
        fn a_number_reads_as_std_reads_it(text in "-?[0-9]{1,24}(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?") {
            let (value, len) = number(text.as_bytes()).unwrap();
            proptest::prop_assert_eq!(len, text.len());
            let std: f64 = text.parse().unwrap();
            proptest::prop_assert_eq!(value.to_bits(), std.to_bits(), "{}", text);
        }
    }

    #[test]
    fn numbers_at_the_edges_of_the_exact_path_read_as_std_reads_them() {
        for text in [
            "-0",
            "0.0",
            "-0.000",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0",
            "0.1",
            "0.3",
            "1.7976931348623157",
            "4.9406564584124654",
            "1234567890123456789",
            "12345678901234567890",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "1e22",
            "1e23",
            "1e-400",
            "1e400",
            "123456789.123456789",
        ] {
            let (value, len) = number(text.as_bytes()).unwrap();
            assert_eq!(len, text.len(), "{text}");
            let std: f64 = text.parse().unwrap();
            assert_eq!(value.to_bits(), std.to_bits(), "{text}");
        }
    }

    #[test]
    fn lines_the_general_path_must_read_are_left_to_it() {
        for odd in [
            &b"1,2"[..], // no line end in the buffer: the line may go on
            b"1,2\r",
            b" 1,2\n",
            b"1 ,2\n",
            b"1,2 \n",
            b"1,2,3\n",
            b"1,1e999\n",
            b"1,\n",
            b",2\n",
            b"#1,2\n",
            b"1.5,2\n",
            b"1,\"2\"\n",
            b"1,inf\n",
            b"1,2.\n",
            b"2026-01-01T00:00:00Z,2\n",
        ] {
            assert_eq!(line(odd), None, "{:?}", String::from_utf8_lossy(odd));
        }
    }
}
