//! The node table: a fixed array of 64-bit slots, each holding one GCRA state (a TAT in
//! microseconds; 0 = unused), shared by every worker of the node through [`super::shm`].
//!
//! A key maps to exactly one slot, chosen by a keyed hash (SipHash with a random key drawn once
//! at start-up and inherited by every worker, so clients cannot aim at another client's slot).
//! Updates are a single compare-and-swap from the state that was read, so concurrent workers
//! never lose a hit. There is no "full": when two keys map to the same slot they share one
//! state and are limited together. A slot's TAT is then at least the TAT either key would have
//! alone, so sharing can only make a decision stricter, never looser.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::gcra::{self, Decision, Params};

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
    seed: RandomState,
}

static NODE: OnceLock<Table> = OnceLock::new();

impl Table {
    /// A table over `slots` (at least one) with a fresh random hash key.
    pub fn new(slots: &'static [AtomicU64]) -> Self {
        Self {
            slots,
            seed: RandomState::new(),
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Never true: a table has at least one slot.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn slot(&self, prefix: &[u8], key: &[u8]) -> &AtomicU64 {
        let h = self.seed.hash_one((prefix, key));
        // Lemire's multiply-shift maps the hash onto 0..len without a division.
        let i = ((u128::from(h) * self.slots.len() as u128) >> 64) as usize;
        &self.slots[i]
    }

    /// Decides a hit and commits it when allowed (compare-and-swap, retried on contention).
    pub fn hit(&self, p: &Params, prefix: &[u8], key: &[u8], cost: u64, now: u64) -> Decision {
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
    pub fn reset(&self, prefix: &[u8], key: &[u8]) {
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
        assert!(t.hit(&p, b"", b"a", 2, NOW).allowed);
        assert!(!t.hit(&p, b"", b"a", 1, NOW).allowed);
        assert!(t.hit(&p, b"", b"b", 2, NOW).allowed);
        assert!(t.hit(&p, b"x", b"a", 2, NOW).allowed, "prefix separates");
        t.reset(b"", b"a");
        assert!(t.hit(&p, b"", b"a", 1, NOW).allowed);
    }

    #[test]
    fn sharing_a_slot_is_stricter_never_looser() {
        // One slot: every key shares it. Together they get one limit, never more.
        let t = table(1);
        let p = Params::new(10, 60);
        let mut admitted = 0;
        for i in 0..100u32 {
            if t.hit(&p, b"", &i.to_le_bytes(), 1, NOW).allowed {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 10);
    }

    #[test]
    fn concurrent_threads_never_exceed_the_limit() {
        let t: &'static Table = Box::leak(Box::new(table(1024)));
        let p = Params::new(1000, 3600);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    (0..500)
                        .filter(|_| t.hit(&p, b"", b"k", 1, NOW).allowed)
                        .count()
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 1000);
    }
}
