//! The GCRA step as one `BITFIELD` command: decided and stored atomically by Redis' own
//! integer arithmetic, with no script.
//!
//! The state is the TAT in microseconds since the unix epoch, kept as an unsigned 63-bit field
//! at offset 0 of the key's string (`u63`, range `0 ..= M` with `M = 2^63 − 1`). A key that
//! does not exist reads as 0, a TAT long past. One `BITFIELD` runs four increments in order,
//! each with an overflow mode; with `now` = y, the hit's cost × interval = c and the burst
//! bound = B:
//!
//! 1. `OVERFLOW SAT INCRBY −y`: saturates at 0, leaving `max(tat − y, 0)`;
//! 2. `INCRBY +y` (still saturating, never reached): leaves `base = max(tat, y)`;
//! 3. `OVERFLOW FAIL INCRBY (M − y − B + c)`: overflows exactly when `base + c − y > B`, the
//!    GCRA denial. `FAIL` then leaves the field untouched and answers nil; otherwise the field
//!    now holds `base + c + (M − y − B)`;
//! 4. `INCRBY −(M − y − B)` (still failing on underflow): after an admission it leaves the new
//!    TAT `base + c`; after a denial the field holds `base`, which is below `M − y − B` for
//!    every TAT this encoding writes (they are within a year of the present, while `M` is some
//!    290 000 years of microseconds), so the decrement underflows, fails and leaves `base`.
//!
//! So an admitted hit stores `max(tat, y) + c` and a denied hit stores `max(tat, y)`, which
//! GCRA treats exactly as `tat` (a TAT in the past means "full"): a denial consumes nothing.
//! The four answers are `[max(tat − y, 0), base, shifted or nil, new TAT or nil]`; [`Step::read`]
//! checks that they agree with each other before they are believed. Only a field set by
//! someone else can reach `M − y − B`: step 3 then fails as for any denial, and step 4
//! succeeds, lowering the field to `base − (M − y − B)`, somewhere from 0 to `y + B`: the hit
//! is denied and the key is back to a state this encoding can hold (a writer who can set the
//! field can as well delete it).
//!
//! All arguments fit an `i64` because `y + B < M` (the caller bounds `now` to year 2223 and
//! `B` to a year) and `c ≤ B`.
//!
//! Before the four increments, `SET u1 63 1` sets bit 63 of the string (right after the field)
//! and answers its old value: 0 when this command created the key (see [`super::expiry`]). The
//! command's answers are then that bit and the four above.

use super::resp;

/// The largest value of a `u63` field.
pub const FIELD_MAX: u64 = (1 << 63) - 1;

/// One hit's step: its time, cost and the limit's burst bound, all in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// `now`.
    pub now: u64,
    /// The hit's cost × interval (at most `bound`).
    pub cost: u64,
    /// The burst bound: limit × interval.
    pub bound: u64,
}

impl Step {
    /// The step, or None when the numbers are outside what the encoding holds (`now + bound`
    /// must stay below 2^63 and the cost within the bound; the limiter's options and its `now`
    /// range guarantee both).
    pub fn new(now: u64, cost: u64, bound: u64) -> Option<Self> {
        let top = now.checked_add(bound)?;
        (top < FIELD_MAX && cost <= bound && cost > 0).then_some(Self { now, cost, bound })
    }

    /// The four increments, in order.
    pub fn increments(&self) -> [i64; 4] {
        // Lossless: `now + bound < 2^63` (checked in `new`), `cost <= bound`.
        let y = i64::try_from(self.now).unwrap_or(i64::MAX);
        let shift = i64::try_from(FIELD_MAX - self.now - self.bound).unwrap_or(i64::MAX);
        let c = i64::try_from(self.cost).unwrap_or(i64::MAX);
        [-y, y, shift + c, -shift]
    }

