//! Token digests: the SHA-256 of a token, the only form in which a secret is kept after the
//! credential set is built, and the non-secret principal fingerprint derived from it.

use std::hash::{Hash, Hasher};

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

use crate::hex;

/// Domain separator of the principal fingerprint (so the fingerprint is never a plain hash of
/// the token or of its stored digest). Short enough that separator and digest fit one SHA-256
/// block.
const FINGERPRINT_DOMAIN: &[u8] = b"agents-core/fp/v1\0";

/// Hex digits of a fingerprint (128 bits).
const FINGERPRINT_HEX_LEN: usize = 32;

/// The SHA-256 of a token. Equality is constant-time, so using it as a map key or comparing two
/// digests leaks nothing about where they differ.
#[derive(Clone, Copy)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// Digests a token's bytes.
    pub fn of(token: &[u8]) -> Self {
        Self(Sha256::digest(token).into())
    }

    /// Reads a stored `tokenHash`: exactly 64 hex digits, either case. `None` otherwise.
    pub fn from_hex(text: &str) -> Option<Self> {
        hex::decode_exact(text).map(Self)
    }

    /// Lower-case hex, the plugin's storage format.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// The non-secret principal fingerprint: 32 hex digits of
    /// SHA-256(domain separator ‖ digest).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(FINGERPRINT_DOMAIN);
        h.update(self.0);
        hex::encode(&h.finalize()[..FINGERPRINT_HEX_LEN / 2])
    }
}

impl PartialEq for TokenDigest {
    /// Constant-time: the four 64-bit words are XORed and ORed together without branching, and
    /// the single aggregate is compared with `subtle`.
    fn eq(&self, other: &Self) -> bool {
        let mut acc = 0u64;
        for (a, b) in self.0.chunks_exact(8).zip(other.0.chunks_exact(8)) {
            let mut wa = [0u8; 8];
            let mut wb = [0u8; 8];
            wa.copy_from_slice(a);
            wb.copy_from_slice(b);
            acc |= u64::from_ne_bytes(wa) ^ u64::from_ne_bytes(wb);
        }
        acc.ct_eq(&0).into()
    }
}

impl Eq for TokenDigest {}

impl Hash for TokenDigest {
    /// Hashes the first 8 bytes only: a SHA-256 output is uniform, so they place entries as well
    /// as all 32 would (equality still compares all 32, in constant time), and the map's hasher
    /// is keyed per process, so bucket positions reveal nothing.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_ne_bytes(word));
    }
}

impl std::fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a digest: for a managed credential it is the stored hash.
        f.write_str("TokenDigest(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vector_and_hex_round_trip() {
        let d = TokenDigest::of(b"abc");
        let h = d.to_hex();
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenDigest::from_hex(&h), Some(d));
        assert_eq!(TokenDigest::from_hex(&h.to_ascii_uppercase()), Some(d));
    }

    #[test]
    fn from_hex_refuses_bad_text() {
        assert!(TokenDigest::from_hex("").is_none());
        assert!(TokenDigest::from_hex(&"a".repeat(63)).is_none());
        assert!(TokenDigest::from_hex(&"a".repeat(65)).is_none());
        assert!(TokenDigest::from_hex(&"g".repeat(64)).is_none());
        // 64 bytes but not 64 ASCII characters.
        assert!(TokenDigest::from_hex(&format!("{}é", "a".repeat(62))).is_none());
    }

    #[test]
    fn fingerprint_is_domain_separated_and_stable() {
        let d = TokenDigest::of(b"secret");
        let f = d.fingerprint();
        assert_eq!(f.len(), 32);
        assert_eq!(f, TokenDigest::of(b"secret").fingerprint());
        assert_ne!(f, TokenDigest::of(b"secret2").fingerprint());
        // Not a prefix of the digest itself, nor of a hash of the token.
        assert!(!d.to_hex().starts_with(&f));
        assert!(
            !TokenDigest::of(d.to_hex().as_bytes())
                .to_hex()
                .starts_with(&f)
        );
    }

    #[test]
    fn equality_sees_every_byte() {
        let d = TokenDigest::of(b"x");
        assert_eq!(d, TokenDigest::of(b"x"));
        for i in 0..32 {
            for bit in 0..8 {
                let mut other = d;
                other.0[i] ^= 1 << bit;
                assert_ne!(d, other, "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn debug_never_shows_the_digest() {
        let d = TokenDigest::of(b"x");
        assert_eq!(format!("{d:?}"), "TokenDigest(..)");
    }
}
