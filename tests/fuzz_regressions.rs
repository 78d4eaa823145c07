//! Every input a fuzz target (`fuzz/fuzz_targets/`) found failing, replayed through the same
//! code and the same invariant. The inputs live in `tests/fuzz-regressions/<target>-<what>`,
//! byte for byte as the fuzzer wrote them; docs/fuzzing.md lists the findings and their fixes.

use std::fs;

use agents_core::webhook::{self, HeaderValues};

fn input(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fuzz-regressions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `webhook_verify` target's reading of its input, the same code the target runs.
#[path = "../fuzz/inputs/webhook.rs"]
#[allow(dead_code)] // the header lines are not needed for the sign → verify round trip
mod webhook_input;

/// Found by `webhook_verify`: `webhook_sign` accepted the timestamp 9223372036854775807
/// (`i64::MAX`, 19 digits) but `webhook_verify` refused every timestamp over 18 digits as
/// `malformed_header`, so the delivery it had just signed never verified. Timestamps are now read
/// as any decimal that fits `i64`.
#[test]
fn webhook_sign_verify_round_trip_at_i64_max() {
    let data = input("webhook_verify-19-digit-timestamp");
    let case = webhook_input::decode(&data);
    assert_eq!(case.now, i64::MAX);
    let ts = case.now.max(0);
    let tolerance = case.tolerance.max(0);
    for secret in case.secrets.iter().filter(|s| !s.is_empty()) {
        let signed = webhook::sign(secret, case.body, ts, case.id).expect("valid arguments");
        let headers = signed.headers();
        let as_sent: Vec<HeaderValues<'_>> = headers
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
