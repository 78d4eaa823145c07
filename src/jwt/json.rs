//! Strict JSON for JOSE headers and claim sets, on the crate's one strict reader
//! ([`crate::json`]: one RFC 8259 text, no repeated member names at any depth, as RFC 7515 §5.2
//! and RFC 7519 §7.2 require).
//!
//! The JWT-specific scanners live here: [`parse_header`] and [`scan_claims`] check a whole
//! document but keep only the members the verifier reads, borrowing their text from the input,
//! so the verification path allocates almost nothing.

use std::borrow::Cow;

pub use crate::json::{Build, JsonError, MAX_DEPTH, ValueBuilder, build, build_object, parse};
use crate::json::{Num, Parser};

/// A header or claim member read as text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum TextMember<'a> {
    /// Not in the document.
    #[default]
    Absent,
    /// A JSON string.
    Text(Cow<'a, str>),
    /// Any other JSON value.
    NotText,
}

/// A NumericDate claim (`exp`, `nbf`, `iat`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Date {
    /// Not in the claim set.
    #[default]
    Absent,
    /// Whole seconds: fractions floored, out-of-range values saturated.
    Seconds(i64),
    /// Not a JSON number.
    NotNumber,
}

/// The `aud` claim.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Audience<'a> {
    /// Not in the claim set.
    #[default]
    Absent,
    /// A string, or a list of strings (possibly empty).
    Values(Vec<Cow<'a, str>>),
    /// Any other JSON value.
    Invalid,
}

/// The JOSE header members the verifier reads; every other member is checked (valid JSON, no
/// repeated names at any depth) but not kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HeaderFields<'a> {
    /// `alg`.
    pub alg: TextMember<'a>,
    /// `kid`.
    pub kid: TextMember<'a>,
    /// `typ`.
    pub typ: TextMember<'a>,
    /// `cty`.
    pub cty: TextMember<'a>,
    /// `crit` is present.
    pub crit: bool,
    /// `b64` is present with a value other than `true`.
    pub b64_not_true: bool,
}

/// The registered claims the verifier checks; every other member is checked but not kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClaimsFields<'a> {
    /// `exp`.
    pub exp: Date,
    /// `nbf`.
    pub nbf: Date,
    /// `iat`.
    pub iat: Date,
    /// `iss`.
    pub iss: TextMember<'a>,
    /// `aud`.
    pub aud: Audience<'a>,
}

/// A parser at the start of `bytes` when they hold an object; `None` when they hold valid JSON
/// of another kind (checked to the end as strictly as [`parse`]).
fn object_parser(bytes: &[u8]) -> Result<Option<Parser<'_>>, JsonError> {
    let mut p = Parser::new(bytes)?;
    if p.peek() == Some(b'{') {
        return Ok(Some(p));
    }
    p.skip_value()?;
    p.finish()?;
    Ok(None)
}

/// Reads a JOSE header as strictly as [`parse`]; `Ok(None)` when the JSON is valid but not an
/// object.
pub fn parse_header(bytes: &[u8]) -> Result<Option<HeaderFields<'_>>, JsonError> {
    let Some(mut p) = object_parser(bytes)? else {
        return Ok(None);
    };
    let mut h = HeaderFields::default();
    p.object(|p, key| {
        match &*key {
            "alg" => h.alg = text_member(p)?,
            "kid" => h.kid = text_member(p)?,
            "typ" => h.typ = text_member(p)?,
            "cty" => h.cty = text_member(p)?,
            "b64" => h.b64_not_true = !is_true(p)?,
            other => {
                h.crit |= other == "crit";
                p.skip_value()?;
            }
        }
        Ok(())
    })?;
    p.finish()?;
    Ok(Some(h))
}

/// Checks a claim set as strictly as [`parse`] and reads its registered claims; `Ok(None)` when
/// the JSON is valid but not an object.
pub fn scan_claims(bytes: &[u8]) -> Result<Option<ClaimsFields<'_>>, JsonError> {
    let Some(mut p) = object_parser(bytes)? else {
        return Ok(None);
    };
    let mut c = ClaimsFields::default();
    p.object(|p, key| {
        match &*key {
            "exp" => c.exp = date(p)?,
            "nbf" => c.nbf = date(p)?,
            "iat" => c.iat = date(p)?,
            "iss" => c.iss = text_member(p)?,
            "aud" => c.aud = audience(p)?,
            _ => p.skip_value()?,
        }
        Ok(())
    })?;
    p.finish()?;
    Ok(Some(c))
}

