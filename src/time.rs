//! Time in one place: the clock and the proleptic Gregorian calendar, in unix seconds UTC. No
//! local time zone is ever consulted.

use crate::swar;

/// Seconds per day.
pub const DAY: i64 = 86_400;

/// The current unix time in seconds (the default `now` of every time-dependent check); negative
/// for a clock set before 1970.
pub fn unix_now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Last second representable as a four-digit year (9999-12-31T23:59:59Z).
const MAX_ISO_SECONDS: i64 = 253_402_300_799;

/// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds, clamped to years 1970–9999.
pub fn iso8601_utc(unix_seconds: i64) -> String {
    let t = unix_seconds.clamp(0, MAX_ISO_SECONDS);
    let (days, secs) = (t / DAY, t % DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// A cursor over ASCII bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let part = self.b.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |a, d| a * 10 + i64::from(d - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn want(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// Reads an ISO-8601 date-time, `YYYY-MM-DDTHH:MM[:SS[.fff]]` (`T`, `t` or a space between date
/// and time) with `Z` or a `±HH[:MM]` offset, or without an offset, then read as UTC (so
/// `Y-m-d H:i:s` is UTC). Fractions of a second are dropped. `None` for anything else, including
/// impossible dates (`2025-02-29`) and surrounding text.
pub fn parse_datetime(text: &str) -> Option<i64> {
    parse_stored(text.as_bytes()).or_else(|| parse_full(text))
}

/// [`parse_datetime`] through the general reader alone.
fn parse_full(text: &str) -> Option<i64> {
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
    };
    let year = c.digits(4)?;
    c.want(b'-')?;
    let month = c.digits(2)?;
    c.want(b'-')?;
    let day = c.digits(2)?;
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let hour = c.digits(2)?;
    c.want(b':')?;
    let minute = c.digits(2)?;
    let mut second = 0;
    if c.eat(b':') {
        second = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                c.i += 1;
            }
            if c.i == start {
                return None;
            }
        }
    }
    let offset = if c.done() || c.eat(b'Z') || c.eat(b'z') {
        0
    } else {
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return None;
        };
        let oh = c.digits(2)?;
        let om = if c.done() {
            0
        } else {
            let _ = c.eat(b':');
            c.digits(2)?
        };
        if oh > 23 || om > 59 {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    };
    if !c.done() {
        return None;
    }
    unix_seconds([year, month, day, hour, minute, second], offset)
}

/// True when every byte of `w` whose top bit is set in `mask` is an ASCII digit (eight bytes
/// at once; bytes from 0x80 up are refused).
fn digits_at(w: u64, mask: u64) -> bool {
    let digit = swar::in_range(w & !swar::HIGH, b'0', b'9');
    ((w & swar::HIGH) | (digit ^ swar::HIGH)) & mask == 0
}

/// The common stored form, `YYYY-MM-DD HH:MM:SS` (or with `T`/`t`), read at fixed positions:
/// what [`parse_datetime`] reads for it, or `None` for any other text (which the full reader
/// then decides about). A caller that reads many stored values tries this before trimming and
/// classifying the text (a managed row's `expiresAt`, once per row of every build).
pub fn parse_stored(b: &[u8]) -> Option<i64> {
    let b: &[u8; 19] = b.try_into().ok()?;
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    // `YYYY-MM-`, `DD?HH:MM` and (overlapping) `HH:MM:SS`, first character in the lowest byte.
    let (date, middle, time) = (word(0), word(8), word(11));
    // The separators: `-` at 4 and 7, `:` at 13 and 16 (bytes 2 and 5 of `time`).
    if date & 0xff00_00ff_0000_0000 != 0x2d00_002d_0000_0000
        || time & 0x0000_ff00_00ff_0000 != 0x0000_3a00_003a_0000
        || !matches!(b[10], b'T' | b't' | b' ')
    {
        return None;
    }
    // The digit positions of each word.
    if !digits_at(date, 0x0080_8000_8080_8080)
        || !digits_at(middle, 0x8080_0080_8000_8080)
        || !digits_at(time, 0x8080_0080_8000_8080)
    {
        return None;
    }
    let (date, middle, time) = (pairs(date), pairs(middle), pairs(time));
    let byte = |w: u64, i: u32| i64::from((w >> (8 * i)) as u8);
    unix_seconds(
        [
            byte(date, 0) * 100 + byte(date, 2),
            byte(date, 5),
            byte(middle, 0),
            byte(middle, 3),
            byte(middle, 6),
            byte(time, 6),
        ],
        0,
    )
}

