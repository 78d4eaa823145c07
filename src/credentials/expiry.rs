//! Credential lifecycle: timestamps, expiry status and the credential mode
//! ([spec:expiry]). All times are unix seconds in UTC; no local time zone is ever consulted (the
//! plugin's double time-zone shift of re-read UTC timestamps cannot happen here).

use super::field::Field;
use crate::time;

/// Seconds per day.
pub const DAY: i64 = crate::time::DAY;

/// Default reminder window, days (the column's DB default).
pub const DEFAULT_REMINDER_DAYS: i64 = 7;

/// Largest reminder window, days.
pub const MAX_REMINDER_DAYS: i64 = 365;

/// Reads a timestamp: `null` → `None`; an integer (or a string of decimal digits) → unix
/// seconds; ISO-8601 `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or a `±HH[:MM]` offset; the same
/// with a space instead of `T` or without an offset (`Y-m-d H:i:s`) is read as UTC. Fractions
/// of a second are dropped. Anything else (including an empty string) is an error.
pub fn parse_timestamp(value: &Field<'_>) -> Result<Option<i64>, &'static str> {
    match value {
        Field::Null => Ok(None),
        Field::Int(i) => Ok(Some(*i)),
        Field::Float(_) => Err("must be an integer number of seconds"),
        // The stored form first: text it reads starts and ends with a digit (nothing to trim)
        // and is not all digits, so `parse_text` would read it the same way.
        Field::Text(s) => match time::parse_stored(s.as_bytes()) {
            Some(t) => Ok(Some(t)),
            None => parse_text(s.trim()).map(Some),
        },
        _ => Err("must be a date-time string, unix seconds or null"),
    }
}

fn parse_text(s: &str) -> Result<i64, &'static str> {
    if s.is_empty() {
        return Err("is an empty string");
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|_| "is out of range");
    }
    time::parse_datetime(s).ok_or("is not an ISO-8601 or `Y-m-d H:i:s` date-time")
}

/// Normalizes a stored reminder window: missing or not an integer → 7; negative → 7;
/// 0 stays 0 (with no expiry it marks the never-expire policy); above 365 → 365.
pub fn reminder_days(value: Option<&Field<'_>>) -> i64 {
    let n = match value {
        Some(Field::Int(n)) => Some(*n),
        Some(Field::Text(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n < 0 => DEFAULT_REMINDER_DAYS,
        Some(n) => n.min(MAX_REMINDER_DAYS),
        None => DEFAULT_REMINDER_DAYS,
    }
}

/// A credential's expiry status ([spec:expiry]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStatus {
    /// No expiry policy.
    None,
    /// Never-expire policy (no expiry and a reminder window of exactly 0).
    Never,
    /// Expires later than the reminder window.
    Active,
    /// Not expired, within the reminder window.
    ExpiringSoon,
    /// `expiresAt` is at or before now.
    Expired,
}

impl ExpiryStatus {
    /// `none`, `never`, `active`, `expiring_soon` or `expired`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExpiryStatus::None => "none",
            ExpiryStatus::Never => "never",
            ExpiryStatus::Active => "active",
            ExpiryStatus::ExpiringSoon => "expiring_soon",
            ExpiryStatus::Expired => "expired",
        }
    }
}

/// A credential's mode, in precedence order revoked > expired > paused > expiring_soon > active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Revoked (terminal).
    Revoked,
    /// Expired.
    Expired,
    /// Paused.
    Paused,
    /// Usable, within the reminder window.
    ExpiringSoon,
    /// Usable.
    Active,
}

impl Mode {
    /// True for the modes that may authenticate.
    pub const fn is_usable(self) -> bool {
        matches!(self, Mode::Active | Mode::ExpiringSoon)
    }
}

/// The lifecycle facts of one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// Expiry, unix seconds.
    pub expires_at: Option<i64>,
    /// Revoked (any `revokedAt` value).
    pub revoked: bool,
    /// Paused (any `pausedAt` value).
    pub paused: bool,
    /// Reminder window, days.
    pub reminder_days: i64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            expires_at: None,
            revoked: false,
            paused: false,
            reminder_days: DEFAULT_REMINDER_DAYS,
        }
    }
}

impl Lifecycle {
    /// The expiry status at `now`: expired iff `expiresAt − now ≤ 0`; expiring soon iff
    /// `floor((expiresAt − now) / 86400) ≤ reminderDays`.
    pub fn expiry_status(&self, now: i64) -> ExpiryStatus {
        match self.expires_at {
            None if self.reminder_days == 0 => ExpiryStatus::Never,
            None => ExpiryStatus::None,
            Some(exp) => {
                let remaining = exp.saturating_sub(now);
                if remaining <= 0 {
                    ExpiryStatus::Expired
                } else if remaining.div_euclid(DAY) <= self.reminder_days {
                    ExpiryStatus::ExpiringSoon
                } else {
                    ExpiryStatus::Active
                }
            }
        }
    }

    /// The mode at `now`.
    pub fn mode(&self, now: i64) -> Mode {
        if self.revoked {
            return Mode::Revoked;
        }
        match self.expiry_status(now) {
            ExpiryStatus::Expired => Mode::Expired,
            _ if self.paused => Mode::Paused,
            ExpiryStatus::ExpiringSoon => Mode::ExpiringSoon,
            _ => Mode::Active,
        }
    }

