//! Webhook verification with secrets, headers, body and clock from the input.
//!
//! Layout, fields separated by NUL: secrets (separated by 0x01), header lines (`name:value`,
//! values separated by 0x02; a line without `:` is a header whose value is not text), body,
//! `tolerance,now` in decimal, then an event id for signing.
//!
//! Never panics. A delivery that verifies stops verifying when one byte is appended to the body.
//! Signing the body with each usable secret (at a clamped `now`) and verifying the headers it
//! produced is always valid, also with the header names in another case; signing fails exactly
//! when the id is not 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
#![no_main]

use agents_core::errors::codes::WebhookReason;
use agents_core::webhook::{self, Header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(5, |b| *b == 0);
    let secrets: Vec<&[u8]> = parts
        .next()
        .unwrap_or_default()
        .split(|b| *b == 1)
        .collect();
    let headers: Vec<Header<'_>> = parts
        .next()
        .unwrap_or_default()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|line| match line.iter().position(|b| *b == b':') {
            Some(i) => (&line[..i], Some(line[i + 1..].split(|b| *b == 2).collect())),
            None => (line, None),
        })
        .collect();
    let body = parts.next().unwrap_or_default();
    let (tolerance, now) = clock(parts.next().unwrap_or_default());
    let id = parts.next();

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
            let zeroed: Vec<Header<'_>> = headers
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
        let as_sent: Vec<Header<'_>> = owned
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
        let mixed: Vec<Header<'_>> = vec![
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

/// `tolerance,now` in decimal; defaults 300 and 1 700 000 000.
fn clock(text: &[u8]) -> (i64, i64) {
    let text = String::from_utf8_lossy(text);
    let mut it = text.split(',');
    let tolerance = it.next().and_then(|t| t.trim().parse().ok()).unwrap_or(300);
    let now = it
        .next()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1_700_000_000);
    (tolerance, now)
}

fn valid_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}
