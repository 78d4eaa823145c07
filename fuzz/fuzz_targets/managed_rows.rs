//! Managed credential rows (JSON from the input: a list of rows, or one row) through
//! `Guard::new` and the credential set. A row may carry a `token` member (not a real column):
//! the harness stores its SHA-256 as `tokenHash` and later presents it.
//!
//! Never panics; rows never make `Guard::new` fail; one `managed_credential_skipped` warning per
//! unreadable row; the counts agree; no warning or projection contains a row's `tokenHash` or
//! token (when that text is long, has letters and digits, and appears only once in the rows). Presenting a row's token gives what
//! the first readable row with that digest says (503 when no row is usable): its lifecycle at `now`, then its allowlist.
#![no_main]

use std::borrow::Cow;

use agents_core::auth::Outcome;
use agents_core::credentials::expiry::Mode;
use agents_core::credentials::{managed, readers};
use agents_core::digest::TokenDigest;
use agents_core::errors::codes::{DenialReason, WarningCode};
use agents_core::guard::Guard;
use agents_core::ip;
use agents_core::request::Request;
use agents_core::tokens::{self, Format};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const NOW: i64 = 1_772_366_400;
const PEER: &str = "198.51.100.7";

fuzz_target!(|data: &[u8]| {
    let mut rows: Vec<Value> = match serde_json::from_slice(data) {
        Ok(Value::Array(rows)) => rows,
        Ok(other) => vec![other],
        Err(_) => return,
    };
    let mut tokens = Vec::new();
    for row in &mut rows {
        if let Value::Object(m) = row {
            if let Some(Value::String(t)) = m.get("token") {
                tokens.push(t.clone());
                if !m.contains_key("tokenHash") {
                    let hash = tokens::hash_hex(t.as_bytes());
                    m.insert("tokenHash".to_owned(), Value::String(hash));
                }
            }
        }
    }
    let env = obj(json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_REQUIRE_TOKEN": "true"}));
    let guard = Guard::new(&env, &rows, &obj(json!({"now": NOW}))).expect("rows never throw");

    let read: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| managed::read_value(r, i))
        .collect();
    let skipped = guard
        .warnings()
        .iter()
        .filter(|w| w.code == WarningCode::ManagedCredentialSkipped)
        .count();
    assert_eq!(skipped, read.iter().filter(|r| r.is_err()).count());
    let posture = guard.posture();
    let auth = &posture["authentication"];
    let count = auth["credentialCount"].as_u64().expect("credentialCount") as usize;
    assert!(count <= read.iter().filter(|r| r.is_ok()).count());
    assert_eq!(
        auth["managedCredentialCount"].as_u64().map(|n| n as usize),
        Some(count),
        "{auth}"
    );

    let mut published = String::new();
    for w in guard.warnings() {
        published.push_str(&w.message);
        published.push('\n');
    }
    published.push_str(&posture.to_string());
    published.push_str(&guard.capabilities().to_string());
    published.push_str(&guard.diagnostics().to_string());
    // The rows as the Guard saw them (with the hashes the harness added).
    let given = serde_json::to_string(&rows).unwrap_or_default();
    let mut secrets: Vec<String> = tokens.clone();
    secrets.extend(
        rows.iter()
            .filter_map(|r| r.get("tokenHash")?.as_str().map(str::to_owned)),
    );
    // Handles are public and published as normalised: one that normalises into a secret's text
    // (`managed-token%0002` → `managed-token-0002`) publishes that text as a handle, not as the
    // secret.
    let handles: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.get("handle")?
                .as_str()
                .map(|h| readers::normalize_handle(h).to_string())
        })
        .collect();
    for s in secrets.iter().filter(|s| distinctive(s)) {
        if count_in(given.as_bytes(), s.as_bytes()) == 1
            && !handles.iter().any(|h| h.contains(s.as_str()))
        {
            assert!(
                !published.contains(s.as_str()),
                "{s:?} published: {published}"
            );
        }
    }

    for token in tokens.iter().filter(|t| clean(t)) {
        let req = Request {
            method: Cow::Borrowed("GET"),
            headers: vec![(
                Cow::Borrowed("X-Agents-Token"),
                Cow::Borrowed(token.as_str()),
            )]
            .into(),
            query: Default::default(),
            remote_addr: Cow::Borrowed(PEER),
        };
        let digest = TokenDigest::of(token.as_bytes());
        let first = read.iter().flatten().find(|e| e.digest == digest);
        let got = guard.authenticate(&req);
        if count == 0 {
            assert_eq!(got.reason(), Some(DenialReason::NoCredentials));
            continue;
        }
        let Some(entry) = first else {
            assert_eq!(got.reason(), Some(DenialReason::TokenUnknown), "{token:?}");
            continue;
        };
        let expected = match entry.terms.lifecycle.mode(NOW) {
            Mode::Revoked => Some(DenialReason::TokenRevoked),
            Mode::Expired => Some(DenialReason::TokenExpired),
            Mode::Paused => Some(DenialReason::TokenPaused),
            Mode::Active | Mode::ExpiringSoon => {
                let peer = ip::parse_ip(PEER).expect("peer");
                (!entry.terms.allowlist.is_empty() && !entry.terms.allowlist.contains(peer))
                    .then_some(DenialReason::IpNotAllowed)
            }
        };
        assert_eq!(got.reason(), expected, "{token:?}: {got:?}");
        if let Outcome::Allowed(p) = got {
            assert_eq!(p.managed_credential_id, Some(entry.managed_id));
            assert_eq!(p.credential_id, entry.handle);
            assert_eq!(p.force_human_approval, entry.terms.force_human_approval);
        }
    }
});

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// A token that reaches the lookup unchanged through `X-Agents-Token`.
fn clean(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 4096
        && t.trim() == t
        && !t.chars().any(|c| c.is_control() || c == '\u{FFFD}')
        && tokens::format(t) != Format::Malformed
}

/// Text long and mixed enough that no fixed message could contain it by chance.
fn distinctive(s: &str) -> bool {
    s.len() >= 16
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn count_in(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}
