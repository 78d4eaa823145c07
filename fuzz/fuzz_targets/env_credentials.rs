//! `PLUGIN_AGENTS_API_CREDENTIALS` text from the input, through the env JSON reader and a Guard.
//!
//! Never panics; the Guard is always built (a bad credential set is a warning, never an
//! exception). Every entry read has a non-empty trimmed token that is not a malformed generated
//! token; problems, warnings, projections and the Guard's debug form never contain a token (when
//! it is long, mixed and appears only once in the input). Presenting an entry's token through
//! `X-Agents-Token` authenticates as that entry when its id and token are unique in the set, it
//! has no expiry and no allowlist.
#![no_main]

use std::borrow::Cow;

use agents_core::auth::Outcome;
use agents_core::credentials::env_json;
use agents_core::guard::Guard;
use agents_core::request::Request;
use agents_core::tokens::{self, Format};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, json};

const NOW: i64 = 1_772_366_400;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let trimmed = raw.trim();
    if !trimmed.is_empty() {
        check_reader(raw, trimmed);
    }
    let mut env = Map::new();
    env.insert("ENVIRONMENT".into(), json!("dev"));
    env.insert("PLUGIN_AGENTS_REQUIRE_TOKEN".into(), json!("true"));
    env.insert("PLUGIN_AGENTS_API_CREDENTIALS".into(), json!(raw));
    let options = json!({"now": NOW}).as_object().cloned().unwrap_or_default();
    let guard = Guard::new(&env, &[], &options).expect("credentials never throw");
    let mut published = format!("{guard:?}\n");
    for w in guard.warnings() {
        published.push_str(&w.message);
    }
    published.push_str(&guard.posture().to_string());
    published.push_str(&guard.capabilities().to_string());
    published.push_str(&guard.diagnostics().to_string());
    if trimmed.is_empty() {
        return;
    }
    let parsed = env_json::parse(trimmed);
    for e in &parsed.entries {
        if distinctive(&e.token) && count_in(raw, &e.token) == 1 {
            assert!(
                !published.contains(e.token.as_str()),
                "token published: {published}"
            );
        }
        let unique = parsed
            .entries
            .iter()
            .filter(|o| o.id == e.id || *o.token == *e.token)
            .count()
            == 1;
        if !unique
            || e.terms.lifecycle.expires_at.is_some()
            || !e.terms.allowlist.is_empty()
            || !reaches_lookup(&e.token)
        {
            continue;
        }
        let req = Request {
            method: Cow::Borrowed("GET"),
            headers: vec![(
                Cow::Borrowed("X-Agents-Token"),
                Cow::Borrowed(e.token.as_str()),
            )]
            .into(),
            query: Default::default(),
            remote_addr: Cow::Borrowed("198.51.100.7"),
        };
        match guard.authenticate(&req) {
            Outcome::Allowed(p) => {
                assert_eq!(
                    (p.credential_id.as_str(), p.credential_source),
                    (e.id.as_str(), "env")
                );
                assert_eq!(p.force_human_approval, e.terms.force_human_approval);
            }
            Outcome::Denied(d) => panic!("entry {:?} refused: {d:?}", e.id),
        }
    }
});

fn check_reader(raw: &str, trimmed: &str) {
    let parsed = env_json::parse(trimmed);
    for e in &parsed.entries {
        assert!(!e.token.is_empty() && e.token.trim() == e.token.as_str());
        assert_ne!(tokens::format(&e.token), Format::Malformed);
        if distinctive(&e.token) && count_in(raw, &e.token) == 1 {
            for p in &parsed.problems {
                assert!(!p.contains(e.token.as_str()), "token in problem: {p}");
            }
        }
    }
}

/// A token `X-Agents-Token` delivers unchanged to the lookup.
fn reaches_lookup(t: &str) -> bool {
    t.len() <= 4096 && !t.chars().any(|c| c.is_control() || c == '\u{FFFD}')
}

/// Text long and mixed enough that no fixed message could contain it by chance.
fn distinctive(s: &str) -> bool {
    s.len() >= 16
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn count_in(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}
