//! The generic cell rate algorithm (GCRA), pure: a state (the theoretical arrival time, TAT),
//! the current time and a cost go in; a decision comes out. No clock, no storage.
//!
//! Times are microseconds since the unix epoch. `interval` (T) is the time one unit of cost
//! "occupies"; the burst bound `B = limit × T` is how far ahead of `now` the TAT may run. A hit
//! of cost `c` is allowed when `max(TAT, now) + c·T − now ≤ B`; the new TAT is then stored. A
//! denied hit stores nothing, so it consumes nothing. Unlike a fixed window there is no edge at
//! which twice the limit passes: over any span `d` at most `limit + d / T` units are admitted.

/// Microseconds per second.
pub const MICROS: u64 = 1_000_000;

/// The parameters of one limit: `limit` units per `window`, burst `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Units admitted per window (and the largest burst).
    pub limit: u64,
    /// Microseconds one unit occupies: `ceil(window / limit)`, at least 1. Rounding up makes
    /// the rate a hair stricter, never looser.
    pub interval: u64,
}

impl Params {
    /// The parameters for `limit` per `window_secs` seconds. Both must be positive (the options
    /// reader guarantees it; zero is mapped to 1 so this never divides by zero).
    pub fn new(limit: u64, window_secs: u64) -> Self {
        let limit = limit.max(1);
        let window = window_secs.max(1).saturating_mul(MICROS);
        Self {
            limit,
            interval: window.div_ceil(limit).max(1),
        }
    }

    /// The burst bound `B = limit × T`, in microseconds.
    pub fn bound(&self) -> u64 {
        self.limit.saturating_mul(self.interval)
    }

    /// The window in whole seconds, rounded up (`retryAfter` for a cost that can never pass).
    pub fn window_secs(&self) -> u64 {
        self.bound().div_ceil(MICROS).max(1)
    }
}

/// What one hit decided, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// True when the hit is admitted.
    pub allowed: bool,
    /// The TAT to store when allowed (equal to the old state when denied: store nothing).
    pub tat: u64,
    /// How many more unit-cost hits would pass right now (exact).
    pub remaining: u64,
    /// When the state is back to "full": the new TAT when allowed, the current one when denied.
    pub reset_at: u64,
    /// How long until this same hit would pass; 0 when allowed.
    pub retry_after: u64,
}

impl Decision {
    /// `reset_at` as unix seconds, rounded up.
    pub fn reset_at_secs(&self) -> u64 {
        self.reset_at.div_ceil(MICROS)
    }

    /// `retry_after` as whole seconds, rounded up (at least 1 when denied).
    pub fn retry_after_secs(&self) -> u64 {
        if self.allowed {
            0
        } else {
            self.retry_after.div_ceil(MICROS).max(1)
        }
    }
}

/// Decides a hit of `cost` at `now` against the stored `tat` (0 = never seen).
///
/// A cost of 0 or above `limit` is never allowed and consumes nothing: `retry_after` is then
/// the window (waiting cannot make a cost above the limit pass; the caller should not retry it).
pub fn decide(p: &Params, tat: u64, now: u64, cost: u64) -> Decision {
    let bound = p.bound();
    let base = tat.max(now);
    let used = base - now;
    let remaining_now = bound.saturating_sub(used) / p.interval;
    if cost == 0 || cost > p.limit {
        return Decision {
            allowed: false,
            tat,
            remaining: remaining_now,
            reset_at: base,
            retry_after: p.window_secs() * MICROS,
        };
    }
    let new_tat = base.saturating_add(cost * p.interval);
    let ahead = new_tat - now;
    if ahead <= bound {
        Decision {
            allowed: true,
            tat: new_tat,
            remaining: (bound - ahead) / p.interval,
            reset_at: new_tat,
            retry_after: 0,
        }
    } else {
        Decision {
            allowed: false,
            tat,
            remaining: remaining_now,
            reset_at: base,
            retry_after: ahead - bound,
        }
    }
}

