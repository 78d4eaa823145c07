//! Token generation and format: `token_generate` and `token_hash` ([spec:token-format]).
//!
//! A generated token reads `agt_[<handle>_]<id>_<secret><check>`:
//!
//! * `agt_` — a fixed prefix secret scanners can recognise;
//! * `<handle>` — the credential handle as a slug (`[a-z0-9-]`, at most 32 characters), omitted
//!   when no handle is given;
//! * `<id>` — 12 characters of lower-case Crockford base32 from its own CSPRNG draw: the public
//!   part. `publicId` is `agt_[<handle>_]<id>`, the token's non-secret beginning, safe to store and
//!   display instead of a prefix of the secret ([spec:token-format]);
//! * `<secret>` — 32 base62 characters (≈190 bits) from the OS CSPRNG, drawn without modulo
//!   bias;
//! * `<check>` — the CRC-32 of everything before it, as 6 base62 characters, so a mistyped or
//!   truncated token is refused as malformed, told apart from an unknown one.
//!
//! Every character is in RFC 6750's token68 set, so the token travels in a Bearer header.
//! Tokens of any other form (the plugin's `<handle>-<random>`, operator-chosen tokens) keep
//! working: they are looked up by their SHA-256 like before.

use zeroize::{Zeroize, Zeroizing};

use crate::byte_class;
use crate::digest::TokenDigest;

/// The fixed prefix of generated tokens.
pub const PREFIX: &str = "agt_";

/// Length of the random secret, base62 characters.
pub const SECRET_LEN: usize = 32;

/// Length of the checksum, base62 characters.
pub const CHECK_LEN: usize = 6;

/// Length of the random public id, base32 characters.
pub const PUBLIC_ID_LEN: usize = 12;

/// Longest handle slug kept in a token.
pub const HANDLE_MAX: usize = 32;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Crockford base32, lower case (no `i`, `l`, `o`, `u`).
const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A freshly generated token.
#[derive(Debug)]
pub struct GeneratedToken {
    /// The secret, to show once (wiped from memory when dropped).
    pub token: Zeroizing<String>,
    /// `token_hash(token)`.
    pub hash: String,
    /// The non-secret display id (the token's public beginning).
    pub public_id: String,
}

/// The OS random source failed; no token is produced (no weak fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomUnavailable;

impl std::fmt::Display for RandomUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the operating system's random source is unavailable; no token was generated")
    }
}

impl std::error::Error for RandomUnavailable {}

/// Lower-case hex SHA-256 of a token's bytes, exactly as given (the storage format of
/// `tokenHash`).
pub fn hash_hex(token: &[u8]) -> String {
    TokenDigest::of(token).to_hex()
}

