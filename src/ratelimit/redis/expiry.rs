//! When a hit must set its key's expiry.
//!
//! A key's state matters until its TAT, at most the burst bound B after the hit that wrote it,
//! so each key must live at least that long past its last hit, and should not live much longer.
//! Setting the expiry on every hit (`PEXPIRE` in every pipeline) costs the server a second
//! command per hit. Instead every `PEXPIRE` sets B + [`REFRESH`] + 1 s, and each connection
//! remembers, per key, when it last did so: a hit within [`REFRESH`] of that skips the command.
//! Expiries only move later (every writer sets the same relative length), so the key then
//! still has at least B + 1 s to live, more than the TAT the hit can write.
//!
//! A key deleted since (by `reset` elsewhere, `FLUSHDB`, eviction) is created again by the hit's
//! `BITFIELD` without an expiry. The step's first operation, `SET u1 63 1`, marks every key it
//! touches (bit 63 of the string, outside the 63-bit TAT field) and answers the bit's old value:
//! 0 means this hit created the key, and a hit that skipped `PEXPIRE` then sets it at once, in
//! a round trip of its own. So every key carries an expiry of at least B + 1 s from its last
//! hit, and at most B + [`REFRESH`] + 1 s.
//!
//! [`Recent`] is a direct-mapped table: a key whose slot another key took simply counts as not
//! recent (the hit sends `PEXPIRE`). Keys are compared by a 128-bit identity (the first half of
//! their SHA-256), so one key is never taken for another.

use std::time::Duration;

/// How long after setting a key's expiry a connection skips setting it again.
pub const REFRESH: Duration = Duration::from_secs(5);

/// The expiry every `PEXPIRE` sets, in milliseconds, for a burst bound of `bound` µs.
pub fn ttl_ms(bound: u64) -> u64 {
    bound.div_ceil(1000) + REFRESH.as_millis() as u64 + 1000
}

/// Slots of [`Recent`]: 24 bytes each.
const SLOTS: usize = 4096;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    id: u128,
    /// When the expiry was set, in ms since the connection opened, plus one (0: empty).
    at: u64,
}

/// The keys whose expiry one connection set within [`REFRESH`].
#[derive(Debug)]
pub struct Recent {
    slots: Box<[Slot]>,
}

impl Default for Recent {
    fn default() -> Self {
        Self {
            slots: vec![Slot::default(); SLOTS].into_boxed_slice(),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX - 1)
}

impl Recent {
    fn slot(id: u128) -> usize {
        (id as usize) % SLOTS
    }

    /// True when this connection set the expiry of key `id` less than [`REFRESH`] before
    /// `now` (time since the connection opened).
    pub fn fresh(&self, id: u128, now: Duration) -> bool {
        let s = &self.slots[Self::slot(id)];
        s.at != 0 && s.id == id && millis(now) < (s.at - 1).saturating_add(millis(REFRESH))
    }

    /// Records that the expiry of key `id` was set at `now`.
    pub fn set(&mut self, id: u128, now: Duration) {
        self.slots[Self::slot(id)] = Slot {
            id,
            at: millis(now) + 1,
        };
    }

    /// Forgets key `id` (its state was deleted).
    pub fn forget(&mut self, id: u128) {
        let s = &mut self.slots[Self::slot(id)];
        if s.id == id {
            *s = Slot::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_recent_for_the_refresh_period_only() {
        let mut r = Recent::default();
        let t = Duration::from_millis(10);
        assert!(!r.fresh(7, t));
        r.set(7, t);
        assert!(r.fresh(7, t));
        assert!(r.fresh(7, t + REFRESH - Duration::from_millis(1)));
        assert!(!r.fresh(7, t + REFRESH));
        // At the connection's first instant too (the stored time is offset by one).
        r.set(9, Duration::ZERO);
        assert!(r.fresh(9, Duration::ZERO));
        r.forget(9);
        assert!(!r.fresh(9, Duration::ZERO));
    }

    #[test]
    fn a_key_in_the_same_slot_is_never_taken_for_another() {
        let mut r = Recent::default();
        let t = Duration::from_secs(1);
        let (a, b) = (5u128, 5u128 + SLOTS as u128);
        r.set(a, t);
        assert!(!r.fresh(b, t));
        r.set(b, t);
        assert!(!r.fresh(a, t), "b took a's slot: a is not recent any more");
        r.forget(a);
        assert!(r.fresh(b, t), "forgetting a leaves b");
        assert!(
            !r.fresh(0, t),
            "an empty slot matches no key, not even id 0"
        );
    }

    #[test]
    fn the_expiry_covers_the_bound_the_refresh_period_and_a_second() {
        assert_eq!(ttl_ms(60_000_000), 60_000 + 5_000 + 1_000);
        assert_eq!(ttl_ms(1), 1 + 5_000 + 1_000);
    }
}
