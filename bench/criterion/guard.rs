//! `Guard::authenticate` with 10, 1000 and 10 000 credentials (the matching one carrying a
//! 100-entry IP allowlist), and `Guard::new` with 100 managed rows.
// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

use agents_core::guard::Guard;
use agents_core::request::Request;
use agents_core::tokens;

const NOW: i64 = 1_772_366_400;

/// 100 networks; the client sits in the last one.
fn allowlist() -> Vec<String> {
    (0..100).map(|i| format!("10.{i}.0.0/16")).collect()
}

fn rows(n: usize, target_token: &str, with_allowlist: bool) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let token = if i == n / 2 {
                target_token.to_owned()
            } else {
                format!("bench-token-{i}")
            };
            json!({
                "id": i + 1,
                "handle": format!("bot-{i}"),
                "tokenHash": tokens::hash_hex(token.as_bytes()),
                "scopes": ["auth:read", "health:read", "entries:read"],
                "ipAllowlist": if i == n / 2 && with_allowlist { json!(allowlist()) } else { json!([]) },
                "expiresAt": "2030-01-01 00:00:00",
                "forceHumanApproval": false,
            })
        })
        .collect()
}

fn env() -> Map<String, Value> {
    json!({"ENVIRONMENT": "production"})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn options() -> Map<String, Value> {
    json!({"now": NOW, "trustedProxies": ["127.0.0.1"]})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn authenticate(c: &mut Criterion) {
    let token = tokens::generate("bench").expect("CSPRNG");
    let header = format!("Bearer {}", &*token.token);
    let request = Request {
        method: "GET".into(),
        headers: vec![
            ("Authorization".into(), header.as_str().into()),
            ("Accept".into(), "application/json".into()),
        ]
        .into(),
        query: Default::default(),
        remote_addr: "10.99.3.4".into(),
    };
    let mut group = c.benchmark_group("authenticate");
    for (n, with_allowlist) in [
        (10usize, true),
        (1_000, true),
        (10_000, true),
        (1_000, false),
    ] {
        let guard =
            Guard::new(&env(), &rows(n, &token.token, with_allowlist), &options()).expect("guard");
        assert!(guard.authenticate_ref(&request).is_ok());
        let name = if with_allowlist {
            "allowlist_100"
        } else {
            "no_allowlist"
        };
        // What the PHP glue calls (principal borrowed from the Guard).
        group.bench_with_input(BenchmarkId::new(format!("ref/{name}"), n), &n, |b, _| {
            b.iter(|| black_box(guard.authenticate_ref(black_box(&request)).is_ok()));
        });
        // The owned Outcome of the Rust API.
        group.bench_with_input(BenchmarkId::new(format!("owned/{name}"), n), &n, |b, _| {
            b.iter(|| black_box(guard.authenticate(black_box(&request))));
        });
    }
    group.finish();
}

fn construct(c: &mut Criterion) {
    let rows = rows(100, "target", true);
    let env = env();
    let options = options();
    c.bench_function("guard_new/100_managed_rows", |b| {
        b.iter(|| black_box(Guard::new(&env, black_box(&rows), &options).expect("guard")));
    });
}

criterion_group!(benches, authenticate, construct);
criterion_main!(benches);
