//! `PLUGIN_AGENTS_API_CREDENTIALS`: the env JSON credential set ([spec:env-json]), in its three
//! shapes — one credential object (has a `token` or `value` key), a list of credential objects,
//! or a map of id → credential object.
//!
//! Entry keys: `token` (else `value`; a non-empty string, or an integer), `id` (else `name`; in
//! the map shape the key wins), `scopes` (list or comma/space string; absent or `null` = the
//! configured token scopes; empty = nothing), `ipAllowlist`, `expiresAt`, `forceHumanApproval`
//! (default false) and `description` (ignored). Stricter than the plugin ([spec:env-json]): an
//! array or boolean token, an unknown key (e.g. a misspelt `ipAllowList`), a bad allowlist or
//! expiry, an empty set — each is reported; an unusable entry is skipped, never loosened.

use crate::json::JsonError;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::expiry::{Lifecycle, parse_timestamp};
use super::field::Field;
use super::readers::{self, key_label};
use super::terms::Terms;
use crate::tokens::{self, Format};

/// The env variable, for messages.
pub const VAR: &str = "PLUGIN_AGENTS_API_CREDENTIALS";

/// Keys an entry may carry.
pub const KNOWN_KEYS: [&str; 9] = [
    "token",
    "value",
    "id",
    "name",
    "scopes",
    "ipAllowlist",
    "expiresAt",
    "forceHumanApproval",
    "description",
];

/// One usable entry. The token is wiped from memory when the entry is dropped.
#[derive(Debug)]
pub struct EnvEntry {
    /// Normalized id.
    pub id: String,
    /// The secret (trimmed).
    pub token: Zeroizing<String>,
    /// Explicit scopes (parsed, unfiltered); `None` = take the configured token scopes.
    pub scopes: Option<Vec<String>>,
    /// Allowlist, expiry (`lifecycle.expires_at`) and approval; env entries have no webhook
    /// subscriptions.
    pub terms: Terms,
}

/// The parsed set: usable entries, and one message per problem (never containing a secret).
#[derive(Debug, Default)]
pub struct ParsedEnv {
    /// Usable entries, in input order.
    pub entries: Vec<EnvEntry>,
    /// Problems, in input order.
    pub problems: Vec<String>,
}

/// Parses the variable's value (already trimmed and non-empty).
pub fn parse(raw: &str) -> ParsedEnv {
    let mut out = ParsedEnv::default();
    // The crate's one strict reader: a repeated member name (`{"token":"a","token":"b"}`) is
    // refused like any other unreadable text, never resolved by "last one wins".
    let mut value = match crate::json::parse(raw.as_bytes()) {
        Ok(v) => v,
        Err(JsonError::DuplicateKey(name)) => {
            out.problems.push(format!(
                "`{VAR}` repeats the member name \"{}\" in one object; no credential was loaded from it.",
                crate::errors::excerpt(&name, 40)
            ));
            return out;
        }
        Err(JsonError::Syntax(where_)) => {
            out.problems.push(format!(
                "`{VAR}` is not valid JSON ({where_}); no credential was loaded from it."
            ));
            return out;
        }
    };
    match &value {
        Value::Object(m) if m.contains_key("token") || m.contains_key("value") => {
            read_entry(&value, None, 1, &mut out);
        }
        Value::Object(m) => {
            for (i, (key, entry)) in m.iter().enumerate() {
                read_entry(entry, Some(key), i + 1, &mut out);
            }
        }
        Value::Array(items) => {
            for (i, entry) in items.iter().enumerate() {
                read_entry(entry, None, i + 1, &mut out);
            }
        }
        _ => out.problems.push(format!(
            "`{VAR}` must be a credential object, a list of them or a map of id => credential \
             object; no credential was loaded from it."
        )),
    }
    if out.entries.is_empty() && out.problems.is_empty() {
        out.problems
            .push(format!("`{VAR}` is set but contains no credential."));
    }
    wipe(&mut value);
    out
}

/// Overwrites every string of a JSON tree (the tokens it held) before it is freed.
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(m) => m.values_mut().for_each(wipe),
        _ => {}
    }
}

fn read_entry(entry: &Value, map_key: Option<&str>, position: usize, out: &mut ParsedEnv) {
    let label = match map_key {
        Some(k) => format!("`{VAR}` entry {}", key_label(k)),
        None => format!("`{VAR}` entry {position}"),
    };
    let Value::Object(obj) = entry else {
        out.problems.push(format!(
            "{label} was skipped: it must be an object such as {{\"token\": \"…\"}}."
        ));
        return;
    };
    match read_object(obj, map_key, position) {
        Ok(e) => out.entries.push(e),
        Err(problems) => out
            .problems
            .push(format!("{label} was skipped: {}.", problems.join("; "))),
    }
}