/// [`scan_claims`] and [`build_object`] in one pass: the registered claims and the whole claim
/// set built with `b`, or `Ok(None)` when the JSON is valid but not an object. `iss` and `aud`
/// are read twice (once as their field, once by the builder); every other value once.
pub fn build_claims<'a, B: Build>(
    bytes: &'a [u8],
    b: &mut B,
) -> Result<Option<(ClaimsFields<'a>, B::Object)>, JsonError> {
    let Some(mut p) = object_parser(bytes)? else {
        return Ok(None);
    };
    let mut c = ClaimsFields::default();
    let mut object = b.object();
    p.object(|p, key| {
        let start = p.mark();
        match &*key {
            "exp" | "nbf" | "iat" => {
                let (date, v) = date_and_value(p, b)?;
                match &*key {
                    "exp" => c.exp = date,
                    "nbf" => c.nbf = date,
                    _ => c.iat = date,
                }
                b.insert(&mut object, &key, v);
                return Ok(());
            }
            "iss" => c.iss = text_member(p)?,
            "aud" => c.aud = audience(p)?,
            _ => {
                let v = p.build(b)?;
                b.insert(&mut object, &key, v);
                return Ok(());
            }
        }
        // Checked by the field reader: read again, as a value.
        p.rewind(start);
        let v = p.build(b)?;
        b.insert(&mut object, &key, v);
        Ok(())
    })?;
    p.finish()?;
    Ok(Some((c, object)))
}

/// A member value as text, or [`TextMember::NotText`] (checked and dropped).
fn text_member<'a>(p: &mut Parser<'a>) -> Result<TextMember<'a>, JsonError> {
    if p.peek() == Some(b'"') {
        p.string().map(TextMember::Text)
    } else {
        p.skip_value().map(|()| TextMember::NotText)
    }
}

/// True for the literal `true`; any other value is checked and answers false.
fn is_true(p: &mut Parser<'_>) -> Result<bool, JsonError> {
    if p.eat_true() {
        Ok(true)
    } else {
        p.skip_value().map(|()| false)
    }
}

/// A NumericDate member value.
fn date(p: &mut Parser<'_>) -> Result<Date, JsonError> {
    if !matches!(p.peek(), Some(b'-' | b'0'..=b'9')) {
        return p.skip_value().map(|()| Date::NotNumber);
    }
    p.number_value().map(seconds)
}

/// A NumericDate member value, and the value as `b` builds it.
fn date_and_value<B: Build>(p: &mut Parser<'_>, b: &mut B) -> Result<(Date, B::Value), JsonError> {
    if !matches!(p.peek(), Some(b'-' | b'0'..=b'9')) {
        return p.build(b).map(|v| (Date::NotNumber, v));
    }
    let n = p.number_value()?;
    Ok((seconds(n), n.build(b)))
}

/// Whole seconds: fractions floored, out-of-range values saturated (the float-to-int conversion
/// saturates; an integer above `i64::MAX` is `i64::MAX`).
fn seconds(n: Num) -> Date {
    Date::Seconds(match n {
        Num::I64(i) => i,
        Num::U64(_) => i64::MAX,
        Num::F64(f) => f.floor() as i64,
    })
}

