//! Eight bytes at a time in one `u64` ("SIMD within a register"): the constants, the range
//! test and the ASCII test that the fast paths of the hex, date, JSON and JWT readers and the
//! PHP glue's text check build on.

/// Each byte's top bit.
pub const HIGH: u64 = 0x8080_8080_8080_8080;
/// One in each byte.
pub const ONES: u64 = 0x0101_0101_0101_0101;

/// Per byte of `x` (each below 0x80): the top bit set where `lo <= byte <= hi`. No sum carries
/// into the next byte (each stays below 0x100).
pub const fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = x + ONES * (0x80 - lo as u64);
    let above_hi = x + ONES * (0x7f - hi as u64);
    at_least_lo & !above_hi & HIGH
}

/// True when every byte of `bytes` is ASCII (below 0x80), eight bytes at a time.
#[inline]
pub fn all_ascii(bytes: &[u8]) -> bool {
    let mut high = 0u64;
    let mut words = bytes.chunks_exact(8);
    for w in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        high |= u64::from_ne_bytes(word);
    }
    let mut tail = 0u8;
    for &b in words.remainder() {
        tail |= b;
    }
    high & HIGH == 0 && tail & 0x80 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_ascii_sees_every_byte() {
        assert!(all_ascii(b""));
        let text = b"abcdefghijklmnopq";
        assert!(all_ascii(text));
        for i in 0..text.len() {
            let mut b = *text;
            b[i] = 0x80;
            assert!(!all_ascii(&b), "{i}");
        }
    }

    #[test]
    fn in_range_marks_exactly_the_bytes_in_range() {
        for b in 0..0x80u8 {
            let x = u64::from_le_bytes([b, 0x7f, b, 0, b, b'0', b, b'9']);
            let got = in_range(x, b'0', b'9').to_le_bytes();
            for (i, byte) in x.to_le_bytes().into_iter().enumerate() {
                assert_eq!(got[i] == 0x80, byte.is_ascii_digit(), "{b} at {i}");
            }
        }
    }
}
