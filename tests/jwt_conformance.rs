//! Runs every case of `tests/conformance/jwt-peer-cases.json` (`cases` and `jwk_parse_cases`)
//! against `agents_core::jwt::JwtVerifier`.
//!
//! How a case becomes a verifier:
//! * options: `algorithms` = `alg_allowed`, `leeway`, `requireExp` = `require_exp`;
//! * a single `key` is tried in every form it is given in: an HMAC key as
//!   `{"alg", "secret": <bytes>}`, a public key as `{"alg", "pem"}`, as
//!   `{"alg", "pem": pem_named_curve}` and as its JWK; each form must give an acceptable answer,
//!   and the `pem_named_curve` form exactly `expect`;
//! * a `keyset` is tried as a JWK Set (when every member has a JWK) and as a list of key specs,
//!   each with its `kid`.
//!
//! One deliberate difference from the peers: ECDSA signatures must be in low-S form
//! (`src/jwt/ecdsa.rs`). A peer case whose ES256/ES384 token carries a high `s` and that the
//! peers accept is expected to be refused as `signature_not_canonical` (derived from the token,
//! not listed by id).
//!
//! A configuration the verifier refuses (an `InvalidInput`) answers "invalid" with every reason
//! code the message names; it matches an expected reason when it names it. A refused token
//! answers with its single reason (and claims when the signature verified).

use std::fs;

use agents_core::jwt::JwtVerifier;
use serde_json::{Map, Value, json};

fn data() -> Value {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/jwt-peer-cases.json"
    ))
    .expect("conformance data");
    serde_json::from_str(&text).expect("valid JSON")
}

/// What the verifier answered for one case and key form.
#[derive(Debug)]
enum Outcome {
    Valid(Map<String, Value>),
    Refused {
        reason: String,
        claims: Option<Map<String, Value>>,
    },
    /// Refused at construction; the message and the codes it names.
    BadConfig(String),
}