    /// Appends `BITFIELD key …` for this step: the mark, then the four increments.
    pub fn encode(&self, out: &mut Vec<u8>, key: &[u8]) {
        let [a, b, c, d] = self.increments();
        resp::push_command(out, 26);
        out.extend_from_slice(b"$8\r\nBITFIELD\r\n");
        resp::push_bulk(out, key);
        out.extend_from_slice(b"$3\r\nSET\r\n$2\r\nu1\r\n$2\r\n63\r\n$1\r\n1\r\n");
        out.extend_from_slice(b"$8\r\nOVERFLOW\r\n$3\r\nSAT\r\n");
        for (i, n) in [a, b, c, d].into_iter().enumerate() {
            if i == 2 {
                out.extend_from_slice(b"$8\r\nOVERFLOW\r\n$4\r\nFAIL\r\n");
            }
            out.extend_from_slice(b"$6\r\nINCRBY\r\n$3\r\nu63\r\n$1\r\n0\r\n");
            resp::push_int(out, n);
        }
    }

    /// Reads the mark's answer: `Some(true)` when the command created the key, None for an
    /// answer a single bit cannot give.
    pub fn created(answer: Option<i64>) -> Option<bool> {
        match answer {
            Some(0) => Some(true),
            Some(1) => Some(false),
            _ => None,
        }
    }

