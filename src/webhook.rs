//! Webhook signatures: signing outgoing deliveries and verifying incoming ones.
//!
//! Wire format (the plugin's, [spec:webhooks]): headers `X-Agents-Webhook-Id`,
//! `X-Agents-Webhook-Timestamp` (unix seconds) and `X-Agents-Webhook-Signature`
//! (`sha256=` + lower-case hex HMAC-SHA256 with the secret as key over `"<timestamp>.<body>"`).
//!
//! Verification adds what the plugin lacks ([spec:webhooks]): a freshness window (a timestamp
//! older than `now - tolerance` is `stale_timestamp`, newer than `now + tolerance` is
//! `future_timestamp`; both edges are inside the window), several secrets for rotation (any one
//! may match), and constant-time comparison of every (secret, signature) pair without early exit.
//! Header names match case-insensitively; a header may come as several values, and the signature
//! header may list several comma-separated `sha256=` entries (a sender signing with two secrets
//! during rotation). The id header is not signed and not required. The timestamp must be in
//! canonical decimal form (what [`sign`] writes: no sign, no leading zero), so one signed
//! delivery has exactly one spelling. Verification goes through [`Verifier`], which can only be
//! built from checked settings.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::errors::InvalidInput;
use crate::errors::codes::WebhookReason;

/// Header carrying the event id.
pub const ID_HEADER: &str = "X-Agents-Webhook-Id";
/// Header carrying the signing time (unix seconds).
pub const TIMESTAMP_HEADER: &str = "X-Agents-Webhook-Timestamp";
/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Agents-Webhook-Signature";
/// Default freshness window in seconds.
pub const DEFAULT_TOLERANCE: i64 = 300;
/// Most `sha256=` entries read from a signature header.
pub const MAX_SIGNATURES: usize = 8;

const PREFIX: &str = "sha256=";

/// The headers of one signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Event id (given, or a random UUID v4).
    pub id: String,
    /// Signing time, unix seconds.
    pub timestamp: i64,
    /// `sha256=` + lower-case hex HMAC-SHA256.
    pub signature: String,
}

impl Signed {
    /// The three headers, in wire order.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            (ID_HEADER, self.id.clone()),
            (TIMESTAMP_HEADER, self.timestamp.to_string()),
            (SIGNATURE_HEADER, self.signature.clone()),
        ]
    }
}

/// One request header: its name and its values, or `None` when the value is not text (for
/// instance an integer in a PHP array), which makes that header malformed if it is one of ours.
pub type HeaderValues<'a> = (&'a [u8], Option<Vec<&'a [u8]>>);

/// Signs `body` at `timestamp`. `id` must be 1 to 128 characters of `A-Z a-z 0-9 . _ : -`; when
/// absent a random UUID v4 is drawn from the OS CSPRNG.
pub fn sign(
    secret: &[u8],
    body: &[u8],
    timestamp: i64,
    id: Option<&[u8]>,
) -> Result<Signed, InvalidInput> {
    let mut err = InvalidInput::new("webhook_sign arguments");
    if secret.is_empty() {
        err.push("secret", "is empty");
    }
    if timestamp < 0 {
        err.push("timestamp", "must not be negative");
    }
    let id = match id {
        Some(id) if valid_id(id) => String::from_utf8_lossy(id).into_owned(),
        Some(_) => {
            err.push(
                "id",
                "must be 1 to 128 characters of A-Z a-z 0-9 . _ : - (it becomes a header value)",
            );
            String::new()
        }
        None => match uuid_v4() {
            Ok(id) => id,
            Err(e) => {
                err.push("id", format!("no random id could be drawn ({e})"));
                String::new()
            }
        },
    };
    err.into_result(())?;
    let signature = signature(secret, timestamp, body).ok_or_else(|| {
        InvalidInput::single(
            "webhook_sign arguments",
            "secret",
            "not usable as an HMAC key",
        )
    })?;
    Ok(Signed {
        id,
        timestamp,
        signature,
    })
}

