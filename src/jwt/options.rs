//! The `$options` of a verifier: `algorithms` (required), `leeway`, `requireExp`, `issuer`,
//! `audience`, `maxTokenBytes`. Unknown option names are refused, so a typo cannot silently
//! switch a check off.

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::keys;
use crate::errors::InvalidInput;

/// Default `maxTokenBytes`.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8192;
/// Accepted range of `maxTokenBytes`.
pub const MAX_TOKEN_BYTES_RANGE: (usize, usize) = (64, 1 << 20);
/// Largest `leeway` in seconds (one day).
pub const MAX_LEEWAY: i64 = 86_400;

/// Verifier options, validated.
#[derive(Debug, Clone)]
pub struct Options {
    /// Algorithms a token may use (never empty once validated).
    pub algorithms: Vec<Algorithm>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    pub leeway: i64,
    /// Refuse tokens without `exp`.
    pub require_exp: bool,
    /// Accepted `iss` values; `None` = `iss` is not checked.
    pub issuer: Option<Vec<String>>,
    /// Accepted audiences; `None` = a token must not carry `aud`.
    pub audience: Option<Vec<String>>,
    /// Longest token accepted, in bytes.
    pub max_token_bytes: usize,
}

/// Reads `$options`, recording every problem in `err`.
pub fn parse(options: &Value, err: &mut InvalidInput) -> Options {
    let empty = Map::new();
    let map = match options {
        Value::Object(m) => m,
        Value::Array(a) if a.is_empty() => &empty,
        _ => {
            err.push("options", "must be an array of named options");
            &empty
        }
    };
    for k in map.keys() {
        if !matches!(
            k.as_str(),
            "algorithms" | "leeway" | "requireExp" | "issuer" | "audience" | "maxTokenBytes"
        ) {
            err.push(
                format!("options[{}]", crate::errors::excerpt(k, 30)),
                "unknown option (known: algorithms, leeway, requireExp, issuer, audience, \
                 maxTokenBytes)",
            );
        }
    }
    Options {
        algorithms: algorithms(map.get("algorithms"), err),
        leeway: int(map.get("leeway"), "leeway", 0, (0, MAX_LEEWAY), err),
        require_exp: match map.get("requireExp") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                err.push("options[requireExp]", "must be a boolean");
                true
            }
        },
        issuer: names(map.get("issuer"), "issuer", err),
        audience: names(map.get("audience"), "audience", err),
        max_token_bytes: usize::try_from(int(
            map.get("maxTokenBytes"),
            "maxTokenBytes",
            DEFAULT_MAX_TOKEN_BYTES as i64,
            (
                MAX_TOKEN_BYTES_RANGE.0 as i64,
                MAX_TOKEN_BYTES_RANGE.1 as i64,
            ),
            err,
        ))
        .unwrap_or(DEFAULT_MAX_TOKEN_BYTES),
    }
}

fn algorithms(v: Option<&Value>, err: &mut InvalidInput) -> Vec<Algorithm> {
    let list = match v {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(_) => {
            err.push(
                "options[algorithms]",
                "must be a non-empty list of algorithm names",
            );
            return Vec::new();
        }
        None => {
            err.push(
                "options[algorithms]",
                "is required: list the algorithms tokens may use, e.g. ['RS256']",
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = format!("options[algorithms][{i}]");
        match item {
            Value::String(name) => match keys::parse_allowed(name) {
                Ok(a) if !out.contains(&a) => out.push(a),
                Ok(_) => {}
                Err((code, msg)) => err.push(path, format!("{code}: {msg}")),
            },
            _ => err.push(path, "must be a string"),
        }
    }
    out
}

fn int(
    v: Option<&Value>,
    name: &str,
    default: i64,
    range: (i64, i64),
    err: &mut InvalidInput,
) -> i64 {
    match v {
        None => default,
        Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i >= range.0 && i <= range.1) => {
            n.as_i64().unwrap_or(default)
        }
        Some(_) => {
            err.push(
                format!("options[{name}]"),
                format!("must be an integer from {} to {}", range.0, range.1),
            );
            default
        }
    }
}

/// `issuer` / `audience`: a non-empty string or a non-empty list of them.
fn names(v: Option<&Value>, name: &str, err: &mut InvalidInput) -> Option<Vec<String>> {
    let bad = |err: &mut InvalidInput| {
        err.push(
            format!("options[{name}]"),
            "must be a non-empty string or a non-empty list of them",
        );
        None
    };
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(vec![s.clone()]),
        Some(Value::Array(list)) if !list.is_empty() => {
            let names: Vec<String> = list
                .iter()
                .filter_map(|x| x.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
                .collect();
            if names.len() == list.len() {
                Some(names)
            } else {
                bad(err)
            }
        }
        Some(_) => bad(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value) -> Result<Options, String> {
        let mut err = InvalidInput::new("options");
        let o = parse(&v, &mut err);
        err.into_result(o).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults() {
        let o = run(json!({"algorithms": ["RS256", "RS256", "EdDSA"]})).unwrap();
        assert_eq!(o.algorithms, [Algorithm::RS256, Algorithm::EdDSA]);
        assert_eq!(o.leeway, 0);
        assert!(o.require_exp);
        assert!(o.issuer.is_none() && o.audience.is_none());
        assert_eq!(o.max_token_bytes, 8192);
    }

    #[test]
    fn every_option_is_read() {
        let o = run(json!({
            "algorithms": ["HS256"], "leeway": 30, "requireExp": false,
            "issuer": "https://idp", "audience": ["a", "b"], "maxTokenBytes": 4096
        }))
        .unwrap();
        assert_eq!(o.leeway, 30);
        assert!(!o.require_exp);
        assert_eq!(o.issuer.unwrap(), ["https://idp"]);
        assert_eq!(o.audience.unwrap(), ["a", "b"]);
        assert_eq!(o.max_token_bytes, 4096);
    }

    #[test]
    fn every_problem_is_named() {
        let e = run(json!({
            "algorithms": ["none", "ES256K", 5], "leeway": -1, "requireExp": "yes",
            "issuer": "", "audience": [""], "maxTokenBytes": 10, "algorithm": ["HS256"]
        }))
        .unwrap_err();
        for needle in [
            "options[algorithms][0]: alg_none",
            "options[algorithms][1]: unsupported_alg",
            "options[algorithms][2]: must be a string",
            "options[leeway]",
            "options[requireExp]",
            "options[issuer]",
            "options[audience]",
            "options[maxTokenBytes]",
            "options[algorithm]: unknown option",
        ] {
            assert!(e.contains(needle), "{needle} not in {e}");
        }
        assert!(
            run(json!({}))
                .unwrap_err()
                .contains("options[algorithms]: is required")
        );
        assert!(
            run(json!({"algorithms": []}))
                .unwrap_err()
                .contains("non-empty")
        );
        assert!(run(json!([1])).is_err());
        assert!(run(json!({"algorithms": ["HS256"], "leeway": 1.5})).is_err());
    }
}
