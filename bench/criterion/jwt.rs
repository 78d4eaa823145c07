//! Token and webhook verification speed: `cargo bench --no-default-features --bench jwt`.
//!
//! Tokens and keys come from `tests/fixtures/jwt-algorithms.json` (signed by PHP); each iteration
//! is a full `JwtVerifier::verify_token` (size check, parsing, key selection, signature, claim
//! checks), the path the PHP methods take. `hmac_sha256` isolates the HS256 signature over the
//! fixture's signing input: the key schedule computed once, with the RustCrypto HMAC the verifier
//! uses and with AWS-LC's, and computed per call (the cost the previous backend paid per token).
// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::fs;
use std::hint::black_box;
use std::time::Duration;

use ::hmac::{Hmac, Mac};
use agents_core::jwt::JwtVerifier;
use agents_core::webhook;
use aws_lc_rs::hmac as lc_hmac;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use sha2::Sha256;

const NOW: i64 = 1_700_000_000;

fn fixture(alg: &str) -> (JwtVerifier, String) {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/jwt-algorithms.json"
    ))
    .expect("fixtures");
    let all: Value = serde_json::from_str(&text).expect("JSON");
    let e = all["algorithms"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["alg"] == alg))
        .expect("fixture")
        .clone();
    let key = match e["secret_hex"].as_str() {
        Some(h) => {
            let bytes: Vec<u8> = (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
                .collect();
            json!({"alg": alg, "secret": bytes})
        }
        None => json!({"alg": alg, "pem": e["pem"]}),
    };
    let v = JwtVerifier::from_config(&key, &json!({"algorithms": [alg]})).expect("verifier");
    let token = e["token"].as_str().expect("token").to_owned();
    assert!(v.check(token.as_bytes(), NOW).is_ok());
    (v, token)
}

fn bench_jwt(c: &mut Criterion) {
    let mut g = c.benchmark_group("jwt_verify");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for alg in ["HS256", "RS256", "PS256", "ES256", "EdDSA"] {
        let (v, token) = fixture(alg);
        g.bench_function(alg, |b| {
            b.iter(|| v.verify_token(black_box(token.as_bytes()), NOW).is_ok())
        });
    }
    // The same, building the claims as a `serde_json::Map` (what `check` returns).
    let (v, token) = fixture("HS256");
    g.bench_function("HS256 with claims map", |b| {
        b.iter(|| v.check(black_box(token.as_bytes()), NOW).is_ok())
    });
    g.finish();
}

fn bench_hmac(c: &mut Criterion) {
    let (_, token) = fixture("HS256");
    let (input, sig) = token.rsplit_once('.').expect("three parts");
    let tag = agents_core::jwt::b64::decode(sig.as_bytes()).expect("base64url");
    let secret: Vec<u8> = (0..32).map(|i| i * 7).collect();
    let key = lc_hmac::Key::new(lc_hmac::HMAC_SHA256, &secret);
    let mut g = c.benchmark_group("hmac_sha256");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    // The verifier's HS256 path: the RustCrypto HMAC prepared once, copied per token.
    let prepared = Hmac::<Sha256>::new_from_slice(&secret).expect("any key length");
    g.bench_function("RustCrypto, key schedule once", |b| {
        b.iter(|| {
            let mut mac = prepared.clone();
            mac.update(black_box(input.as_bytes()));
            mac.verify_slice(&tag).is_ok()
        })
    });
    g.bench_function("AWS-LC, key schedule once", |b| {
        b.iter(|| lc_hmac::verify(&key, black_box(input.as_bytes()), &tag).is_ok())
    });
    g.bench_function("AWS-LC, key schedule per call", |b| {
        b.iter(|| {
            let key = lc_hmac::Key::new(lc_hmac::HMAC_SHA256, black_box(&secret));
            lc_hmac::verify(&key, black_box(input.as_bytes()), &tag).is_ok()
        })
    });
    g.finish();
}

fn bench_webhook(c: &mut Criterion) {
    let secret: &[u8] = b"whsec_0123456789abcdef0123456789";
    let body = br#"{"id":"evt_0123456789abcdef","resourceType":"entry","action":"updated","snapshot":{"title":"Hello"}}"#;
    let signed = webhook::sign(secret, body, NOW, Some(b"evt_0123456789abcdef")).expect("signed");
    let ts = signed.timestamp.to_string();
    let headers: Vec<webhook::HeaderValues<'_>> = vec![
        (
            b"X-Agents-Webhook-Timestamp".as_slice(),
            Some(vec![ts.as_bytes()]),
        ),
        (
            b"X-Agents-Webhook-Signature".as_slice(),
            Some(vec![signed.signature.as_bytes()]),
        ),
    ];
    let mut g = c.benchmark_group("webhook");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    g.bench_function("verify", |b| {
        let verifier = webhook::Verifier::new(&[secret], 300).expect("valid settings");
        b.iter(|| verifier.verify(black_box(body), &headers, NOW).is_ok())
    });
    g.finish();
}

criterion_group!(benches, bench_jwt, bench_hmac, bench_webhook);
criterion_main!(benches);
