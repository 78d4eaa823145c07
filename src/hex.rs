//! Hexadecimal text: lower-case out, either case in.

use crate::swar::{HIGH, ONES, in_range};

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of the bytes.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    encode_into(&mut out, bytes);
    // Hex digits are ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The two lower-case hex digits of every byte value.
const PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    t
};

/// Appends the lower-case hex of the bytes to `out`.
pub fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + bytes.len() * 2, 0);
    for (pair, b) in out[start..].chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&PAIRS[usize::from(*b)]);
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
    // Eight digits at a time, then the rest one by one. No branch depends on the digits: a
    // character that is not one only sets bits of `bad`.
    let mut bad = 0u64;
    let mut words = bytes.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(4);
    for (o, w) in outs.by_ref().zip(words.by_ref()) {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let (value, invalid) = decode_word(u64::from_le_bytes(word));
        bad |= invalid;
        o.copy_from_slice(&value.to_le_bytes());
    }
    for (o, pair) in outs
        .into_remainder()
        .iter_mut()
        .zip(words.remainder().chunks_exact(2))
    {
        let (hi, lo) = (VALUES[usize::from(pair[0])], VALUES[usize::from(pair[1])]);
        bad |= u64::from((hi | lo) & 0x80);
        *o = (hi << 4) | (lo & 0x0f);
    }
    (bad == 0).then_some(out)
}

/// Eight hex digits (first digit in the lowest byte) → their four bytes (first byte lowest),
/// and a non-zero second value when any of the eight is not a hex digit.
const fn decode_word(w: u64) -> (u32, u64) {
    let non_ascii = w & HIGH;
    let x = w & !HIGH;
    let digit = in_range(x, b'0', b'9');
    // Setting bit 5 maps `A`-`F` onto `a`-`f` and no other byte into that range.
    let letter = in_range(x | (ONES * 0x20), b'a', b'f');
    let invalid = non_ascii | ((digit | letter) ^ HIGH);
    // A digit's value is its low nibble; a letter's is its low nibble plus 9.
    let nibbles = (x & (ONES * 0x0f)) + (letter >> 7) * 9;
    // Each 16-bit lane: first digit (high nibble) in its low byte, second in its high byte.
    let lanes = ((nibbles & 0x000f_000f_000f_000f) << 4) | ((nibbles >> 8) & 0x000f_000f_000f_000f);
    let pairs = (lanes | (lanes >> 8)) & 0x0000_ffff_0000_ffff;
    let quad = (pairs | (pairs >> 16)) & 0xffff_ffff;
    (quad as u32, invalid)
}

/// The value of each hex digit of either case; `0xff` for every byte that is not one.
pub const VALUES: [u8; 256] = {
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

    /// The decoder digit by digit, through the table alone.
    fn decode_by_table(text: &[u8]) -> Option<Vec<u8>> {
        text.chunks_exact(2)
            .map(|p| {
                let (hi, lo) = (VALUES[usize::from(p[0])], VALUES[usize::from(p[1])]);
                ((hi | lo) & 0x80 == 0).then_some((hi << 4) | lo)
            })
            .collect()
    }

    #[test]
    fn eight_digits_at_a_time_read_what_the_table_reads() {
        // Every pair of bytes at every position of a word, in a 32-byte value (what a token
        // digest is) and in one whose length leaves a remainder.
        let base = b"0123456789abcdefABCDEF0123456789aBcDeF0123456789abcdef0123456789".to_vec();
        for hi in 0..=255u8 {
            for lo in 0..=255u8 {
                for at in [0, 6, 14, 62] {
                    let mut text = base.clone();
                    text[at] = hi;
                    text[at + 1] = lo;
                    let want = decode_by_table(&text);
                    // decode_exact takes text: only UTF-8 reaches it.
                    if let Ok(t) = std::str::from_utf8(&text) {
                        let got: Option<[u8; 32]> = decode_exact(t);
                        assert_eq!(got.map(|g| g.to_vec()), want, "{text:?}");
                        let got: Option<[u8; 13]> = decode_exact(&t[..26]);
                        let want = decode_by_table(&text[..26]);
                        assert_eq!(got.map(|g| g.to_vec()), want, "{text:?}");
                    }
                }
            }
        }
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
