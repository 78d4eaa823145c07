//! Strict JSON for JOSE headers and claim sets: RFC 8259 text, valid UTF-8, and no object that
//! repeats a member name (RFC 7515 §5.2 and RFC 7519 §7.2 require such input to be refused
//! rather than resolved by "last one wins").
#![forbid(unsafe_code)]

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON (syntax, invalid UTF-8, lone surrogate, nesting too deep, trailing data).
    Syntax(String),
    /// An object repeats this member name.
    DuplicateKey(String),
}

/// Prefix of the error the visitor raises for a repeated member name.
const DUPLICATE: &str = "\u{1}duplicate member:";

/// Parses `bytes` as one JSON value, refusing repeated member names at any depth.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(v)) => Ok(v),
        Err(e) => {
            let text = e.to_string();
            match text.strip_prefix(DUPLICATE) {
                Some(rest) if e.classify() == serde_json::error::Category::Data => {
                    // serde_json appends " at line L column C" to custom errors.
                    let name = rest.rsplit_once(" at line ").map_or(rest, |(n, _)| n);
                    Err(JsonError::DuplicateKey(name.to_owned()))
                }
                _ => Err(JsonError::Syntax(text)),
            }
        }
    }
}

/// A JSON value deserialised by [`StrictVisitor`].
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

/// Builds a `serde_json::Value`, failing on the first repeated member name.
struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE}{}",
                    crate::errors::excerpt(&key, 40)
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn a_member_name_that_looks_like_the_marker_is_data_not_a_duplicate() {
        let v = parse(br#"{"\u0001duplicate member:x":1}"#).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 1);
        let dup = parse(br#"{"\u0001duplicate member:x":1,"\u0001duplicate member:x":2}"#);
        assert!(matches!(dup, Err(JsonError::DuplicateKey(_))));
    }
}
