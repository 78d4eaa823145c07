//! Tests of the credential set: merge order, de-duplication, scopes, summary, warnings.

use serde_json::{Value, json};

use super::*;
use crate::tokens;

const NOW: i64 = 1_772_366_400; // 2026-03-01T12:00:00Z

fn hash(token: &str) -> String {
    tokens::hash_hex(token.as_bytes())
}

fn row(id: i64, handle: &str, token: &str, extra: Value) -> Value {
    let mut r =
        json!({"id": id, "handle": handle, "tokenHash": hash(token), "scopes": ["auth:read"]});
    if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    r
}

fn defaults() -> Vec<String> {
    crate::scopes::default_scopes()
}

fn build(
    json_set: Option<&str>,
    legacy: Option<&str>,
    rows: &[Value],
    token_scopes: &[String],
    availability: Availability,
) -> (CredentialSet, Vec<Warning>) {
    CredentialSet::build(&CredentialInputs {
        api_credentials: json_set,
        legacy_token: legacy,
        managed_rows: rows,
        token_scopes,
        availability,
        now: NOW,
    })
}

fn codes(w: &[Warning]) -> Vec<&'static str> {
    w.iter().map(|w| w.code.as_str()).collect()
}

fn find<'a>(set: &'a CredentialSet, token: &str) -> Option<&'a Credential> {
    set.find(&TokenDigest::of(token.as_bytes()))
}