/// The handle as it appears in a token: lower-cased, every run of characters outside
/// `[a-z0-9]` replaced by `-`, trimmed of `-`, at most [`HANDLE_MAX`] characters.
pub fn handle_slug(handle: &str) -> String {
    let mut out = String::new();
    for c in handle.chars().flat_map(char::to_lowercase) {
        // Every character pushed is one ASCII byte: nothing after this point can be kept.
        if out.len() >= HANDLE_MAX {
            break;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(HANDLE_MAX);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Generates a token for `handle` (may be empty).
pub fn generate(handle: &str) -> Result<GeneratedToken, RandomUnavailable> {
    let mut public_id = String::from(PREFIX);
    let slug = handle_slug(handle);
    if !slug.is_empty() {
        public_id.push_str(&slug);
        public_id.push('_');
    }
    let mut id_bytes = [0u8; PUBLIC_ID_LEN];
    getrandom::getrandom(&mut id_bytes).map_err(|_| RandomUnavailable)?;
    // 256 is a multiple of 32: masking is unbiased.
    public_id.extend(
        id_bytes
            .iter()
            .map(|b| char::from(BASE32[usize::from(b & 31)])),
    );

    let mut token = Zeroizing::new(String::with_capacity(
        public_id.len() + 1 + SECRET_LEN + CHECK_LEN,
    ));
    token.push_str(&public_id);
    token.push('_');
    push_base62_secret(&mut token)?;
    let check = checksum(token.as_bytes());
    token.extend(check.iter().map(|&b| char::from(b)));
    let hash = hash_hex(token.as_bytes());
    Ok(GeneratedToken {
        token,
        hash,
        public_id,
    })
}

/// Appends [`SECRET_LEN`] unbiased base62 characters from the OS CSPRNG.
fn push_base62_secret(out: &mut String) -> Result<(), RandomUnavailable> {
    let mut pool = Zeroizing::new([0u8; 64]);
    let mut n = 0;
    while n < SECRET_LEN {
        getrandom::getrandom(pool.as_mut()).map_err(|_| RandomUnavailable)?;
        for &b in pool.iter() {
            // 248 = 4 × 62: accepting only bytes below it keeps every character equally likely.
            if b < 248 && n < SECRET_LEN {
                out.push(char::from(BASE62[usize::from(b % 62)]));
                n += 1;
            }
        }
    }
    pool.zeroize();
    Ok(())
}

/// CRC-32 (IEEE 802.3, reflected) of `data`, as [`CHECK_LEN`] base62 digits.
fn checksum(data: &[u8]) -> [u8; CHECK_LEN] {
    let mut v = crc32(data);
    let mut out = [b'0'; CHECK_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    out
}

/// CRC-32 tables for slicing-by-8: `CRC_TABLES[0]` is the classic byte table, `CRC_TABLES[k]`
/// advances a byte through `k` further zero bytes.
const CRC_TABLES: [[u32; 256]; 8] = {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut k = 1;
        while k < 8 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            k += 1;
        }
        i += 1;
    }
    t
};

fn crc32(data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut c = 0xFFFF_FFFFu32;
    let mut chunks = data.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        c = t[7][(lo & 0xFF) as usize]
            ^ t[6][((lo >> 8) & 0xFF) as usize]
            ^ t[5][((lo >> 16) & 0xFF) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xFF) as usize]
            ^ t[2][((hi >> 8) & 0xFF) as usize]
            ^ t[1][((hi >> 16) & 0xFF) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// What a presented token looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Not a generated token (no `agt_` prefix): looked up as is.
    Other,
    /// A well-formed generated token with a valid checksum.
    Generated,
    /// Carries the `agt_` prefix but is not a well-formed generated token (typo, truncation,
    /// wrong checksum): always refused.
    Malformed,
}

/// Classifies a token. Runs in time independent of the secret's content (the checksum is
/// compared in full).
pub fn format(token: &str) -> Format {
    if !token.starts_with(PREFIX) {
        return Format::Other;
    }
    if is_well_formed(token) {
        Format::Generated
    } else {
        Format::Malformed
    }
}

/// Byte classes of the token grammar, one bit each.
const ALNUM: u8 = 1;
const BASE32_DIGIT: u8 = 2;
const SLUG: u8 = 4;

/// The classes of every byte value: a token is checked with one table lookup and one AND per
/// byte, with no branch on the token's content.
const CLASSES: byte_class::Table = {
    use byte_class::{alphanumeric, bytes, range};
    let t = alphanumeric(byte_class::EMPTY, ALNUM);
    let t = bytes(
        range(range(t, b'a', b'z', SLUG), b'0', b'9', SLUG),
        b"-",
        SLUG,
    );
    bytes(t, BASE32, BASE32_DIGIT)
};

/// True when every byte of `bytes` is in `class`.
fn all_in(bytes: &[u8], class: u8) -> bool {
    byte_class::all_in(&CLASSES, bytes, class)
}

/// `token` starts with [`PREFIX`]; checks `[<slug>_]<id>_<secret><check>` and the checksum.
fn is_well_formed(token: &str) -> bool {
    let b = token.as_bytes();
    let tail_len = SECRET_LEN + CHECK_LEN;
    let Some(tail_start) = b.len().checked_sub(tail_len) else {
        return false;
    };
    let Some(id_start) = tail_start.checked_sub(1 + PUBLIC_ID_LEN) else {
        return false;
    };
    if id_start < PREFIX.len()
        || b[tail_start - 1] != b'_'
        || !all_in(&b[tail_start..], ALNUM)
        || !all_in(&b[id_start..tail_start - 1], BASE32_DIGIT)
    {
        return false;
    }
    if id_start > PREFIX.len() {
        // `<slug>_` sits between the prefix and the id.
        let slug = &b[PREFIX.len()..id_start - 1];
        if b[id_start - 1] != b'_'
            || slug.is_empty()
            || slug.len() > HANDLE_MAX
            || !all_in(slug, SLUG)
        {
            return false;
        }
    }
    let (body, check) = b.split_at(b.len() - CHECK_LEN);
    crate::constant_time::equal(&checksum(body), check)
}

/// The public id of a well-formed generated token, else `None`.
pub fn public_id(token: &str) -> Option<&str> {
    if format(token) != Format::Generated {
        return None;
    }
    token.rsplit_once('_').map(|(public, _)| public)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Bit-at-a-time CRC-32, the definition the sliced version must match.
    fn crc32_bitwise(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        c ^ 0xFFFF_FFFF
    }

    #[test]
    fn byte_classes_are_the_grammar() {
        for b in 0..=255u8 {
            let base32 = matches!(b, b'0'..=b'9' | b'a'..=b'h' | b'j' | b'k' | b'm' | b'n' | b'p'..=b't' | b'v'..=b'z');
            assert_eq!(all_in(&[b], ALNUM), b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(all_in(&[b], BASE32_DIGIT), base32, "{b}");
            assert_eq!(
                all_in(&[b], SLUG),
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-',
                "{b}"
            );
            assert_eq!(all_in(&[b'a', b, b'0'], ALNUM), b.is_ascii_alphanumeric());
        }
        assert!(all_in(b"", ALNUM));
    }

    #[test]
    fn crc32_known_vector_and_definition() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&data[..len]), crc32_bitwise(&data[..len]), "{len}");
        }
    }

    #[test]
    fn generated_tokens_have_the_documented_shape() {
        let g = generate("Content QA!").unwrap();
        let t: &str = &g.token;
        assert!(t.starts_with("agt_content-qa_"), "{t}");
        assert!(t.starts_with(&format!("{}_", g.public_id)));
        assert_eq!(g.public_id.len(), "agt_content-qa_".len() + PUBLIC_ID_LEN);
        assert_eq!(t.len(), g.public_id.len() + 1 + SECRET_LEN + CHECK_LEN);
        assert_eq!(g.hash, hash_hex(t.as_bytes()));
        assert_eq!(format(t), Format::Generated);
        assert_eq!(public_id(t), Some(g.public_id.as_str()));
        // token68 characters only.
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        );
        let anonymous = generate("").unwrap();
        assert_eq!(anonymous.public_id.len(), PREFIX.len() + PUBLIC_ID_LEN);
        assert_eq!(format(&anonymous.token), Format::Generated);
    }

    #[test]
    fn public_id_has_its_own_alphabet_and_randomness() {
        let g = generate("bot").unwrap();
        let id = &g.public_id["agt_bot_".len()..];
        assert_eq!(id.len(), PUBLIC_ID_LEN);
        assert!(id.bytes().all(|b| BASE32.contains(&b)));
        let secret = &g.token[g.public_id.len() + 1..];
        assert_eq!(secret.len(), SECRET_LEN + CHECK_LEN);
        assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(!secret.contains(id));
    }

    #[test]
    fn tokens_are_unique_and_use_the_whole_alphabet() {
        let mut seen = HashSet::new();
        let mut chars = HashSet::new();
        for _ in 0..200 {
            let g = generate("x").unwrap();
            chars.extend(g.token[g.public_id.len() + 1..][..SECRET_LEN].bytes());
            assert!(seen.insert(g.token.to_string()));
            assert!(seen.insert(g.public_id.clone()));
        }
        // 6400 draws from 62 symbols: every symbol shows up.
        assert_eq!(chars.len(), 62);
    }

    #[test]
    fn any_single_typo_is_caught() {
        let g = generate("ci").unwrap();
        let t: &str = &g.token;
        let bytes = t.as_bytes();
        for i in PREFIX.len()..bytes.len() {
            for &c in b"0aZ_-" {
                if bytes[i] == c {
                    continue;
                }
                let mut typo = bytes.to_vec();
                typo[i] = c;
                let typo = String::from_utf8(typo).unwrap();
                assert_eq!(format(&typo), Format::Malformed, "{typo}");
            }
        }
        assert_eq!(format(&t[..t.len() - 1]), Format::Malformed);
        assert_eq!(format(&format!("{t}x")), Format::Malformed);
        assert_eq!(format("agt_"), Format::Malformed);
        assert_eq!(format("agt_x"), Format::Malformed);
    }

    #[test]
    fn legacy_tokens_are_other() {
        assert_eq!(format("content-qa-Ab3dE5gH7jK9mN1pQr"), Format::Other);
        assert_eq!(format("AGT_something"), Format::Other);
        assert_eq!(format(""), Format::Other);
    }

    #[test]
    fn slug_rules() {
        assert_eq!(handle_slug(""), "");
        assert_eq!(handle_slug("  Content_QA.bot:1 "), "content-qa-bot-1");
        assert_eq!(handle_slug("---"), "");
        assert_eq!(handle_slug("Ünïcode"), "n-code");
        assert_eq!(handle_slug(&"abc-".repeat(20)).len(), 31);
        assert!(handle_slug(&"a".repeat(100)).len() == HANDLE_MAX);
        // A huge handle is read only as far as the slug can go.
        let huge = format!("{}{}", "ab.".repeat(11), "x".repeat(10_000_000));
        assert_eq!(handle_slug(&huge), "ab-ab-ab-ab-ab-ab-ab-ab-ab-ab-ab");
    }

    #[test]
    fn hash_hex_is_plain_sha256() {
        assert_eq!(
            hash_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
