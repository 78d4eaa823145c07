//! JSON Web Keys (RFC 7517) holding public keys or HMAC secrets: `kty` `RSA` (`n`, `e`), `EC`
//! (`crv`, `x`, `y`), `OKP` (`crv` `Ed25519`, `x`) and `oct` (`k`). Binary members must be
//! canonical unpadded base64url. A JWK carrying private key material is refused.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::Curve;
use super::b64;
use super::material::Material;
use crate::errors::codes::JwtReason;

/// Members that only a private key has (RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// A JWK, parsed.
#[derive(Debug)]
pub struct Jwk {
    /// `kid`, when present.
    pub kid: Option<String>,
    /// `alg`, when present (not yet validated as an algorithm name).
    pub alg: Option<String>,
    /// False when `use` or `key_ops` say the key is not for verifying signatures.
    pub for_signatures: bool,
    /// The key itself.
    pub material: Material,
}

use crate::errors::JwtRefusal;

fn invalid(msg: impl Into<String>) -> JwtRefusal {
    (JwtReason::JwkInvalid, msg.into())
}

/// Parses one JWK object.
pub fn parse(jwk: &Map<String, Value>) -> Result<Jwk, JwtRefusal> {
    if jwk.is_empty() {
        return Err(invalid("the JWK is empty"));
    }
    let kty = match jwk.get("kty") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(invalid("\"kty\" must be a string")),
        None => return Err(invalid("the JWK has no \"kty\"")),
    };
    if let Some(m) = PRIVATE_MEMBERS
        .iter()
        .find(|m| jwk.get(**m).is_some_and(|v| !v.is_null()))
    {
        return Err(invalid(format!(
            "the JWK holds private key material (\"{m}\"); configure the public key only"
        )));
    }
    let kid = optional_text(jwk, "kid")?;
    let alg = optional_text(jwk, "alg")?;
    let for_signatures = for_signatures(jwk)?;
    let material = match kty {
        "RSA" => Material::Rsa {
            n: unsigned(&binary(jwk, "n")?),
            e: unsigned(&binary(jwk, "e")?),
        },
        "EC" => ec(jwk)?,
        "OKP" => okp(jwk)?,
        "oct" => Material::Secret(Zeroizing::new(binary(jwk, "k")?)),
        other => {
            return Err(invalid(format!(
                "unsupported \"kty\" \"{}\"",
                crate::errors::excerpt(other, 20)
            )));
        }
    };
    Ok(Jwk {
        kid,
        alg,
        for_signatures,
        material,
    })
}

fn optional_text(jwk: &Map<String, Value>, member: &str) -> Result<Option<String>, JwtRefusal> {
    match jwk.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("\"{member}\" must be a string"))),
    }
}

/// `use` (RFC 7517 §4.2) and `key_ops` (§4.3): the key must be usable to verify signatures.
fn for_signatures(jwk: &Map<String, Value>) -> Result<bool, JwtRefusal> {
    let by_use = match jwk.get("use") {
        None => true,
        Some(Value::String(u)) => u == "sig",
        Some(_) => return Err(invalid("\"use\" must be a string")),
    };
    let by_ops = match jwk.get("key_ops") {
        None => true,
        Some(Value::Array(ops)) => {
            if ops.iter().any(|o| !o.is_string()) {
                return Err(invalid("\"key_ops\" must be a list of strings"));
            }
            ops.iter().any(|o| o.as_str() == Some("verify"))
        }
        Some(_) => return Err(invalid("\"key_ops\" must be a list of strings")),
    };
    Ok(by_use && by_ops)
}

/// A required base64url member.
fn binary(jwk: &Map<String, Value>, member: &str) -> Result<Vec<u8>, JwtRefusal> {
    let text = match jwk.get(member) {
        Some(Value::String(s)) => s,
        Some(_) => return Err(invalid(format!("\"{member}\" must be a string"))),
        None => return Err(invalid(format!("\"{member}\" is missing"))),
    };
    b64::decode(text.as_bytes())
        .ok_or_else(|| invalid(format!("\"{member}\" is not canonical unpadded base64url")))
}

