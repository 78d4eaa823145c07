//! When a hit must set its key's expiry.
//!
//! A key's state matters until its TAT, at most the burst bound B after the `now` of the hit
//! that wrote it, so each key must live at least that long past its last hit, and should not
//! live much longer. Setting the expiry on every hit (`PEXPIRE` in every pipeline) costs the
//! server a second command per hit. Instead every `PEXPIRE` sets B + [`REFRESH`] + 1 s, and each
//! connection remembers, per key, when it last did so, on two clocks: its monotonic clock, and
//! the `now` the hit wrote its TAT against (Redis' clock as estimated, or the caller's). A hit
//! skips the command only when less than [`REFRESH`] has passed on both. The TAT it writes is
//! then at most B + [`REFRESH`] past the `now` of the hit that set the expiry, which Redis
//! counted from about that same instant: the key outlives the state by the second's margin,
//! as when the expiry was set on every hit. A `now` [`REFRESH`] or more past the recorded one
//! (Redis' clock stepped forward, seen at the connection's next `TIME`; a caller's `now` that
//! jumps) sets the expiry again at once; a `now` that lags or goes back only lowers the TAT a
//! hit can write.
//!
//! Every writer of a key sets the same relative expiry (the key's name hashes the limit and
//! window, see [`crate::ratelimit`]), so expiries only move later while Redis' clock does not
//! step back.
//!
//! A key deleted since (by `reset` elsewhere, `FLUSHDB`, eviction) is created again by the hit's
//! `BITFIELD` without an expiry. The step's first operation, `SET u1 63 1`, marks every key it
//! touches (bit 63 of the string, outside the 63-bit TAT field) and answers the bit's old value:
//! 0 means this hit created the key (or found a string someone else wrote, with that bit
//! clear), and a hit that skipped `PEXPIRE` then sets it at once, in a round trip of its own.
//!
//! [`Recent`] is a direct-mapped table: a key whose slot another key took simply counts as not
//! recent (the hit sends `PEXPIRE`). Keys are compared by a 128-bit identity (the first half of
//! their SHA-256), so one key is never taken for another.

use std::time::Duration;

/// How long after setting a key's expiry a connection skips setting it again.
pub const REFRESH: Duration = Duration::from_secs(5);

/// [`REFRESH`] in microseconds, the unit of a hit's `now`.
const REFRESH_MICROS: u64 = REFRESH.as_micros() as u64;

/// The expiry every `PEXPIRE` sets, in milliseconds, for a burst bound of `bound` µs.
pub fn ttl_ms(bound: u64) -> u64 {
    bound.div_ceil(1000) + REFRESH.as_millis() as u64 + 1000
}

/// Slots of [`Recent`]: 32 bytes each.
const SLOTS: usize = 4096;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The key's identity, as two halves (keeps the slot at 8-byte alignment).
    id: [u64; 2],
    /// When the expiry was set, in ms since the connection opened, plus one (0: empty).
    at: u64,
    /// The `now` (µs) of the hit that set it.
    now: u64,
}

fn halves(id: u128) -> [u64; 2] {
    [id as u64, (id >> 64) as u64]
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

    /// True when this connection set the expiry of key `id` less than [`REFRESH`] before, both
    /// at `elapsed` (time since the connection opened) and at `now` (the hit's time, µs). A
    /// `now` earlier than the recorded one is no later than it for the TAT it bounds.
    pub fn fresh(&self, id: u128, elapsed: Duration, now: u64) -> bool {
        let s = &self.slots[Self::slot(id)];
        s.at != 0
            && s.id == halves(id)
            && millis(elapsed) < (s.at - 1).saturating_add(millis(REFRESH))
            && now < s.now.saturating_add(REFRESH_MICROS)
    }

    /// Records that the expiry of key `id` was set by a hit at `elapsed` and `now`.
    pub fn set(&mut self, id: u128, elapsed: Duration, now: u64) {
        self.slots[Self::slot(id)] = Slot {
            id: halves(id),
            at: millis(elapsed) + 1,
            now,
        };
    }

    /// Forgets key `id` (its state was deleted).
    pub fn forget(&mut self, id: u128) {
        let s = &mut self.slots[Self::slot(id)];
        if s.id == halves(id) {
            *s = Slot::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_900_000_000_000;

    #[test]
    fn a_key_is_recent_for_the_refresh_period_only() {
        let mut r = Recent::default();
        let t = Duration::from_millis(10);
        assert!(!r.fresh(7, t, NOW));
        r.set(7, t, NOW);
        assert!(r.fresh(7, t, NOW));
        assert!(r.fresh(7, t + REFRESH - Duration::from_millis(1), NOW));
        assert!(!r.fresh(7, t + REFRESH, NOW));
        // At the connection's first instant too (the stored time is offset by one).
        r.set(9, Duration::ZERO, NOW);
        assert!(r.fresh(9, Duration::ZERO, NOW));
        r.forget(9);
        assert!(!r.fresh(9, Duration::ZERO, NOW));
    }

    /// A hit's `now` that moved on by the refresh period (Redis' clock stepped forward, the
    /// caller's clock jumped) sets the expiry again, however little
    /// time passed on this connection's monotonic clock; a `now` that went back does not.
    #[test]
    fn either_clock_ends_the_refresh_period() {
        let mut r = Recent::default();
        let t = Duration::from_secs(1);
        r.set(7, t, NOW);
        assert!(r.fresh(7, t, NOW + REFRESH_MICROS - 1));
        assert!(!r.fresh(7, t, NOW + REFRESH_MICROS));
        assert!(!r.fresh(7, t, NOW + 13_000_000));
        assert!(r.fresh(7, t, NOW - 13_000_000));
        assert!(!r.fresh(7, t + REFRESH, NOW - 13_000_000));
    }

    #[test]
    fn a_key_in_the_same_slot_is_never_taken_for_another() {
        let mut r = Recent::default();
        let t = Duration::from_secs(1);
        let (a, b) = (5u128, 5u128 + SLOTS as u128);
        let c = 5u128 | 1 << 100;
        r.set(a, t, NOW);
        assert!(!r.fresh(b, t, NOW));
        assert!(!r.fresh(c, t, NOW), "same low half, other high half");
        r.set(b, t, NOW);
        assert!(
            !r.fresh(a, t, NOW),
            "b took a's slot: a is not recent any more"
        );
        r.forget(a);
        assert!(r.fresh(b, t, NOW), "forgetting a leaves b");
        assert!(
            !r.fresh(0, t, NOW),
            "an empty slot matches no key, not even id 0"
        );
        assert_eq!(std::mem::size_of::<Slot>(), 32);
    }

    #[test]
    fn the_expiry_covers_the_bound_the_refresh_period_and_a_second() {
        assert_eq!(ttl_ms(60_000_000), 60_000 + 5_000 + 1_000);
        assert_eq!(ttl_ms(1), 1 + 5_000 + 1_000);
    }
}