fn valid_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// `sha256=` + lower-case hex HMAC-SHA256(secret, `"<timestamp>.<body>"`); `None` only if the
/// HMAC implementation refused the key (it accepts every length).
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<String> {
    let mac = mac(secret, timestamp, body)?;
    Some(format!("{PREFIX}{}", crate::hex::encode(&mac)))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<[u8; 32]> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Some(m.finalize().into_bytes().into())
}

/// A random UUID v4 (RFC 9562 §5.4) from the OS CSPRNG, lower-case.
pub fn uuid_v4() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::hex::encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// Validated verification settings: at least one secret, none empty, a tolerance that is not
/// negative. The only way to verify a delivery, so verification never runs on settings that
/// were not checked.
#[derive(Clone)]
pub struct Verifier<'a> {
    secrets: Vec<&'a [u8]>,
    tolerance: i64,
}

impl std::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl<'a> Verifier<'a> {
    /// Checks the settings; the error names every bad item (never a secret's value).
    pub fn new(secrets: &[&'a [u8]], tolerance: i64) -> Result<Self, InvalidInput> {
        let mut err = InvalidInput::new("webhook_verify settings");
        if secrets.is_empty() {
            err.push("secrets", "no secret given");
        }
        for (i, s) in secrets.iter().enumerate() {
            if s.is_empty() {
                err.push(format!("secrets[{i}]"), "is empty");
            }
        }
        if tolerance < 0 {
            err.push("toleranceSeconds", "must not be negative");
        }
        err.into_result(Self {
            secrets: secrets.to_vec(),
            tolerance,
        })
    }

    /// The freshness window in seconds.
    pub fn tolerance(&self) -> i64 {
        self.tolerance
    }

    /// Verifies a delivery at unix time `now`.
    pub fn verify(
        &self,
        body: &[u8],
        headers: &[HeaderValues<'_>],
        now: i64,
    ) -> Result<(), WebhookReason> {
        let timestamp = timestamp(&values(headers, TIMESTAMP_HEADER)?)?;
        let presented = signatures(&values(headers, SIGNATURE_HEADER)?)?;
        if timestamp < now.saturating_sub(self.tolerance) {
            return Err(WebhookReason::StaleTimestamp);
        }
        if timestamp > now.saturating_add(self.tolerance) {
            return Err(WebhookReason::FutureTimestamp);
        }
        let mut ok = Choice::from(0);
        for secret in &self.secrets {
            let Some(expected) = mac(secret, timestamp, body) else {
                continue;
            };
            for sig in &presented {
                ok |= expected.ct_eq(sig);
            }
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(WebhookReason::SignatureMismatch)
        }
    }
}

/// Every non-empty (trimmed) value of the header `name`.
fn values<'a>(headers: &[HeaderValues<'a>], name: &str) -> Result<Vec<&'a [u8]>, WebhookReason> {
    let mut out = Vec::new();
    for (n, v) in headers {
        if !n.eq_ignore_ascii_case(name.as_bytes()) {
            continue;
        }
        match v {
            Some(vals) => out.extend(
                vals.iter()
                    .map(|v| v.trim_ascii())
                    .filter(|v| !v.is_empty()),
            ),
            None => return Err(WebhookReason::MalformedHeader),
        }
    }
    if out.is_empty() {
        Err(WebhookReason::MissingHeader)
    } else {
        Ok(out)
    }
}

/// One timestamp in canonical decimal form (the form [`sign`] writes and the MAC covers: digits
/// only, no sign, no leading zero except `0` itself) that fits `i64`, so every timestamp
/// [`sign`] accepts reads back and no other spelling of it verifies (repeated identical values
/// are tolerated).
fn timestamp(values: &[&[u8]]) -> Result<i64, WebhookReason> {
    let first = values[0];
    if values.iter().any(|v| *v != first)
        || first.len() > 19
        || (first.len() > 1 && first[0] == b'0')
    {
        return Err(WebhookReason::MalformedHeader);
    }
    first
        .iter()
        .try_fold(0i64, |acc, d| {
            let digit = d.is_ascii_digit().then(|| i64::from(d - b'0'))?;
            acc.checked_mul(10)?.checked_add(digit)
        })
        .ok_or(WebhookReason::MalformedHeader)
}

