//! Every supported algorithm, with tokens signed outside this crate (PHP's hash_hmac, openssl,
//! sodium, and an independent RSASSA-PSS encoder: `tools/jwt-fixtures.php`).

use std::fs;

use agents_core::errors::codes::JwtReason;
use agents_core::jwt::JwtVerifier;
use serde_json::{Value, json};

const NOW: i64 = 1_700_000_000;

fn fixtures() -> Vec<Value> {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/jwt-algorithms.json"
    ))
    .expect("fixtures");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    v["algorithms"].as_array().expect("list").clone()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The key as a key spec (secret or PEM) and as a JWK without `alg`.
fn forms(e: &Value) -> [Value; 2] {
    let spec = match e["secret_hex"].as_str() {
        Some(h) => json!({"alg": e["alg"], "secret": hex(h)}),
        None => json!({"alg": e["alg"], "pem": e["pem"]}),
    };
    [spec, e["jwk"].clone()]
}

fn tamper(token: &str) -> String {
    let (head, sig) = token.rsplit_once('.').expect("three parts");
    let (h, _) = head.split_once('.').expect("three parts");
    // Same header and signature, other claims.
    let other = agents_core::jwt::b64::encode(br#"{"sub":"admin","exp":4102444800}"#);
    format!("{h}.{other}.{sig}")
}

#[test]
fn all_twelve_algorithms_verify() {
    let all = fixtures();
    assert_eq!(all.len(), 12);
    for e in &all {
        let alg = e["alg"].as_str().expect("alg");
        let token = e["token"].as_str().expect("token");
        for key in forms(e) {
            let v = JwtVerifier::from_config(&key, &json!({"algorithms": [alg]}))
                .unwrap_or_else(|err| panic!("{alg}: {err}"));
            let claims = v
                .check(token.as_bytes(), NOW)
                .unwrap_or_else(|r| panic!("{alg}: {r}"));
            assert_eq!(claims["sub"], "fixture", "{alg}");
            let r = v.check(tamper(token).as_bytes(), NOW).unwrap_err();
            assert_eq!(r.reason, JwtReason::SignatureInvalid, "{alg}");
        }
    }
}

#[test]
fn a_key_bound_to_one_algorithm_refuses_its_siblings() {
    let all = fixtures();
    let by = |alg: &str| all.iter().find(|e| e["alg"] == alg).expect("fixture");
    // RS256 and PS256 share the RSA key; HS256/HS384 tokens differ in alg only.
    for (key_alg, token_alg) in [
        ("RS256", "PS256"),
        ("PS256", "RS256"),
        ("RS256", "RS512"),
        ("ES256", "ES384"),
    ] {
        let [spec, _] = forms(by(key_alg));
        let v = JwtVerifier::from_config(&spec, &json!({"algorithms": [key_alg, token_alg]}))
            .expect("verifier");
        let token = by(token_alg)["token"].as_str().expect("token");
        assert_eq!(
            v.check(token.as_bytes(), NOW).unwrap_err().reason,
            JwtReason::AlgMismatch,
            "{key_alg} key, {token_alg} token"
        );
    }
    // An alg-less RSA JWK serves every allowed RSA algorithm.
    let [_, jwk] = forms(by("RS256"));
    let v = JwtVerifier::from_config(&jwk, &json!({"algorithms": ["RS256", "PS512"]}))
        .expect("verifier");
    assert_eq!(v.describe()[0].algorithms, ["RS256", "PS512"]);
    for alg in ["RS256", "PS512"] {
        assert!(
            v.check(by(alg)["token"].as_str().expect("token").as_bytes(), NOW)
                .is_ok(),
            "{alg}"
        );
    }
    let rs384 = by("RS384")["token"].as_str().expect("token");
    assert_eq!(
        v.check(rs384.as_bytes(), NOW).unwrap_err().reason,
        JwtReason::AlgMismatch
    );
}

#[test]
fn one_jwk_set_serves_every_algorithm_by_kid() {
    let all = fixtures();
    let keys: Vec<Value> = all
        .iter()
        .map(|e| {
            let mut jwk = e["jwk"].clone();
            jwk["kid"] = e["kid"].clone();
            jwk["alg"] = e["alg"].clone();
            jwk
        })
        .collect();
    let algs: Vec<&Value> = all.iter().map(|e| &e["alg"]).collect();
    let v = JwtVerifier::from_config(&json!({"keys": keys}), &json!({"algorithms": algs}))
        .expect("verifier");
    assert_eq!(v.describe().len(), 12);
    for e in &all {
        let token = e["token"].as_str().expect("token");
        assert!(v.check(token.as_bytes(), NOW).is_ok(), "{}", e["alg"]);
    }
    // A token naming one key but signed by another is refused.
    let hs = all.iter().find(|e| e["alg"] == "HS256").expect("HS256");
    let swapped = hs["token"].as_str().expect("token").replacen(
        &agents_core::jwt::b64::encode(br#"{"alg":"HS256","typ":"JWT","kid":"hs256"}"#),
        &agents_core::jwt::b64::encode(br#"{"alg":"HS256","typ":"JWT","kid":"hs384"}"#),
        1,
    );
    assert_eq!(
        v.check(swapped.as_bytes(), NOW).unwrap_err().reason,
        JwtReason::AlgMismatch
    );
}

/// `n − s` for big-endian numbers of equal length (`s < n`).
fn negate(n: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

/// ECDSA signatures are malleable: `(r, s)` and `(r, n − s)` both satisfy the curve equation.
/// Only the low-S form of a real signature is accepted; flipping `s` of a valid signature gives
/// a high-S one that is refused as `signature_not_canonical`, for every ECDSA algorithm.
#[test]
fn ecdsa_high_s_signatures_are_refused() {
    use agents_core::jwt::{b64, ecdsa};
    let mut seen = 0;
    for e in fixtures() {
        let alg = e["alg"].as_str().expect("alg");
        let order: &[u8] = match alg {
            "ES256" => &ecdsa::P256_ORDER,
            "ES384" => &ecdsa::P384_ORDER,
            _ => continue,
        };
        seen += 1;
        let token = e["token"].as_str().expect("token");
        let (head, sig) = token.rsplit_once('.').expect("three parts");
        let raw = b64::decode(sig.as_bytes()).expect("signature");
        assert_eq!(raw.len(), 2 * order.len(), "{alg}");
        let (r, s) = raw.split_at(order.len());
        let flipped = negate(order, s);
        // Whichever of s and n − s is the high one is refused; the low one verifies.
        let (low, high) = if s < flipped.as_slice() {
            (s.to_vec(), flipped)
        } else {
            (flipped, s.to_vec())
        };
        let with = |s: &[u8]| format!("{head}.{}", b64::encode(&[r, s].concat()));
        for key in forms(&e) {
            let v = JwtVerifier::from_config(&key, &json!({"algorithms": [alg]})).expect("key");
            let claims = v.check(with(&low).as_bytes(), NOW).expect("low-S verifies");
            assert_eq!(claims["sub"], "fixture");
            let refused = v.check(with(&high).as_bytes(), NOW).unwrap_err();
            assert_eq!(refused.reason, JwtReason::SignatureNotCanonical, "{alg}");
            assert!(refused.claims.is_none());
        }
    }
    assert_eq!(seen, 2, "ES256 and ES384 fixtures");
}
