//! Hexadecimal text: lower-case out, either case in.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of the bytes.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Appends the lower-case hex of the bytes to `out`.
pub fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
}

/// Reads exactly `N` bytes written as `2 × N` hex digits of either case; `None` for any other
/// length or any other character.
pub fn decode_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

fn digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[text.len() - 4..], "feff");
        let back: [u8; 256] = decode_exact(&text).unwrap();
        assert_eq!(back.to_vec(), all);
        let upper: [u8; 256] = decode_exact(&text.to_ascii_uppercase()).unwrap();
        assert_eq!(upper, back);
        let mut appended = b"x:".to_vec();
        encode_into(&mut appended, &all);
        assert_eq!(&appended[2..], text.as_bytes());
    }

    #[test]
    fn refuses_bad_text() {
        assert!(decode_exact::<2>("abc").is_none());
        assert!(decode_exact::<2>("abcdef").is_none());
        assert!(decode_exact::<2>("abcg").is_none());
        assert!(decode_exact::<2>("+bcd").is_none());
        assert!(decode_exact::<1>("é").is_none());
        assert_eq!(decode_exact::<0>(""), Some([]));
    }
}
