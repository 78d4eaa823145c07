//! SipHash (Aumasson and Bernstein), the keyed hash that places keys in the node table.
//!
//! One call hashes one contiguous byte string with a 128-bit key; there is no streaming state,
//! no length prefixes and no buffering of partial words, which is what makes it cheaper than
//! going through `std::hash::Hasher` for a short key. The table uses SipHash-1-3 (the variant
//! Rust's `HashMap` uses against hash flooding); [`sip24`] exists to check the implementation
//! against the reference test vectors of the SipHash paper.

/// A 128-bit SipHash key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub u64, pub u64);

#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-c-d of `data` under `k`: `C` rounds per 8-byte word, `D` finalization rounds.
#[inline(always)]
fn hash<const C: usize, const D: usize>(k: Key, data: &[u8]) -> u64 {
    let mut v = [
        k.0 ^ 0x736f_6d65_7073_6575,
        k.1 ^ 0x646f_7261_6e64_6f6d,
        k.0 ^ 0x6c79_6765_6e65_7261,
        k.1 ^ 0x7465_6462_7974_6573,
    ];
    let (words, tail) = data.as_chunks::<8>();
    for w in words {
        let m = u64::from_le_bytes(*w);
        v[3] ^= m;
        for _ in 0..C {
            round(&mut v);
        }
        v[0] ^= m;
    }
    // The last word: the remaining bytes, and the length (mod 256) in the top byte.
    let mut last = (data.len() as u64) << 56;
    for (i, b) in tail.iter().enumerate() {
        last |= u64::from(*b) << (8 * i);
    }
    v[3] ^= last;
    for _ in 0..C {
        round(&mut v);
    }
    v[0] ^= last;
    v[2] ^= 0xff;
    for _ in 0..D {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// SipHash-1-3 of `data` under `k`.
pub fn sip13(k: Key, data: &[u8]) -> u64 {
    hash::<1, 3>(k, data)
}

/// SipHash-2-4 of `data` under `k` (the paper's reference variant).
pub fn sip24(k: Key, data: &[u8]) -> u64 {
    hash::<2, 4>(k, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of the paper's test vectors: bytes 00 01 .. 0f.
    const K: Key = Key(0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);

    #[test]
    fn matches_the_reference_vectors() {
        // SipHash-2-4 of the messages 00, 00 01, .. (the paper, appendix A, and its vectors.h).
        let msg: Vec<u8> = (0..64u8).collect();
        assert_eq!(sip24(K, &msg[..0]), 0x726f_db47_dd0e_0e31);
        assert_eq!(sip24(K, &msg[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(sip24(K, &msg[..8]), 0x93f5_f579_9a93_2462);
        assert_eq!(sip24(K, &msg[..15]), 0xa129_ca61_49be_45e5);
        assert_eq!(sip24(K, &msg[..63]), 0x958a_324c_eb06_4572);
    }

    #[test]
    fn agrees_with_the_standard_library_on_every_length() {
        #[allow(deprecated)]
        use std::hash::{Hasher, SipHasher};
        let msg: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..msg.len() {
            #[allow(deprecated)]
            let mut h = SipHasher::new_with_keys(K.0, K.1);
            h.write(&msg[..len]);
            assert_eq!(sip24(K, &msg[..len]), h.finish(), "length {len}");
        }
    }

    #[test]
    fn the_key_matters() {
        let a = sip13(Key(1, 2), b"203.0.113.9|health");
        assert_ne!(a, sip13(Key(1, 3), b"203.0.113.9|health"));
        assert_ne!(a, sip13(Key(3, 2), b"203.0.113.9|health"));
        assert_eq!(a, sip13(Key(1, 2), b"203.0.113.9|health"));
    }
}
