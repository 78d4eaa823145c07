//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace, no
//! characters outside `A-Z a-z 0-9 - _`, and zero trailing bits, so every byte string has exactly
//! one accepted encoding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Marks a byte outside the alphabet in [`VALUES`].
const INVALID: u8 = 0xff;

/// The 6-bit value of each base64url character, [`INVALID`] for every other byte.
const VALUES: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'-' as usize] = 62;
    t[b'_' as usize] = 63;
    t
};

/// For each position `i` of a group of four characters, each byte's value already shifted into
/// place in the group's three output bytes (little-endian: the first output byte lowest), or
/// [`GROUP_INVALID`] for a byte outside the alphabet. A group decodes to the OR of its four
/// entries.
const PLACED: [[u32; 256]; 4] = {
    let mut t = [[GROUP_INVALID; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = VALUES[c] as u32;
        if v != INVALID as u32 {
            // Bits of the group, first character first: aaaaaabb bbbbcccc ccdddddd.
            t[0][c] = v << 2;
            t[1][c] = v >> 4 | (v & 0x0f) << 12;
            t[2][c] = (v >> 2) << 8 | (v & 0x03) << 22;
            t[3][c] = v << 16;
        }
        c += 1;
    }
    t
};

/// Set in a group's OR when one of its bytes is outside the alphabet (above the 24 data bits).
const GROUP_INVALID: u32 = 1 << 24;

/// The three bytes of a group of four characters, little-endian, with [`GROUP_INVALID`] set when
/// a character is outside the alphabet.
fn group(q: &[u8]) -> u32 {
    PLACED[0][usize::from(q[0])]
        | PLACED[1][usize::from(q[1])]
        | PLACED[2][usize::from(q[2])]
        | PLACED[3][usize::from(q[3])]
}

/// Decodes canonical unpadded base64url; `None` for anything else (a byte outside the
/// alphabet, padding, a length of 1 mod 4, or non-zero unused bits in the last character).
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    decode_into(text, &mut out).then_some(out)
}

/// Like [`decode`], appending the bytes to `out`; false (with `out` holding some of them) for
/// anything but canonical unpadded base64url.
pub fn decode_into(text: &[u8], out: &mut Vec<u8>) -> bool {
    let tail = text.len() % 4;
    if tail == 1 {
        return false;
    }
    let (body, rest) = text.split_at(text.len() - tail);
    let start = out.len();
    out.resize(start + body.len() / 4 * 3, 0);
    let dst = &mut out[start..];
    // Two groups (eight characters, six bytes) at a time, then the last group of four.
    let mut pairs = body.chunks_exact(8);
    let mut bytes = dst.chunks_exact_mut(6);
    for (pair, to) in pairs.by_ref().zip(bytes.by_ref()) {
        let (a, b) = (group(&pair[..4]), group(&pair[4..]));
        if (a | b) & GROUP_INVALID != 0 {
            return false;
        }
        let n = u64::from(a) | u64::from(b) << 24;
        to.copy_from_slice(&n.to_le_bytes()[..6]);
    }
    let quad = pairs.remainder();
    if !quad.is_empty() {
        let a = group(quad);
        if a & GROUP_INVALID != 0 {
            return false;
        }
        bytes
            .into_remainder()
            .copy_from_slice(&a.to_le_bytes()[..3]);
    }
    let mut n = 0u32;
    for (i, ch) in rest.iter().enumerate() {
        let v = VALUES[usize::from(*ch)];
        if v == INVALID {
            return false;
        }
        n |= u32::from(v) << (18 - 6 * i);
    }
    let bytes = n.to_be_bytes();
    match tail {
        // 2 characters: 12 bits, one byte and 4 unused bits that must be zero.
        2 if bytes[2] == 0 => out.push(bytes[1]),
        // 3 characters: 18 bits, two bytes and 2 unused bits that must be zero.
        3 if bytes[3] == 0 => out.extend_from_slice(&bytes[1..3]),
        0 => {}
        _ => return false,
    }
    true
}

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// True when `text` is canonical unpadded base64url (what [`decode`] accepts), without decoding.
pub fn is_canonical(text: &[u8]) -> bool {
    let Some(last) = text.last() else {
        return true;
    };
    if !is_alphabet(text) {
        return false;
    }
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    // The last character of a 2- or 3-character group carries 4 or 2 unused bits.
    match text.len() % 4 {
        1 => false,
        2 => value & 0x0f == 0,
        3 => value & 0x03 == 0,
        _ => true,
    }
}

