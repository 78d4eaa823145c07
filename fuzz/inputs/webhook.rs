//! How the `webhook_verify` fuzz target reads its input, shared with the replay of its findings
//! in `tests/fuzz_regressions.rs` (both include this file with `#[path]`), so a regression input
//! means the same case in both places.
//!
//! Layout, fields separated by NUL: secrets (separated by 0x01), header lines (`name:value`,
//! values separated by 0x02; a line without `:` is a header whose value is not text), body,
//! `tolerance,now` in decimal (defaults 300 and 1 700 000 000), then an event id for signing.

/// One header as the core reads it: the name, and its values (`None`: not text).
pub type HeaderLine<'a> = (&'a [u8], Option<Vec<&'a [u8]>>);

/// A decoded input.
pub struct WebhookInput<'a> {
    /// The secrets to verify with (one or several, for rotation).
    pub secrets: Vec<&'a [u8]>,
    /// The delivery's headers.
    pub headers: Vec<HeaderLine<'a>>,
    /// The raw body.
    pub body: &'a [u8],
    /// Tolerance of the freshness window, seconds.
    pub tolerance: i64,
    /// The clock, unix seconds.
    pub now: i64,
    /// The event id to sign with, when given.
    pub id: Option<&'a [u8]>,
}

/// Decodes a fuzz input; every byte string is a valid input.
pub fn decode(data: &[u8]) -> WebhookInput<'_> {
    let mut parts = data.splitn(5, |b| *b == 0);
    let secrets = parts
        .next()
        .unwrap_or_default()
        .split(|b| *b == 1)
        .collect();
    let headers = parts
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
    WebhookInput {
        secrets,
        headers,
        body,
        tolerance,
        now,
        id: parts.next(),
    }
}

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
