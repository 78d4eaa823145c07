//! JWT verification of arbitrary bytes, and the strict JSON reader behind it.
//!
//! * The input as a token, checked by a verifier holding HS256, RS256, ES256 and EdDSA keys at
//!   several clock values: never panics, `check` and `verify_token` agree, a refusal message never
//!   contains the HMAC secret, claims ride only on claim-check refusals.
//! * The input split at the first newline into header and payload JSON, signed with the HS256
//!   secret: never `signature_invalid`, and whenever the header is acceptable the answer is the
//!   one an independent model of the claim rules gives.
//! * The input as JSON: what the strict reader accepts, serde_json accepts with the same value;
//!   the header and claim scanners accept exactly what the full reader accepts.
#![no_main]

use std::sync::LazyLock;

use agents_core::errors::codes::JwtReason;
use agents_core::jwt::{self, JwtVerifier, b64, json};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use sha2::Sha256;

const NOW: i64 = 1_700_000_000;
const LEEWAY: i64 = 60;
const SECRET: &str = "fuzz-hs256-secret-0123456789abcdef";
const RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1YVcTFGe7i2ZxVHi0GHL\nzPrM61OiX7z+NpVhNSZKLV7RfoGEmAq+2rDOlAtCZGgSCZCIZEu7GJF/tXQfJFt5\nFjUlolj225zJklQT40+cjEwMv03P3K2sTIgmmFNy84lqA6zWpKCI9zbWWhzOuhlS\nOkbbJcuCwYyo01B/8pHmMUISIqrh6VWT/uQaeeA1jwQlsfBet94676Eoxv+IjC3U\ncmiNzriSEQuNMpBL68H6oPpeiWhnNt2Jb01hlWT/Iy9XIHU4KABeOYsy8PY20mqF\njiIH6TAITih11SyNbmcsxvYGs2Jz5El7a/ClL9wu5B4qCyaRv5JIGuUjNxxNQzvq\nWwIDAQAB\n-----END PUBLIC KEY-----\n";
const EC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2klp6aX6y5kAir3EWQt0QAeapTW+\ndb/9fD65KAoDzVajtThxPVLEf1CufcfTxMQAQPM3wkZhu0NjlWFetcMdcQ==\n-----END PUBLIC KEY-----\n";
const ED_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAfwnN2frHhUkUVIW5HkWNxseHBN9CDDuyuEzlnxt2g4A=\n-----END PUBLIC KEY-----\n";

/// Every key type, strict options (issuer, audience, exp required).
static STRICT: LazyLock<JwtVerifier> = LazyLock::new(|| {
    JwtVerifier::from_config(
        &json!([
            {"alg": "HS256", "secret": SECRET, "kid": "hs"},
            {"alg": "RS256", "pem": RSA_PEM, "kid": "rs"},
            {"alg": "ES256", "pem": EC_PEM, "kid": "es"},
            {"alg": "EdDSA", "pem": ED_PEM},
        ]),
        &json!({"algorithms": ["HS256", "RS256", "ES256", "EdDSA"], "leeway": 30,
                "issuer": ["https://issuer.example"], "audience": ["agents"]}),
    )
    .expect("valid strict verifier")
});

/// One HS256 key without kid, lax options (no issuer or audience, exp optional).
static LAX: LazyLock<JwtVerifier> = LazyLock::new(|| {
    JwtVerifier::from_config(
        &json!({"alg": "HS256", "secret": SECRET}),
        &json!({"algorithms": ["HS256"], "leeway": LEEWAY, "requireExp": false}),
    )
    .expect("valid lax verifier")
});

const CLOCKS: [i64; 4] = [NOW, 0, i64::MIN, i64::MAX];

fuzz_target!(|data: &[u8]| {
    let secret_in_input = data.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
    for now in CLOCKS {
        let _ = agree(&STRICT, data, now, secret_in_input);
        let _ = agree(&LAX, data, now, secret_in_input);
    }
    let _ = jwt::looks_like_jwt(&String::from_utf8_lossy(data));
    json_differential(data);
    if let Some(i) = data.iter().position(|b| *b == b'\n') {
        signed(&data[..i], &data[i + 1..], secret_in_input);
    }
});

/// `check` and `verify_token` give the same answer; refusals are well formed.
fn agree(v: &JwtVerifier, token: &[u8], now: i64, secret_in_input: bool) -> Result<(), JwtReason> {
    let checked = v.check(token, now);
    let verified = v.verify_token(token, now);
    match (&checked, &verified) {
        (Ok(claims), Ok(ver)) => {
            assert_eq!(ver.claims().as_ref(), Ok(claims));
            assert!(matches!(json::parse(ver.json()), Ok(Value::Object(_))));
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            if !secret_in_input {
                assert!(
                    !a.message.contains(SECRET),
                    "secret in message: {}",
                    a.message
                );
            }
            if a.claims.is_some() {
                assert!(is_claim_reason(a.reason), "claims with {}", a.reason);
            }
        }
        _ => panic!("check {checked:?} vs verify_token {verified:?}"),
    }
    checked.map(|_| ()).map_err(|r| r.reason)
}

