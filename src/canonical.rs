//! Canonical JSON: the JSON Canonicalization Scheme (JCS, RFC 8785) over [`serde_json::Value`].
//!
//! The audit trail's hash chain and the idempotency fingerprints hash JSON documents, so two
//! equal values must always produce the same bytes, whatever the order in which object members
//! were inserted, whichever serde_json features are enabled, and on whichever machine the hash
//! is recomputed. JCS fixes one textual form per value:
//!
//! - no whitespace between tokens;
//! - object members sorted by their keys compared as arrays of UTF-16 code units (§3.2.3), so
//!   a key with a character above U+FFFF sorts by its surrogates, not by its code point;
//! - strings written as ECMAScript's `JSON.stringify` writes them (§3.2.2.2);
//! - numbers written as ECMAScript's `Number.prototype.toString` writes IEEE-754 doubles
//!   (§3.2.2.3): the shortest digits that read back to the same double, in fixed notation for
//!   decimal exponents in `-7 < e < 21` and in exponential notation (`1e+21`, `1e-7`) otherwise.
//!
//! Integers: serde_json keeps integers as exact `i64`/`u64`. Those with `|n| <= 2^53` are
//! exactly representable as doubles, and ECMAScript prints them as their exact decimal, so they
//! are written directly. Larger integers are converted to the nearest `f64` first and written
//! as ECMAScript would write that double (`u64::MAX` becomes `18446744073709552000`), which is
//! what any other JCS implementation reading the same JSON text produces. The conversion can
//! lose precision, so two integers above 2^53 may share a canonical form.
//!
//! NaN and the infinities cannot occur in a `serde_json::Value`.

use serde_json::{Map, Number, Value};

/// 2^53: the largest magnitude below which every integer is exactly a double.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Appends the JCS (RFC 8785) form of `value` to `out`.
#[allow(dead_code)]
pub(crate) fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => write_array(items, out),
        Value::Object(members) => write_object(members, out),
    }
}

/// The JCS (RFC 8785) form of `value`.
#[allow(dead_code)]
pub(crate) fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

/// Serializes `value` to a [`Value`], then returns the UTF-8 bytes of its JCS form.
///
/// Fails where [`serde_json::to_value`] fails, e.g. on a map whose keys are not strings.
#[allow(dead_code)]
pub(crate) fn canonical_bytes<T: serde::Serialize>(
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    Ok(to_canonical_string(&value).into_bytes())
}

fn write_array(items: &[Value], out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_canonical(item, out);
    }
    out.push(']');
}

fn write_object(members: &Map<String, Value>, out: &mut String) {
    let utf16_order = |a: &str, b: &str| a.encode_utf16().cmp(b.encode_utf16());
    out.push('{');
    // Members usually come in order already (serde_json's map is sorted by UTF-8 bytes, which
    // is UTF-16 order for all but supplementary and high-BMP characters): write them as they
    // are, and sort only when they are not.
    let in_order = members
        .keys()
        .zip(members.keys().skip(1))
        .all(|(a, b)| utf16_order(a, b).is_lt());
    if in_order {
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(key, out);
            out.push(':');
            write_canonical(value, out);
        }
    } else {
        let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
        sorted.sort_by(|(a, _), (b, _)| utf16_order(a, b));
        for (i, (key, value)) in sorted.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(key, out);
            out.push(':');
            write_canonical(value, out);
        }
    }
    out.push('}');
}

