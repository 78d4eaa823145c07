//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace, no
//! characters outside `A-Z a-z 0-9 - _`, and zero trailing bits, so every byte string has exactly
//! one accepted encoding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes canonical unpadded base64url; `None` for anything else.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
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
