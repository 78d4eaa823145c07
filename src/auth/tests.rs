//! Tests of `authenticate`: outcomes, reasons, identical 401s, allowlists, lifecycle at request
//! time.

use serde_json::{Value, json};

use super::*;
use crate::credentials::{CredentialInputs, CredentialSet};
use crate::tokens;

const NOW: i64 = 1_772_366_400;

struct Fixture {
    set: CredentialSet,
    proxies: Allowlist,
    scopes: Vec<String>,
}

impl Fixture {
    fn new(rows: &[Value], env_json: Option<&str>) -> Self {
        let scopes = crate::scopes::default_scopes();
        let (set, _) = CredentialSet::build(&CredentialInputs {
            api_credentials: env_json,
            legacy_token: None,
            managed_rows: rows,
            token_scopes: &scopes,
            availability: Availability::default(),
            now: NOW,
        });
        Self {
            set,
            proxies: Allowlist::parse_value(&json!(["10.0.0.1"])).unwrap(),
            scopes,
        }
    }

    fn policy(&self) -> AuthPolicy<'_> {
        AuthPolicy {
            require_token: true,
            allow_query_token: false,
            anonymous_scopes: &self.scopes,
            credentials: &self.set,
            trusted_proxies: &self.proxies,
            production: true,
            fail_on_missing_token_in_prod: true,
            availability: Availability::default(),
            jwt: None,
            forwarded_header: crate::ip::ForwardingHeader::Auto,
        }
    }
}

fn row(id: i64, handle: &str, token: &str, extra: Value) -> Value {
    let mut r = json!({"id": id, "handle": handle, "tokenHash": tokens::hash_hex(token.as_bytes()), "scopes": "auth:read health:read"});
    if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    r
}

fn get<'a>(headers: &[(&'a str, &'a str)], remote: &'a str) -> Request<'a> {
    Request::from_parts("GET", headers, &[], remote)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn principal(o: Outcome) -> Principal {
    match o {
        Outcome::Allowed(p) => p,
        Outcome::Denied(d) => panic!("denied: {d:?}"),
    }
}

fn denial(o: Outcome) -> Denial {
    match o {
        Outcome::Allowed(p) => panic!("allowed: {p:?}"),
        Outcome::Denied(d) => d,
    }
}

