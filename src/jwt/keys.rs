//! Verification keys: reading the `$keys` configuration, checking every key once, and binding
//! each key to the algorithms it may verify.
//!
//! Accepted shapes of `$keys`: a JWK Set (`{"keys": [...]}`), a single JWK (has `kty`), a single
//! key spec (has `secret` or `pem`), or a list of JWKs and key specs. A key spec is
//! `{"alg": ..., "secret": ...}` or `{"alg": ..., "pem": ...}`, optionally with `kid`; `secret` is
//! text or a list of byte values (0..=255), the form binary PHP strings arrive in.
//!
//! Binding rules:
//! * a key with an `alg` serves exactly that algorithm; its material must fit it
//!   (`key_type_mismatch`) and be strong enough (`weak_key`): HMAC secrets at least as long as
//!   the hash output, RSA moduli of 2048 to 4096 bits, EC keys on the algorithm's own curve;
//! * a JWK without `alg` serves every algorithm of `algorithms` that fits its key type;
//! * a key whose `alg` is valid but not in `algorithms`, or whose `use`/`key_ops` exclude
//!   verification, is kept out of the verifier without error (a published JWK Set may serve
//!   other clients too);
//! * a `kid` may name one key only, and the verifier must end up with at least one key.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::{self, Algorithm, NameProblem};
use super::material::Material;
use super::signature::Check;
use super::{jwk, pem};
use crate::errors::InvalidInput;
use crate::errors::codes::JwtReason;

use crate::errors::JwtRefusal;

/// A key the verifier can use.
#[derive(Debug)]
pub struct Key {
    /// `kid`, when configured.
    pub kid: Option<String>,
    /// The algorithms (all in `options.algorithms`) this key verifies; never empty.
    pub algs: Vec<Algorithm>,
    /// The material, kept for `describe`.
    pub material: Material,
    /// The backend key for each algorithm of `algs`, in the same order.
    checks: Vec<Check>,
}

impl Key {
    /// True when `signature` (decoded) is a valid `alg` signature of `message` by this key;
    /// false for an algorithm the key is not bound to.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.algs
            .iter()
            .position(|a| *a == alg)
            .is_some_and(|i| self.checks[i].verify(message, signature))
    }
}

/// Reads `$keys`, recording every problem in `err`. `allowed` is `options.algorithms` (possibly
/// empty when the options were invalid).
pub fn parse(keys: &Value, allowed: &[Algorithm], err: &mut InvalidInput) -> Vec<Key> {
    let mut out: Vec<(String, Key)> = Vec::new();
    for (origin, entry) in entries(keys, err) {
        match read_entry(entry, allowed) {
            Ok(Some(key)) => {
                if let Some(kid) = &key.kid
                    && let Some((first, _)) = out.iter().find(|(_, k)| k.kid.as_ref() == Some(kid))
                {
                    err.push(
                        origin,
                        format!(
                            "{}: kid \"{}\" is already used by {first}",
                            JwtReason::KeyInvalid,
                            crate::errors::excerpt(kid, 60)
                        ),
                    );
                    continue;
                }
                out.push((origin, key));
            }
            Ok(None) => {}
            Err((code, msg)) => err.push(origin, format!("{code}: {msg}")),
        }
    }
    if out.is_empty() {
        err.push(
            "keys",
            format!(
                "{}: no usable key for the allowed algorithms ({})",
                JwtReason::AlgMismatch,
                if allowed.is_empty() {
                    "none valid".to_owned()
                } else {
                    alg::list(allowed)
                }
            ),
        );
    }
    out.into_iter().map(|(_, k)| k).collect()
}

