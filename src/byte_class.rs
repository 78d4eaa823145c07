//! Byte-class tables: for every byte value, one bit per class it belongs to, built at compile
//! time; and the one check of a byte string against a class. A grammar that checks bytes this
//! way costs one table lookup and one AND per byte, with no branch on the bytes' content
//! (tokens are secrets: their check takes the same time whatever they hold).

/// One table: bit `k` of entry `b` is set when byte `b` is in class `k`.
pub type Table = [u8; 256];

/// A table with no class set.
pub const EMPTY: Table = [0; 256];

/// `t` with `bits` set for every ASCII letter and digit.
pub const fn alphanumeric(t: Table, bits: u8) -> Table {
    range(
        range(range(t, b'0', b'9', bits), b'A', b'Z', bits),
        b'a',
        b'z',
        bits,
    )
}

/// `t` with `bits` set for every byte from `lo` to `hi`, both included.
pub const fn range(mut t: Table, lo: u8, hi: u8, bits: u8) -> Table {
    let mut b = lo as usize;
    while b <= hi as usize {
        t[b] |= bits;
        b += 1;
    }
    t
}

/// `t` with `bits` set for every byte of `set`.
pub const fn bytes(mut t: Table, set: &[u8], bits: u8) -> Table {
    let mut i = 0;
    while i < set.len() {
        t[set[i] as usize] |= bits;
        i += 1;
    }
    t
}

/// True when every byte of `s` has every bit of `class` in `t` (true for an empty `s`).
pub fn all_in(t: &Table, s: &[u8], class: u8) -> bool {
    s.iter().fold(class, |acc, &b| acc & t[usize::from(b)]) == class
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Table = bytes(alphanumeric(EMPTY, 1), b"-_", 2);

    #[test]
    fn tables_hold_exactly_the_bytes_given() {
        for b in 0..=255u8 {
            assert_eq!(T[usize::from(b)] & 1 != 0, b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(T[usize::from(b)] & 2 != 0, b == b'-' || b == b'_', "{b}");
        }
        assert_eq!(range(EMPTY, 255, 255, 4)[255], 4);
        assert_eq!(range(EMPTY, 0, 0, 4)[0], 4);
    }

    #[test]
    fn all_in_asks_every_byte() {
        assert!(all_in(&T, b"abc123", 1));
        assert!(all_in(&T, b"", 1));
        assert!(!all_in(&T, b"abc-123", 1));
        assert!(all_in(&T, b"-_-", 2));
        assert!(!all_in(&T, b"-_a", 2));
        assert!(!all_in(&T, b"a", 3));
    }
}