/// True when every byte is in the base64url alphabet.
pub fn is_alphabet(text: &[u8]) -> bool {
    text.iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_canonical_form() {
        assert_eq!(decode(b"").unwrap(), b"");
        assert_eq!(decode(b"Zg").unwrap(), b"f");
        assert_eq!(decode(b"Zm8").unwrap(), b"fo");
        assert_eq!(decode(b"_-8").unwrap(), [0xff, 0xef]);
        for bad in [
            &b"Zg=="[..],
            b"Zg=",
            b"Zh",
            b"Zm9",
            b"Z",
            b"Zm 8",
            b"Zm+8",
            b"Zm/8",
            b"Zm8\n",
            b"\xffZm8",
        ] {
            assert!(decode(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn is_canonical_agrees_with_decode() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ";
        // Every string of up to 3 characters over the alphabet plus a few outsiders, and longer
        // prefixes of a real segment.
        let mut cases: Vec<Vec<u8>> = vec![vec![]];
        for a in alphabet {
            cases.push(vec![*a]);
            for b in alphabet {
                cases.push(vec![*a, *b]);
                for c in [b'A', b'B', b'Q', b'w', b'_', b'='] {
                    cases.push(vec![*a, *b, c]);
                }
            }
        }
        let seg = encode(b"some longer segment of bytes!");
        for n in 0..=seg.len() {
            cases.push(seg.as_bytes()[..n].to_vec());
        }
        for c in cases {
            assert_eq!(
                is_canonical(&c),
                decode(&c).is_some(),
                "{:?}",
                String::from_utf8_lossy(&c)
            );
        }
    }

    #[test]
    fn decode_agrees_with_the_base64_crate() {
        // The base64 crate's URL-safe, unpadded, canonical decoder is the reference.
        let alphabet = b"AQgwx_-9+=.\xff";
        let mut cases: Vec<Vec<u8>> = vec![vec![]];
        for len in 1..=5 {
            let mut next = Vec::new();
            for c in cases.iter().filter(|c| c.len() == len - 1) {
                for a in alphabet {
                    let mut v = c.clone();
                    v.push(*a);
                    next.push(v);
                }
            }
            cases.extend(next);
        }
        for c in &cases {
            assert_eq!(
                decode(c),
                URL_SAFE_NO_PAD.decode(c).ok(),
                "{:?}",
                String::from_utf8_lossy(c)
            );
        }
    }

    #[test]
    fn a_bad_character_anywhere_in_a_longer_text_is_refused() {
        for n in 0..24u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(91)).collect();
            let text = encode(&bytes);
            for at in 0..text.len() {
                for bad in [b'=', b'.', b'+', 0xff] {
                    let mut t = text.clone().into_bytes();
                    t[at] = bad;
                    assert_eq!(decode(&t), None, "{t:?}");
                }
            }
            let mut out = b"kept".to_vec();
            assert!(decode_into(text.as_bytes(), &mut out));
            assert_eq!(out[..4], *b"kept");
            assert_eq!(out[4..], bytes);
        }
    }

    #[test]
    fn round_trips_and_alphabet() {
        for n in 0..70u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode(encode(&bytes).as_bytes()).unwrap(), bytes);
        }
        assert!(is_alphabet(b"abcXYZ019-_"));
        assert!(!is_alphabet(b"ab.c"));
        assert!(!is_alphabet(b"ab="));
    }
}
