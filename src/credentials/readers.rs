//! Field readers shared by the env JSON set and the managed rows: env ids and managed handles
//! (two rules, side by side), list-valued fields (a
//! list, a comma/space string or JSON array text), scopes, IP allowlists, flags.

use std::borrow::Cow;

use super::field::{Field, Item};
use super::name::Name;

use crate::errors::excerpt;
use crate::ip::{Allowlist, Input, ListItem};
use crate::scopes;

/// Normalizes an env credential id (the plugin's env rule): every run of bytes outside
/// `[A-Za-z0-9:_-]` becomes one `-`, ASCII letters are lower-cased, and `-` is trimmed from both
/// ends. Dots are not kept: `A.B C` → `a-b-c`, `Reporting.Svc` → `reporting-svc`. May return an
/// empty string.
pub fn normalize_env_id(raw: &str) -> String {
    if is_normal(raw, &ENV_ID_BYTES) {
        return raw.to_owned();
    }
    normalize(raw, &ENV_ID_BYTES)
}

/// Normalizes a managed credential handle (the plugin's handle rule): lower-cased, every run of
/// bytes outside `[a-z0-9:_.-]` becomes one `-`, and `-` is trimmed from both ends. Dots are
/// kept: `A.B C` → `a.b-c`. May return an empty string.
pub fn normalize_handle(raw: &str) -> Name {
    if is_normal(raw, &HANDLE_BYTES) {
        return Name::new(raw);
    }
    Name::from(normalize(raw, &HANDLE_BYTES))
}

/// True when `raw` is already normalized under the rule that keeps `kept` (it would come back
/// unchanged).
#[inline(always)]
fn is_normal(raw: &str, kept: &[bool; 256]) -> bool {
    let bytes = raw.as_bytes();
    bytes.iter().all(|&b| kept[usize::from(b)])
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// The bytes the env id rule keeps.
const ENV_ID_BYTES: [bool; 256] = kept_bytes(b":_-");
/// The bytes the handle rule keeps.
const HANDLE_BYTES: [bool; 256] = kept_bytes(b":_.-");

/// Which bytes a rule keeps: `[a-z0-9]` and `extra`, as a table.
const fn kept_bytes(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_lowercase() || c.is_ascii_digit();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// ASCII lower-casing, then runs of bytes outside `[a-z0-9]` and `extra` → `-`, then `-`
/// trimmed. Bytes, not characters: every non-ASCII character is outside (as in the plugin,
/// whose lower-casing is ASCII-only). `kept` is the rule's table of `[a-z0-9]` and its extra
/// bytes ([`kept_bytes`]). Callers try [`is_normal`] first (text it accepts comes back
/// unchanged).
fn normalize(raw: &str, kept: &[bool; 256]) -> String {
    let ok = |b: u8| kept[usize::from(b)];
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut pending_dash = false;
    for b in bytes.iter().map(u8::to_ascii_lowercase) {
        if ok(b) {
            if pending_dash {
                out.push('-');
                pending_dash = false;
            }
            out.push(char::from(b));
        } else {
            pending_dash = true;
        }
    }
    out.trim_matches('-').to_owned()
}

/// `s.trim()`, without the Unicode whitespace search when both ends are ASCII letters or
/// digits (neither can be whitespace, nor part of a longer character).
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => s,
        _ => s.trim(),
    }
}

/// Text of a string or integer value (ids may arrive as numbers).
pub fn id_text<'a>(value: &Field<'a>) -> Option<Cow<'a, str>> {
    match value {
        Field::Text(s) => Some(Cow::Borrowed(s)),
        Field::Int(i) => Some(Cow::Owned(i.to_string())),
        _ => None,
    }
}