/// One configured key, before it is read.
enum Entry<'a> {
    Spec(&'a Map<String, Value>),
    Jwk(&'a Map<String, Value>),
    /// An empty array or object where a key was expected.
    Empty {
        in_set: bool,
    },
}

fn entries<'a>(keys: &'a Value, err: &mut InvalidInput) -> Vec<(String, Entry<'a>)> {
    let shape_hint = "expected a JWK Set (\"keys\"), a JWK (\"kty\"), a key spec (\"alg\" with \
                      \"secret\" or \"pem\") or a list of JWKs and key specs";
    let mut out = Vec::new();
    match keys {
        Value::Object(m) if m.contains_key("keys") => match m.get("keys") {
            Some(Value::Array(list)) if !list.is_empty() => {
                for (i, v) in list.iter().enumerate() {
                    let origin = format!("keys[keys][{i}]");
                    match v {
                        Value::Object(j) if !j.is_empty() => out.push((origin, Entry::Jwk(j))),
                        Value::Object(_) | Value::Array(_) if is_empty(v) => {
                            out.push((origin, Entry::Empty { in_set: true }));
                        }
                        _ => err.push(
                            origin,
                            format!("{}: a JWK must be an object", JwtReason::JwkInvalid),
                        ),
                    }
                }
            }
            Some(Value::Array(_)) => err.push(
                "keys[keys]",
                format!("{}: the JWK Set has no keys", JwtReason::JwkInvalid),
            ),
            _ => err.push(
                "keys[keys]",
                format!("{}: \"keys\" must be a list of JWKs", JwtReason::JwkInvalid),
            ),
        },
        Value::Object(m) if !m.is_empty() => match classify(m) {
            Some(e) => out.push(("keys".to_owned(), e)),
            None => err.push("keys", format!("{}: {shape_hint}", JwtReason::KeyInvalid)),
        },
        Value::Array(list) if !list.is_empty() => {
            for (i, v) in list.iter().enumerate() {
                let origin = format!("keys[{i}]");
                match v {
                    Value::Object(m) if m.contains_key("keys") => err.push(
                        origin,
                        format!(
                            "{}: a JWK Set cannot be nested in a list; pass it as $keys",
                            JwtReason::KeyInvalid
                        ),
                    ),
                    Value::Object(m) if !m.is_empty() => match classify(m) {
                        Some(e) => out.push((origin, e)),
                        None => {
                            err.push(origin, format!("{}: {shape_hint}", JwtReason::KeyInvalid))
                        }
                    },
                    _ if is_empty(v) => out.push((origin, Entry::Empty { in_set: false })),
                    _ => err.push(origin, format!("{}: {shape_hint}", JwtReason::KeyInvalid)),
                }
            }
        }
        _ => err.push("keys", format!("{}: no key given", JwtReason::KeyInvalid)),
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn classify(m: &Map<String, Value>) -> Option<Entry<'_>> {
    if m.contains_key("kty") {
        Some(Entry::Jwk(m))
    } else if m.contains_key("secret") || m.contains_key("pem") {
        Some(Entry::Spec(m))
    } else {
        None
    }
}

/// Reads one entry: `Ok(None)` when the key is valid but serves none of the allowed algorithms.
fn read_entry(entry: Entry<'_>, allowed: &[Algorithm]) -> Result<Option<Key>, JwtRefusal> {
    match entry {
        Entry::Empty { in_set } => Err((
            if in_set {
                JwtReason::JwkInvalid
            } else {
                JwtReason::KeyInvalid
            },
            "the key is empty".to_owned(),
        )),
        Entry::Spec(m) => read_spec(m, allowed),
        Entry::Jwk(m) => read_jwk(m, allowed),
    }
}

fn read_spec(m: &Map<String, Value>, allowed: &[Algorithm]) -> Result<Option<Key>, JwtRefusal> {
    let invalid = |msg: String| (JwtReason::KeyInvalid, msg);
    if let Some(k) = m
        .keys()
        .find(|k| !matches!(k.as_str(), "alg" | "kid" | "secret" | "pem"))
    {
        return Err(invalid(format!(
            "unknown member \"{}\" (a key spec has alg, kid, and secret or pem)",
            crate::errors::excerpt(k, 30)
        )));
    }
    let a = match m.get("alg") {
        Some(Value::String(s)) => parse_alg(s)?,
        Some(_) => return Err(invalid("\"alg\" must be a string".to_owned())),
        None => return Err(invalid("a key spec needs \"alg\"".to_owned())),
    };
    let kid = match m.get("kid") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => return Err(invalid("\"kid\" must be a non-empty string".to_owned())),
    };
    let material = match (m.get("secret"), m.get("pem")) {
        (Some(_), Some(_)) => {
            return Err(invalid("give either secret or pem, not both".to_owned()));
        }
        (Some(s), None) => Material::Secret(secret_bytes(s)?),
        (None, Some(Value::String(text))) => pem::parse(text)?,
        (None, Some(_)) => return Err(invalid("\"pem\" must be a string".to_owned())),
        (None, None) => return Err(invalid("a key spec needs secret or pem".to_owned())),
    };
    material.validate()?;
    material.check_for(a)?;
    bind(kid, material, vec![a], allowed)
}

