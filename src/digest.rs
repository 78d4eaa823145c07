//! Token digests: the SHA-256 of a token, the only form in which a secret is kept after the
//! credential set is built, and the non-secret principal fingerprint derived from it.

use sha2::{Digest as _, Sha256};

use std::sync::OnceLock;

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
    /// Constant-time ([`crate::constant_time::equal`]).
    fn eq(&self, other: &Self) -> bool {
        crate::constant_time::equal(&self.0, &other.0)
    }
}

impl Eq for TokenDigest {}

/// This process's secret key for placing digests (see [`DigestTable`]), drawn from the OS
/// random source on first use. Should that source fail, the key is fixed: placing still mixes
/// every byte of a digest, only an attacker who knows the key could then aim at one bucket.
fn placement_key() -> &'static [u64; 4] {
    static KEY: OnceLock<[u64; 4]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut bytes = [0u8; 32];
        if getrandom::getrandom(&mut bytes).is_err() {
            bytes = *b"agents-core/digest-table/key/v1\0";
        }
        let mut key = [0u64; 4];
        for (k, chunk) in key.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *k = u64::from_ne_bytes(word);
        }
        key
    })
}

/// The 128-bit product of `a` and `b`, its halves XORed together: every bit of either factor
/// reaches the result.
const fn folded(a: u64, b: u64) -> u64 {
    let p = (a as u128) * (b as u128);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Where a digest goes in a [`DigestTable`] under this process's key.
fn place(digest: &TokenDigest) -> u64 {
    place_with(placement_key(), digest)
}

/// Where a digest goes under key `k`: its four words, each XORed with a word of the key and
/// multiplied in pairs, then the sum run through a 64-bit finalizer (shifts and odd
/// multipliers) so that every bit of it, the low ones a bucket is picked by included, depends
/// on every bit of the products. Without the finalizer, digests that differ only in their
/// last bytes would reach the low bits through a sum that grows step by step with them.
fn place_with(k: &[u64; 4], digest: &TokenDigest) -> u64 {
    let mut w = [0u64; 4];
    for (word, chunk) in w.iter_mut().zip(digest.0.chunks_exact(8)) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        *word = u64::from_ne_bytes(bytes);
    }
    let mut h = folded(w[0] ^ k[0], w[1] ^ k[1]) ^ folded(w[2] ^ k[2], w[3] ^ k[3]);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Positions in a list of digests held elsewhere (a credential set's entries), found by digest.
///
/// The table keeps only the positions, eight bytes a slot: each digest stays in its entry, and
/// a slot is confirmed by comparing the entry's full digest in constant time. A map holding the
/// digests took 40 bytes a slot, which for ten thousand credentials no longer fits a core's
/// cache, so every insert and every lookup missed it.
///
/// A digest is placed by a keyed mix of all 32 of its bytes ([`place_with`]): two
/// multiplications and a finalizer.
///
/// * Digests of generated tokens are evenly spread SHA-256 outputs, but a stored `tokenHash`
///   is whatever the credentials table holds: imported or fixture rows, or rows written to
///   collide, can share any number of leading bytes. Placed by a fixed part of the digest,
///   such rows would all land in one bucket and make every build quadratic in their number;
///   mixed with a key drawn at random per process, they spread as SHA-256 outputs do, and
///   writing a table to collide would take the key, which never leaves the process.
/// * A request only looks a digest up and never inserts one, so no client can lengthen a
///   probe sequence. A lookup starts from the presented digest, which its client already
///   knows (the SHA-256 of its own token); at most its timing could tell whether some stored
///   digest shares a bucket with one the client chose, and a bucket gives no way back to a
///   token (preimage resistance), and only the token authenticates.
#[derive(Debug, Default, Clone)]
pub struct DigestTable(hashbrown::HashTable<usize>);

/// A free slot of a [`DigestTable`] for one digest, from [`DigestTable::slot`].
pub struct FreeSlot<'t>(hashbrown::hash_table::VacantEntry<'t, usize>);

impl FreeSlot<'_> {
    /// Records `position` (where the list holds the digest) in the slot.
    pub fn fill(self, position: usize) {
        self.0.insert(position);
    }
}

impl DigestTable {
    /// An empty table with room for `n` digests.
    pub fn with_capacity(n: usize) -> Self {
        Self(hashbrown::HashTable::with_capacity(n))
    }

