//! Posture benchmarks: settings resolution, compiling a Guard with 100 managed credentials, and
//! the posture projections of a compiled Guard.
//!
//! `cargo bench --bench posture`
// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use agents_core::guard::Guard;
use agents_core::settings::{RuntimeConfig, SettingsOptions};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_700_000_000;

fn env() -> Map<String, Value> {
    json!({
        "ENVIRONMENT": "production",
        "PLUGIN_AGENTS_API_TOKEN": "sk-legacy-0123456789abcdefghij",
        "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "false",
        "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE": "120",
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://hooks.example.com/in?key=abc",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "whsec-0123456789",
        "PLUGIN_AGENTS_TOKEN_SCOPES": "auth:read health:read entries:read",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

/// 100 managed rows: a mix of no expiry, far expiry, expiring soon and expired; every tenth
/// one subscribes to entry events.
fn rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let expires = match i % 4 {
                0 => Value::Null,
                1 => json!(NOW + 90 * 86_400),
                2 => json!(NOW + 2 * 86_400),
                _ => json!(NOW - 60),
            };
            let types: Vec<&str> = if i % 10 == 0 { vec!["entry"] } else { vec![] };
            json!({
                "id": i + 1,
                "handle": format!("agent-{i:03}"),
                "tokenHash": format!("{:064x}", i + 1),
                "scopes": ["auth:read", "health:read", "entries:read"],
                "ipAllowlist": [],
                "expiresAt": expires,
                "revokedAt": null,
                "pausedAt": null,
                "reminderDays": 7,
                "forceHumanApproval": false,
                "webhookResourceTypes": types,
                "webhookActions": [],
            })
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let env = env();
    let rows = rows(100);
    let options = json!({"now": NOW}).as_object().cloned().unwrap_or_default();
    let guard = Guard::new(&env, &rows, &options).expect("valid configuration");

    c.bench_function("settings: RuntimeConfig::resolve", |b| {
        b.iter(|| RuntimeConfig::resolve(black_box(&env), &SettingsOptions::default()))
    });
    c.bench_function("Guard::new (100 managed rows)", |b| {
        b.iter(|| Guard::new(black_box(&env), black_box(&rows), &options))
    });
    c.bench_function("Guard::posture (100 managed rows)", |b| {
        b.iter(|| black_box(&guard).posture())
    });
    c.bench_function("Guard::capabilities", |b| {
        b.iter(|| black_box(&guard).capabilities())
    });
    c.bench_function("Guard::diagnostics", |b| {
        b.iter(|| black_box(&guard).diagnostics())
    });
}

criterion_group!(posture, benches);
criterion_main!(posture);