/// The `aud` member value.
fn audience<'a>(p: &mut Parser<'a>) -> Result<Audience<'a>, JsonError> {
    match p.peek() {
        Some(b'"') => Ok(Audience::Values(vec![p.string()?])),
        Some(b'[') => {
            let mut values = Vec::new();
            let mut all_text = true;
            p.array(|p| {
                match text_member(p)? {
                    TextMember::Text(t) => values.push(t),
                    _ => all_text = false,
                }
                Ok(())
            })?;
            Ok(if all_text {
                Audience::Values(values)
            } else {
                Audience::Invalid
            })
        }
        _ => p.skip_value().map(|()| Audience::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn parses_ordinary_json_in_order() {
        let v = parse(br#"{"b":1,"a":[true,null,"x",-2,1.5,{"c":{}}]}"#).unwrap();
        assert_eq!(
            v,
            json!({"b": 1, "a": [true, null, "x", -2, 1.5, {"c": {}}]})
        );
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(parse(b" [1] \n").unwrap(), json!([1]));
    }

    #[test]
    fn refuses_repeated_member_names_at_any_depth() {
        assert_eq!(
            parse(br#"{"alg":"HS256","alg":"none"}"#),
            Err(JsonError::DuplicateKey("alg".into()))
        );
        assert_eq!(
            parse(br#"{"a":[{"x":1,"y":2,"x":3}]}"#),
            Err(JsonError::DuplicateKey("x".into()))
        );
        // Same name, different escapes: still the same member.
        assert_eq!(
            parse(br#"{"exp":1,"\u0065xp":2}"#),
            Err(JsonError::DuplicateKey("exp".into()))
        );
        // Same name in sibling objects is fine.
        assert!(parse(br#"{"a":{"x":1},"b":{"x":1}}"#).is_ok());
    }

    #[test]
    fn refuses_everything_that_is_not_one_json_text() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\":1} x",
            b"{'a':1}",
            b"{\"a\":\"\x80\"}",
            b"\xEF\xBB\xBF{}",
            br#"{"a":"\ud800"}"#,
            b"{\"a\":1,}",
            b"NaN",
            b"1e400",
        ] {
            assert!(
                matches!(parse(bad), Err(JsonError::Syntax(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(parse(deep.as_bytes()), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn header_keeps_known_members_and_checks_the_rest() {
        let h = parse_header(br#"{"alg":"HS256","kid":"k","x":{"y":[1,{"z":2}]},"typ":"JWT"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(h.alg, TextMember::Text("HS256".into()));
        assert_eq!(h.kid, TextMember::Text("k".into()));
        assert_eq!(h.typ, TextMember::Text("JWT".into()));
        assert_eq!(h.cty, TextMember::Absent);
        assert!(!h.crit && !h.b64_not_true);
        let h = parse_header(br#"{"alg":1,"kid":null,"cty":["x"],"crit":[],"b64":false}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (h.alg, h.kid, h.cty),
            (
                TextMember::NotText,
                TextMember::NotText,
                TextMember::NotText
            )
        );
        assert!(h.crit && h.b64_not_true);
        let h = parse_header(br#"{"b64":true,"kid":"a\u0062"}"#)
            .unwrap()
            .unwrap();
        assert!(!h.b64_not_true);
        assert_eq!(h.kid, TextMember::Text("ab".into()));
        assert_eq!(
            parse_header(br#"{"kid":{"a":1,"a":2}}"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        assert_eq!(parse_header(b"[1,2]").unwrap(), None);
        assert_eq!(parse_header(b"\"x\"").unwrap(), None);
        for (bad, dup) in [
            (&br#"{"alg":"HS256","alg":"none"}"#[..], "alg"),
            (br#"{"x":1,"\u0078":2}"#, "x"),
            (br#"{"alg":"HS256","x":{"a":1,"a":2}}"#, "a"),
            (br#"{"alg":"HS256","x":[{"a":1,"a":2}]}"#, "a"),
            (br#"[{"a":1,"a":2}]"#, "a"),
        ] {
            assert_eq!(parse_header(bad), Err(JsonError::DuplicateKey(dup.into())));
        }
        for bad in [&b"{"[..], b"{\"alg\":\"\x80\"}", b"{} {}", b""] {
            assert!(matches!(parse_header(bad), Err(JsonError::Syntax(_))));
        }
    }

    #[test]
    fn claims_scan_reads_registered_claims() {
        let c = scan_claims(
            br#"{"sub":"a","exp":1700000000,"nbf":1.75,"iat":-3,"iss":"https://i","aud":["x","y"],"n":{"a":[1]}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.exp, Date::Seconds(1_700_000_000));
        assert_eq!(c.nbf, Date::Seconds(1));
        assert_eq!(c.iat, Date::Seconds(-3));
        assert_eq!(c.iss, TextMember::Text("https://i".into()));
        assert_eq!(c.aud, Audience::Values(vec!["x".into(), "y".into()]));
        let c = scan_claims(br#"{"exp":"1","nbf":null,"iat":[1],"iss":5,"aud":"solo"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.exp, c.nbf, c.iat),
            (Date::NotNumber, Date::NotNumber, Date::NotNumber)
        );
        assert_eq!(c.iss, TextMember::NotText);
        assert_eq!(c.aud, Audience::Values(vec!["solo".into()]));
        for aud in [
            &br#"{"aud":["x",1]}"#[..],
            br#"{"aud":{"x":1}}"#,
            br#"{"aud":null}"#,
        ] {
            assert_eq!(scan_claims(aud).unwrap().unwrap().aud, Audience::Invalid);
        }
        assert_eq!(
            scan_claims(br#"{"aud":[]}"#).unwrap().unwrap().aud,
            Audience::Values(vec![])
        );
        let big = scan_claims(br#"{"exp":18446744073709551615,"nbf":1e300,"iat":-1e300}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (big.exp, big.nbf, big.iat),
            (
                Date::Seconds(i64::MAX),
                Date::Seconds(i64::MAX),
                Date::Seconds(i64::MIN)
            )
        );
        assert_eq!(scan_claims(b"[]").unwrap(), None);
        assert_eq!(
            scan_claims(br#"{"exp":1,"exp":2}"#),
            Err(JsonError::DuplicateKey("exp".into()))
        );
        assert_eq!(
            scan_claims(br#"{"x":{"deep":[{"k":1,"k":1}]}}"#),
            Err(JsonError::DuplicateKey("k".into()))
        );
    }

    #[test]
    fn many_members_are_checked_in_linear_time_and_still_refused_when_repeated() {
        let members: Vec<String> = (0..5000).map(|i| format!("\"m{i}\":{i}")).collect();
        let ok = format!("{{{}}}", members.join(","));
        assert!(scan_claims(ok.as_bytes()).unwrap().is_some());
        assert!(parse_header(ok.as_bytes()).unwrap().is_some());
        for repeat in ["m0", "m15", "m16", "m4999"] {
            let bad = format!("{{{},\"{repeat}\":0}}", members.join(","));
            assert_eq!(
                scan_claims(bad.as_bytes()),
                Err(JsonError::DuplicateKey(repeat.into())),
                "{repeat}"
            );
            assert_eq!(
                parse(bad.as_bytes()),
                Err(JsonError::DuplicateKey(repeat.into()))
            );
        }
        let nested = format!("{{\"x\":{{{},\"m3\":1}}}}", members.join(","));
        assert_eq!(
            parse_header(nested.as_bytes()),
            Err(JsonError::DuplicateKey("m3".into()))
        );
    }

    /// The reference: serde_json's parser with a visitor that refuses repeated member names.
    mod reference {
        use serde::Deserialize;
        use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
        use serde_json::{Map, Number, Value};
        use std::fmt;

        pub struct Strict(pub Value);

        impl<'de> Deserialize<'de> for Strict {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V).map(Strict)
            }
        }

        struct V;

        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Number::from_f64(v)
                    .map(Value::Number)
                    .ok_or_else(|| E::custom("nan"))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(Strict(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut out = Map::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.contains_key(&k) {
                        return Err(de::Error::custom(format_args!("DUP:{k}")));
                    }
                    let Strict(v) = map.next_value()?;
                    out.insert(k, v);
                }
                Ok(Value::Object(out))
            }
        }

        /// `Ok(value)`, `Err(Some(name))` for a repeated name, `Err(None)` for anything else.
        pub fn parse(bytes: &[u8]) -> Result<Value, Option<String>> {
            serde_json::from_slice::<Strict>(bytes)
                .map(|s| s.0)
                .map_err(|e| {
                    let t = e.to_string();
                    t.strip_prefix("DUP:")
                        .map(|r| r.rsplit_once(" at line ").map_or(r, |(n, _)| n).to_owned())
                })
        }
    }

    /// Equal values; doubles may differ in the last place (ours are correctly rounded, serde_json
    /// without its `float_roundtrip` feature is not always), but not in sign or kind.
    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(1.0));
                x.is_sign_negative() == y.is_sign_negative()
                    && (x == y || ((x - y) / y).abs() < 4.0 * f64::EPSILON)
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, a), (kb, b))| ka == kb && close(a, b))
            }
            _ => a == b,
        }
    }

    fn same_as_reference(bytes: &[u8]) {
        let ours = parse(bytes);
        let theirs = reference::parse(bytes);
        let text = String::from_utf8_lossy(bytes);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert!(close(a, b), "{text:?}: {a} vs {b}"),
            (Err(JsonError::DuplicateKey(a)), Err(Some(b))) => {
                // The error names the key as messages show text: escaped and shortened.
                assert_eq!(a, &crate::errors::excerpt(b, 40), "{text:?}")
            }
            (Err(JsonError::Syntax(_)), Err(None)) => {}
            _ => panic!("{text:?}: ours {ours:?}, reference {theirs:?}"),
        }
        // The partial readers accept and refuse exactly what the full parser does.
        let header = parse_header(bytes).map(|_| ());
        let claims = scan_claims(bytes).map(|_| ());
        assert_eq!(header, ours.clone().map(|_| ()), "{text:?}");
        assert_eq!(claims, ours.map(|_| ()), "{text:?}");
        // One pass gives what the scanner and the builder give in two, errors included.
        let two_passes = scan_claims(bytes)
            .and_then(|fields| Ok(fields.zip(build_object(bytes, &mut ValueBuilder)?)));
        assert_eq!(
            build_claims(bytes, &mut ValueBuilder),
            two_passes,
            "{text:?}"
        );
    }

    #[test]
    fn edge_cases_match_the_reference() {
        for doc in [
            "0",
            "-0",
            "-0.0",
            "1",
            "-1",
            "1.5",
            "1e5",
            "1E+5",
            "1e-5",
            "0.1",
            "-9223372036854775808",
            "9223372036854775807",
            "999999999999999999",
            "-999999999999999999",
            "1000000000000000000",
            "-0000",
            "-01",
            "0e1",
            "-7E-1",
            "[0,-0,00]",
            "[123456789012345678,-123456789012345678,1234567890123456789]",
            "{\"exp\":-0,\"nbf\":999999999999999999,\"iat\":-9223372036854775809}",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "1e308",
            "1e309",
            "-1e309",
            "1e-400",
            "123456789012345678901234567890",
            "1.59223372036854775808",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "0x1",
            "1.5e3.2",
            "true",
            "false",
            "null",
            "tru",
            "nulll",
            "True",
            "\"\"",
            "\"a\\\"b\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\u{1}\"",
            "\"a\tb\"",
            "\"é\"",
            "[]",
            "{}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            " [ 1 , { \"a\" : [ ] } ] ",
            "[1]x",
            "",
            "   ",
            "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"b\":1}}",
            "{\"\\u0061\":1,\"a\":2}",
            "[{\"x\":1},{\"x\":1}]",
            "\u{feff}{}",
            "{\"a\":\"\\/\"}",
            "[1e400]",
            "{\"exp\":1e400}",
        ] {
            same_as_reference(doc.as_bytes());
        }
        for depth in [127, 128, 129, 200] {
            same_as_reference(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).as_bytes());
            let objs = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            same_as_reference(objs.as_bytes());
        }
        same_as_reference(b"\"\xff\"");
        same_as_reference(b"{\"a\xc3\":1}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn random_documents_match_the_reference(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\n", "\"a\"", "\"b\"", "\"a\"", "\"\\u0061\"",
                "\"exp\"", "\"aud\"", "\"alg\"", "\"kid\"", "\"b64\"", "\"crit\"", "\"\\ud83d\\ude00\"",
                "\"\\ud800\"", "\"\\n\"", "\"x\\\\y\"", "\"é\"", "1", "-0", "0", "1.5", "-2e3", "1e400",
                "01", "9223372036854775808", "true", "false", "null", "nul", "\"", "\\", "x",
            ]), 0..24)
        ) {
            same_as_reference(parts.concat().as_bytes());
        }
    }

    #[test]
    fn a_repeated_escaped_name_is_reported_as_messages_show_it() {
        same_as_reference(br#"{"x\\y":"a","x\\y""#);
        same_as_reference(br#"{"x\\y":"a","x\\y":1}"#);
    }

    #[test]
    fn build_object_fills_the_top_level_container() {
        let m = build_object(br#"{"a":[1,{"b":null}],"c":"\u00e9"}"#, &mut ValueBuilder)
            .unwrap()
            .unwrap();
        assert_eq!(Value::Object(m), json!({"a": [1, {"b": null}], "c": "é"}));
        assert_eq!(build_object(b"[1]", &mut ValueBuilder).unwrap(), None);
        assert!(build_object(br#"{"a":1,"a":1}"#, &mut ValueBuilder).is_err());
        assert!(build_object(br#"{"a":1} x"#, &mut ValueBuilder).is_err());
    }

    #[test]
    fn odd_member_names_are_just_names() {
        let v = parse(br#"{"\u0001duplicate member:x":1}"#).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 1);
        let dup = parse(br#"{"\u0001duplicate member:x":1,"\u0001duplicate member:x":2}"#);
        assert!(matches!(dup, Err(JsonError::DuplicateKey(_))));
    }
}
