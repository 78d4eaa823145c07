//! Signed bearer tokens (JWT) as credentials: the Guard option `jwt`.
//!
//! A Bearer value that looks like a compact JWS is verified with the configured keys (all the
//! strictness of [`crate::jwt`]); the principal is `credentialSource: jwt`, `credentialId` =
//! `sub`, scopes from the `scope` claim (a space-separated string or a list of strings, read by
//! the strict [`scopes::parse_exact_value`]: every scope must already match the grammar, or the
//! token is refused as `invalid_scope`) intersected with the optional `scopeCeiling` (read the
//! same strict way; a bad entry is a configuration error). A token without a `scope` claim
//! grants nothing. `forceHumanApproval` is true: a signed token carries no
//! per-identity approval policy, so the safe side is taken.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::errors::InvalidInput;
use crate::errors::codes::JwtReason;
use crate::jwt::JwtVerifier;
use crate::scopes;

/// Keys of the `jwt` option that are not JwtVerifier options.
const OWN_KEYS: [&str; 2] = ["keys", "scopeCeiling"];

/// Domain separator of JWT principal fingerprints.
const FINGERPRINT_DOMAIN: &[u8] = b"agents-core/jwt-principal/v1\0";

/// The compiled `jwt` option.
#[derive(Debug)]
pub struct JwtAuth {
    verifier: JwtVerifier,
    ceiling: Option<Vec<String>>,
}

/// A verified signed-token caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtPrincipal {
    /// The `sub` claim.
    pub subject: String,
    /// Non-secret id derived from `iss` and `sub`.
    pub fingerprint: String,
    /// Granted scopes (claim ∩ ceiling), sorted.
    pub scopes: Vec<String>,
}

impl JwtAuth {
    /// Compiles `['keys' => ..., 'algorithms' => [...], ...JwtVerifier options,
    /// 'scopeCeiling' => [...]?]`, naming every problem.
    pub fn from_config(config: &Value) -> Result<Self, InvalidInput> {
        let Value::Object(map) = config else {
            return Err(InvalidInput::single(
                "Guard option jwt",
                "jwt",
                "must be an array with `keys`, `algorithms` and verifier options",
            ));
        };
        let keys = map.get("keys").cloned().unwrap_or(Value::Null);
        let options: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| !OWN_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut err = InvalidInput::new("Guard option jwt");
        let ceiling = match map.get("scopeCeiling") {
            None | Some(Value::Null) => None,
            Some(v) => match scopes::parse_exact_value(v) {
                Ok(list) => Some(list),
                Err(bad) => {
                    for b in bad {
                        match b {
                            scopes::NotExact::NotAList => err.push(
                                "jwt.scopeCeiling",
                                "must be a scope string or a list of scope strings",
                            ),
                            scopes::NotExact::Member(i) => {
                                err.push(format!("jwt.scopeCeiling[{i}]"), "must be a scope string")
                            }
                            scopes::NotExact::Scope(piece) => err.push(
                                format!(
                                    "jwt.scopeCeiling \"{}\"",
                                    crate::errors::excerpt(&piece, 40)
                                ),
                                "is not a scope (only a-z 0-9 : _ * . - are allowed)",
                            ),
                        }
                    }
                    None
                }
            },
        };
        let verifier = match JwtVerifier::from_config(&keys, &Value::Object(options)) {
            Ok(v) => Some(v),
            Err(e) => {
                for item in e.items {
                    err.push(format!("jwt: {}", item.item), item.reason);
                }
                None
            }
        };
        match verifier {
            Some(verifier) if err.is_empty() => Ok(Self { verifier, ceiling }),
            _ => Err(err),
        }
    }

    /// Verifies `token` at `now`; the refusal reason on failure.
    pub fn verify(&self, token: &str, now: i64) -> Result<JwtPrincipal, JwtReason> {
        let claims = self
            .verifier
            .check(token.as_bytes(), now)
            .map_err(|r| r.reason)?;
        let subject = match claims.get("sub") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(JwtReason::InvalidClaimType),
        };
        let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or("");
        // A scope from a token must already be exact: cleaning could turn text the issuer never
        // meant as a scope into one (`[*]` into `*`). A wrong JSON type is a claim-type error;
        // a string that is not a scope refuses the token as `invalid_scope`.
        let claimed = match scopes::parse_exact_value(claims.get("scope").unwrap_or(&Value::Null)) {
            Ok(list) => list,
            Err(bad) if bad.iter().all(|b| matches!(b, scopes::NotExact::Scope(_))) => {
                return Err(JwtReason::InvalidScope);
            }
            Err(_) => return Err(JwtReason::InvalidClaimType),
        };
        Ok(JwtPrincipal {
            fingerprint: fingerprint(issuer, &subject),
            scopes: self.limit(claimed),
            subject,
        })
    }

    /// The claimed scopes limited by the ceiling: a claimed scope is kept when the ceiling
    /// grants it; a claimed `*` becomes the ceiling itself.
    fn limit(&self, claimed: Vec<String>) -> Vec<String> {
        let Some(ceiling) = &self.ceiling else {
            return claimed;
        };
        let mut out: Vec<String> = if claimed.iter().any(|s| s == scopes::WILDCARD) {
            ceiling.clone()
        } else {
            claimed
                .into_iter()
                .filter(|s| scopes::has_scope(ceiling, s))
                .collect()
        };
        out.sort();
        out.dedup();
        out
    }
}

