//! Redis' clock as seen from this worker, so every node decides on one time base.
//!
//! A hit's `BITFIELD` cannot read the server's clock, so the client sends `now`. Taking it from
//! each node's own clock would let a node whose clock runs ahead admit early. Instead each
//! connection asks the server (`TIME`) when it opens and again, in the same pipeline as a hit,
//! once a second; it takes the answer as the server's time at the midpoint of that round trip
//! and advances it with the monotonic clock. Nodes then agree to within half a round trip plus
//! a second of drift (microseconds on a LAN), and a step of a node's wall clock changes
//! nothing.

use std::time::{Duration, Instant};

/// How long an estimate is trusted before the next hit asks the server again.
pub const RESYNC: Duration = Duration::from_secs(1);

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

    /// The server's time now, in microseconds since the unix epoch.
    pub fn now(&self) -> u64 {
        let elapsed = u64::try_from(self.at.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.server_micros.saturating_add(elapsed)
    }

    /// True when the estimate is older than [`RESYNC`].
    pub fn due(&self) -> bool {
        self.at.elapsed() >= RESYNC
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
        assert!(c.now() >= 1_000_000);
        assert!(!c.due());
        let old = ServerClock {
            at: sent.checked_sub(RESYNC).unwrap_or(sent),
            server_micros: 5,
        };
        assert!(old.due() || old.at == sent);
        assert!(old.now() >= 5);
    }
}