/// Per byte `i` of `w`: the two-digit number that bytes `i` and `i + 1` spell, read from their
/// low nibbles (meaningful where both are digits; no byte carries into the next, as each sum
/// stays below 0x100).
const fn pairs(w: u64) -> u64 {
    let d = w & (swar::ONES * 0x0f);
    d * 10 + (d >> 8)
}

/// Unix seconds of a UTC date and time less `offset` seconds, or `None` when the date does not
/// exist or a time field is out of range.
fn unix_seconds([year, month, day, hour, minute, second]: [i64; 6], offset: i64) -> Option<i64> {
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY + hour * 3600 + minute * 60 + second - offset)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Proleptic Gregorian date of a count of days since 1970-01-01, for days ≥ 0 (eras of 400
/// years).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        for (t, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (59, "1970-01-01T00:00:59Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (951_868_799, "2000-02-29T23:59:59Z"),
            (1_709_164_800, "2024-02-29T00:00:00Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (-5, "1970-01-01T00:00:00Z"),
            (i64::MAX, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(iso8601_utc(t), want, "{t}");
        }
    }

    #[test]
    fn parses_dates() {
        assert_eq!(
            parse_datetime("2026-03-01T13:00:00+01:00"),
            Some(1_772_366_400)
        );
        assert_eq!(parse_datetime("2026-03-01 12:00:00"), Some(1_772_366_400));
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), Some(-1));
        for bad in [
            "",
            "2025-02-29 00:00:00",
            "2026-13-01T00:00Z",
            "2026-03-01",
            "2026-03-01T12:00:00Zx",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_plain_form_reads_as_the_full_reader_reads_it() {
        let seeds = [
            "2026-03-01 12:00:00",
            "2030-01-01T00:00:00",
            "2024-02-29t23:59:59",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "1969-12-31 23:59:59",
        ];
        for seed in seeds {
            assert!(parse_stored(seed.as_bytes()).is_some(), "{seed}");
        }
        let mut inputs: Vec<String> = Vec::new();
        for seed in seeds {
            inputs.push(seed.to_owned());
            for i in 0..seed.len() {
                for c in [
                    '0', '1', '2', '3', '5', '6', '9', '-', ':', ' ', 'T', 't', 'x', '/', ';', '@',
                    '\u{10}', '\u{7f}',
                ] {
                    let mut b = seed.as_bytes().to_vec();
                    b[i] = c as u8;
                    inputs.push(String::from_utf8(b).unwrap());
                }
                inputs.push(format!("{}{}", &seed[..i], &seed[i + 1..]));
                // A byte that is not ASCII (a digit's low bits with the top bit set, too) is
                // never read as a digit or separator.
                for high in [0x80u8, 0xb0, 0xb9, 0xba, 0xff] {
                    let mut b = seed.as_bytes().to_vec();
                    b[i] = high;
                    assert_eq!(parse_stored(&b), None, "{b:?}");
                }
            }
        }
        for text in &inputs {
            if let Some(t) = parse_stored(text.as_bytes()) {
                assert_eq!(Some(t), parse_full(text), "{text}");
            }
            assert_eq!(parse_datetime(text), parse_full(text), "{text}");
        }
    }

    #[test]
    fn the_two_calendar_routines_agree() {
        // Every day of four centuries, and a second in each: format, then parse back.
        for day in 0..146_097 {
            let t = day * DAY + (day * 7_919) % DAY;
            assert_eq!(parse_datetime(&iso8601_utc(t)), Some(t), "{t}");
        }
    }

    #[test]
    fn the_clock_is_after_2020() {
        assert!(unix_now() > 1_577_836_800);
    }
}
