//! RESP2, the Redis wire format, as far as the store needs it: commands are arrays of bulk
//! strings; replies are read either whole into a [`Reply`] (bounded: 1 MiB per bulk string,
//! 4 levels, 64 items) or, on the hit's path, by readers that expect one exact shape and parse
//! it straight from the socket's buffer without allocating. A reply that cannot be read
//! completely, or that has another shape, is an error: the caller drops the connection.

use std::io::{BufRead, Read};

use super::StoreError;
use crate::decimal;

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`
    Simple(String),
    /// `-ERR ...`
    Error(String),
    /// `:42`
    Int(i64),
    /// `$n` (None = nil)
    Bulk(Option<Vec<u8>>),
    /// `*n`
    Array(Vec<Reply>),
}

/// Appends the header of a command of `n` arguments.
pub fn push_command(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    out.extend_from_slice(decimal::u64_into(&mut [0; 20], n as u64));
    out.extend_from_slice(b"\r\n");
}

/// Appends one bulk string.
pub fn push_bulk(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(decimal::u64_into(&mut [0; 20], a.len() as u64));
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(a);
    out.extend_from_slice(b"\r\n");
}

/// Appends one integer argument as a bulk string in decimal.
pub fn push_int(out: &mut Vec<u8>, n: i64) {
    push_bulk(out, decimal::i64_into(&mut [0; 20], n));
}

/// Writes one command as a RESP array of bulk strings.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    push_command(out, args.len());
    for a in args {
        push_bulk(out, a);
    }
}

const MAX_BULK: usize = 1 << 20;

/// Reads one reply (nesting limited to 4 levels, bulk strings to 1 MiB).
pub fn read_reply(r: &mut impl BufRead, depth: u8) -> Result<Reply, StoreError> {
    let bad = |why: &str| StoreError::Protocol(why.to_owned());
    let mut line = Vec::with_capacity(32);
    r.take(MAX_BULK as u64)
        .read_until(b'\n', &mut line)
        .map_err(io)?;
    if line.len() < 3 || !line.ends_with(b"\r\n") {
        return Err(StoreError::Io("connection closed".into()));
    }
    let body = std::str::from_utf8(&line[1..line.len() - 2]).map_err(|_| bad("not UTF-8"))?;
    let int = || body.parse::<i64>().map_err(|_| bad("bad length"));
    Ok(match line[0] {
        b'+' => Reply::Simple(body.to_owned()),
        b'-' => Reply::Error(body.to_owned()),
        b':' => Reply::Int(int()?),
        b'$' => {
            let n = int()?;
            if n < 0 {
                return Ok(Reply::Bulk(None));
            }
            let n = usize::try_from(n).map_err(|_| bad("bad length"))?;
            if n > MAX_BULK {
                return Err(bad("reply too large"));
            }
            let mut buf = vec![0; n + 2];
            r.read_exact(&mut buf).map_err(io)?;
            if !buf.ends_with(b"\r\n") {
                return Err(bad("bulk string without CRLF"));
            }
            buf.truncate(n);
            Reply::Bulk(Some(buf))
        }
        b'*' => {
            let n = int()?;
            if n < 0 {
                return Ok(Reply::Array(Vec::new()));
            }
            if depth >= 4 || n > 64 {
                return Err(bad("reply too deep or long"));
            }
            let mut items = Vec::with_capacity(n as usize);
            for _ in 0..n {
                items.push(read_reply(r, depth + 1)?);
            }
            Reply::Array(items)
        }
        _ => return Err(bad("unknown reply type")),
    })
}

/// Longest line an expected reply of the hit holds (`:` and a 64-bit number).
pub const MAX_LINE: usize = 64;

/// Reads one line and hands it (without its CRLF) to `f`: straight from the reader's buffer
/// when the whole line is there (the usual case: a reply arrives in one segment), else gathered
/// into `line`, reusing its allocation. Either way a line is at most [`MAX_LINE`] bytes and ends
/// in CRLF, or it is an error.
fn with_line<T>(
    r: &mut impl BufRead,
    line: &mut Vec<u8>,
    f: impl FnOnce(&[u8]) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let buf = r.fill_buf().map_err(io)?;
    let window = &buf[..buf.len().min(MAX_LINE)];
    if let Some(end) = window.iter().position(|&b| b == b'\n') {
        let out = complete(&buf[..=end]).and_then(f);
        r.consume(end + 1);
        return out;
    }
    line.clear();
    r.take(MAX_LINE as u64)
        .read_until(b'\n', line)
        .map_err(io)?;
    complete(line).and_then(f)
}

/// A line read up to its `\n`, without its CRLF; shorter or unterminated means the connection
/// ended (or the line was too long).
fn complete(line: &[u8]) -> Result<&[u8], StoreError> {
    if line.len() < 3 || !line.ends_with(b"\r\n") {
        return Err(StoreError::Io("connection closed".into()));
    }
    Ok(&line[..line.len() - 2])
}

/// A decimal `i64`: an optional `-`, then 1 to 19 digits, no overflow.
pub fn parse_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut n: i64 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    // Accumulated as a negative number, so i64::MIN parses too.
    if neg { Some(n) } else { n.checked_neg() }
}

fn unexpected() -> StoreError {
    StoreError::Protocol("unexpected reply".into())
}

/// The first word of an error reply (the rest may quote the command).
pub fn error_word(reply: &Reply) -> StoreError {
    match reply {
        Reply::Error(e) => {
            StoreError::Protocol(e.split_whitespace().next().unwrap_or("ERR").to_owned())
        }
        _ => unexpected(),
    }
}

/// Reads a reply that must be an array of `N` items, each an integer or nil (`$-1`). An error
/// reply is read whole and reported by its first word; any other shape is an error.
pub fn read_ints<const N: usize>(
    r: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> Result<[Option<i64>; N], StoreError> {
    let first = r.fill_buf().map_err(io)?.first().copied();
    if first != Some(b'*') {
        return Err(match read_reply(r, 0)? {
            e @ Reply::Error(_) => error_word(&e),
            _ => unexpected(),
        });
    }
    with_line(r, line, |head| match head.get(1..).and_then(parse_int) {
        Some(n) if n == N as i64 => Ok(()),
        _ => Err(unexpected()),
    })?;
    let mut out = [None; N];
    for v in &mut out {
        *v = with_line(r, line, |item| match item.split_first() {
            Some((b':', n)) => parse_int(n).map(Some).ok_or_else(unexpected),
            Some((b'$', b"-1")) => Ok(None),
            _ => Err(unexpected()),
        })?;
    }
    Ok(out)
}

/// Reads a reply that must be an integer.
pub fn read_int(r: &mut impl BufRead, line: &mut Vec<u8>) -> Result<i64, StoreError> {
    with_line(r, line, |text| match text.split_first() {
        Some((b':', n)) => parse_int(n).ok_or_else(unexpected),
        Some((b'-', rest)) => Err(error_word(&Reply::Error(
            String::from_utf8_lossy(rest).into_owned(),
        ))),
        _ => Err(unexpected()),
    })
}

/// Reads the reply of `TIME` (two bulk strings: seconds, then microseconds) as microseconds
/// since the unix epoch.
pub fn read_time(r: &mut impl BufRead, line: &mut Vec<u8>) -> Result<u64, StoreError> {
    with_line(r, line, |head| match head {
        b"*2" => Ok(()),
        _ => Err(unexpected()),
    })?;
    let mut parts = [0u64; 2];
    for p in &mut parts {
        let len = with_line(r, line, |head| match head.split_first() {
            Some((b'$', n)) => parse_int(n).ok_or_else(unexpected),
            _ => Err(unexpected()),
        })?;
        *p = with_line(r, line, |digits| {
            if i64::try_from(digits.len()).ok() != Some(len) {
                return Err(unexpected());
            }
            parse_int(digits)
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(unexpected)
        })?;
    }
    let [secs, micros] = parts;
    if micros >= 1_000_000 {
        return Err(unexpected());
    }
    secs.checked_mul(1_000_000)
        .and_then(|s| s.checked_add(micros))
        .ok_or_else(unexpected)
}

/// An I/O error as a store error (its kind only: never a peer's text).
pub fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e.kind().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands_as_bulk_arrays() {
        let mut out = Vec::new();
        encode(&mut out, &[b"GET", b"k\r\n"]);
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\n");
        for n in [0, 7, -7, i64::MAX, i64::MIN, -9_223_372_036_854_774_307] {
            let mut got = Vec::new();
            push_int(&mut got, n);
            let mut want = Vec::new();
            push_bulk(&mut want, n.to_string().as_bytes());
            assert_eq!(got, want, "{n}");
        }
    }

    #[test]
    fn parses_integers_exactly() {
        for n in [0, 1, -1, 42, i64::MAX, i64::MIN, 9_223_372_036_854_775_507] {
            assert_eq!(parse_int(n.to_string().as_bytes()), Some(n));
        }
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"00000000000000000001",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reads_every_reply_shape() {
        let mut r: &[u8] = b"*3\r\n:1\r\n$2\r\nab\r\n$-1\r\n";
        assert_eq!(
            read_reply(&mut r, 0).unwrap(),
            Reply::Array(vec![
                Reply::Int(1),
                Reply::Bulk(Some(b"ab".to_vec())),
                Reply::Bulk(None)
            ])
        );
        let mut r: &[u8] = b"-WRONGTYPE Operation against a key\r\n";
        assert!(
            matches!(read_reply(&mut r, 0).unwrap(), Reply::Error(e) if e.starts_with("WRONGTYPE"))
        );
        for bad in [
            &b"?x\r\n"[..],
            b":x\r\n",
            b"$5\r\nab\r\n",
            b"",
            b"+OK",
            b"$2\r\nabcd",
        ] {
            let mut r = bad;
            assert!(read_reply(&mut r, 0).is_err());
        }
    }

    #[test]
    fn reads_the_hit_replies_and_refuses_other_shapes() {
        let mut line = Vec::new();
        let mut r: &[u8] = b"*4\r\n:0\r\n:17\r\n$-1\r\n:-3\r\n:1\r\n";
        assert_eq!(
            read_ints::<4>(&mut r, &mut line).unwrap(),
            [Some(0), Some(17), None, Some(-3)]
        );
        assert_eq!(read_int(&mut r, &mut line).unwrap(), 1);
        let mut r: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind\r\n";
        assert_eq!(
            read_ints::<4>(&mut r, &mut line),
            Err(StoreError::Protocol("WRONGTYPE".into()))
        );
        for bad in [
            &b"*3\r\n:1\r\n:2\r\n:3\r\n"[..],
            b"*4\r\n:1\r\n:2\r\n$1\r\n3\r\n:4\r\n",
            b"*4\r\n:1\r\n:2\r\n:x\r\n:4\r\n",
            b"*4\r\n:1\r\n:2\r\n:3\r\n",
            b"*4\r\n:1\r\n:-\r\n:3\r\n:4\r\n",
            b"*4\r\n:1\r\n:2\r\n:99999999999999999999\r\n:4\r\n",
            b":1\r\n",
            b"",
        ] {
            let mut r = bad;
            assert!(read_ints::<4>(&mut r, &mut line).is_err(), "{bad:?}");
        }
        for bad in [&b"$1\r\n1\r\n"[..], b"-ERR no\r\n", b":\r\n", b""] {
            let mut r = bad;
            assert!(read_int(&mut r, &mut line).is_err(), "{bad:?}");
        }
    }

    /// The readers give the same answers when a reply arrives a few bytes at a time (lines
    /// split across reads go through the gathering path).
    #[test]
    fn replies_split_across_reads_read_the_same() {
        let mut line = Vec::new();
        let ints: &[u8] = b"*4\r\n:0\r\n:17\r\n$-1\r\n:-3\r\n:1\r\n";
        let time: &[u8] = b"*2\r\n$10\r\n1764900000\r\n$6\r\n012345\r\n";
        for cap in 1..=ints.len() {
            let mut r = std::io::BufReader::with_capacity(cap, ints);
            assert_eq!(
                read_ints::<4>(&mut r, &mut line).unwrap(),
                [Some(0), Some(17), None, Some(-3)],
                "{cap}"
            );
            assert_eq!(read_int(&mut r, &mut line).unwrap(), 1, "{cap}");
            let mut r = std::io::BufReader::with_capacity(cap, time);
            assert_eq!(read_time(&mut r, &mut line).unwrap(), 1_764_900_000_012_345);
        }
        let long = [&b":"[..], &[b'1'; MAX_LINE][..], b"\r\n"].concat();
        for cap in [1, 8, MAX_LINE, 4 * MAX_LINE] {
            let mut r = std::io::BufReader::with_capacity(cap, &long[..]);
            assert!(read_int(&mut r, &mut line).is_err(), "{cap}");
        }
    }

    #[test]
    fn reads_the_server_time() {
        let mut line = Vec::new();
        let mut r: &[u8] = b"*2\r\n$10\r\n1764900000\r\n$6\r\n012345\r\n";
        assert_eq!(read_time(&mut r, &mut line).unwrap(), 1_764_900_000_012_345);
        for bad in [
            &b"*2\r\n$10\r\n1764900000\r\n$7\r\n1000000\r\n"[..],
            b"*2\r\n$9\r\n1764900000\r\n$1\r\n0\r\n",
            b"*2\r\n$2\r\n-1\r\n$1\r\n0\r\n",
            b"*1\r\n$1\r\n1\r\n",
            b"*2\r\n$1\r\n1\r\n",
        ] {
            let mut r = bad;
            assert!(read_time(&mut r, &mut line).is_err(), "{bad:?}");
        }
    }
}