fn fingerprint(issuer: &str, subject: &str) -> String {
    let mut h = Sha256::new();
    h.update(FINGERPRINT_DOMAIN);
    h.update(issuer.as_bytes());
    h.update([0u8]);
    h.update(subject.as_bytes());
    crate::hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, Mac};
    use serde_json::json;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn token(claims: Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{h}.{p}").as_bytes());
        let s = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{h}.{p}.{s}")
    }

    fn auth(extra: Value) -> JwtAuth {
        let mut cfg =
            json!({"keys": [{"alg": "HS256", "secret": SECRET}], "algorithms": ["HS256"]});
        if let (Value::Object(c), Value::Object(e)) = (&mut cfg, extra) {
            c.extend(e);
        }
        JwtAuth::from_config(&cfg).unwrap()
    }

    #[test]
    fn subject_scopes_and_ceiling() {
        let t = token(json!({"sub": "svc", "exp": 2000, "scope": "orders:read health:read *x"}));
        let p = auth(json!({})).verify(&t, 1000).unwrap();
        assert_eq!(p.subject, "svc");
        assert_eq!(p.scopes, vec!["*x", "health:read", "orders:read"]);
        let list = token(json!({"sub": "svc", "exp": 2000, "scope": ["entries:write", "a b"]}));
        let p = auth(json!({})).verify(&list, 1000).unwrap();
        assert_eq!(p.scopes, vec!["a", "b", "entries:write:draft"]);
        let p = auth(json!({"scopeCeiling": ["health:read"]}))
            .verify(&t, 1000)
            .unwrap();
        assert_eq!(p.scopes, vec!["health:read"]);
        let star = token(json!({"sub": "svc", "exp": 2000, "scope": ["*"]}));
        let p = auth(json!({"scopeCeiling": "auth:read health:read"}))
            .verify(&star, 1000)
            .unwrap();
        assert_eq!(p.scopes, vec!["auth:read", "health:read"]);
        assert_ne!(p.fingerprint, fingerprint("other", "svc"));
    }

    #[test]
    fn refusals() {
        let a = auth(json!({}));
        assert_eq!(
            a.verify(&token(json!({"exp": 2000})), 1000),
            Err(JwtReason::InvalidClaimType)
        );
        assert_eq!(
            a.verify(&token(json!({"sub": "s", "exp": 2000, "scope": 5})), 1000),
            Err(JwtReason::InvalidClaimType)
        );
        assert_eq!(
            a.verify(&token(json!({"sub": "s", "exp": 1000})), 1000),
            Err(JwtReason::Expired)
        );
        let no_scope = a
            .verify(&token(json!({"sub": "s", "exp": 2000})), 1000)
            .unwrap();
        assert!(no_scope.scopes.is_empty());
    }

    #[test]
    fn scopes_outside_the_grammar_refuse_the_token() {
        let a = auth(json!({}));
        for scope in [
            json!("[*]"),
            json!("(*)"),
            json!("orders:read\u{200b}_sensitive"),
            json!("Orders:Read"),
            json!("orders:read x$y"),
            json!(["orders:read", "[*]"]),
            json!("orders:read\u{a0}users:read"),
        ] {
            let t = token(json!({"sub": "s", "exp": 2000, "scope": scope.clone()}));
            assert_eq!(a.verify(&t, 1000), Err(JwtReason::InvalidScope), "{scope}");
        }
        for scope in [json!(5), json!(["a", 5]), json!({"a": 1}), json!(true)] {
            let t = token(json!({"sub": "s", "exp": 2000, "scope": scope.clone()}));
            assert_eq!(
                a.verify(&t, 1000),
                Err(JwtReason::InvalidClaimType),
                "{scope}"
            );
        }
        let e = JwtAuth::from_config(&json!({"keys": [{"alg": "HS256", "secret": SECRET}],
            "algorithms": ["HS256"], "scopeCeiling": ["orders:read", "[*]", 3]}))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("\"[*]\"") && e.contains("scopeCeiling[2]"),
            "{e}"
        );
    }

    #[test]
    fn config_errors_are_named() {
        let e = JwtAuth::from_config(&json!({"keys": [{"alg": "HS256", "secret": "short"}],
            "algorithms": ["HS256"], "scopeCeiling": [{"x": 1}]}))
        .unwrap_err()
        .to_string();
        assert!(e.contains("scopeCeiling") && e.contains("jwt:"), "{e}");
        assert!(JwtAuth::from_config(&json!("x")).is_err());
    }
}
