//! Redis' clock as seen from this worker, so every node decides on one time base.
//!
//! A hit's `BITFIELD` cannot read the server's clock, so the client sends `now`. Taking it from
//! each node's own clock would let a node whose clock runs ahead admit early. Instead each
//! connection asks the server (`TIME`) when it opens, again in the pipeline of the first hit
//! after [`RESYNC`], and in a round trip of its own before a hit when the estimate is older than
//! [`STALE`]; it takes the answer as the server's time at the midpoint of that round trip and
//! advances it with the monotonic clock. A busy worker is then within half a round trip plus
//! a second's drift of the server's clock (microseconds on a LAN), an idle one within ten
//! seconds' drift for one hit at most, and a step of a node's wall clock changes nothing. The
//! key's expiry is relative, counted on the server's clock; when a hit sets it again is
//! decided on this estimate and the monotonic clock together (see [`super::expiry`]).

use std::time::{Duration, Instant};

/// How long an estimate is trusted before the next hit asks the server again, in its own
/// pipeline.
pub const RESYNC: Duration = Duration::from_secs(1);

/// How old an estimate may be at all: past this (a worker that was idle), the server is asked
/// in a round trip of its own before the hit, so drift between this host's monotonic clock and
/// the server's clock, or a step of the server's clock, never accumulates.
pub const STALE: Duration = Duration::from_secs(10);

/// The server's time at an instant of this process's monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct ServerClock {
    at: Instant,
    server_micros: u64,
}

impl ServerClock {
    /// The estimate from a `TIME` answer of `server_micros`, asked at `sent` and answered by
    /// `received`.
    pub fn anchored(sent: Instant, received: Instant, server_micros: u64) -> Self {
        Self {
            at: sent + received.saturating_duration_since(sent) / 2,
            server_micros,
        }
    }

    /// The server's time at `at` (an instant after the anchor), in microseconds since the unix
    /// epoch.
    pub fn at(&self, at: Instant) -> u64 {
        let elapsed = at.saturating_duration_since(self.at).as_micros();
        self.server_micros
            .saturating_add(u64::try_from(elapsed).unwrap_or(u64::MAX))
    }

    /// True when the estimate is older than [`RESYNC`] at `at`.
    pub fn due(&self, at: Instant) -> bool {
        at.saturating_duration_since(self.at) >= RESYNC
    }

    /// True when the estimate is older than [`STALE`] at `at`.
    pub fn stale(&self, at: Instant) -> bool {
        at.saturating_duration_since(self.at) >= STALE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_from_the_midpoint_of_the_round_trip() {
        let sent = Instant::now();
        let received = sent + Duration::from_micros(400);
        let c = ServerClock::anchored(sent, received, 1_000_000);
        assert_eq!(c.at, sent + Duration::from_micros(200));
        assert_eq!(c.at(received), 1_000_200);
        assert_eq!(c.at(sent), 1_000_000, "never before the anchor");
        assert!(!c.due(received));
        assert!(c.due(sent + RESYNC + Duration::from_micros(200)));
        assert!(!c.stale(sent + RESYNC + Duration::from_micros(200)));
        assert!(c.stale(sent + STALE + Duration::from_micros(200)));
    }
}