/// Runs `read` on the value, or, for JSON array text (text whose first non-blank character is
/// `[`), on the decoded array.
pub fn with_json_text<T>(
    value: &Field<'_>,
    read: impl FnOnce(&Field<'_>) -> Result<T, String>,
) -> Result<T, String> {
    match value {
        Field::Text(s) if s.trim_start().starts_with('[') => {
            let decoded = crate::json::parse(s.as_bytes()).map_err(|e| match e {
                crate::json::JsonError::DuplicateKey(name) => format!(
                    "is JSON array text that repeats the member name \"{}\"",
                    excerpt(&name, 40)
                ),
                crate::json::JsonError::Syntax(where_) => {
                    format!("is not valid JSON array text ({where_})")
                }
            })?;
            read(&Field::from(&decoded))
        }
        other => read(other),
    }
}

/// Reads a scope list: a list of strings/numbers, a comma/space separated string, or JSON array
/// text, through the one scope parser. `null` is an empty list. Any other shape or member is an
/// error (a scope list is never guessed).
pub fn scopes(value: &Field<'_>) -> Result<Vec<String>, String> {
    with_json_text(value, |v| match v {
        Field::Null => Ok(Vec::new()),
        Field::Text(s) => Ok(scopes::parse(s)),
        Field::List(items) => {
            let bad: Vec<String> = items
                .iter()
                .enumerate()
                .filter(|(_, item)| !matches!(item, Item::Text(_) | Item::Int(_)))
                .map(|(i, _)| format!("[{i}]"))
                .collect();
            if bad.is_empty() {
                Ok(scopes::parse_list(items.iter().map(|item| match item {
                    Item::Text(s) => Cow::Borrowed(*s),
                    Item::Int(n) => Cow::Owned(n.to_string()),
                    _ => Cow::Borrowed(""),
                })))
            } else {
                Err(format!(
                    "member{} {} {} not a string",
                    if bad.len() == 1 { "" } else { "s" },
                    bad.join(", "),
                    if bad.len() == 1 { "is" } else { "are" },
                ))
            }
        }
        _ => Err("must be a list of scopes or a comma/space separated string".to_owned()),
    })
}

/// Reads an IP allowlist: a list, a comma/space separated string, or JSON array text. `null`
/// and an empty list or string mean "no restriction"; a list with any bad entry is an error (a
/// bad allowlist never becomes "no allowlist").
pub fn allowlist(value: &Field<'_>) -> Result<Allowlist, String> {
    with_json_text(value, |v| match v {
        Field::Null => Ok(Allowlist::default()),
        Field::Text(s) if s.trim().is_empty() => Ok(Allowlist::default()),
        Field::List(items) if items.is_empty() => Ok(Allowlist::default()),
        Field::Text(s) => {
            Allowlist::parse(&Input::Text(s.as_bytes()), SUBJECT, LABEL).map_err(one_line)
        }
        Field::List(items) => Allowlist::parse_items(
            items.iter().map(|item| match item {
                Item::Text(s) => ListItem::Text(s.as_bytes()),
                other => ListItem::Other(crate::ip::describe_json(&other.to_value())),
            }),
            SUBJECT,
            LABEL,
        )
        .map_err(one_line),
        _ => Err("must be a list of IPs/CIDRs or a comma/space separated string".to_owned()),
    })
}

/// What an allowlist's problems are about, and how its entries are named.
const SUBJECT: &str = "IP allowlist";
const LABEL: &str = "entries";

/// Every problem of an allowlist as one line (`entries[i] "…": reason; …`).
fn one_line(e: crate::errors::InvalidInput) -> String {
    e.items
        .iter()
        .map(|i| format!("{}: {}", i.item, i.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads a flag: a boolean, 0/1, or the strings `0`, `1`, `true`, `false` (as database drivers
/// return them). Absent or `null` takes `default`.
pub fn flag(value: Option<&Field<'_>>, default: bool) -> Result<bool, String> {
    match value {
        None | Some(Field::Null) => Ok(default),
        Some(Field::Bool(b)) => Ok(*b),
        Some(Field::Int(0)) => Ok(false),
        Some(Field::Int(1)) => Ok(true),
        Some(Field::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err("must be a boolean".to_owned()),
        },
        Some(_) => Err("must be a boolean".to_owned()),
    }
}

/// Reads a list of plain words (webhook subscription dimensions): a list of strings, JSON
/// array text or a comma/space separated string; members are trimmed and lower-cased, empty
/// ones dropped. `null` is empty.
pub fn words(value: &Field<'_>) -> Result<Vec<String>, String> {
    with_json_text(value, |v| match v {
        Field::Null => Ok(Vec::new()),
        Field::Text(s) => Ok(s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()),
        Field::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Item::Text(s) if !s.trim().is_empty() => {
                        out.push(s.trim().to_ascii_lowercase());
                    }
                    Item::Text(_) => {}
                    _ => return Err(format!("member [{i}] is not a string")),
                }
            }
            Ok(out)
        }
        _ => Err("must be a list of strings".to_owned()),
    })
}

/// A key name for a message (escaped, shortened).
pub fn key_label(key: &str) -> String {
    format!("`{}`", excerpt(key, 40))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn json_text_with_a_repeated_member_name_is_refused() {
        let e = scopes(&json!(r#"[{"a":1,"a":2}]"#)).unwrap_err();
        assert!(e.contains("repeats the member name \"a\""), "{e}");
        let e = allowlist(&json!(r#"["10.0.0.0/8", {"x":1,"x":2}]"#)).unwrap_err();
        assert!(e.contains("repeats the member name"), "{e}");
        assert!(scopes(&json!(r#"["a", "b"]"#)).is_ok());
    }

    #[test]
    fn env_ids_and_handles_follow_their_own_rules() {
        for (raw, env, handle) in [
            ("My Bot!", "my-bot", "my-bot"),
            ("  A.B C  ", "a-b-c", "a.b-c"),
            ("A.B C", "a-b-c", "a.b-c"),
            ("Reporting.Svc", "reporting-svc", "reporting.svc"),
            ("ci:bot_1", "ci:bot_1", "ci:bot_1"),
            ("--x--", "x", "x"),
            ("!!!", "", ""),
            ("Über", "ber", "ber"),
            ("a  b", "a-b", "a-b"),
            ("a..b", "a-b", "a..b"),
            (".svc.", "svc", ".svc."),
            ("\u{212a}elvin", "elvin", "elvin"),
        ] {
            assert_eq!(normalize_env_id(raw), env, "env {raw:?}");
            assert_eq!(normalize_handle(raw), handle, "handle {raw:?}");
        }
    }

    fn scopes(v: &Value) -> Result<Vec<String>, String> {
        super::scopes(&Field::from(v))
    }

    fn allowlist(v: &Value) -> Result<Allowlist, String> {
        super::allowlist(&Field::from(v))
    }

    fn flag(v: Option<&Value>, default: bool) -> Result<bool, String> {
        super::flag(v.map(Field::from).as_ref(), default)
    }

    fn words(v: &Value) -> Result<Vec<String>, String> {
        super::words(&Field::from(v))
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
    fn nested_list_members_are_named_not_read() {
        // A member that is itself a list or an object: named in the message, never read.
        assert_eq!(
            allowlist(&json!(["10.0.0.0/8", {"a": 1}, ["10.0.0.1"]])).unwrap_err(),
            "entries[1] null: not a string; entries[2] array: not a string"
        );
        assert_eq!(
            scopes(&json!(["auth:read", ["orders:read"], {"a": 1}])).unwrap_err(),
            "members [1], [2] are not a string"
        );
        assert_eq!(
            words(&json!(["entry", ["order"]])).unwrap_err(),
            "member [1] is not a string"
        );
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
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "\u{3000}x",
            "ab\u{2009}",
            "é",
            "aé",
            "éa",
            "a\tb",
            "\na",
            "0x0",
            "-1",
            "1-",
            "a\u{85}",
            "\u{85}a",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
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