fn is_claim_reason(r: JwtReason) -> bool {
    matches!(
        r,
        JwtReason::Expired
            | JwtReason::NotYetValid
            | JwtReason::IatInFuture
            | JwtReason::MissingExp
            | JwtReason::InvalidClaimType
            | JwtReason::IssuerMismatch
            | JwtReason::AudienceMismatch
    )
}

fn sign(header: &[u8], payload: &[u8]) -> Vec<u8> {
    let input = format!("{}.{}", b64::encode(header), b64::encode(payload));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
    mac.update(input.as_bytes());
    let sig = b64::encode(&mac.finalize().into_bytes());
    format!("{input}.{sig}").into_bytes()
}

/// A correctly signed token is never refused for its signature, and once the header passes, the
/// answer is the model's.
fn signed(header: &[u8], payload: &[u8], secret_in_input: bool) {
    let token = sign(header, payload);
    let header_ok = LAX.check(&sign(header, b"{}"), NOW).is_ok();
    for now in CLOCKS {
        let got = agree(&LAX, &token, now, secret_in_input);
        assert_ne!(got, Err(JwtReason::SignatureInvalid));
        if header_ok && token.len() <= 8192 {
            assert_eq!(
                got,
                model(payload, now),
                "payload {:?} now {now}",
                String::from_utf8_lossy(payload)
            );
        }
    }
}

/// The lax verifier's claim rules, written from the documentation.
fn model(payload: &[u8], now: i64) -> Result<(), JwtReason> {
    let claims = match json::parse(payload) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(JwtReason::ClaimsNotObject),
        Err(json::JsonError::DuplicateKey(_)) => return Err(JwtReason::DuplicateJsonKey),
        Err(json::JsonError::Syntax(_)) => return Err(JwtReason::MalformedJson),
    };
    let mut dates = [None; 3];
    for (slot, name) in dates.iter_mut().zip(["exp", "nbf", "iat"]) {
        match claims.get(name) {
            None => {}
            Some(Value::Number(n)) => *slot = Some(seconds(n)),
            Some(_) => return Err(JwtReason::InvalidClaimType),
        }
    }
    let [exp, nbf, iat] = dates;
    let latest = now.saturating_add(LEEWAY);
    if nbf.is_some_and(|n| n > latest) {
        return Err(JwtReason::NotYetValid);
    }
    if nbf.is_none() && iat.is_some_and(|i| i > latest) {
        return Err(JwtReason::IatInFuture);
    }
    if exp.is_some_and(|e| e <= now.saturating_sub(LEEWAY)) {
        return Err(JwtReason::Expired);
    }
    if claims.contains_key("aud") {
        return Err(JwtReason::AudienceMismatch);
    }
    Ok(())
}

/// A NumericDate as whole seconds: floored, saturated.
fn seconds(n: &serde_json::Number) -> i64 {
    if let Some(i) = n.as_i64() {
        i
    } else if n.is_u64() {
        i64::MAX
    } else {
        n.as_f64().map_or(0, |f| f.floor() as i64)
    }
}

/// What the strict reader accepts, serde_json reads as the same value; the scanners agree with
/// the full reader on acceptance.
fn json_differential(data: &[u8]) {
    let strict = json::parse(data);
    let header = json::parse_header(data);
    let claims = json::scan_claims(data);
    assert_eq!(
        strict.is_ok(),
        header.is_ok(),
        "parse vs parse_header: {strict:?} {header:?}"
    );
    assert_eq!(
        strict.is_ok(),
        claims.is_ok(),
        "parse vs scan_claims: {strict:?} {claims:?}"
    );
    if let Ok(v) = &strict {
        assert_eq!(v.is_object(), header.as_ref().is_ok_and(Option::is_some));
        assert_eq!(v.is_object(), claims.as_ref().is_ok_and(Option::is_some));
        let theirs: Value = serde_json::from_slice(data).expect("serde_json accepts it too");
        assert!(same(v, &theirs), "strict {v} vs serde_json {theirs}");
    }
}

/// Equal values; numbers equal as numbers (serde_json's float parsing may differ in the last
/// bit, and it reads `-0` as a float).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => {
                    let (p, q) = (
                        x.as_f64().unwrap_or(f64::NAN),
                        y.as_f64().unwrap_or(f64::NAN),
                    );
                    p == q || ((p - q) / p).abs() < 1e-15
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && same(p, q))
        }
        _ => a == b,
    }
}