fn matches(outcome: &Outcome, answer: &Value) -> bool {
    let valid = answer["valid"].as_bool().expect("valid flag");
    match outcome {
        Outcome::Valid(claims) => valid && answer["claims"].as_object() == Some(claims),
        Outcome::Refused { reason, claims } => {
            !valid
                && answer["reason"].as_str() == Some(reason)
                && match answer.get("claims") {
                    Some(want) => claims.as_ref() == want.as_object(),
                    None => true,
                }
        }
        Outcome::BadConfig(msg) => {
            !valid
                && answer["reason"]
                    .as_str()
                    .is_some_and(|r| msg.contains(&format!(": {r}: ")))
        }
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Every configuration form a single key is given in, with a label.
fn key_forms(key: &Value) -> Vec<(String, Value)> {
    let alg = key["alg"].clone();
    if key["kind"] == "hmac" {
        let secret = match key["secret_hex"].as_str() {
            Some(h) => json!(hex(h)),
            None => Value::Null,
        };
        return vec![("secret".into(), json!({"alg": alg, "secret": secret}))];
    }
    let mut forms = Vec::new();
    for member in ["pem", "pem_named_curve"] {
        if let Some(pem) = key.get(member) {
            forms.push((member.to_owned(), json!({"alg": alg, "pem": pem})));
        }
    }
    if let Some(jwk) = key.get("jwk") {
        forms.push(("jwk".into(), jwk.clone()));
    }
    forms
}

/// A key set as a JWK Set (when possible) and as a list of key specs.
fn keyset_forms(set: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut forms = Vec::new();
    if set.values().all(|k| k.get("jwk").is_some()) {
        let keys: Vec<Value> = set
            .iter()
            .map(|(kid, k)| {
                let mut jwk = k["jwk"].as_object().expect("jwk object").clone();
                jwk.entry("kid").or_insert_with(|| json!(kid));
                assert_eq!(jwk["kid"], json!(kid), "jwk kid matches its set key");
                Value::Object(jwk)
            })
            .collect();
        forms.push(("jwks".into(), json!({"keys": keys})));
    }
    let specs: Vec<Value> = set
        .iter()
        .map(|(kid, k)| {
            let (_, mut spec) = key_forms(k).into_iter().next().expect("a spec form");
            if spec.get("kty").is_none() {
                spec["kid"] = json!(kid);
            }
            spec
        })
        .collect();
    forms.push(("specs".into(), Value::Array(specs)));
    forms
}

fn run(case: &Value, keys: &Value) -> Outcome {
    let options = json!({
        "algorithms": case["alg_allowed"],
        "leeway": case["leeway"],
        "requireExp": case["require_exp"],
    });
    let verifier = match JwtVerifier::from_config(keys, &options) {
        Ok(v) => v,
        Err(e) => return Outcome::BadConfig(e.to_string()),
    };
    let token = case["token"].as_str().expect("token");
    let now = case["now"].as_i64().expect("now");
    match verifier.check(token.as_bytes(), now) {
        Ok(claims) => Outcome::Valid(claims),
        Err(r) => Outcome::Refused {
            reason: r.reason.as_str().to_owned(),
            claims: r.claims,
        },
    }
}

/// True when `token` is an ES256/ES384 token whose signature has `s > n/2`.
fn high_s(token: &str) -> bool {
    use agents_core::jwt::{b64, ecdsa};
    let mut parts = token.split('.');
    let (Some(h), Some(_), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let header: Value = b64::decode(h.as_bytes())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let order: &[u8] = match header["alg"].as_str() {
        Some("ES256") => &ecdsa::P256_ORDER,
        Some("ES384") => &ecdsa::P384_ORDER,
        _ => return false,
    };
    let Some(raw) = b64::decode(sig.as_bytes()).filter(|r| r.len() == 2 * order.len()) else {
        return false;
    };
    // s > (n - 1) / 2, i.e. 2s >= n + 1, i.e. 2s > n (n is odd).
    let s = &raw[order.len()..];
    let mut doubled = vec![0u8; s.len() + 1];
    let mut carry = 0u16;
    for i in (0..s.len()).rev() {
        let v = u16::from(s[i]) * 2 + carry;
        doubled[i + 1] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    doubled[0] = carry as u8;
    let mut n = vec![0u8];
    n.extend_from_slice(order);
    doubled > n
}

#[test]
fn every_verification_case() {
    let data = data();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 60, "all cases are present");
    let mut failures = Vec::new();
    let mut runs = 0;
    let mut high_s_cases = 0;
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let mut case = case.clone();
        if case["expect"]["valid"] == true && high_s(case["token"].as_str().expect("token")) {
            case["expect"] = json!({"valid": false, "reason": "signature_not_canonical"});
            // Refusals stay acceptable for the other key forms; acceptance never is.
            if let Some(Value::Array(alt)) = case.get_mut("acceptable_alternatives") {
                alt.retain(|a| a["valid"] == false);
            }
            high_s_cases += 1;
        }
        let case = &case;
        let mut answers = vec![case["expect"].clone()];
        if let Some(alt) = case
            .get("acceptable_alternatives")
            .and_then(Value::as_array)
        {
            answers.extend(alt.iter().cloned());
        }
        let forms = match (case.get("key"), case.get("keyset")) {
            (Some(key), None) => key_forms(key),
            (None, Some(Value::Object(set))) => keyset_forms(set),
            _ => panic!("{id}: a case has a key or a keyset"),
        };
        assert!(!forms.is_empty(), "{id}: no key form");
        for (form, keys) in forms {
            runs += 1;
            let outcome = run(case, &keys);
            let exact = form == "pem_named_curve";
            let ok = if exact {
                matches(&outcome, &case["expect"])
            } else {
                answers.iter().any(|a| matches(&outcome, a))
            };
            if !ok {
                failures.push(format!(
                    "{id} [{form}]: got {outcome:?}, expected {}",
                    case["expect"]
                ));
            }
            if let (Outcome::BadConfig(msg), Some(key)) = (&outcome, case.get("key"))
                && let Some(h) = key["secret_hex"].as_str().filter(|h| !h.is_empty())
            {
                assert!(!msg.contains(h), "{id}: the secret leaked into the message");
            }
        }
    }
    assert!(high_s_cases >= 1, "no peer case exercises the low-S rule");
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_jwk_parse_case() {
    let data = data();
    let cases = data["jwk_parse_cases"].as_array().expect("jwk_parse_cases");
    assert!(cases.len() >= 11);
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let jwks = &case["jwks"];
        // php-jwt binds each key to its own "alg", or to the default algorithm: the verifier's
        // `algorithms` is that set of names.
        let mut algorithms: Vec<Value> = jwks["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.get("alg").cloned())
            .collect();
        if let Some(default) = case.get("default_alg") {
            algorithms.push(default.clone());
        }
        let options = json!({"algorithms": algorithms});
        let expect = &case["expect"];
        match (
            JwtVerifier::from_config(jwks, &options),
            expect["valid"].as_bool(),
        ) {
            (Ok(v), Some(true)) => {
                let kids: Vec<Value> = v.describe().into_iter().map(|k| json!(k.kid)).collect();
                if Some(&kids) != expect["kids"].as_array() {
                    failures.push(format!("{id}: kids {kids:?}, expected {}", expect["kids"]));
                }
                for (kid, pem) in expect
                    .get("pem_by_kid")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let from_jwk = v
                        .describe()
                        .into_iter()
                        .find(|k| k.kid.as_deref() == Some(kid));
                    let alg = from_jwk
                        .as_ref()
                        .map(|k| k.algorithms[0])
                        .unwrap_or("RS256");
                    let from_pem = JwtVerifier::from_config(
                        &json!({"alg": alg, "pem": pem, "kid": kid}),
                        &json!({"algorithms": [alg]}),
                    )
                    .expect("pem key");
                    if from_jwk.map(|k| k.thumbprint)
                        != Some(from_pem.describe()[0].thumbprint.clone())
                    {
                        failures.push(format!("{id}: the PEM of {kid} is not the JWK's key"));
                    }
                }
            }
            (Err(e), Some(false)) => {
                let reason = expect["reason"].as_str().expect("reason");
                let msg = e.to_string();
                if !msg.contains(&format!(": {reason}: ")) {
                    failures.push(format!("{id}: {msg} does not name {reason}"));
                }
            }
            (Ok(v), _) => failures.push(format!(
                "{id}: accepted ({:?}), expected {expect}",
                v.describe()
            )),
            (Err(e), _) => failures.push(format!("{id}: refused ({e}), expected {expect}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