fn header<'d>(d: &'d Denial, name: &str) -> Option<&'d str> {
    d.headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn managed_token_authenticates_with_its_record() {
    let f = Fixture::new(
        &[row(
            5,
            "content-qa",
            "tok-1",
            json!({"forceHumanApproval": false}),
        )],
        None,
    );
    let auth = bearer("tok-1");
    let p = principal(authenticate(
        &f.policy(),
        &get(&[("Authorization", &auth)], "192.0.2.7"),
        NOW,
    ));
    assert_eq!(p.credential_id, "content-qa");
    assert_eq!(p.credential_source, "cp");
    assert_eq!(p.managed_credential_id, Some(5));
    assert_eq!(p.auth_method, "authorization");
    assert_eq!(p.scopes, ["auth:read", "health:read"]);
    assert!(!p.force_human_approval);
    assert_eq!(p.client_ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(p.principal_fingerprint.len(), 32);
    assert!(!p.principal_fingerprint.contains("tok-1"));
}

#[test]
fn every_401_is_identical() {
    let rows = [
        row(1, "revoked", "r", json!({"revokedAt": NOW - 5})),
        row(2, "paused", "p", json!({"pausedAt": NOW - 5})),
        row(3, "expired", "e", json!({"expiresAt": NOW})),
        row(4, "walled", "w", json!({"ipAllowlist": ["10.9.0.0/16"]})),
        row(5, "ok", "ok", json!({})),
    ];
    let f = Fixture::new(&rows, None);
    type Case<'a> = (Vec<(&'a str, String)>, &'a str, DenialReason);
    let cases: Vec<Case<'_>> = vec![
        (vec![], "192.0.2.1", DenialReason::TokenMissing),
        (
            vec![("Authorization", bearer("nope"))],
            "192.0.2.1",
            DenialReason::TokenUnknown,
        ),
        (
            vec![("Authorization", bearer("r"))],
            "192.0.2.1",
            DenialReason::TokenRevoked,
        ),
        (
            vec![("Authorization", bearer("p"))],
            "192.0.2.1",
            DenialReason::TokenPaused,
        ),
        (
            vec![("Authorization", bearer("e"))],
            "192.0.2.1",
            DenialReason::TokenExpired,
        ),
        (
            vec![("Authorization", bearer("w"))],
            "192.0.2.1",
            DenialReason::IpNotAllowed,
        ),
        (
            vec![("Authorization", bearer("w"))],
            "not-an-ip",
            DenialReason::ClientIpUnknown,
        ),
        (
            vec![("Authorization", "Bearer a:b".to_owned())],
            "192.0.2.1",
            DenialReason::AuthorizationMalformed,
        ),
        (
            vec![("Authorization", bearer("agt_x_y"))],
            "192.0.2.1",
            DenialReason::TokenMalformed,
        ),
    ];
    let mut bodies = Vec::new();
    for (headers, remote, reason) in &cases {
        let h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let o = authenticate(&f.policy(), &get(&h, remote), NOW);
        assert_eq!(o.reason(), Some(*reason));
        let mut d = denial(o);
        assert_eq!(d.status, 401);
        assert_eq!(
            header(&d, "WWW-Authenticate"),
            Some("Bearer realm=\"agents\"")
        );
        // Everything but the logged reason is the same for every cause.
        d.reason = DenialReason::TokenMissing;
        bodies.push(d);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn expiry_is_evaluated_at_request_time() {
    let f = Fixture::new(
        &[
            row(1, "x", "t", json!({"expiresAt": NOW + 100})),
            row(2, "y", "u", json!({})),
        ],
        None,
    );
    let auth = bearer("t");
    let r = get(&[("Authorization", &auth)], "192.0.2.1");
    assert!(matches!(
        authenticate(&f.policy(), &r, NOW + 99),
        Outcome::Allowed(_)
    ));
    assert_eq!(
        authenticate(&f.policy(), &r, NOW + 100).reason(),
        Some(DenialReason::TokenExpired)
    );
}

#[test]
fn a_set_whose_last_usable_credential_expired_is_empty_from_then_on() {
    let f = Fixture::new(&[row(1, "x", "t", json!({"expiresAt": NOW + 100}))], None);
    let auth = bearer("t");
    let r = get(&[("Authorization", &auth)], "192.0.2.1");
    assert!(matches!(
        authenticate(&f.policy(), &r, NOW + 99),
        Outcome::Allowed(_)
    ));
    // The same answer a set built at that instant gives: no usable credential.
    let o = authenticate(&f.policy(), &r, NOW + 100);
    assert_eq!(o.reason(), Some(DenialReason::NoCredentials));
    assert_eq!(denial(o).status, 503);
}

#[test]
fn allowlist_uses_the_trusted_client_ip() {
    let f = Fixture::new(
        &[row(1, "x", "t", json!({"ipAllowlist": "203.0.113.0/24"}))],
        None,
    );
    let pol = f.policy();
    let auth = bearer("t");
    // Direct client inside the list.
    assert!(matches!(
        authenticate(&pol, &get(&[("Authorization", &auth)], "203.0.113.9"), NOW),
        Outcome::Allowed(_)
    ));
    // A forged X-Forwarded-For from an untrusted peer is ignored.
    let r = get(
        &[("Authorization", &auth), ("X-Forwarded-For", "203.0.113.9")],
        "198.51.100.1",
    );
    assert_eq!(
        authenticate(&pol, &r, NOW).reason(),
        Some(DenialReason::IpNotAllowed)
    );
    // Through the trusted proxy the forwarded client counts.
    let r = get(
        &[("Authorization", &auth), ("X-Forwarded-For", "203.0.113.9")],
        "10.0.0.1",
    );
    let p = principal(authenticate(&pol, &r, NOW));
    assert_eq!(p.client_ip.as_deref(), Some("203.0.113.9"));
    // IPv4-mapped peer matches the IPv4 entry and is reported as IPv4.
    let p = principal(authenticate(
        &pol,
        &get(&[("Authorization", &auth)], "::ffff:203.0.113.5"),
        NOW,
    ));
    assert_eq!(p.client_ip.as_deref(), Some("203.0.113.5"));
}

#[test]
fn mapped_and_ipv4_forms_match_the_same_entries() {
    // An IPv6-form entry holds the IPv4 form of the mapped addresses it holds, as in
    // `IpAllowlist::contains`; the IPv4 entry holds the mapped form.
    for entry in ["::ffff:10.0.0.0/104", "10.0.0.0/8"] {
        let f = Fixture::new(&[row(1, "x", "t", json!({ "ipAllowlist": entry }))], None);
        let pol = f.policy();
        let auth = bearer("t");
        for peer in ["::ffff:10.1.2.3", "10.1.2.3"] {
            let p = principal(authenticate(
                &pol,
                &get(&[("Authorization", &auth)], peer),
                NOW,
            ));
            assert_eq!(p.client_ip.as_deref(), Some("10.1.2.3"), "{entry} {peer}");
            let list = crate::ip::Allowlist::parse_value(&json!([entry])).unwrap();
            assert!(list.contains_text(peer.as_bytes()), "{entry} {peer}");
        }
        for peer in ["::ffff:11.1.2.3", "11.1.2.3", "::10.1.2.3"] {
            let r = get(&[("Authorization", &auth)], peer);
            assert_eq!(
                authenticate(&pol, &r, NOW).reason(),
                Some(DenialReason::IpNotAllowed),
                "{entry} {peer}"
            );
        }
    }
}

#[test]
fn no_credentials_is_503_and_disabled_token_is_anonymous() {
    let f = Fixture::new(&[row(1, "x", "t", json!({"revokedAt": NOW}))], None);
    let d = denial(authenticate(&f.policy(), &get(&[], "192.0.2.1"), NOW));
    assert_eq!(d.status, 503);
    assert_eq!(d.error, "SERVER_MISCONFIGURED");
    assert_eq!(
        d.message,
        "API credentials are required but not configured. Refusing to serve guarded endpoints in production."
    );
    let mut pol = f.policy();
    pol.production = false;
    let d = denial(authenticate(&pol, &get(&[], "192.0.2.1"), NOW));
    assert_eq!(
        d.message,
        "API credentials are required but not configured."
    );
    pol.require_token = false;
    let auth = bearer("garbage:::");
    let p = principal(authenticate(
        &pol,
        &get(&[("Authorization", &auth)], "192.0.2.1"),
        NOW,
    ));
    assert_eq!(p.credential_id, "anonymous");
    assert_eq!(p.credential_source, "unknown");
    assert_eq!(p.auth_method, "none");
    assert_eq!(p.principal_fingerprint, "token-disabled");
    assert_eq!(p.scopes, crate::scopes::default_scopes());
    assert!(!p.scopes.iter().any(|s| s == "*"));
}

#[test]
fn write_contract_comes_first() {
    let f = Fixture::new(&[row(1, "x", "t", json!({}))], None);
    let mut pol = f.policy();
    pol.require_token = false;
    let r = Request {
        method: "POST".into(),
        headers: vec![("Content-Type".into(), "text/plain".into())].into(),
        query: Default::default(),
        remote_addr: "192.0.2.1".into(),
    };
    let d = denial(authenticate(&pol, &r, NOW));
    assert_eq!(d.status, 400);
    assert_eq!(d.error, "INVALID_REQUEST");
    assert_eq!(
        d.message,
        "Write requests must use Content-Type: application/json."
    );
    assert_eq!(d.reason.as_str(), "write_not_json");
    assert!(d.headers.is_empty());
}

#[test]
fn query_tokens_only_when_enabled_and_read() {
    let f = Fixture::new(&[row(1, "x", "t", json!({}))], None);
    let mut pol = f.policy();
    let mut r = get(&[], "192.0.2.1");
    r.query.push(("apiToken".into(), "t".into()));
    assert_eq!(
        authenticate(&pol, &r, NOW).reason(),
        Some(DenialReason::TokenMissing)
    );
    pol.allow_query_token = true;
    assert_eq!(principal(authenticate(&pol, &r, NOW)).auth_method, "query");
    r.method = "POST".into();
    r.headers
        .push(("Content-Type".into(), "application/json".into()));
    let d = denial(authenticate(&pol, &r, NOW));
    assert_eq!(d.status, 400);
    assert_eq!(d.reason.as_str(), "query_token_on_write");
}

#[test]
fn env_credentials_carry_allowlist_expiry_and_approval() {
    let f = Fixture::new(
        &[],
        Some(
            r#"{"ops": {"token": "env-t", "ipAllowlist": ["192.0.2.0/24"], "expiresAt": "2026-03-01 12:00:01", "forceHumanApproval": true}, "other": {"token": "env-u"}}"#,
        ),
    );
    let r = get(&[("X-Agents-Token", " env-t ")], "192.0.2.1");
    let p = principal(authenticate(&f.policy(), &r, NOW));
    assert_eq!(p.credential_id, "ops");
    assert_eq!(p.credential_source, "env");
    assert_eq!(p.managed_credential_id, None);
    assert_eq!(p.auth_method, "x-agents-token");
    assert!(p.force_human_approval);
    assert_eq!(
        authenticate(&f.policy(), &r, NOW + 1).reason(),
        Some(DenialReason::TokenExpired)
    );
    let r = get(&[("X-Agents-Token", "env-t")], "198.51.100.1");
    assert_eq!(
        authenticate(&f.policy(), &r, NOW).reason(),
        Some(DenialReason::IpNotAllowed)
    );
}

#[test]
fn generated_tokens_round_trip_and_typos_are_malformed() {
    let g = tokens::generate("bot").unwrap();
    let f = Fixture::new(
        &[json!({"id": 1, "handle": "bot", "tokenHash": g.hash, "scopes": ["auth:read"]})],
        None,
    );
    let ok = bearer(&g.token);
    assert!(matches!(
        authenticate(
            &f.policy(),
            &get(&[("Authorization", &ok)], "192.0.2.1"),
            NOW
        ),
        Outcome::Allowed(_)
    ));
    let mut typo = g.token.to_string();
    let last = typo.pop().unwrap();
    typo.push(if last == 'a' { 'b' } else { 'a' });
    let bad = bearer(&typo);
    assert_eq!(
        authenticate(
            &f.policy(),
            &get(&[("Authorization", &bad)], "192.0.2.1"),
            NOW
        )
        .reason(),
        Some(DenialReason::TokenMalformed)
    );
}

#[test]
fn a_stored_malformed_generated_token_is_refused_every_time() {
    let g = tokens::generate("bot").unwrap();
    let mut typo = g.token.to_string();
    let last = typo.pop().unwrap();
    typo.push(if last == 'a' { 'b' } else { 'a' });
    // A row that stores the digest of the mistyped token itself: found, still malformed.
    let f = Fixture::new(
        &[
            row(
                1,
                "typo",
                &typo,
                json!({"revokedAt": "2026-01-01 00:00:00"}),
            ),
            row(2, "good", &g.token, json!({})),
            row(3, "plain", "plain-secret", json!({})),
        ],
        None,
    );
    let reason = |token: &str| {
        let value = bearer(token);
        authenticate(
            &f.policy(),
            &get(&[("Authorization", &value)], "192.0.2.1"),
            NOW,
        )
        .reason()
    };
    for _ in 0..3 {
        assert_eq!(reason(&typo), Some(DenialReason::TokenMalformed));
        assert_eq!(reason(&g.token), None);
        assert_eq!(reason("plain-secret"), None);
        assert_eq!(reason("agt_unknown"), Some(DenialReason::TokenMalformed));
        assert_eq!(reason("unknown-secret"), Some(DenialReason::TokenUnknown));
    }
}

#[test]
fn configured_scopes_are_told_from_scopes_made_for_the_request() {
    let f = Fixture::new(&[row(1, "bot", "tok-1", json!({}))], None);
    let auth = bearer("tok-1");
    let req = get(&[("Authorization", &auth)], "192.0.2.1");
    let pol = f.policy();
    let p = authenticate_ref(&pol, &req, NOW).unwrap();
    assert_eq!(p.configured_scopes(), Some(&*p.scopes));
    // The anonymous principal's configured list, whole: the configuration's own list.
    let mut open = f.policy();
    open.require_token = false;
    let p = authenticate_ref(&open, &get(&[], "192.0.2.1"), NOW).unwrap();
    assert_eq!(p.configured_scopes(), Some(&*f.scopes));
    // Narrowed by availability for this request: made, not configured.
    let narrowed = vec!["auth:read".to_owned(), "orders:read".to_owned()];
    open.anonymous_scopes = &narrowed;
    let p = authenticate_ref(&open, &get(&[], "192.0.2.1"), NOW).unwrap();
    assert_eq!(p.scopes.as_ref(), ["auth:read"]);
    assert_eq!(p.configured_scopes(), None);
}