/// The `sha256=<64 hex>` entries of the signature header values.
fn signatures(values: &[&[u8]]) -> Result<Vec<[u8; 32]>, WebhookReason> {
    let mut out = Vec::new();
    for entry in values
        .iter()
        .flat_map(|v| v.split(|b| *b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|e| !e.is_empty())
    {
        let hex = entry
            .strip_prefix(PREFIX.as_bytes())
            .ok_or(WebhookReason::MalformedHeader)?;
        out.push(decode_hex(hex).ok_or(WebhookReason::MalformedHeader)?);
        if out.len() > MAX_SIGNATURES {
            return Err(WebhookReason::MalformedHeader);
        }
    }
    if out.is_empty() {
        Err(WebhookReason::MissingHeader)
    } else {
        Ok(out)
    }
}

fn decode_hex(hex: &[u8]) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const SECRET: &[u8] = b"whsec_test_secret";

    fn verify(
        secrets: &[&[u8]],
        body: &[u8],
        headers: &[HeaderValues<'_>],
        tolerance: i64,
        now: i64,
    ) -> Result<(), WebhookReason> {
        Verifier::new(secrets, tolerance)
            .expect("valid settings")
            .verify(body, headers, now)
    }

    fn check_settings(secrets: &[&[u8]], tolerance: i64) -> Result<(), InvalidInput> {
        Verifier::new(secrets, tolerance).map(|_| ())
    }

    #[test]
    fn only_the_canonical_timestamp_verifies() {
        let s = sign(SECRET, b"b", NOW, Some(b"evt_1".as_slice())).unwrap();
        assert_eq!(
            verify(&[SECRET], b"b", &hdrs("1700000000", &s.signature), 300, NOW),
            Ok(())
        );
        for t in [
            "01700000000",
            "0001700000000",
            "+1700000000",
            "1700000000.0",
            "1_700_000_000",
        ] {
            assert_eq!(
                verify(&[SECRET], b"b", &hdrs(t, &s.signature), 300, NOW),
                Err(WebhookReason::MalformedHeader),
                "{t}"
            );
        }
        let z = sign(SECRET, b"b", 0, None).unwrap();
        assert_eq!(
            verify(&[SECRET], b"b", &hdrs("0", &z.signature), 0, 0),
            Ok(())
        );
        assert_eq!(
            verify(&[SECRET], b"b", &hdrs("00", &z.signature), 0, 0),
            Err(WebhookReason::MalformedHeader)
        );
    }

    fn hdrs<'a>(ts: &'a str, sig: &'a str) -> Vec<HeaderValues<'a>> {
        vec![
            (
                b"X-Agents-Webhook-Timestamp".as_slice(),
                Some(vec![ts.as_bytes()]),
            ),
            (
                b"x-agents-webhook-signature".as_slice(),
                Some(vec![sig.as_bytes()]),
            ),
        ]
    }

    #[test]
    fn vectors_computed_independently() {
        // Python: hmac.new(key, b"<ts>.<body>", hashlib.sha256).hexdigest()
        assert_eq!(
            signature(b"key", 1, b"x").unwrap(),
            "sha256=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec"
        );
        assert_eq!(
            signature(SECRET, NOW, b"{\"a\":1}").unwrap(),
            "sha256=aecbc681fe3d2604c08ff8e880a0988d997a12367fcf9545e6a3b90c1dfc04b7"
        );
    }

    #[test]
    fn sign_then_verify() {
        let s = sign(SECRET, b"{\"a\":1}", NOW, Some(b"evt_0123456789abcdef")).unwrap();
        assert_eq!(s.id, "evt_0123456789abcdef");
        assert!(s.signature.starts_with("sha256=") && s.signature.len() == 71);
        let ts = s.timestamp.to_string();
        assert_eq!(
            verify(&[SECRET], b"{\"a\":1}", &hdrs(&ts, &s.signature), 300, NOW),
            Ok(())
        );
        assert_eq!(
            verify(&[SECRET], b"{\"a\":2}", &hdrs(&ts, &s.signature), 300, NOW),
            Err(WebhookReason::SignatureMismatch)
        );
        // Upper-case hex is the same signature.
        let upper = format!("sha256={}", s.signature[7..].to_ascii_uppercase());
        assert_eq!(
            verify(&[SECRET], b"{\"a\":1}", &hdrs(&ts, &upper), 300, NOW),
            Ok(())
        );
    }

    #[test]
    fn window_edges_are_inside() {
        for (ts, want) in [
            (NOW - 300, Ok(())),
            (NOW - 301, Err(WebhookReason::StaleTimestamp)),
            (NOW + 300, Ok(())),
            (NOW + 301, Err(WebhookReason::FutureTimestamp)),
        ] {
            let sig = signature(SECRET, ts, b"b").unwrap();
            let t = ts.to_string();
            assert_eq!(
                verify(&[SECRET], b"b", &hdrs(&t, &sig), 300, NOW),
                want,
                "{ts}"
            );
        }
        let sig = signature(SECRET, NOW, b"b").unwrap();
        let t = NOW.to_string();
        assert_eq!(verify(&[SECRET], b"b", &hdrs(&t, &sig), 0, NOW), Ok(()));
    }

    #[test]
    fn every_timestamp_sign_accepts_reads_back() {
        for ts in [
            0,
            999_999_999_999_999_999,
            1_000_000_000_000_000_000,
            i64::MAX,
        ] {
            let s = sign(SECRET, b"b", ts, Some(b"id")).unwrap();
            let t = ts.to_string();
            assert_eq!(
                verify(&[SECRET], b"b", &hdrs(&t, &s.signature), 0, ts),
                Ok(()),
                "{ts}"
            );
        }
        let sig = signature(SECRET, 0, b"b").unwrap();
        // One past i64::MAX, and 20 digits with leading zeros: refused, never wrapped.
        for bad in ["9223372036854775808", "00000000000000000001"] {
            assert_eq!(
                verify(&[SECRET], b"b", &hdrs(bad, &sig), 0, 0),
                Err(WebhookReason::MalformedHeader),
                "{bad}"
            );
        }
    }

    #[test]
    fn rotation_any_secret_and_any_listed_signature() {
        let old: &[u8] = b"old-secret";
        let new: &[u8] = b"new-secret";
        let t = NOW.to_string();
        let by_old = signature(old, NOW, b"b").unwrap();
        assert_eq!(
            verify(&[new, old], b"b", &hdrs(&t, &by_old), 300, NOW),
            Ok(())
        );
        assert_eq!(
            verify(&[new], b"b", &hdrs(&t, &by_old), 300, NOW),
            Err(WebhookReason::SignatureMismatch)
        );
        let both = format!(
            "{}, {}",
            signature(b"other", NOW, b"b").unwrap(),
            signature(new, NOW, b"b").unwrap()
        );
        assert_eq!(verify(&[new], b"b", &hdrs(&t, &both), 300, NOW), Ok(()));
        let listed: Vec<HeaderValues<'_>> = vec![
            (
                b"X-AGENTS-WEBHOOK-TIMESTAMP".as_slice(),
                Some(vec![t.as_bytes()]),
            ),
            (
                b"X-Agents-Webhook-Signature".as_slice(),
                Some(vec![by_old.as_bytes(), b"".as_slice()]),
            ),
        ];
        assert_eq!(verify(&[old], b"b", &listed, 300, NOW), Ok(()));
    }

    #[test]
    fn header_problems() {
        let sig = signature(SECRET, NOW, b"b").unwrap();
        let t = NOW.to_string();
        let run = |h: Vec<HeaderValues<'_>>| verify(&[SECRET], b"b", &h, 300, NOW);
        assert_eq!(run(vec![]), Err(WebhookReason::MissingHeader));
        assert_eq!(run(hdrs("", &sig)), Err(WebhookReason::MissingHeader));
        assert_eq!(run(hdrs(&t, "  ")), Err(WebhookReason::MissingHeader));
        assert_eq!(run(hdrs(&t, ",")), Err(WebhookReason::MissingHeader));
        for bad_ts in [
            "-5",
            "+5",
            "1e9",
            "12a",
            "1700000000.5",
            "99999999999999999999",
        ] {
            assert_eq!(
                run(hdrs(bad_ts, &sig)),
                Err(WebhookReason::MalformedHeader),
                "{bad_ts}"
            );
        }
        let bare = sig.trim_start_matches("sha256=").to_owned();
        for bad_sig in [
            bare.as_str(),
            "sha256=abc",
            "sha1=00",
            "v1=xyz",
            &format!("{sig}0"),
        ] {
            assert_eq!(
                run(hdrs(&t, bad_sig)),
                Err(WebhookReason::MalformedHeader),
                "{bad_sig}"
            );
        }
        let many = [sig.as_str(); MAX_SIGNATURES + 1].join(",");
        assert_eq!(run(hdrs(&t, &many)), Err(WebhookReason::MalformedHeader));
        // Two different timestamps are ambiguous; the same one twice is not.
        let t2 = (NOW + 1).to_string();
        let twice: Vec<HeaderValues<'_>> = vec![
            (
                b"x-agents-webhook-timestamp".as_slice(),
                Some(vec![t.as_bytes(), t2.as_bytes()]),
            ),
            (
                b"x-agents-webhook-signature".as_slice(),
                Some(vec![sig.as_bytes()]),
            ),
        ];
        assert_eq!(run(twice), Err(WebhookReason::MalformedHeader));
        let same: Vec<HeaderValues<'_>> = vec![
            (
                b"x-agents-webhook-timestamp".as_slice(),
                Some(vec![t.as_bytes()]),
            ),
            (
                b"x-agents-webhook-timestamp".as_slice(),
                Some(vec![t.as_bytes()]),
            ),
            (
                b"x-agents-webhook-signature".as_slice(),
                Some(vec![sig.as_bytes()]),
            ),
        ];
        assert_eq!(run(same), Ok(()));
        let not_text: Vec<HeaderValues<'_>> = vec![
            (b"x-agents-webhook-timestamp".as_slice(), None),
            (
                b"x-agents-webhook-signature".as_slice(),
                Some(vec![sig.as_bytes()]),
            ),
        ];
        assert_eq!(run(not_text), Err(WebhookReason::MalformedHeader));
        // Whitespace around values is trimmed (as the plugin does).
        assert_eq!(run(hdrs(&format!(" {t} "), &format!(" {sig} "))), Ok(()));
    }

    #[test]
    fn settings_and_sign_arguments() {
        assert!(check_settings(&[SECRET], 300).is_ok());
        let e = check_settings(&[SECRET, b""], -1).unwrap_err().to_string();
        assert!(
            e.contains("secrets[1]") && e.contains("toleranceSeconds"),
            "{e}"
        );
        assert!(
            check_settings(&[], 0)
                .unwrap_err()
                .to_string()
                .contains("no secret")
        );
        let e = sign(b"", b"", -1, Some(b"bad id\r\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("secret") && e.contains("timestamp") && e.contains("id"),
            "{e}"
        );
        assert!(sign(SECRET, b"", 0, Some(b"")).is_err());
        assert!(sign(SECRET, b"", 0, Some("x".repeat(129).as_bytes())).is_err());
    }

    #[test]
    fn generated_ids_are_uuid_v4() {
        let a = sign(SECRET, b"", NOW, None).unwrap().id;
        let b = uuid_v4().unwrap();
        assert_ne!(a, b);
        for id in [a, b] {
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{id}"
            );
            assert!(parts[2].starts_with('4'));
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
            assert!(
                id.bytes()
                    .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            );
        }
    }

    #[test]
    fn headers_in_wire_order() {
        let s = sign(SECRET, b"x", 42, Some(b"id-1")).unwrap();
        let h = s.headers();
        assert_eq!(h[0], (ID_HEADER, "id-1".to_owned()));
        assert_eq!(h[1], (TIMESTAMP_HEADER, "42".to_owned()));
        assert_eq!(h[2].0, SIGNATURE_HEADER);
    }
}
