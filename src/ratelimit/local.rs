//! The node table: a fixed array of 64-bit slots, each holding one GCRA state (a TAT in
//! microseconds; 0 = unused), shared by every worker of the node through [`super::shm`].
//!
//! A key maps to exactly one slot, chosen by a keyed hash (SipHash-1-3 under a 128-bit key drawn
//! from the OS once at start-up and inherited by every worker, so clients cannot aim at another
//! client's slot). Each prefix gets its own key, derived from the table's ([`Table::key_for`]),
//! so a hit hashes the key alone, in one pass.
//! Updates are a single compare-and-swap from the state that was read, so concurrent workers
//! never lose a hit. There is no "full": when two keys map to the same slot they share one
//! state and are limited together. A slot's TAT is then at least the TAT either key would have
//! alone, so sharing can only make a decision stricter, never looser.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::gcra::{self, Decision, Params};
use super::siphash::{self, Key};

/// Default number of slots: 1 Mi slots, 8 MiB, for ~100 000 active keys (about 1 in 10 of them
/// then shares its slot with another active key; see `docs/rate-limiting.md`).
pub const DEFAULT_SLOTS: usize = 1 << 20;
/// Smallest accepted table.
pub const MIN_SLOTS: usize = 1024;
/// Largest accepted table (2 GiB).
pub const MAX_SLOTS: usize = 1 << 28;

/// A table of slots plus the hash key that spreads keys over it.
pub struct Table {
    slots: &'static [AtomicU64],
    seed: Key,
}

/// The hash key of one prefix in one table (see [`Table::key_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixKey(Key);

/// 128 random bits from the OS; should the OS refuse, the standard library's per-process random
/// hash keys (themselves drawn from the OS when it allows, never a constant).
fn random_key() -> Key {
    let mut b = [[0u8; 8]; 2];
    if getrandom::getrandom(b.as_flattened_mut()).is_ok() {
        return Key(u64::from_le_bytes(b[0]), u64::from_le_bytes(b[1]));
    }
    let s = RandomState::new();
    Key(s.hash_one(0u8), s.hash_one(1u8))
}

static NODE: OnceLock<Table> = OnceLock::new();

impl Table {
    /// A table over `slots` (at least one) with a fresh random hash key.
    pub fn new(slots: &'static [AtomicU64]) -> Self {
        Self {
            slots,
            seed: random_key(),
        }
    }

    /// The hash key of `prefix`: two SipHash-1-3 outputs of the prefix under the table's key
    /// (domain-separated by a trailing byte). Distinct prefixes get unrelated keys, so the same
    /// client key under two prefixes lands on unrelated slots. Compute it once per limiter.
    pub fn key_for(&self, prefix: &[u8]) -> PrefixKey {
        let mut m = Vec::with_capacity(prefix.len() + 1);
        m.extend_from_slice(prefix);
        m.push(0);
        let k0 = siphash::sip13(self.seed, &m);
        if let Some(last) = m.last_mut() {
            *last = 1;
        }
        PrefixKey(Key(k0, siphash::sip13(self.seed, &m)))
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Never true: a table has at least one slot.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn slot(&self, prefix: PrefixKey, key: &[u8]) -> &AtomicU64 {
        let h = siphash::sip13(prefix.0, key);
        // Lemire's multiply-shift maps the hash onto 0..len without a division.
        let i = ((u128::from(h) * self.slots.len() as u128) >> 64) as usize;
        &self.slots[i]
    }

    /// Decides a hit and commits it when allowed (compare-and-swap, retried on contention).
    /// `prefix` comes from [`Self::key_for`] on this table.
    pub fn hit(&self, p: &Params, prefix: PrefixKey, key: &[u8], cost: u64, now: u64) -> Decision {
        let slot = self.slot(prefix, key);
        let mut cur = slot.load(Ordering::Acquire);
        loop {
            let d = gcra::decide(p, cur, now, cost);
            if !d.allowed {
                return d;
            }
            match slot.compare_exchange_weak(cur, d.tat, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return d,
                Err(seen) => cur = seen,
            }
        }
    }

    /// Forgets the key's state (and that of any key sharing its slot).
    pub fn reset(&self, prefix: PrefixKey, key: &[u8]) {
        self.slot(prefix, key).store(0, Ordering::Release);
    }
}

/// Clamps a configured slot count into the accepted range.
pub fn clamp_slots(slots: usize) -> usize {
    slots.clamp(MIN_SLOTS, MAX_SLOTS)
}

/// Creates the node table (MINIT, before any fork). Later calls keep the first table.
/// Returns false when the memory could not be mapped (the local store then denies).
pub fn startup(slots: usize) -> bool {
    if NODE.get().is_some() {
        return true;
    }
    match super::shm::map(clamp_slots(slots)) {
        Some(mem) => NODE.set(Table::new(mem)).is_ok() || NODE.get().is_some(),
        None => false,
    }
}

/// The node table, if [`startup`] created one.
pub fn node() -> Option<&'static Table> {
    NODE.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: usize) -> Table {
        Table::new(super::super::shm::map(n).unwrap())
    }

    const NOW: u64 = 1_700_000_000_000_000;

    #[test]
    fn keys_are_independent_in_a_large_table() {
        let t = table(1 << 16);
        let p = Params::new(2, 60);
        let (e, x) = (t.key_for(b""), t.key_for(b"x"));
        assert_ne!(e, x);
        assert_eq!(e, t.key_for(b""));
        assert!(t.hit(&p, e, b"a", 2, NOW).allowed);
        assert!(!t.hit(&p, e, b"a", 1, NOW).allowed);
        assert!(t.hit(&p, e, b"b", 2, NOW).allowed);
        assert!(t.hit(&p, x, b"a", 2, NOW).allowed, "prefix separates");
        t.reset(e, b"a");
        assert!(t.hit(&p, e, b"a", 1, NOW).allowed);
    }

    #[test]
    fn sharing_a_slot_is_stricter_never_looser() {
        // One slot: every key shares it. Together they get one limit, never more.
        let t = table(1);
        let p = Params::new(10, 60);
        let mut admitted = 0;
        let e = t.key_for(b"");
        for i in 0..100u32 {
            if t.hit(&p, e, &i.to_le_bytes(), 1, NOW).allowed {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 10);
    }

    #[test]
    fn concurrent_threads_never_exceed_the_limit() {
        let t: &'static Table = Box::leak(Box::new(table(1024)));
        let p = Params::new(1000, 3600);
        let e = t.key_for(b"");
        let handles: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    (0..500)
                        .filter(|_| t.hit(&p, e, b"k", 1, NOW).allowed)
                        .count()
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 1000);
    }

    #[test]
    fn keys_spread_over_the_table_and_tables_differ() {
        let (a, b) = (table(1 << 10), table(1 << 10));
        assert_ne!(a.seed, b.seed, "each table draws its own key");
        let e = a.key_for(b"spread");
        let mut used = vec![false; a.len()];
        for i in 0..4096u32 {
            let slot = a.slot(e, format!("198.51.{}.{}|api", i >> 8, i & 255).as_bytes());
            let i = (std::ptr::from_ref(slot) as usize - a.slots.as_ptr() as usize) / 8;
            used[i] = true;
        }
        // 4 096 keys over 1 024 slots leave about e^-4 (under 2 %) of the slots unused.
        assert!(used.iter().filter(|u| !**u).count() < 60);
    }
}