    /// Reads the four increments' answers: `Some((admitted, tat))` with the TAT the hit was judged against
    /// and left (the new one when admitted, `max(old, now)` when denied), or None when the
    /// answers contradict the step (a server that computed differently): never believed. For a
    /// field tampered to `M − y − B` or more, the denial reports that tampered value, as it is
    /// what the hit was judged against, while the field is left lowered (see the module doc).
    pub fn read(&self, answers: [Option<i64>; 4]) -> Option<(bool, u64)> {
        let field = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
        let rel = field(answers[0])?;
        let base = field(answers[1])?;
        if base != rel.checked_add(self.now)? {
            return None;
        }
        let fits = base + self.cost - self.now <= self.bound;
        match (answers[2], answers[3]) {
            (Some(shifted), Some(new)) if fits => {
                let [_, _, up, _] = self.increments();
                let want = base + self.cost;
                (field(Some(shifted))? == base.checked_add_signed(up)? && field(Some(new))? == want)
                    .then_some((true, want))
            }
            (None, None) if !fits => Some((false, base)),
            (None, Some(lowered)) if !fits => {
                let [_, _, _, down] = self.increments();
                (field(Some(lowered))? == base.checked_add_signed(down)?).then_some((false, base))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::gcra::{self, Params};
    use super::*;

    /// Redis' `BITFIELD … INCRBY u63` with `SAT` or `FAIL`, as documented: the model the
    /// encoding is checked against.
    fn incr(field: &mut u64, by: i64, saturate: bool) -> Option<u64> {
        let next = i128::from(*field) + i128::from(by);
        let clamped = next.clamp(0, i128::from(FIELD_MAX));
        if clamped != next && !saturate {
            return None;
        }
        *field = u64::try_from(clamped).expect("in range");
        Some(*field)
    }

    fn run(step: &Step, field: &mut u64) -> [Option<i64>; 4] {
        let mut out = [None; 4];
        for (i, by) in step.increments().into_iter().enumerate() {
            out[i] = incr(field, by, i < 2).map(|v| i64::try_from(v).expect("u63"));
        }
        out
    }

    #[test]
    fn encodes_the_command() {
        let step = Step::new(1000, 200, 500).unwrap();
        assert_eq!(
            step.increments(),
            [
                -1000,
                1000,
                9_223_372_036_854_774_507,
                -9_223_372_036_854_774_307
            ]
        );
        let mut out = Vec::new();
        step.encode(&mut out, b"k");
        let mut want = Vec::new();
        resp::encode(
            &mut want,
            &[
                b"BITFIELD",
                b"k",
                b"SET",
                b"u1",
                b"63",
                b"1",
                b"OVERFLOW",
                b"SAT",
                b"INCRBY",
                b"u63",
                b"0",
                b"-1000",
                b"INCRBY",
                b"u63",
                b"0",
                b"1000",
                b"OVERFLOW",
                b"FAIL",
                b"INCRBY",
                b"u63",
                b"0",
                b"9223372036854774507",
                b"INCRBY",
                b"u63",
                b"0",
                b"-9223372036854774307",
            ],
        );
        assert_eq!(out, want);
    }

    #[test]
    fn the_mark_is_one_bit() {
        assert_eq!(Step::created(Some(0)), Some(true));
        assert_eq!(Step::created(Some(1)), Some(false));
        for bad in [None, Some(2), Some(-1)] {
            assert_eq!(Step::created(bad), None);
        }
    }

    #[test]
    fn refuses_steps_the_field_cannot_hold() {
        assert!(Step::new(FIELD_MAX - 10, 1, 10).is_none());
        assert!(Step::new(u64::MAX, 1, 1).is_none());
        assert!(Step::new(1, 11, 10).is_none());
        assert!(Step::new(1, 0, 10).is_none());
        assert!(Step::new(FIELD_MAX - 11, 10, 10).is_some());
    }

    /// Every step on the modelled field decides and stores exactly what `gcra::decide` does.
    #[test]
    fn agrees_with_gcra_decide() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let limit = 1 + next() % 50;
            let p = Params::new(limit, 1 + next() % 120);
            let now = 1_700_000_000_000_000 + next() % 1_000_000_000;
            let cost = 1 + next() % limit;
            let tat = match next() % 4 {
                0 => 0,
                1 => now.saturating_sub(next() % p.bound()),
                _ => now + next() % (p.bound() + p.interval * 2),
            };
            let step = Step::new(now, cost * p.interval, p.bound()).unwrap();
            let mut field = tat;
            let answers = run(&step, &mut field);
            let (admitted, stored) = step.read(answers).expect("consistent answers");
            let d = gcra::decide(&p, tat, now, cost);
            assert_eq!(admitted, d.allowed, "tat {tat} now {now} cost {cost} {p:?}");
            assert_eq!(field, stored);
            if admitted {
                assert_eq!(stored, d.tat);
            } else {
                assert_eq!(stored, tat.max(now), "a denial leaves an equivalent state");
                let again = gcra::decide(&p, stored, now, cost);
                assert_eq!(again, gcra::decide(&p, tat, now, cost));
            }
        }
    }

    #[test]
    fn a_state_beyond_the_bound_or_tampered_is_a_denial() {
        let step = Step::new(1000, 100, 500).unwrap();
        // "not-a-nu" read as the top 63 bits of a big-endian u64, as Redis reads a string.
        let text = u64::from_be_bytes(*b"not-a-nu") >> 1;
        for tat in [1401, 5000, 1 << 62, text] {
            let mut field = tat;
            let answers = run(&step, &mut field);
            assert_eq!(step.read(answers), Some((false, tat)));
            assert_eq!(field, tat);
        }
        for tat in [FIELD_MAX - 1500, FIELD_MAX] {
            let mut field = tat;
            assert_eq!(step.read(run(&step, &mut field)), Some((false, tat)));
            assert!(field <= 1500, "lowered to at most now + bound");
            assert!(step.read(run(&step, &mut field)).is_some());
        }
    }

    #[test]
    fn contradicting_answers_are_not_believed() {
        let step = Step::new(1000, 100, 500).unwrap();
        let mut field = 1200;
        let good = run(&step, &mut field);
        assert_eq!(step.read(good), Some((true, 1300)));
        let mut tweaks = Vec::new();
        for i in 0..4 {
            let mut a = good;
            a[i] = a[i].map(|v| v + 1);
            tweaks.push(a);
            let mut b = good;
            b[i] = None;
            tweaks.push(b);
        }
        tweaks.push([Some(-1), Some(999), good[2], good[3]]);
        for a in tweaks {
            assert_eq!(step.read(a), None, "{a:?}");
        }
        // A denial must say nil twice, and only when the hit does not fit.
        let mut field = 1450;
        let denied = run(&step, &mut field);
        assert_eq!(step.read(denied), Some((false, 1450)));
        assert_eq!(step.read([Some(200), Some(1200), None, None]), None);
    }
}
