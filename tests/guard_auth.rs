//! Integration test: a Guard built from env values, managed rows and options, authenticating
//! requests end to end (credential sources, transport, allowlist behind a proxy, lifecycle,
//! scopes, warnings).

use agents_core::auth::Outcome;
use agents_core::guard::Guard;
use agents_core::request::Request;
use agents_core::tokens;
use serde_json::{Map, Value, json};

const NOW: i64 = 1_772_366_400;

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn request<'a>(method: &'a str, headers: &[(&'a str, &'a str)], remote: &'a str) -> Request<'a> {
    Request::from_parts(method, headers, &[], remote)
}

/// The outcome in the shape of the PHP result array (`Guard::authenticate()`), for assertions
/// that read like the contract.
fn result(g: &Guard, r: &Request<'_>) -> Value {
    match g.authenticate(r) {
        Outcome::Allowed(p) => json!({
            "ok": true,
            "principal": {
                "credentialId": p.credential_id,
                "credentialSource": p.credential_source,
                "managedCredentialId": p.managed_credential_id,
                "authMethod": p.auth_method,
                "principalFingerprint": p.principal_fingerprint,
                "scopes": p.scopes,
                "forceHumanApproval": p.force_human_approval,
                "clientIp": p.client_ip,
            }
        }),
        Outcome::Denied(d) => json!({
            "ok": false,
            "status": d.status,
            "error": d.error,
            "message": d.message,
            "headers": d.headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<Map<String, Value>>(),
            "reason": d.reason.as_str(),
            "reasonDetail": d.detail.map(|r| r.as_str()),
        }),
    }
}

#[test]
fn a_production_guard_end_to_end() {
    let generated = tokens::generate("ci-bot").unwrap();
    let rows = vec![
        json!({"id": 1, "handle": "ci-bot", "tokenHash": generated.hash, "scopes": "[\"auth:read\",\"entries:read\"]",
               "ipAllowlist": "[\"203.0.113.0/24\"]", "forceHumanApproval": false}),
        json!({"id": 2, "handle": "retired", "tokenHash": tokens::hash_hex(b"retired-t"), "revokedAt": "2026-01-01 00:00:00"}),
        json!({"id": 3, "handle": "broken", "tokenHash": "not-hex"}),
    ];
    let env = map(json!({
        "ENVIRONMENT": "production",
        "PLUGIN_AGENTS_API_CREDENTIALS": r#"{"ops": {"token": "ops-secret", "scopes": ["health:read"]}}"#,
        "PLUGIN_AGENTS_API_TOKEN": "legacy-secret",
    }));
    let options = map(json!({"now": NOW, "trustedProxies": ["10.0.0.0/24"]}));
    let g = Guard::new(&env, &rows, &options).unwrap();

    let codes: Vec<&str> = g.warnings().iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"managed_credential_skipped"), "{codes:?}");
    let summary = g.posture();
    assert_eq!(summary["authentication"]["credentialCount"], 3);

    // Generated token via a trusted proxy, client inside the allowlist.
    let auth = format!("Bearer {}", &*generated.token);
    let ok = result(
        &g,
        &request(
            "GET",
            &[("Authorization", &auth), ("X-Forwarded-For", "203.0.113.4")],
            "10.0.0.9",
        ),
    );
    assert_eq!(ok["ok"], true, "{ok}");
    let p = &ok["principal"];
    assert_eq!(p["credentialId"], "ci-bot");
    assert_eq!(p["managedCredentialId"], 1);
    assert_eq!(p["scopes"], json!(["auth:read", "entries:read"]));
    assert_eq!(p["forceHumanApproval"], false);
    assert_eq!(p["clientIp"], "203.0.113.4");

    // The same token from a direct, untrusted peer forging the header.
    let denied = result(
        &g,
        &request(
            "GET",
            &[("Authorization", &auth), ("X-Forwarded-For", "203.0.113.4")],
            "198.51.100.1",
        ),
    );
    assert_eq!(denied["reason"], "ip_not_allowed");
    let unknown = result(
        &g,
        &request("GET", &[("X-Agents-Token", "nope")], "1.1.1.1"),
    );
    let revoked = result(
        &g,
        &request("GET", &[("X-Agents-Token", "retired-t")], "1.1.1.1"),
    );
    assert_eq!(revoked["reason"], "token_revoked");
    for v in [&denied, &unknown, &revoked] {
        let mut body = v.clone();
        body.as_object_mut().unwrap().remove("reason");
        let mut reference = unknown.clone();
        reference.as_object_mut().unwrap().remove("reason");
        assert_eq!(body, reference);
    }

    let env_p = result(
        &g,
        &request("HEAD", &[("x-agents-token", "ops-secret")], "1.1.1.1"),
    );
    assert_eq!(env_p["principal"]["credentialId"], "ops");
    assert_eq!(env_p["principal"]["scopes"], json!(["health:read"]));
    let legacy = result(
        &g,
        &request(
            "GET",
            &[("Authorization", "bearer legacy-secret")],
            "1.1.1.1",
        ),
    );
    assert_eq!(legacy["principal"]["credentialId"], "default");

    // Scope checks follow availability (no Commerce here).
    assert!(g.has_scope(&["*".to_owned()], &["health:read".to_owned()]));
    assert!(!g.has_scope(&["*".to_owned()], &["orders:read".to_owned()]));
}

#[test]
fn outcomes_without_credentials_and_without_token() {
    let none = Guard::new(
        &map(json!({"ENVIRONMENT": "production"})),
        &[],
        &map(json!({"now": NOW})),
    )
    .unwrap();
    let v = result(&none, &request("GET", &[], "1.1.1.1"));
    assert_eq!(v["status"], 503);
    assert_eq!(v["reason"], "no_credentials");

    let off = Guard::new(
        &map(json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_REQUIRE_TOKEN": "false"})),
        &[],
        &map(json!({"now": NOW})),
    )
    .unwrap();
    match off.authenticate(&request("GET", &[], "1.1.1.1")) {
        Outcome::Allowed(p) => {
            assert_eq!(p.credential_id, "anonymous");
            assert_eq!(p.auth_method, "none");
            assert!(!p.scopes.iter().any(|s| s == "*"));
        }
        Outcome::Denied(d) => panic!("{d:?}"),
    }
    let write = result(
        &off,
        &request("POST", &[("Content-Type", "text/plain")], "1.1.1.1"),
    );
    assert_eq!(write["status"], 400);
}
