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
    /// as all 32 would (equality still compares all 32, in constant time). See [`DigestHasher`]
    /// for the map that takes them as its hash.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_ne_bytes(word));
    }
}

/// The hasher of [`DigestIndex`]: the first eight bytes of the digest are the hash, unmixed.
///
/// Why that is safe where a keyed hash is the usual defence:
///
/// * Flooding needs an attacker to insert many keys that land in one bucket. A digest index is
///   filled once, when its Guard is built, from the configured credentials (digests of
///   generated tokens, written by the site's own administrators and deployment); a request
///   only looks a digest up and never inserts one, so no client can lengthen a probe sequence.
///   How long any lookup probes is a property of the table alone, and a table of SHA-256
///   outputs is as evenly spread as one placed by a random hash.
/// * A lookup's starting bucket comes from the presented digest, which its client already
///   knows (the SHA-256 of its own token). At most its timing could tell whether some stored
///   digest shares a few bits (the bucket and hashbrown's 7-bit tag) with a digest the client
///   chose; bits of a SHA-256 output give no way back to the token (preimage resistance), and
///   only the token authenticates.
///
/// What it saves: SipHash over the key on every insert at build and on every request's
/// lookup.
#[derive(Debug, Default, Clone, Copy)]
pub struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    /// What [`TokenDigest`]'s `Hash` writes: its first eight bytes, taken as they are.
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    /// Any other input (a `TokenDigest` never writes one): folded in eight bytes at a time.
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_ne_bytes(word);
        }
    }
}

/// A map keyed by token digests, hashed with [`DigestHasher`].
pub type DigestIndex<V> =
    std::collections::HashMap<TokenDigest, V, std::hash::BuildHasherDefault<DigestHasher>>;

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
    fn the_index_hash_is_the_first_eight_bytes() {
        let d = TokenDigest::of(b"x");
        let mut h = DigestHasher::default();
        d.hash(&mut h);
        let mut word = [0u8; 8];
        word.copy_from_slice(&d.0[..8]);
        assert_eq!(h.finish(), u64::from_ne_bytes(word));
        let mut index = DigestIndex::default();
        for i in 0..1000u32 {
            index.insert(TokenDigest::of(&i.to_le_bytes()), i);
        }
        for i in 0..1000u32 {
            assert_eq!(index.get(&TokenDigest::of(&i.to_le_bytes())), Some(&i));
        }
        assert_eq!(index.get(&TokenDigest::of(b"absent")), None);
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
