//! The Redis store: a minimal RESP2 client over `std::net::TcpStream` and a server-side GCRA
//! script, so a hit is one round trip (`EVALSHA`). The script is loaded once (`SCRIPT LOAD`,
//! again only after `NOSCRIPT`, e.g. when Redis restarted). Each worker (thread) keeps one
//! connection per server across requests.
//!
//! A hand-written client was chosen over the `redis` crate: the store needs four commands and
//! two reply shapes, and ~150 lines over std add no dependency tree, no async runtime and no
//! connection pool whose behaviour under fork we would have to audit. The hit's `EVALSHA` has
//! its own writer and reader: the command goes out in one `write` from a buffer the connection
//! keeps, and the expected `*3` of integers is parsed straight from the socket's buffer, with no
//! allocation per hit; every other reply goes through the generic [`read_reply`].
//!
//! Failures (refused, timed out, protocol error) close the connection and start a back-off:
//! for the next 100 ms (doubling up to 1 s while the outage lasts) this worker does not try the
//! server at all and reports the failure at once, so an outage does not cost every request a
//! timeout. The first request after the back-off tries again; success resets it.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::options::RedisTarget;

/// The GCRA step on the server. KEYS[1] = hashed key; ARGV = the hit's cost × interval (µs),
/// the burst bound limit × interval (µs), and `now` (µs; absent: the server's clock, so every
/// node shares one time base). Returns `{allowed (0/1), tat (µs, the stored state after the
/// hit), now (µs)}`. The arithmetic is the same as `gcra::decide`; all values stay below 2^53,
/// exact in Lua numbers. The client multiplies, so the script converts three numbers at most.
pub const SCRIPT: &str = r"
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = t[1] * 1000000 + t[2]
end
local raw = redis.call('GET', KEYS[1])
local tat = 0
if raw then
  tat = tonumber(raw)
  if not tat then return redis.error_reply('BADSTATE state is not a number') end
end
local base = tat
if base < now then base = now end
local new = base + tonumber(ARGV[1])
if new - now <= tonumber(ARGV[2]) then
  local ttl = math.floor((new - now) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%d', new), 'PX', string.format('%d', ttl))
  return {1, new, now}
end
return {0, tat, now}
";

/// Why the store could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Inside the back-off window after a failure: not tried.
    BackingOff,
    /// Connecting, writing or reading failed or timed out.
    Io(String),
    /// The server answered something unexpected (an error reply, a wrong shape).
    Protocol(String),
}

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

/// `n` in decimal, written into the end of `buf`.
fn decimal(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Appends one bulk string.
fn push_bulk(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(decimal(&mut [0; 20], a.len() as u64));
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(a);
    out.extend_from_slice(b"\r\n");
}

/// Writes one command as a RESP array of bulk strings.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    out.extend_from_slice(decimal(&mut [0; 20], args.len() as u64));
    out.extend_from_slice(b"\r\n");
    for a in args {
        push_bulk(out, a);
    }
}

/// Writes the `EVALSHA` of one hit: `sha`, one key, then the numeric arguments.
pub fn encode_evalsha(out: &mut Vec<u8>, sha: &[u8], key: &[u8], argv: &[u64]) {
    out.push(b'*');
    out.extend_from_slice(decimal(&mut [0; 20], 4 + argv.len() as u64));
    out.extend_from_slice(b"\r\n$7\r\nEVALSHA\r\n");
    push_bulk(out, sha);
    out.extend_from_slice(b"$1\r\n1\r\n");
    push_bulk(out, key);
    for n in argv {
        push_bulk(out, decimal(&mut [0; 20], *n));
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

/// Reads one line (without its CRLF) into `line`, reusing its allocation.
fn read_line<'l>(r: &mut impl BufRead, line: &'l mut Vec<u8>) -> Result<&'l [u8], StoreError> {
    line.clear();
    r.take(MAX_LINE).read_until(b'\n', line).map_err(io)?;
    if line.len() < 3 || !line.ends_with(b"\r\n") {
        return Err(StoreError::Io("connection closed".into()));
    }
    Ok(&line[..line.len() - 2])
}

