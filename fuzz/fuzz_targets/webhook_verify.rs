//! Webhook verification with secrets, headers, body and clock from the input (layout:
//! `fuzz/inputs/webhook.rs`).
//!
//! Never panics. A delivery that verifies stops verifying when one byte is appended to the body.
//! Signing the body with each usable secret (at a clamped `now`) and verifying the headers it
//! produced is always valid, also with the header names in another case; signing fails exactly
//! when the id is not 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
#![no_main]

use agents_core::errors::codes::WebhookReason;
use agents_core::webhook::{self, HeaderValues};
use libfuzzer_sys::fuzz_target;

#[path = "../inputs/webhook.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let input::WebhookInput {
        secrets,
        headers,
        body,
        tolerance,
        now,
        id,
    } = input::decode(data);

    if let Ok(verifier) = webhook::Verifier::new(&secrets, tolerance) {
        let got = verifier.verify(body, &headers, now);
        if got.is_ok() {
            let mut longer = body.to_vec();
            longer.push(b'x');
            assert_eq!(
                verifier.verify(&longer, &headers, now),
                Err(WebhookReason::SignatureMismatch)
            );
            // Only the canonical spelling of the timestamp verifies: a leading zero never does.
            let zero_prefixed: Vec<Vec<Vec<u8>>> = headers
                .iter()
                .map(|(_, v)| {
                    v.iter()
                        .flatten()
                        .map(|x| [&b"0"[..], x.trim_ascii()].concat())
                        .collect()
                })
                .collect();
            let zeroed: Vec<HeaderValues<'_>> = headers
                .iter()
                .zip(&zero_prefixed)
                .map(|((n, v), z)| {
                    if n.eq_ignore_ascii_case(webhook::TIMESTAMP_HEADER.as_bytes()) {
                        (*n, Some(z.iter().map(Vec::as_slice).collect()))
                    } else {
                        (*n, v.clone())
                    }
                })
                .collect();
            assert!(verifier.verify(body, &zeroed, now).is_err());
        }
    }

    let ts = now.max(0);
    let tolerance = tolerance.max(0);
    let usable: Vec<&[u8]> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let signed = match webhook::sign(secret, body, ts, id) {
            Ok(s) => s,
            Err(e) => {
                assert!(id.is_some_and(|i| !valid_id(i)), "sign refused: {e}");
                continue;
            }
        };
        assert!(id.is_none_or(valid_id));
        let owned: Vec<(String, String)> = signed
            .headers()
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
        let as_sent: Vec<HeaderValues<'_>> = owned
            .iter()
            .map(|(n, v)| (n.as_bytes(), Some(vec![v.as_bytes()])))
            .collect();
        assert_eq!(
            webhook::Verifier::new(&usable, tolerance)
                .expect("checked settings")
                .verify(body, &as_sent, ts),
            Ok(())
        );
        let upper_hex = signed
            .signature
            .replacen("sha256=", "", 1)
            .to_ascii_uppercase();
        let upper_hex = format!("sha256={upper_hex}");
        let mixed: Vec<HeaderValues<'_>> = vec![
            (
                b"x-agents-webhook-timestamp",
                Some(vec![owned[1].1.as_bytes()]),
            ),
            (
                b"X-AGENTS-WEBHOOK-SIGNATURE",
                Some(vec![upper_hex.as_bytes()]),
            ),
        ];
        assert_eq!(
            webhook::Verifier::new(&[*secret], tolerance)
                .expect("checked settings")
                .verify(body, &mixed, ts),
            Ok(())
        );
    }
});

fn valid_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}