/// The decision for a hit that a store already admitted, leaving the state at `tat` (used for
/// the Redis store, whose script commits the hit and returns the new TAT).
pub fn admitted(p: &Params, tat: u64, now: u64) -> Decision {
    let ahead = tat.saturating_sub(now);
    Decision {
        allowed: true,
        tat,
        remaining: p.bound().saturating_sub(ahead) / p.interval,
        reset_at: tat,
        retry_after: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_700_000_000 * MICROS;

    /// Runs `n` unit hits at `now`, storing allowed states; returns how many passed.
    fn burst(p: &Params, tat: &mut u64, now: u64, n: u64) -> u64 {
        let mut ok = 0;
        for _ in 0..n {
            let d = decide(p, *tat, now, 1);
            if d.allowed {
                *tat = d.tat;
                ok += 1;
            }
        }
        ok
    }

    #[test]
    fn a_fresh_key_gets_exactly_the_limit_as_burst() {
        let p = Params::new(10, 60);
        let mut tat = 0;
        assert_eq!(burst(&p, &mut tat, NOW, 25), 10);
    }

    #[test]
    fn remaining_counts_down_to_zero_then_denies() {
        let p = Params::new(3, 60);
        let mut tat = 0;
        for want in [2, 1, 0] {
            let d = decide(&p, tat, NOW, 1);
            assert!(d.allowed);
            assert_eq!(d.remaining, want);
            assert_eq!(d.retry_after, 0);
            tat = d.tat;
        }
        let d = decide(&p, tat, NOW, 1);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        assert_eq!(
            d.retry_after,
            20 * MICROS,
            "one unit frees after window/limit"
        );
        assert_eq!(d.retry_after_secs(), 20);
        assert_eq!(d.tat, tat, "a denial stores nothing");
    }

    #[test]
    fn retry_after_is_exact() {
        let p = Params::new(3, 60);
        let mut tat = 0;
        burst(&p, &mut tat, NOW, 3);
        let d = decide(&p, tat, NOW, 1);
        let at = NOW + d.retry_after;
        assert!(!decide(&p, tat, at - 1, 1).allowed);
        assert!(decide(&p, tat, at, 1).allowed);
    }

    #[test]
    fn no_doubling_at_a_window_edge() {
        // A fixed window lets 2×limit through around its boundary; GCRA lets limit + the
        // units that accrued meanwhile.
        let p = Params::new(60, 60);
        let mut tat = 0;
        assert_eq!(burst(&p, &mut tat, NOW + 59 * MICROS, 100), 60);
        assert_eq!(burst(&p, &mut tat, NOW + 61 * MICROS, 100), 2);
    }

    #[test]
    fn invalid_costs_never_pass_and_consume_nothing() {
        let p = Params::new(5, 10);
        for cost in [0, 6, u64::MAX] {
            let d = decide(&p, 0, NOW, cost);
            assert!(!d.allowed);
            assert_eq!(d.tat, 0);
            assert_eq!(d.remaining, 5);
            assert_eq!(d.retry_after_secs(), 10);
        }
        assert!(decide(&p, 0, NOW, 5).allowed);
    }

    #[test]
    fn a_denied_large_cost_leaves_room_for_smaller_ones() {
        let p = Params::new(10, 10);
        let mut tat = 0;
        burst(&p, &mut tat, NOW, 7);
        let d = decide(&p, tat, NOW, 4);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 3);
        assert_eq!(d.retry_after, MICROS);
        assert_eq!(burst(&p, &mut tat, NOW, 10), 3);
    }

    #[test]
    fn interval_rounds_up() {
        assert_eq!(Params::new(3, 1).interval, 333_334);
        assert_eq!(Params::new(1_000_000_000, 1).interval, 1);
    }

    proptest! {
        /// Over any schedule of hits, what is admitted never exceeds limit + elapsed / T.
        #[test]
        fn admitted_never_exceeds_the_allowance(
            limit in 1u64..200,
            window in 1u64..120,
            steps in proptest::collection::vec((0u64..3_000_000, 1u64..5), 1..300),
        ) {
            let p = Params::new(limit, window);
            let mut tat = 0;
            let mut now = NOW;
            let mut admitted = 0u64;
            for (dt, cost) in steps {
                now += dt;
                let d = decide(&p, tat, now, cost);
                prop_assert!(d.tat >= tat);
                if d.allowed {
                    prop_assert_eq!(d.retry_after, 0);
                    tat = d.tat;
                    admitted += cost;
                } else {
                    prop_assert_eq!(d.tat, tat);
                    prop_assert!(d.retry_after > 0);
                    // Waiting exactly retry_after makes it pass (when the cost can ever pass).
                    if cost <= limit {
                        prop_assert!(decide(&p, tat, now + d.retry_after, cost).allowed);
                        prop_assert!(!decide(&p, tat, now + d.retry_after - 1, cost).allowed);
                    }
                }
                prop_assert!(admitted <= limit + (now - NOW) / p.interval);
            }
        }

        /// `remaining` is exactly the number of unit hits that still pass at the same instant.
        #[test]
        fn admitted_matches_decide(limit in 1u64..100, pre in 0u64..150, cost in 1u64..5) {
            let p = Params::new(limit, 60);
            let mut tat = 0;
            burst(&p, &mut tat, NOW, pre);
            let d = decide(&p, tat, NOW, cost);
            if d.allowed {
                prop_assert_eq!(admitted(&p, d.tat, NOW), d);
            }
        }

        #[test]
        fn remaining_is_exact(limit in 1u64..100, window in 1u64..100, pre in 0u64..150, dt in 0u64..5_000_000) {
            let p = Params::new(limit, window);
            let mut tat = 0;
            burst(&p, &mut tat, NOW, pre);
            let d = decide(&p, tat, NOW + dt, 1);
            let mut t = tat;
            let passed = burst(&p, &mut t, NOW + dt, limit + 1);
            if d.allowed {
                prop_assert_eq!(d.remaining + 1, passed);
            } else {
                prop_assert_eq!(d.remaining, passed);
            }
        }
    }
}