fn secret_bytes(v: &Value) -> Result<Zeroizing<Vec<u8>>, JwtRefusal> {
    let invalid = |msg: &str| Err((JwtReason::KeyInvalid, msg.to_owned()));
    match v {
        Value::String(s) => Ok(Zeroizing::new(s.as_bytes().to_vec())),
        Value::Array(items) => {
            let mut out = Zeroizing::new(Vec::with_capacity(items.len()));
            for item in items {
                match item.as_u64().and_then(|b| u8::try_from(b).ok()) {
                    Some(b) => out.push(b),
                    None => return invalid("a binary secret must be a list of byte values 0..255"),
                }
            }
            Ok(out)
        }
        Value::Null => invalid("the secret is null"),
        _ => invalid("the secret must be a string"),
    }
}

fn read_jwk(m: &Map<String, Value>, allowed: &[Algorithm]) -> Result<Option<Key>, JwtRefusal> {
    let parsed = jwk::parse(m)?;
    if parsed.kid.as_deref() == Some("") {
        return Err((JwtReason::JwkInvalid, "\"kid\" is empty".to_owned()));
    }
    let declared = parsed.alg.as_deref().map(parse_alg).transpose()?;
    let material = parsed.material;
    material.validate()?;
    if !parsed.for_signatures {
        return Ok(None);
    }
    let algs = match declared {
        Some(a) => {
            material.check_for(a)?;
            vec![a]
        }
        None => fitting(&material, allowed)?,
    };
    bind(parsed.kid, material, algs, allowed)
}

/// The allowed algorithms an alg-less JWK can serve (at least one, or an error).
fn fitting(material: &Material, allowed: &[Algorithm]) -> Result<Vec<Algorithm>, JwtRefusal> {
    let mut fits = Vec::new();
    let mut weak = None;
    for a in allowed {
        match material.check_for(*a) {
            Ok(()) => fits.push(*a),
            Err((JwtReason::WeakKey, m)) => weak = Some(m),
            Err(_) => {}
        }
    }
    match (fits.is_empty(), weak) {
        (false, _) => Ok(fits),
        (true, Some(m)) => Err((JwtReason::WeakKey, m)),
        (true, None) => Err((
            JwtReason::JwkInvalid,
            format!(
                "the JWK has no \"alg\" and {} fits none of the allowed algorithms ({})",
                material.what(),
                alg::list(allowed)
            ),
        )),
    }
}

/// Binds a checked key to the allowed ones of `algs` and prepares the backend for each:
/// `Ok(None)` when none is allowed.
fn bind(
    kid: Option<String>,
    material: Material,
    algs: Vec<Algorithm>,
    allowed: &[Algorithm],
) -> Result<Option<Key>, JwtRefusal> {
    let algs: Vec<Algorithm> = algs.into_iter().filter(|a| allowed.contains(a)).collect();
    if algs.is_empty() {
        return Ok(None);
    }
    let checks = algs
        .iter()
        .map(|a| material.prepare(*a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Key {
        kid,
        algs,
        material,
        checks,
    }))
}

fn parse_alg(name: &str) -> Result<Algorithm, JwtRefusal> {
    alg::parse(name).map_err(|p| match p {
        NameProblem::None => (
            JwtReason::AlgNone,
            "\"none\" is not a signature algorithm".to_owned(),
        ),
        NameProblem::Unsupported => (
            JwtReason::UnsupportedAlg,
            format!(
                "algorithm \"{}\" is not supported (supported: {})",
                crate::errors::excerpt(name, 20),
                alg::list(&alg::SUPPORTED)
            ),
        ),
    })
}

