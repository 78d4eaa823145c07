//! Every input a fuzz target (`fuzz/fuzz_targets/`) found failing, replayed through the same
//! code and the same invariant. The inputs live in `tests/fuzz-regressions/<target>-<what>`,
//! byte for byte as the fuzzer wrote them; docs/fuzzing.md lists the findings and their fixes.

use std::fs;

use agents_core::webhook::{self, Header};

fn input(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fuzz-regressions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `webhook_verify` target's reading of its input: secrets, body, `now` and the event id
/// (the header lines are not needed for the sign → verify round trip).
struct WebhookCase<'a> {
    secrets: Vec<&'a [u8]>,
    body: &'a [u8],
    tolerance: i64,
    now: i64,
    id: Option<&'a [u8]>,
}

fn webhook_case(data: &[u8]) -> WebhookCase<'_> {
    let mut parts = data.splitn(5, |b| *b == 0);
    let secrets = parts
        .next()
        .unwrap_or_default()
        .split(|b| *b == 1)
        .collect();
    let _headers = parts.next();
    let body = parts.next().unwrap_or_default();
    let clock = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let mut it = clock.split(',');
    let tolerance = it.next().and_then(|t| t.trim().parse().ok()).unwrap_or(300);
    let now = it
        .next()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1_700_000_000);
    WebhookCase {
        secrets,
        body,
        tolerance,
        now,
        id: parts.next(),
    }
}

/// Found by `webhook_verify`: `webhook_sign` accepted the timestamp 9223372036854775807
/// (`i64::MAX`, 19 digits) but `webhook_verify` refused every timestamp over 18 digits as
/// `malformed_header`, so the delivery it had just signed never verified. Timestamps are now read
/// as any decimal that fits `i64`.
#[test]
fn webhook_sign_verify_round_trip_at_i64_max() {
    let data = input("webhook_verify-19-digit-timestamp");
    let case = webhook_case(&data);
    assert_eq!(case.now, i64::MAX);
    let ts = case.now.max(0);
    let tolerance = case.tolerance.max(0);
    for secret in case.secrets.iter().filter(|s| !s.is_empty()) {
        let signed = webhook::sign(secret, case.body, ts, case.id).expect("valid arguments");
        let headers = signed.headers();
        let as_sent: Vec<Header<'_>> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), Some(vec![v.as_bytes()])))
            .collect();
        assert_eq!(
            webhook::Verifier::new(&case.secrets, tolerance)
                .expect("valid settings")
                .verify(case.body, &as_sent, ts),
            Ok(())
        );
    }
}