/// Longest line the script's reply holds (`:` and a number).
const MAX_LINE: u64 = 64;

/// A decimal `i64` without sign tricks: an optional `-`, then 1 to 18 digits.
fn parse_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if neg { -n } else { n })
}

/// Reads the script's reply, `*3` of three integers, without building a [`Reply`]; any other
/// reply (an error such as `NOSCRIPT`) is read whole and returned as `Err(reply)`.
pub fn read_answer(
    r: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> Result<Result<[i64; 3], Reply>, StoreError> {
    let first = r.fill_buf().map_err(io)?.first().copied();
    if first != Some(b'*') {
        return read_reply(r, 0).map(Err);
    }
    let bad = || StoreError::Protocol("unexpected script reply".into());
    if read_line(r, line)? != b"*3" {
        return Err(bad());
    }
    let mut out = [0i64; 3];
    for v in &mut out {
        *v = match read_line(r, line)?.split_first() {
            Some((b':', n)) => parse_int(n).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
    }
    Ok(Ok(out))
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e.kind().to_string())
}

struct Conn {
    reader: BufReader<TcpStream>,
    /// The command being written (kept: no allocation per command).
    buf: Vec<u8>,
    /// The reply line being read (kept likewise).
    line: Vec<u8>,
}

impl Conn {
    fn open(t: &RedisTarget) -> Result<Self, StoreError> {
        let addrs = (t.host.as_str(), t.port).to_socket_addrs().map_err(io)?;
        let mut last = StoreError::Io("host did not resolve".into());
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, t.connect_timeout) {
                Ok(s) => {
                    s.set_read_timeout(Some(t.command_timeout)).map_err(io)?;
                    s.set_write_timeout(Some(t.command_timeout)).map_err(io)?;
                    s.set_nodelay(true).map_err(io)?;
                    let mut c = Conn {
                        reader: BufReader::with_capacity(512, s),
                        buf: Vec::with_capacity(256),
                        line: Vec::with_capacity(MAX_LINE as usize),
                    };
                    if let Some(pw) = &t.password {
                        c.expect_ok(&[b"AUTH", pw.as_bytes()])?;
                    }
                    if t.db != 0 {
                        c.expect_ok(&[b"SELECT", t.db.to_string().as_bytes()])?;
                    }
                    return Ok(c);
                }
                Err(e) => last = io(e),
            }
        }
        Err(last)
    }

    fn call(&mut self, args: &[&[u8]]) -> Result<Reply, StoreError> {
        self.buf.clear();
        encode(&mut self.buf, args);
        self.reader.get_mut().write_all(&self.buf).map_err(io)?;
        read_reply(&mut self.reader, 0)
    }

    /// One hit's `EVALSHA`, written in one `write` and read from the buffered socket.
    fn evalsha(
        &mut self,
        sha: &[u8],
        key: &[u8],
        argv: &[u64],
    ) -> Result<Result<[i64; 3], Reply>, StoreError> {
        self.buf.clear();
        encode_evalsha(&mut self.buf, sha, key, argv);
        self.reader.get_mut().write_all(&self.buf).map_err(io)?;
        read_answer(&mut self.reader, &mut self.line)
    }

    fn expect_ok(&mut self, args: &[&[u8]]) -> Result<(), StoreError> {
        match self.call(args)? {
            Reply::Simple(_) => Ok(()),
            // The server's error text may quote the command; keep only its first word.
            Reply::Error(e) => Err(StoreError::Protocol(
                e.split_whitespace().next().unwrap_or("ERR").to_owned(),
            )),
            _ => Err(StoreError::Protocol("unexpected reply".into())),
        }
    }
}