/// Parses an algorithm name from the options, with the same codes as a key's `alg`.
pub fn parse_allowed(name: &str) -> Result<Algorithm, JwtRefusal> {
    parse_alg(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::b64;
    use serde_json::json;

    const HS: [Algorithm; 1] = [Algorithm::HS256];

    fn secret(n: usize) -> String {
        "k".repeat(n)
    }

    fn run(keys: Value, allowed: &[Algorithm]) -> Result<Vec<Key>, InvalidInput> {
        let mut err = InvalidInput::new("test");
        let k = parse(&keys, allowed, &mut err);
        err.into_result(k)
    }

    #[test]
    fn reads_every_shape() {
        let spec = json!({"alg": "HS256", "secret": secret(32)});
        assert_eq!(run(spec.clone(), &HS).unwrap().len(), 1);
        assert_eq!(
            run(
                json!([spec.clone(), {"alg": "HS256", "secret": secret(40), "kid": "b"}]),
                &HS
            )
            .unwrap()
            .len(),
            2
        );
        let jwk = json!({"kty": "oct", "k": b64::encode(&[7; 32]), "kid": "j"});
        assert_eq!(run(jwk.clone(), &HS).unwrap()[0].kid.as_deref(), Some("j"));
        assert_eq!(run(json!({"keys": [jwk]}), &HS).unwrap().len(), 1);
        let bytes: Vec<u8> = (0..32).collect();
        let k = run(json!({"alg": "HS256", "secret": bytes}), &HS).unwrap();
        assert!(matches!(&k[0].material, Material::Secret(s) if s[31] == 31));
    }

    #[test]
    fn every_bad_key_is_named_and_secrets_never_appear() {
        let e = run(
            json!([
                {"alg": "HS256", "secret": "short-secret-value"},
                {"alg": "HS256", "secret": ""},
                {"alg": "none", "secret": secret(32)},
                {"alg": "RS256", "secret": secret(32)},
                {"alg": "HS256", "secret": secret(32), "sercet": 1},
                {"alg": "HS256", "secret": [1, 2, 300]},
                {"alg": "HS256", "secret": null},
                {"foo": "bar"},
                [],
            ]),
            &HS,
        )
        .unwrap_err();
        let m = e.to_string();
        for needle in [
            "keys[0]: weak_key",
            "keys[1]: key_invalid",
            "keys[2]: alg_none",
            "keys[3]: key_type_mismatch",
            "keys[4]: key_invalid: unknown member",
            "keys[5]: key_invalid",
            "keys[6]: key_invalid",
            "keys[7]: key_invalid",
            "keys[8]: key_invalid",
            "keys: alg_mismatch",
        ] {
            assert!(m.contains(needle), "{needle} not in {m}");
        }
        assert!(!m.contains("short-secret-value"));
        assert!(!m.contains(&secret(32)));
    }

    #[test]
    fn keys_outside_the_allowed_algorithms_are_left_out() {
        let keys = json!([
            {"alg": "HS256", "secret": secret(32), "kid": "a"},
            {"alg": "HS512", "secret": secret(64), "kid": "b"},
        ]);
        let k = run(keys.clone(), &HS).unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].kid.as_deref(), Some("a"));
        let e = run(keys, &[Algorithm::RS256]).unwrap_err().to_string();
        assert!(
            e.contains("keys: alg_mismatch: no usable key for the allowed algorithms (RS256)"),
            "{e}"
        );
    }

    #[test]
    fn alg_less_jwks_serve_every_fitting_allowed_algorithm() {
        let jwk = json!({"kty": "oct", "k": b64::encode(&[9; 48])});
        let all = [
            Algorithm::HS256,
            Algorithm::HS384,
            Algorithm::HS512,
            Algorithm::RS256,
        ];
        let k = run(jwk.clone(), &all).unwrap();
        assert_eq!(k[0].algs, [Algorithm::HS256, Algorithm::HS384]);
        let e = run(jwk, &[Algorithm::HS512]).unwrap_err().to_string();
        assert!(e.contains("weak_key"), "{e}");
        let e = run(
            json!({"kty": "oct", "k": b64::encode(&[9; 48])}),
            &[Algorithm::RS256],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("jwk_invalid: the JWK has no \"alg\""), "{e}");
    }

    #[test]
    fn duplicate_kids_and_non_signing_keys() {
        let e = run(
            json!([
                {"alg": "HS256", "secret": secret(32), "kid": "a"},
                {"alg": "HS256", "secret": secret(33), "kid": "a"},
            ]),
            &HS,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("keys[1]: key_invalid: kid \"a\" is already used by keys[0]"),
            "{e}"
        );
        let k = run(
            json!({"keys": [
                {"kty": "oct", "k": b64::encode(&[1; 32]), "use": "enc", "kid": "x"},
                {"kty": "oct", "k": b64::encode(&[2; 32]), "use": "sig", "kid": "y"},
            ]}),
            &HS,
        )
        .unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].kid.as_deref(), Some("y"));
    }
}