/// A big-endian integer without its leading zero bytes.
fn unsigned(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

fn ec(jwk: &Map<String, Value>) -> Result<Material, JwtRefusal> {
    let crv = match jwk.get("crv") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err(invalid("an EC JWK needs a string \"crv\"")),
    };
    let curve = Curve::from_jwk_name(crv).ok_or_else(|| {
        invalid(format!(
            "unsupported EC curve \"{}\"",
            crate::errors::excerpt(crv, 20)
        ))
    })?;
    let x = binary(jwk, "x")?;
    let y = binary(jwk, "y")?;
    let len = curve.coordinate_len();
    if x.len() != len || y.len() != len {
        return Err(invalid(format!(
            "{crv} coordinates are {len} bytes each (got {} and {})",
            x.len(),
            y.len()
        )));
    }
    Ok(Material::Ec { curve, x, y })
}

fn okp(jwk: &Map<String, Value>) -> Result<Material, JwtRefusal> {
    match jwk.get("crv") {
        Some(Value::String(c)) if c == "Ed25519" => {}
        Some(Value::String(c)) => {
            return Err(invalid(format!(
                "unsupported OKP curve \"{}\" (only Ed25519 signs)",
                crate::errors::excerpt(c, 20)
            )));
        }
        _ => return Err(invalid("an OKP JWK needs a string \"crv\"")),
    }
    let x: [u8; 32] = binary(jwk, "x")?
        .try_into()
        .map_err(|_| invalid("an Ed25519 \"x\" is 32 bytes"))?;
    Ok(Material::Ed25519(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parses_each_key_type() {
        let oct = parse(&obj(
            json!({"kty": "oct", "k": "AAEC", "kid": "a", "alg": "HS256"}),
        ))
        .unwrap();
        assert_eq!(oct.kid.as_deref(), Some("a"));
        assert_eq!(oct.alg.as_deref(), Some("HS256"));
        assert!(matches!(oct.material, Material::Secret(ref s) if s.as_slice() == [0, 1, 2]));

        let rsa = parse(&obj(json!({"kty": "RSA", "n": "AAEB", "e": "AQAB"}))).unwrap();
        assert!(
            matches!(rsa.material, Material::Rsa { ref n, ref e } if n == &[1, 1] && e == &[1, 0, 1])
        );

        let x = "A".repeat(43);
        let ed = parse(&obj(json!({"kty": "OKP", "crv": "Ed25519", "x": x}))).unwrap();
        assert!(matches!(ed.material, Material::Ed25519(_)));
        assert!(ed.for_signatures);
    }

    #[test]
    fn use_and_key_ops_decide_whether_a_key_signs() {
        let enc = parse(&obj(json!({"kty": "oct", "k": "AAEC", "use": "enc"}))).unwrap();
        assert!(!enc.for_signatures);
        let ops = parse(&obj(
            json!({"kty": "oct", "k": "AAEC", "key_ops": ["sign"]}),
        ))
        .unwrap();
        assert!(!ops.for_signatures);
        let ok = parse(&obj(
            json!({"kty": "oct", "k": "AAEC", "key_ops": ["sign", "verify"]}),
        ))
        .unwrap();
        assert!(ok.for_signatures);
    }

    #[test]
    fn refuses_bad_jwks() {
        for (jwk, fragment) in [
            (json!({}), "empty"),
            (json!({"kid": "x"}), "no \"kty\""),
            (json!({"kty": 1}), "\"kty\" must be"),
            (
                json!({"kty": "BADTYPE", "alg": "RSA256"}),
                "unsupported \"kty\"",
            ),
            (json!({"kty": "oct"}), "\"k\" is missing"),
            (json!({"kty": "oct", "k": "AAE="}), "base64url"),
            (json!({"kty": "oct", "k": "AAF"}), "base64url"),
            (
                json!({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}),
                "private",
            ),
            (
                json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}),
                "32 bytes",
            ),
            (
                json!({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}),
                "unsupported EC",
            ),
            (
                json!({"kty": "OKP", "crv": "X25519", "x": "AA"}),
                "only Ed25519",
            ),
            (
                json!({"kty": "oct", "k": "AAEC", "kid": 5}),
                "\"kid\" must be",
            ),
        ] {
            let (code, msg) = parse(&obj(jwk.clone())).unwrap_err();
            assert_eq!(code, JwtReason::JwkInvalid, "{jwk}");
            assert!(msg.contains(fragment), "{jwk}: {msg}");
        }
        // A null "d" is no private key.
        assert!(
            parse(&obj(
                json!({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": null})
            ))
            .is_ok()
        );
    }
}