/// The script's SHA1 as the server reported it (the same on every server).
static SCRIPT_SHA: OnceLock<Vec<u8>> = OnceLock::new();

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// One server as this worker sees it: identified by everything the connection was set up
/// with (a connection authenticated with one password is never reused for another).
struct Endpoint {
    host: String,
    port: u16,
    db: u32,
    password: Option<String>,
    pid: u32,
    conn: Option<Conn>,
    down_until: Option<Instant>,
    backoff: Duration,
}

thread_local! {
    static ENDPOINTS: RefCell<Vec<Endpoint>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this worker's connection to `t`, (re)connecting as needed and applying the
/// back-off. Any failure drops the connection.
fn with_conn<T>(
    t: &RedisTarget,
    f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    ENDPOINTS.with(|eps| {
        let mut eps = eps.borrow_mut();
        let pid = std::process::id();
        let i = match eps.iter().position(|e| {
            e.host == t.host && e.port == t.port && e.db == t.db && e.password == t.password
        }) {
            Some(i) => i,
            None => {
                eps.push(Endpoint {
                    host: t.host.clone(),
                    port: t.port,
                    db: t.db,
                    password: t.password.clone(),
                    pid,
                    conn: None,
                    down_until: None,
                    backoff: BACKOFF_MIN,
                });
                eps.len() - 1
            }
        };
        let ep = &mut eps[i];
        if ep.pid != pid {
            // Inherited across fork(): the socket belongs to the parent.
            ep.conn = None;
            ep.pid = pid;
        }
        if ep.down_until.is_some_and(|until| Instant::now() < until) {
            return Err(StoreError::BackingOff);
        }
        let result = match ep.conn.as_mut() {
            Some(c) => f(c),
            None => match Conn::open(t) {
                Ok(c) => f(ep.conn.insert(c)),
                Err(e) => Err(e),
            },
        };
        match &result {
            Ok(_) => {
                ep.down_until = None;
                ep.backoff = BACKOFF_MIN;
            }
            Err(_) => {
                ep.conn = None;
                ep.down_until = Some(Instant::now() + ep.backoff);
                ep.backoff = (ep.backoff * 2).min(BACKOFF_MAX);
            }
        }
        result
    })
}

fn load_script(c: &mut Conn) -> Result<Vec<u8>, StoreError> {
    match c.call(&[b"SCRIPT", b"LOAD", SCRIPT.as_bytes()])? {
        Reply::Bulk(Some(sha)) => {
            let _ = SCRIPT_SHA.set(sha.clone());
            Ok(sha)
        }
        _ => Err(StoreError::Protocol("SCRIPT LOAD failed".into())),
    }
}

/// The server's answer to one hit: `(allowed, tat, now)` in microseconds.
pub type Answer = (bool, u64, u64);

fn parse_answer(r: Result<[i64; 3], Reply>) -> Result<Answer, StoreError> {
    match r {
        Ok([a, t, n]) if (a == 0 || a == 1) && t >= 0 && n >= 0 => {
            Ok((a == 1, t.unsigned_abs(), n.unsigned_abs()))
        }
        _ => Err(StoreError::Protocol("unexpected script reply".into())),
    }
}

/// One GCRA hit on the server: one `EVALSHA` round trip (plus `SCRIPT LOAD` the first time and
/// after a server restart). `now` = None uses the server's clock.
pub fn hit(
    t: &RedisTarget,
    key: &[u8],
    interval: u64,
    limit: u64,
    cost: u64,
    now: Option<u64>,
) -> Result<Answer, StoreError> {
    let args = [
        cost.saturating_mul(interval),
        limit.saturating_mul(interval),
        now.unwrap_or(0),
    ];
    let argv = if now.is_some() { &args[..] } else { &args[..2] };
    with_conn(t, |c| {
        let loaded;
        let sha: &[u8] = match SCRIPT_SHA.get() {
            Some(s) => s,
            None => {
                loaded = load_script(c)?;
                &loaded
            }
        };
        match c.evalsha(sha, key, argv)? {
            Err(Reply::Error(e)) if e.starts_with("NOSCRIPT") => {
                let sha = load_script(c)?;
                parse_answer(c.evalsha(&sha, key, argv)?)
            }
            r => parse_answer(r),
        }
    })
}

/// Deletes the key's state on the server.
pub fn reset(t: &RedisTarget, key: &[u8]) -> Result<(), StoreError> {
    with_conn(t, |c| match c.call(&[b"DEL", key])? {
        Reply::Int(_) => Ok(()),
        _ => Err(StoreError::Protocol("unexpected DEL reply".into())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands_as_bulk_arrays() {
        let mut out = Vec::new();
        encode(&mut out, &[b"GET", b"k\r\n"]);
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\n");
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
        let mut r: &[u8] = b"-NOSCRIPT No matching script\r\n";
        assert!(
            matches!(read_reply(&mut r, 0).unwrap(), Reply::Error(e) if e.starts_with("NOSCRIPT"))
        );
        for bad in [&b"?x\r\n"[..], b":x\r\n", b"$5\r\nab\r\n", b"", b"+OK"] {
            let mut r = bad;
            assert!(read_reply(&mut r, 0).is_err());
        }
    }

    #[test]
    fn encodes_the_hit_and_reads_its_answer() {
        let mut out = Vec::new();
        encode_evalsha(&mut out, b"abc", b"k", &[10, 0, 18_446_744_073_709_551_615]);
        assert_eq!(
            out,
            b"*7\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n1\r\n$1\r\nk\r\n\
              $2\r\n10\r\n$1\r\n0\r\n$20\r\n18446744073709551615\r\n"
        );
        let mut check = Vec::new();
        encode(
            &mut check,
            &[
                b"EVALSHA",
                b"abc",
                b"1",
                b"k",
                b"10",
                b"0",
                b"18446744073709551615",
            ],
        );
        assert_eq!(out, check);
        let mut line = Vec::new();
        let mut r: &[u8] = b"*3\r\n:1\r\n:-20\r\n:1700000000000000\r\n";
        assert_eq!(
            read_answer(&mut r, &mut line).unwrap(),
            Ok([1, -20, 1_700_000_000_000_000])
        );
        let mut r: &[u8] = b"-NOSCRIPT No matching script\r\n";
        assert!(
            matches!(read_answer(&mut r, &mut line).unwrap(), Err(Reply::Error(e)) if e.starts_with("NOSCRIPT"))
        );
        for bad in [
            &b"*2\r\n:1\r\n:2\r\n"[..],
            b"*3\r\n:1\r\n:2\r\n$1\r\n3\r\n",
            b"*3\r\n:1\r\n:2\r\n:x\r\n",
            b"*3\r\n:1\r\n:2\r\n:1234567890123456789\r\n",
            b"*3\r\n:1\r\n:2\r\n",
            b"*3\r\n:1\r\n:-\r\n:3\r\n",
            b"",
        ] {
            let mut r = bad;
            assert!(read_answer(&mut r, &mut line).is_err(), "{bad:?}");
        }
        assert!(parse_answer(Ok([2, 1, 1])).is_err());
        assert!(parse_answer(Ok([1, -1, 1])).is_err());
        assert_eq!(parse_answer(Ok([0, 5, 3])), Ok((false, 5, 3)));
    }

    #[test]
    fn an_unreachable_server_fails_fast_and_then_backs_off() {
        // Port 1 on loopback: nothing listens there, the connect is refused at once.
        let t = super::super::options::parse_store_url(b"redis://127.0.0.1:1").unwrap();
        assert!(matches!(
            hit(&t, b"k", 1, 1, 1, None),
            Err(StoreError::Io(_))
        ));
        assert_eq!(hit(&t, b"k", 1, 1, 1, None), Err(StoreError::BackingOff));
    }
}