/// Writes `s` as ECMAScript's `JSON.stringify` does (RFC 8785 §3.2.2.2).
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    // Copy runs of characters that need no escape in one go.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            c if c < ' ' => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(hex_digit(u32::from(c) >> 4));
            out.push(hex_digit(u32::from(c) & 0xf));
        } else {
            out.push_str(escape);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// The lowercase hexadecimal digit for `nibble` (`0..16`).
fn hex_digit(nibble: u32) -> char {
    char::from_digit(nibble, 16).unwrap_or('0')
}

fn write_number(n: &Number, out: &mut String) {
    use std::fmt::Write as _;
    // Writing to a `String` cannot fail.
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_EXACT_INTEGER) {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64().filter(|u| *u <= MAX_EXACT_INTEGER) {
        let _ = write!(out, "{u}");
    } else if let Some(x) = n.as_f64() {
        write_f64(x, out);
    } else {
        // Unreachable without serde_json's `arbitrary_precision`: every number is an f64.
        out.push_str(&n.to_string());
    }
}

/// Writes a finite `x` as ECMAScript's `Number.prototype.toString` does (RFC 8785 §3.2.2.3).
fn write_f64(x: f64, out: &mut String) {
    if x == 0.0 {
        out.push('0'); // both +0 and -0
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    let scientific = shortest_scientific(x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    write_es_digits(digits.trim_end_matches('0'), exponent + 1, out);
}

/// The shortest digits of a finite positive `x` that read back as `x`, as `d[.ddd]e<exp>`;
/// of two such candidates equally close to `x`, the even one (ES6 Number::toString, step 5).
///
/// `{:e}` gives the shortest digits but may round a tie up (`0x43143ff3c1cb0959` gives
/// `1424953923781206.3`), while `{:.*e}` rounds exactly, ties to even. When the exactly rounded
/// form with as many digits still reads back as `x`, it is the closest candidate.
fn shortest_scientific(x: f64) -> String {
    let shortest = format!("{x:e}");
    let mantissa = shortest
        .split_once('e')
        .map_or(shortest.as_str(), |(m, _)| m);
    let fraction_digits = mantissa.len().saturating_sub(2);
    let nearest = format!("{x:.fraction_digits$e}");
    if nearest != shortest && nearest.parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    }
}

/// The ES6 Number::toString layout of the value `0.<digits> × 10^n`, `digits` non-empty with no
/// leading or trailing zero.
fn write_es_digits(digits: &str, n: i32, out: &mut String) {
    let k = digits.len() as i32;
    if (k..=21).contains(&n) {
        out.push_str(digits);
        out.push_str(&"0".repeat((n - k) as usize));
    } else if (1..=21).contains(&n) {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if (-5..=0).contains(&n) {
        out.push_str("0.");
        out.push_str(&"0".repeat(n.unsigned_abs() as usize));
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).unsigned_abs().to_string());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn canon_f64(x: f64) -> String {
        to_canonical_string(&json!(x))
    }

    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: [(u64, &str); 24] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            assert_eq!(
                canon_f64(f64::from_bits(bits)),
                expected,
                "bits {bits:016x}"
            );
        }
    }

    #[test]
    fn es_number_layouts() {
        let cases: [(f64, &str); 14] = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (4.5, "4.5"),
            (2e-3, "0.002"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e23, "1e+23"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
        ];
        for (x, expected) in cases {
            assert_eq!(canon_f64(x), expected, "{x:e}");
        }
    }

    #[test]
    fn integers_exact_up_to_2_pow_53_then_as_doubles() {
        let cases = [
            (json!(0), "0"),
            (json!(-42), "-42"),
            (json!(9007199254740992_u64), "9007199254740992"),
            (json!(-9007199254740992_i64), "-9007199254740992"),
            (json!(9007199254740993_u64), "9007199254740992"),
            (json!(u64::MAX), "18446744073709552000"),
            (json!(i64::MIN), "-9223372036854776000"),
            (json!(i64::MAX), "9223372036854776000"),
        ];
        for (value, expected) in cases {
            assert_eq!(to_canonical_string(&value), expected, "{value}");
        }
    }

    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let value: Value = serde_json::from_str(input).unwrap();
        let expected = concat!(
            r#"{"literals":[null,true,false],"#,
            r#""numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"#,
            r#""string":"€$\u000f\nA'B\"\\\\\"/"}"#,
        );
        assert_eq!(to_canonical_string(&value), expected);
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let value: Value = serde_json::from_str(input).unwrap();
        let expected = concat!(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
            "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",",
            "\"\u{1f600}\":\"Emoji: Grinning Face\",",
            "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}",
        );
        assert_eq!(to_canonical_string(&value), expected);
    }

    #[test]
    fn supplementary_keys_sort_before_high_bmp_keys() {
        // By code point (and UTF-8 bytes) U+FFFD < U+10000; by UTF-16 0xD800 < 0xFFFD.
        let value = json!({ "\u{fffd}": 1, "\u{10000}": 2, "\u{e000}": 3, "\u{d7ff}": 4 });
        assert_eq!(
            to_canonical_string(&value),
            "{\"\u{d7ff}\":4,\"\u{10000}\":2,\"\u{e000}\":3,\"\u{fffd}\":1}"
        );
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        let cases = [
            ("plain", r#""plain""#),
            ("quote\" backslash\\", r#""quote\" backslash\\""#),
            ("\u{8}\t\n\u{c}\r", r#""\b\t\n\f\r""#),
            (
                "\u{0}\u{1}\u{b}\u{e}\u{1a}\u{1f}",
                r#""\u0000\u0001\u000b\u000e\u001a\u001f""#,
            ),
            (" /\u{7f}\u{80}é€😀", "\" /\u{7f}\u{80}é€😀\""),
        ];
        for (input, expected) in cases {
            assert_eq!(to_canonical_string(&json!(input)), expected, "{input:?}");
        }
    }

    #[test]
    fn nested_values_have_no_whitespace_and_sorted_members() {
        let value = json!({
            "b": [1, {"z": null, "a": [true, false]}, "x"],
            "a": {"d": {}, "c": []},
        });
        assert_eq!(
            to_canonical_string(&value),
            r#"{"a":{"c":[],"d":{}},"b":[1,{"a":[true,false],"z":null},"x"]}"#
        );
    }

    #[test]
    fn insertion_order_does_not_matter() {
        let entries = [
            ("gamma", json!(3)),
            ("alpha", json!([1.5])),
            ("beta", json!({"y": 1, "x": 2})),
        ];
        let forward: Map<String, Value> = entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let backward: Map<String, Value> = entries
            .iter()
            .rev()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let (forward, backward) = (Value::Object(forward), Value::Object(backward));
        assert_eq!(
            to_canonical_string(&forward),
            to_canonical_string(&backward)
        );
        assert_eq!(
            to_canonical_string(&forward),
            r#"{"alpha":[1.5],"beta":{"x":2,"y":1},"gamma":3}"#
        );
    }

    #[test]
    fn write_canonical_appends() {
        let mut out = String::from("prefix:");
        write_canonical(&json!([1, "a"]), &mut out);
        assert_eq!(out, r#"prefix:[1,"a"]"#);
    }

    #[test]
    fn canonical_bytes_of_serializable_values() {
        #[derive(serde::Serialize)]
        struct Record {
            zeta: u32,
            alpha: &'static str,
            mid: HashMap<&'static str, f64>,
        }
        let record = Record {
            zeta: 7,
            alpha: "é",
            mid: HashMap::from([("b", 0.5), ("a", 1e21)]),
        };
        let bytes = canonical_bytes(&record).unwrap();
        assert_eq!(
            bytes,
            r#"{"alpha":"é","mid":{"a":1e+21,"b":0.5},"zeta":7}"#.as_bytes()
        );
    }

    #[test]
    fn canonical_bytes_rejects_non_string_keys() {
        let map = HashMap::from([((1, 2), 3)]);
        assert!(canonical_bytes(&map).is_err());
    }

    proptest! {
        #[test]
        fn doubles_round_trip(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let text = canon_f64(x);
            let back: f64 = text.parse().unwrap();
            prop_assert_eq!(back, if x == 0.0 { 0.0 } else { x });
            prop_assert!(!text.contains('E') && !text.starts_with('+'));
        }

        #[test]
        fn canonical_text_is_a_fixed_point(keys in proptest::collection::vec(any::<String>(), 0..8)) {
            let value = Value::Object(
                keys.iter().enumerate().map(|(i, k)| (k.clone(), json!([k, i, 0.1 * i as f64]))).collect(),
            );
            let text = to_canonical_string(&value);
            // Equal as text, not as `Value`: `0.0` reads back as the integer `0`.
            let reparsed: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(reparsed.as_object().map(Map::len), value.as_object().map(Map::len));
            prop_assert_eq!(to_canonical_string(&reparsed), text);
        }
    }
}