fn read_object(
    obj: &Map<String, Value>,
    map_key: Option<&str>,
    position: usize,
) -> Result<EnvEntry, Vec<String>> {
    let mut problems = Vec::new();
    for key in obj.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            problems.push(format!(
                "unknown key {} (known: {})",
                key_label(key),
                KNOWN_KEYS.join(", ")
            ));
        }
    }
    let token = read_token(obj).unwrap_or_else(|p| {
        problems.push(p.to_owned());
        Zeroizing::new(String::new())
    });
    let candidate = match map_key {
        Some(k) => Some(k.to_owned()),
        None => match obj.get("id").filter(|v| !v.is_null()) {
            Some(v) => id_of(v, "id", &mut problems),
            None => obj
                .get("name")
                .filter(|v| !v.is_null())
                .and_then(|v| id_of(v, "name", &mut problems)),
        },
    };
    let mut id = candidate
        .map(|c| readers::normalize_env_id(&c))
        .unwrap_or_default();
    if id.is_empty() {
        id = format!("credential-{position}");
    }
    let scopes = match obj.get("scopes") {
        None | Some(Value::Null) => None,
        Some(v) => readers::scopes(&Field::from(v))
            .map_err(|e| problems.push(format!("scopes {e}")))
            .ok(),
    };
    let allowlist = obj
        .get("ipAllowlist")
        .map(|v| readers::allowlist(&Field::from(v)))
        .transpose()
        .unwrap_or_else(|e| {
            problems.push(format!("ipAllowlist: {e}"));
            None
        })
        .unwrap_or_default();
    let expires_at = obj
        .get("expiresAt")
        .map(|v| parse_timestamp(&Field::from(v)))
        .transpose()
        .unwrap_or_else(|e| {
            problems.push(format!("expiresAt {e}"));
            None
        })
        .flatten();
    let force_human_approval = readers::flag(
        obj.get("forceHumanApproval").map(Field::from).as_ref(),
        false,
    )
    .unwrap_or_else(|e| {
        problems.push(format!("forceHumanApproval {e}"));
        false
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(EnvEntry {
        id,
        token,
        scopes,
        terms: Terms {
            allowlist,
            lifecycle: Lifecycle {
                expires_at,
                ..Lifecycle::default()
            },
            force_human_approval,
            ..Terms::default()
        },
    })
}

fn id_of(value: &Value, key: &str, problems: &mut Vec<String>) -> Option<String> {
    let text = readers::id_text(&Field::from(value)).map(|t| t.into_owned());
    if text.is_none() {
        problems.push(format!("{key} must be a string"));
    }
    text
}

fn read_token(obj: &Map<String, Value>) -> Result<Zeroizing<String>, &'static str> {
    let raw = match obj.get("token").filter(|v| !v.is_null()) {
        Some(v) => v,
        None => obj
            .get("value")
            .filter(|v| !v.is_null())
            .ok_or("token is missing")?,
    };
    let token = match raw {
        Value::String(s) => Zeroizing::new(s.trim().to_owned()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Zeroizing::new(n.to_string()),
        _ => return Err("token must be a string"),
    };
    if token.is_empty() {
        return Err("token is empty");
    }
    check_token_format(&token)?;
    Ok(token)
}

/// Refuses a configured token that carries the generated-token prefix but fails its checksum:
/// such a token is always refused as malformed, so it could never authenticate.
pub fn check_token_format(token: &str) -> Result<(), &'static str> {
    if tokens::format(token) == Format::Malformed {
        Err("token starts with `agt_` but is not a well-formed generated token (bad checksum?)")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &ParsedEnv) -> Vec<&str> {
        p.entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn the_three_shapes() {
        let a = parse(
            r#"{"id": "ci-bot", "token": "s3cret", "scopes": ["health:read", "entries:read"]}"#,
        );
        assert_eq!(ids(&a), ["ci-bot"]);
        assert_eq!(
            a.entries[0].scopes.as_deref(),
            Some(&["entries:read".to_owned(), "health:read".to_owned()][..])
        );
        assert!(a.problems.is_empty());

        let b = parse(
            r#"[{"id": "a", "token": "t1"}, {"name": "b", "value": "t2", "scopes": "auth:read, health:read"}]"#,
        );
        assert_eq!(ids(&b), ["a", "b"]);
        assert_eq!(b.entries[0].scopes, None);
        assert_eq!(&*b.entries[1].token, "t2");

        let c = parse(
            r#"{"ci-bot": {"token": "t1"}, "reporting": {"token": "t2", "scopes": ["orders:read"]}}"#,
        );
        assert_eq!(ids(&c), ["ci-bot", "reporting"]);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn reference_examples() {
        let p = parse(r#"{"token":"t1"}"#);
        assert_eq!(ids(&p), ["credential-1"]);
        let p = parse(r#"{"value":"t2","name":"My Bot!"}"#);
        assert_eq!(ids(&p), ["my-bot"]);
        let p = parse(r#"[{"token":"a","scopes":"health:read, entries:write"},{"id":"x"},"str"]"#);
        assert_eq!(ids(&p), ["credential-1"]);
        assert_eq!(
            p.entries[0].scopes.as_deref(),
            Some(&["entries:write:draft".to_owned(), "health:read".to_owned()][..])
        );
        assert_eq!(p.problems.len(), 2);
        let p = parse(r#"{"ci":{"token":"c1","id":"ignored"},"svc":"tok"}"#);
        assert_eq!(ids(&p), ["ci"]);
        assert_eq!(p.problems.len(), 1);
        assert!(!p.problems[0].contains("tok\""));
        // The plugin's env id rule: runs outside `[A-Za-z0-9:_-]` (dots included) become `-`.
        let p = parse(r#"[{"token":"  spaced  ","id":"A.B C"}]"#);
        assert_eq!(ids(&p), ["a-b-c"]);
        assert_eq!(&*p.entries[0].token, "spaced");
        let p = parse(r#"{"Reporting.Svc":{"token":"r1"}}"#);
        assert_eq!(ids(&p), ["reporting-svc"]);
    }

    #[test]
    fn repeated_member_names_load_nothing() {
        for raw in [
            r#"{"token":"first-token-aaaaaaaa","token":"second-token-bbbbbbbb"}"#,
            r#"{"ci":{"token":"t1"},"ci":{"token":"t2"}}"#,
            r#"[{"id":"a","token":"t1","scopes":"x","scopes":"*"}]"#,
            r#"{"ci":{"token":"t1","\u0074oken":"t2"}}"#,
        ] {
            let p = parse(raw);
            assert!(p.entries.is_empty(), "{raw}");
            assert_eq!(p.problems.len(), 1, "{raw}");
            assert!(p.problems[0].contains("repeats the member name"), "{raw}");
            assert!(!p.problems[0].contains("t1") && !p.problems[0].contains("first-token"));
        }
    }

    #[test]
    fn loose_values_are_refused() {
        for raw in [
            r#"{"token": ["x"]}"#,
            r#"{"token": true}"#,
            r#"{"token": ""}"#,
            r#"{"token": "   "}"#,
            r#"{"token": 1.5}"#,
            r#"{"token": "x", "ipAllowList": ["10.0.0.0/8"]}"#,
            r#"{"token": "x", "ipAllowlist": ["10.0.0.5/8x"]}"#,
            r#"{"token": "x", "expiresAt": "soon"}"#,
            r#"{"token": "x", "scopes": {"a": 1}}"#,
            r#"{"token": "x", "forceHumanApproval": "maybe"}"#,
            r#"{"token": "x", "id": ["a"]}"#,
            r#"{"token": "agt_abc_def"}"#,
        ] {
            let p = parse(raw);
            assert!(p.entries.is_empty(), "{raw}");
            assert_eq!(p.problems.len(), 1, "{raw}");
            assert!(
                p.problems[0].contains("skipped"),
                "{raw}: {}",
                p.problems[0]
            );
        }
        let p = parse(r#"{"token": 12345}"#);
        assert_eq!(&*p.entries[0].token, "12345");
    }

    #[test]
    fn unusable_documents_are_reported() {
        for raw in ["[]", "{}", "\"abc\"", "123", "null", "{broken", "[1, 2]"] {
            let p = parse(raw);
            assert!(p.entries.is_empty(), "{raw}");
            assert!(!p.problems.is_empty(), "{raw}");
        }
    }

    #[test]
    fn optional_fields() {
        let p = parse(
            r#"[{"token":"a","ipAllowlist":"10.0.0.0/8","expiresAt":"2030-01-01T00:00:00Z","forceHumanApproval":true,"scopes":[],"description":"x"}]"#,
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let e = &p.entries[0];
        assert!(e.terms.allowlist.contains("10.9.9.9".parse().unwrap()));
        assert_eq!(e.terms.lifecycle.expires_at, Some(1_893_456_000));
        assert!(e.terms.force_human_approval);
        assert_eq!(e.scopes, Some(vec![]));
    }

    #[test]
    fn problems_never_contain_the_token() {
        let p = parse(
            r#"[{"token":"supersecretvalue","ipAllowlist":"nope"},{"value":"othersecret","bogus":1}]"#,
        );
        assert_eq!(p.problems.len(), 2);
        for m in &p.problems {
            assert!(
                !m.contains("supersecretvalue") && !m.contains("othersecret"),
                "{m}"
            );
        }
    }
}