#[test]
fn merge_order_and_counts() {
    let rows = [
        row(1, "b-bot", "m1", json!({})),
        row(2, "a-bot", "m2", json!({})),
    ];
    let (set, w) = build(
        Some(r#"[{"id":"ci","token":"e1"}]"#),
        Some("legacy"),
        &rows,
        &defaults(),
        Availability::default(),
    );
    assert!(w.is_empty(), "{w:?}");
    let s = set.summary();
    assert_eq!(s.ids, ["cp:b-bot", "cp:a-bot", "env:ci", "env:default"]);
    assert_eq!(
        (s.credential_count, s.managed_count, s.env_count),
        (4, 2, 2)
    );
    assert!(s.primary_token_configured && !s.parse_error);
    assert_eq!(find(&set, "m2").map(|c| c.managed_id), Some(Some(2)));
    assert_eq!(find(&set, "legacy").map(|c| c.id.as_str()), Some("default"));
    assert!(find(&set, "nope").is_none());
    assert!(!set.is_empty());
}

#[test]
fn first_secret_wins_and_duplicates_are_reported() {
    // The plugin's documented example: two env entries and the legacy token share one secret.
    let (set, w) = build(
        Some(r#"[{"token":"dup"},{"token":"dup","id":"second"}]"#),
        Some("dup"),
        &[],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().ids, ["env:credential-1"]);
    assert_eq!(set.summary().env_count, 1);
    assert_eq!(codes(&w), ["duplicate_credential", "duplicate_credential"]);
    // A managed and an env credential with one secret: the managed one wins.
    let (set, w) = build(
        Some(r#"{"token":"same","id":"env-bot"}"#),
        None,
        &[row(3, "cp-bot", "same", json!({}))],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().ids, ["cp:cp-bot"]);
    assert!(w[0].message.contains("`env:env-bot`") && w[0].message.contains("cp:cp-bot"));
    assert!(!w[0].message.contains("same\""));
}

#[test]
fn env_ids_are_unique() {
    let (set, w) = build(
        Some(r#"[{"id":"default","token":"a"},{"id":"Default","token":"b"}]"#),
        Some("c"),
        &[],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().ids, ["env:default"]);
    assert_eq!(
        codes(&w),
        ["duplicate_credential_id", "duplicate_credential_id"]
    );
}

#[test]
fn full_record_survives_the_merge() {
    let rows = [row(
        9,
        "locked",
        "tok",
        json!({"ipAllowlist": "[\"10.0.0.0/8\"]", "forceHumanApproval": false}),
    )];
    let (set, _) = build(None, None, &rows, &defaults(), Availability::default());
    let c = find(&set, "tok").unwrap();
    assert!(c.terms.allowlist.contains("10.2.3.4".parse().unwrap()));
    assert!(!c.terms.allowlist.contains("11.2.3.4".parse().unwrap()));
    assert!(!c.terms.force_human_approval);
    let (set, _) = build(
        None,
        None,
        &[row(9, "x", "t", json!({}))],
        &defaults(),
        Availability::default(),
    );
    assert!(find(&set, "t").unwrap().terms.force_human_approval);
}

#[test]
fn empty_scopes_grant_nothing_and_never_fall_back() {
    let wide = vec!["*".to_owned()];
    let rows = [
        row(1, "empty", "t1", json!({"scopes": []})),
        row(2, "commerce", "t2", json!({"scopes": ["orders:read"]})),
        row(3, "missing", "t3", json!({"scopes": null})),
    ];
    let (set, w) = build(
        Some(
            r#"[{"id":"explicit-empty","token":"e1","scopes":""},{"id":"inherits","token":"e2"}]"#,
        ),
        None,
        &rows,
        &wide,
        Availability::default(),
    );
    for t in ["t1", "t2", "t3", "e1"] {
        assert!(find(&set, t).unwrap().scopes.is_empty(), "{t}");
    }
    // Only an env entry without a `scopes` key takes the configured token scopes.
    assert_eq!(*find(&set, "e2").unwrap().scopes, ["*"]);
    assert_eq!(
        codes(&w),
        [
            "credential_without_scopes",
            "credential_without_scopes",
            "credential_without_scopes",
            "credential_without_scopes",
            "wildcard_scope_granted"
        ]
    );
}

#[test]
fn availability_filters_every_source_alike() {
    let a = Availability {
        commerce: true,
        ..Availability::default()
    };
    let rows = [row(
        1,
        "m",
        "t1",
        json!({"scopes": "orders:read users:read control:audit:read"}),
    )];
    let (set, _) = build(
        Some(r#"{"token":"e","scopes":["orders:read","users:read","control:audit:read"]}"#),
        None,
        &rows,
        &defaults(),
        a,
    );
    assert_eq!(*find(&set, "t1").unwrap().scopes, ["orders:read"]);
    assert_eq!(*find(&set, "e").unwrap().scopes, ["orders:read"]);
}

#[test]
fn lifecycle_modes_and_expiry_summary() {
    let day = expiry::DAY;
    let rows = [
        row(1, "active", "a", json!({})),
        row(2, "soon", "b", json!({"expiresAt": NOW + 2 * day})),
        row(3, "later", "c", json!({"expiresAt": NOW + 30 * day})),
        row(4, "expired", "d", json!({"expiresAt": NOW})),
        row(
            5,
            "paused",
            "e",
            json!({"pausedAt": NOW - 10, "expiresAt": NOW + 60 * day}),
        ),
        row(
            6,
            "revoked",
            "f",
            json!({"revokedAt": "2026-01-01 00:00:00", "expiresAt": NOW - day}),
        ),
        row(7, "never", "g", json!({"reminderDays": 0})),
    ];
    let (set, w) = build(None, None, &rows, &defaults(), Availability::default());
    let s = set.summary();
    assert_eq!(s.ids, ["cp:active", "cp:soon", "cp:later", "cp:never"]);
    assert_eq!(
        s.expiry,
        ExpirySummary {
            expired: 1,
            expiring_soon: 1,
            active_with_expiry: 3
        }
    );
    assert_eq!(
        codes(&w),
        ["credential_expiring_soon", "credential_expired"]
    );
    // Unusable rows stay findable, so the request path can say why.
    assert!(find(&set, "f").unwrap().terms.lifecycle.revoked);
    assert!(find(&set, "e").unwrap().terms.lifecycle.paused);
}

#[test]
fn any_usable_at_agrees_with_every_credential_s_mode() {
    let day = expiry::DAY;
    let sets = [
        vec![],
        vec![row(1, "always", "a", json!({}))],
        vec![
            row(1, "soon", "a", json!({"expiresAt": NOW + day})),
            row(2, "later", "b", json!({"expiresAt": NOW + 3 * day})),
        ],
        vec![
            row(1, "paused", "a", json!({"pausedAt": NOW})),
            row(
                2,
                "revoked",
                "b",
                json!({"revokedAt": NOW, "expiresAt": NOW + 9 * day}),
            ),
            row(
                3,
                "held",
                "c",
                json!({"pausedAt": NOW, "expiresAt": NOW + 9 * day}),
            ),
            row(4, "soon", "d", json!({"expiresAt": NOW + day})),
        ],
    ];
    for rows in &sets {
        let (set, _) = build(None, None, rows, &defaults(), Availability::default());
        for t in [
            NOW - day,
            NOW,
            NOW + day - 1,
            NOW + day,
            NOW + 3 * day,
            NOW + 10 * day,
        ] {
            let by_mode = set.iter().any(|c| c.terms.lifecycle.mode(t).is_usable());
            assert_eq!(set.any_usable_at(t), by_mode, "{rows:?} at {t}");
        }
    }
}

#[test]
fn expiry_warnings_keep_their_place_among_the_others() {
    let day = expiry::DAY;
    let rows = [
        row(
            1,
            "first",
            "a",
            json!({"expiresAt": NOW - day, "scopes": []}),
        ),
        json!({"id": 2, "handle": "broken", "tokenHash": "zz"}),
        row(3, "second", "c", json!({"expiresAt": NOW + day})),
        row(4, "again", "c", json!({})),
        row(
            5,
            "third",
            "e",
            json!({"expiresAt": NOW + 90 * day, "scopes": ["*"]}),
        ),
    ];
    let legacy = Some("agt_broken");
    let (set, w) = build(None, legacy, &rows, &defaults(), Availability::default());
    let order = [
        "credential_without_scopes",
        "credential_expired",
        "managed_credential_skipped",
        "credential_expiring_soon",
        "duplicate_credential",
        "wildcard_scope_granted",
        "credential_token_malformed",
    ];
    assert_eq!(codes(&w), order);
    // Later instants move only the expiry warnings, each in its own place.
    let later = codes(&set.warnings_at(NOW + 100 * day));
    assert_eq!(
        later,
        [
            "credential_without_scopes",
            "credential_expired",
            "managed_credential_skipped",
            "credential_expired",
            "duplicate_credential",
            "wildcard_scope_granted",
            "credential_expired",
            "credential_token_malformed",
        ]
    );
}

#[test]
fn delivery_mode_needs_a_usable_subscriber() {
    let sub = json!({"webhookResourceTypes": ["entry"]});
    let (set, _) = build(
        None,
        None,
        &[row(1, "a", "a", json!({}))],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().delivery_mode, DeliveryMode::Firehose);
    let mut paused = sub.clone();
    paused["pausedAt"] = json!(NOW);
    let (set, _) = build(
        None,
        None,
        &[row(1, "a", "a", paused)],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().delivery_mode, DeliveryMode::Firehose);
    let (set, _) = build(
        None,
        None,
        &[row(1, "a", "a", json!({"webhookActions": "[\"deleted\"]"}))],
        &defaults(),
        Availability::default(),
    );
    assert_eq!(set.summary().delivery_mode, DeliveryMode::Targeted);
}

#[test]
fn unusable_inputs_are_skipped_and_coded() {
    let rows = [
        json!({"id": 1, "handle": "bad-hash", "tokenHash": "xyz"}),
        row(
            2,
            "bad-allowlist",
            "t",
            json!({"ipAllowlist": ["10.0.0.0/8", "no"]}),
        ),
        json!(42),
    ];
    let (set, w) = build(
        Some("{oops"),
        Some("agt_not_a_real_generated_token"),
        &rows,
        &defaults(),
        Availability::default(),
    );
    assert!(set.is_empty());
    assert!(set.summary().parse_error && set.summary().primary_token_configured);
    assert_eq!(
        codes(&w),
        [
            "managed_credential_skipped",
            "managed_credential_skipped",
            "managed_credential_skipped",
            "credentials_parse_error",
            "credential_token_malformed"
        ]
    );
    assert!(
        find(&set, "t").is_none(),
        "a bad allowlist must not mean no allowlist"
    );
    for m in w.iter().map(|w| &w.message) {
        assert!(!m.contains(&hash("t")), "{m}");
        assert!(!m.contains("agt_not_a_real"), "{m}");
    }
}

#[test]
fn generated_tokens_are_accepted_from_env() {
    let g = tokens::generate("ci").unwrap();
    let (set, w) = build(
        None,
        Some(&g.token),
        &[],
        &defaults(),
        Availability::default(),
    );
    assert!(w.is_empty());
    assert_eq!(find(&set, &g.token).unwrap().id, "default");
}

#[test]
fn lookup_is_by_full_digest_and_fingerprints_differ() {
    let rows: Vec<Value> = (0..100)
        .map(|i| row(i + 1, &format!("bot-{i}"), &format!("token-{i}"), json!({})))
        .collect();
    let (set, _) = build(None, None, &rows, &defaults(), Availability::default());
    let mut prints = std::collections::HashSet::new();
    for i in 0..100 {
        let c = find(&set, &format!("token-{i}")).unwrap();
        assert_eq!(c.managed_id, Some(i + 1));
        assert!(prints.insert(c.fingerprint()));
    }
    assert!(find(&set, "token-100").is_none());
    assert!(find(&set, "token-1 ").is_none());
}
