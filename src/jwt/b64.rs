//! Canonical unpadded base64url (RFC 7515 §2, RFC 4648 §5): no padding, no whitespace, no
//! characters outside `A-Z a-z 0-9 - _`, and zero trailing bits, so every byte string has exactly
//! one accepted encoding.
#![forbid(unsafe_code)]

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
