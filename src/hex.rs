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
    // Every digit is looked up; a byte that is not one sets the high bit of `bad`. No branch
    // depends on the digits.
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (hi, lo) = (VALUES[usize::from(pair[0])], VALUES[usize::from(pair[1])]);
        bad |= hi | lo;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (bad & 0x80 == 0).then_some(out)
}

/// The value of each hex digit; `0xff` for every byte that is not one.
const VALUES: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

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
        for c in (0u8..0x80).map(char::from) {
            let digit = c.to_digit(16);
            for text in [format!("{c}0"), format!("0{c}")] {
                let want = digit.map(|d| [if text.starts_with('0') { d } else { d << 4 } as u8]);
                assert_eq!(decode_exact::<1>(&text), want, "{text:?}");
            }
        }
    }
}