    /// The position of `digest`: one whose digest, as `at` gives it, equals `digest` (compared
    /// in constant time). `at(i)` is the digest at position `i` of the list.
    pub fn find<'l>(
        &self,
        digest: &TokenDigest,
        at: impl Fn(usize) -> Option<&'l TokenDigest>,
    ) -> Option<usize> {
        self.0
            .find(place(digest), |&i| at(i).is_some_and(|d| d == digest))
            .copied()
    }

    /// The free slot for `digest`, or the position already recorded for an equal digest. `at`
    /// as for [`DigestTable::find`], for every position recorded so far (the table may move its
    /// slots, placing each by its digest, to make room).
    pub fn slot<'l>(
        &mut self,
        digest: &TokenDigest,
        at: impl Fn(usize) -> Option<&'l TokenDigest>,
    ) -> Result<FreeSlot<'_>, usize> {
        let entry = self.0.entry(
            place(digest),
            |&i| at(i).is_some_and(|d| d == digest),
            |&i| at(i).map_or(0, place),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(first) => Err(*first.get()),
            hashbrown::hash_table::Entry::Vacant(free) => Ok(FreeSlot(free)),
        }
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
    fn the_table_finds_each_position_by_its_digest() {
        // Starts small: the table grows (and moves its slots) many times on the way.
        let mut table = DigestTable::with_capacity(1);
        let mut list: Vec<TokenDigest> = Vec::new();
        for i in 0..1000u32 {
            let digest = TokenDigest::of(&i.to_le_bytes());
            let free = table.slot(&digest, |p| list.get(p)).ok().unwrap();
            free.fill(list.len());
            list.push(digest);
        }
        for (i, digest) in list.iter().enumerate() {
            assert_eq!(table.find(digest, |p| list.get(p)), Some(i));
            // An equal digest already has its position.
            assert_eq!(table.slot(digest, |p| list.get(p)).err(), Some(i));
        }
        assert_eq!(
            table.find(&TokenDigest::of(b"absent"), |p| list.get(p)),
            None
        );
        // A position is confirmed by the whole digest: one that differs in a single bit is
        // not found.
        let mut near = list[7];
        near.0[31] ^= 1;
        assert_eq!(table.find(&near, |p| list.get(p)), None);
    }

    /// Keys for the spread tests: fixed, so that a test run is repeatable (SplitMix64 steps).
    fn keys(n: u64) -> Vec<[u64; 4]> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        (0..n).map(|_| [next(), next(), next(), next()]).collect()
    }

    /// 4 096 digests, zero but for two bytes at `at` that count up.
    fn counting_at(at: usize) -> Vec<TokenDigest> {
        (0..4096u16)
            .map(|i| {
                let mut d = [0u8; 32];
                d[at..at + 2].copy_from_slice(&i.to_be_bytes());
                TokenDigest(d)
            })
            .collect()
    }

    #[test]
    fn digests_that_share_all_but_two_bytes_are_spread_out() {
        // Stored hashes that differ only in two bytes (fixtures, imports, rows written to
        // collide), wherever those bytes are: under every key, each digest gets a place of its
        // own, and the low bits that pick one of 4 096 buckets are as spread as a random
        // function spreads them (about 2 589 distinct buckets, give or take 30).
        let mut all = keys(24);
        all.push(*placement_key());
        for key in &all {
            for at in [0, 6, 8, 15, 24, 30] {
                let places: std::collections::HashSet<u64> =
                    counting_at(at).iter().map(|d| place_with(key, d)).collect();
                assert_eq!(places.len(), 4096, "at {at}");
                let buckets: std::collections::HashSet<u64> =
                    places.iter().map(|p| p & 0xfff).collect();
                assert!(buckets.len() > 2400, "at {at}: {}", buckets.len());
            }
        }
        // And the table finds each of them.
        let digests = counting_at(30);
        let mut table = DigestTable::with_capacity(digests.len());
        for (i, d) in digests.iter().enumerate() {
            table.slot(d, |p| digests.get(p)).ok().unwrap().fill(i);
        }
        for (i, d) in digests.iter().enumerate() {
            assert_eq!(table.find(d, |p| digests.get(p)), Some(i));
        }
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
