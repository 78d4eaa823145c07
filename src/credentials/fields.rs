//! Field readers shared by the env JSON set and the managed rows: ids, list-valued fields (a
//! list, a comma/space string or JSON array text), scopes, IP allowlists, flags.
#![forbid(unsafe_code)]

use serde_json::Value;

use crate::errors::excerpt;
use crate::ip::Allowlist;
use crate::scopes;

/// Normalises a credential id or managed handle (one rule for both sources): lower-cased,
/// trimmed, every run of characters outside `[a-z0-9:_.-]` replaced by `-`, trimmed of `-`.
/// May return an empty string.
pub fn normalise_id(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_dash = false;
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || ":_.-".contains(c) {
            if pending_dash {
                out.push('-');
                pending_dash = false;
            }
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    if pending_dash {
        out.push('-');
    }
    out.trim_matches('-').to_owned()
}

/// Text of a string or integer value (ids may arrive as numbers).
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// Decodes JSON array text (a string whose first non-blank character is `[`); other values
/// are returned unchanged.
pub fn decode_json_text(value: &Value) -> Result<Value, String> {
    match value {
        Value::String(s) if s.trim_start().starts_with('[') => serde_json::from_str::<Value>(s)
            .map_err(|e| {
                format!(
                    "is not valid JSON array text (line {}, column {})",
                    e.line(),
                    e.column()
                )
            }),
        other => Ok(other.clone()),
    }
}

/// Reads a scope list: a list of strings/numbers, a comma/space separated string, or JSON array
/// text, through the one scope parser. `null` is an empty list. Any other shape or member is an
/// error (a scope list is never guessed).
pub fn scopes(value: &Value) -> Result<Vec<String>, String> {
    let decoded = decode_json_text(value)?;
    match decoded {
        Value::Null | Value::String(_) | Value::Array(_) => {
            let (list, bad) = scopes::parse_value(&decoded);
            if bad.is_empty() {
                Ok(list)
            } else {
                Err(format!(
                    "member{} {} {} not a string",
                    if bad.len() == 1 { "" } else { "s" },
                    bad.iter()
                        .map(|i| format!("[{i}]"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if bad.len() == 1 { "is" } else { "are" },
                ))
            }
        }
        _ => Err("must be a list of scopes or a comma/space separated string".to_owned()),
    }
}

/// Reads an IP allowlist: a list, a comma/space separated string, or JSON array text. `null`
/// and an empty list mean "no restriction"; a list with any bad entry is an error (a bad
/// allowlist never becomes "no allowlist").
pub fn allowlist(value: &Value) -> Result<Allowlist, String> {
    let decoded = decode_json_text(value)?;
    match decoded {
        Value::Null | Value::String(_) | Value::Array(_) => Allowlist::parse_value(&decoded)
            .map_err(|e| {
                e.items
                    .iter()
                    .map(|i| format!("{}: {}", i.item, i.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        _ => Err("must be a list of IPs/CIDRs or a comma/space separated string".to_owned()),
    }
}

/// Reads a flag: a boolean, 0/1, or the strings `0`, `1`, `true`, `false` (as database drivers
/// return them). `null` takes `default`.
pub fn flag(value: Option<&Value>, default: bool) -> Result<bool, String> {
    match value {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
        Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err("must be a boolean".to_owned()),
        },
        Some(_) => Err("must be a boolean".to_owned()),
    }
}

/// Reads a list of plain words (webhook subscription dimensions): a list of strings or JSON
/// array text; members are trimmed and lower-cased, empty ones dropped. `null` is empty.
pub fn words(value: &Value) -> Result<Vec<String>, String> {
    match decode_json_text(value)? {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if !s.trim().is_empty() => {
                        out.push(s.trim().to_ascii_lowercase());
                    }
                    Value::String(_) => {}
                    _ => return Err(format!("member [{i}] is not a string")),
                }
            }
            Ok(out)
        }
        _ => Err("must be a list of strings".to_owned()),
    }
}

/// A key name for a message (escaped, shortened).
pub fn key_label(key: &str) -> String {
    format!("`{}`", excerpt(key, 40))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_share_one_rule() {
        assert_eq!(normalise_id("My Bot!"), "my-bot");
        assert_eq!(normalise_id("  A.B C  "), "a.b-c");
        assert_eq!(normalise_id("ci:bot_1"), "ci:bot_1");
        assert_eq!(normalise_id("--x--"), "x");
        assert_eq!(normalise_id("!!!"), "");
        assert_eq!(normalise_id("Über"), "ber");
        assert_eq!(normalise_id("a  b"), "a-b");
    }

    #[test]
    fn scopes_in_every_shape() {
        let want = vec!["auth:read".to_owned(), "health:read".to_owned()];
        assert_eq!(
            scopes(&json!(["health:read", "auth:read"])),
            Ok(want.clone())
        );
        assert_eq!(scopes(&json!("health:read, auth:read")), Ok(want.clone()));
        assert_eq!(scopes(&json!("[\"health:read\",\"auth:read\"]")), Ok(want));
        assert_eq!(scopes(&json!(null)), Ok(vec![]));
        assert_eq!(scopes(&json!([])), Ok(vec![]));
        assert!(scopes(&json!(["a", {"x": 1}])).is_err());
        assert!(scopes(&json!(true)).is_err());
        assert!(scopes(&json!({"a": "b"})).is_err());
        assert!(scopes(&json!("[broken")).is_err());
    }

    #[test]
    fn allowlists_in_every_shape_and_bad_ones_refused() {
        let ip = "10.1.2.3".parse().unwrap();
        for v in [
            json!(["10.0.0.0/8"]),
            json!("10.0.0.0/8, 192.168.0.1"),
            json!("[\"10.0.0.0/8\"]"),
        ] {
            let a = allowlist(&v).unwrap();
            assert!(a.contains(ip), "{v}");
        }
        assert!(allowlist(&json!(null)).unwrap().is_empty());
        assert!(allowlist(&json!([])).unwrap().is_empty());
        assert!(allowlist(&json!("")).unwrap().is_empty());
        assert!(allowlist(&json!(["10.0.0.0/8", "bogus"])).is_err());
        assert!(allowlist(&json!("[\"10.0.0.0/8\",")).is_err());
        assert!(allowlist(&json!(7)).is_err());
    }

    #[test]
    fn flags() {
        assert_eq!(flag(None, true), Ok(true));
        assert_eq!(flag(Some(&json!(null)), false), Ok(false));
        assert_eq!(flag(Some(&json!(0)), true), Ok(false));
        assert_eq!(flag(Some(&json!("1")), false), Ok(true));
        assert_eq!(flag(Some(&json!(false)), true), Ok(false));
        assert!(flag(Some(&json!("maybe")), true).is_err());
        assert!(flag(Some(&json!(2)), true).is_err());
    }

    #[test]
    fn word_lists() {
        assert_eq!(
            words(&json!(["Entry", " order "])),
            Ok(vec!["entry".into(), "order".into()])
        );
        assert_eq!(words(&json!("[\"created\"]")), Ok(vec!["created".into()]));
        assert_eq!(words(&json!(null)), Ok(vec![]));
        assert!(words(&json!([1])).is_err());
    }
}