    /// Expired at `now` (the cheap check of the request path).
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|exp| exp <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse_timestamp(v: &Value) -> Result<Option<i64>, &'static str> {
        super::parse_timestamp(&Field::from(v))
    }

    fn reminder_days(v: Option<&Value>) -> i64 {
        super::reminder_days(v.map(Field::from).as_ref())
    }

    fn ts(s: &str) -> Result<Option<i64>, &'static str> {
        parse_timestamp(&json!(s))
    }

    #[test]
    fn formats_agree_on_one_instant() {
        let t = 1_772_366_400; // 2026-03-01T12:00:00Z
        for s in [
            "2026-03-01T12:00:00Z",
            "2026-03-01t12:00:00z",
            "2026-03-01T12:00:00+00:00",
            "2026-03-01T13:00:00+01:00",
            "2026-03-01T21:00:00+0900",
            "2026-03-01T21:00:00+09",
            "2026-03-01T07:00:00-05:00",
            "2026-03-01T12:00:00.999Z",
            "2026-03-01 12:00:00",
            "2026-03-01T12:00:00",
            "2026-03-01 12:00",
            " 2026-03-01 12:00:00 ",
            "1772366400",
        ] {
            assert_eq!(ts(s), Ok(Some(t)), "{s}");
        }
        assert_eq!(parse_timestamp(&json!(t)), Ok(Some(t)));
        assert_eq!(parse_timestamp(&json!(null)), Ok(None));
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), Ok(Some(0)));
        assert_eq!(ts("1969-12-31T23:59:59Z"), Ok(Some(-1)));
        assert_eq!(ts("2000-02-29 00:00:00"), Ok(Some(951_782_400)));
        assert_eq!(ts("2024-12-31 23:59:59"), Ok(Some(1_735_689_599)));
        assert!(ts("2023-02-29 00:00:00").is_err());
        assert!(ts("1900-02-29 00:00:00").is_err());
        assert!(ts("2026-04-31 00:00:00").is_err());
        assert!(ts("2026-13-01 00:00:00").is_err());
        assert!(ts("2026-00-01 00:00:00").is_err());
        assert!(ts("2026-01-01 24:00:00").is_err());
        assert!(ts("2026-01-01 23:60:00").is_err());
        assert!(ts("2026-01-01 23:59:60").is_err());
    }

    #[test]
    fn garbage_is_refused() {
        for s in [
            "",
            "   ",
            "tomorrow",
            "2026-03-01",
            "2026-3-1 12:00:00",
            "2026-03-01X12:00:00",
            "2026-03-01T12:00:00+",
            "2026-03-01T12:00:00+24:00",
            "2026-03-01T12:00:00+01:60",
            "2026-03-01T12:00:00.Z",
            "2026-03-01T12:00:00 Z",
            "2026-03-01T12:00:00Zjunk",
            "99999999999999999999",
            "-",
            "１２３",
        ] {
            assert!(ts(s).is_err(), "{s:?} accepted");
        }
        assert!(parse_timestamp(&json!(1.5)).is_err());
        assert!(parse_timestamp(&json!(true)).is_err());
        assert!(parse_timestamp(&json!([1])).is_err());
    }

    #[test]
    fn reminder_normalization() {
        assert_eq!(reminder_days(None), 7);
        assert_eq!(reminder_days(Some(&json!(null))), 7);
        assert_eq!(reminder_days(Some(&json!("x"))), 7);
        assert_eq!(reminder_days(Some(&json!(-3))), 7);
        assert_eq!(reminder_days(Some(&json!(0))), 0);
        assert_eq!(reminder_days(Some(&json!("14"))), 14);
        assert_eq!(reminder_days(Some(&json!(1000))), 365);
    }

    #[test]
    fn expiry_boundaries() {
        let now = 1_000_000;
        let at = |exp: Option<i64>, reminder| Lifecycle {
            expires_at: exp,
            reminder_days: reminder,
            ..Lifecycle::default()
        };
        assert_eq!(at(Some(now), 7).expiry_status(now), ExpiryStatus::Expired);
        assert_eq!(
            at(Some(now - 1), 7).expiry_status(now),
            ExpiryStatus::Expired
        );
        assert_eq!(
            at(Some(now + 1), 7).expiry_status(now),
            ExpiryStatus::ExpiringSoon
        );
        // floor(remaining / day) <= reminder: 8 days minus a second is still "7 days".
        assert_eq!(
            at(Some(now + 8 * DAY - 1), 7).expiry_status(now),
            ExpiryStatus::ExpiringSoon
        );
        assert_eq!(
            at(Some(now + 8 * DAY), 7).expiry_status(now),
            ExpiryStatus::Active
        );
        assert_eq!(at(None, 7).expiry_status(now), ExpiryStatus::None);
        assert_eq!(at(None, 0).expiry_status(now), ExpiryStatus::Never);
        assert_eq!(
            at(Some(i64::MIN), 7).expiry_status(i64::MAX),
            ExpiryStatus::Expired
        );
        assert!(at(Some(now), 7).is_expired(now));
        assert!(!at(Some(now + 1), 7).is_expired(now));
    }

    #[test]
    fn mode_precedence() {
        let now = 100 * DAY;
        let l = |revoked, paused, exp| Lifecycle {
            revoked,
            paused,
            expires_at: exp,
            reminder_days: 7,
        };
        assert_eq!(l(true, true, Some(0)).mode(now), Mode::Revoked);
        assert_eq!(l(false, true, Some(0)).mode(now), Mode::Expired);
        assert_eq!(l(false, true, Some(now + DAY)).mode(now), Mode::Paused);
        assert_eq!(
            l(false, false, Some(now + DAY)).mode(now),
            Mode::ExpiringSoon
        );
        assert_eq!(l(false, false, None).mode(now), Mode::Active);
        assert!(Mode::ExpiringSoon.is_usable() && !Mode::Paused.is_usable());
    }
}
