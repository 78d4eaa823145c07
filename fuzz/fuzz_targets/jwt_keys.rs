//! `JwtVerifier::from_config` with `$keys` and `$options` from the input (JSON text, split at
//! newlines: keys, options, then a token to verify with the result).
//!
//! Never panics. A refusal names at least one item and never contains a configured secret (an
//! HMAC `secret` or a JWK `k`) that appears nowhere else in the input. A verifier that is built
//! lists at least one key and one algorithm, every key serves only allowed algorithms, public keys
//! have a thumbprint and secrets none, and it answers the same through `check` and
//! `verify_token`.
#![no_main]

use agents_core::jwt::JwtVerifier;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let keys = value(parts.next().unwrap_or_default());
    let options = value(parts.next().unwrap_or_default());
    let token = parts.next().unwrap_or_default();
    match JwtVerifier::from_config(&keys, &options) {
        Err(e) => {
            assert!(!e.items.is_empty());
            let message = e.to_string();
            let mut secrets = Vec::new();
            collect_secrets(&keys, false, &mut secrets);
            for s in secrets {
                if s.len() >= 16 && count(data, s.as_bytes()) == 1 {
                    assert!(!message.contains(&s), "secret in message: {message}");
                }
            }
        }
        Ok(v) => {
            let algorithms = v.algorithms();
            let described = v.describe();
            assert!(!algorithms.is_empty() && !described.is_empty());
            for k in &described {
                assert!(!k.algorithms.is_empty());
                assert!(k.algorithms.iter().all(|a| algorithms.contains(a)), "{k:?}");
                assert_eq!(k.thumbprint.is_some(), k.kty != "oct", "{k:?}");
            }
            for now in [1_700_000_000, i64::MIN, i64::MAX] {
                let checked = v.check(token, now);
                let verified = v.verify_token(token, now).and_then(|t| t.claims());
                assert_eq!(checked, verified);
            }
        }
    }
});

fn value(text: &[u8]) -> Value {
    serde_json::from_slice(text)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(text).into_owned()))
}

/// Every string under a `secret` or `k` member (at any depth).
fn collect_secrets(v: &Value, secret: bool, out: &mut Vec<String>) {
    match v {
        Value::String(s) if secret => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_secrets(i, false, out)),
        Value::Object(m) => {
            for (k, item) in m {
                collect_secrets(item, k == "secret" || k == "k", out);
            }
        }
        _ => {}
    }
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}
