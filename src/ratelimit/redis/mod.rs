//! The Redis store: a minimal RESP2 client over `std::net::TcpStream`. A hit is one round trip
//! of one pipeline: the GCRA step as one atomic `BITFIELD` (see [`bitfield`]), the key's
//! expiry when this connection has not set it within the last seconds (see [`expiry`]), and
//! once a second a `TIME` that keeps this worker's estimate of the server's clock
//! (see [`clock`]). Nothing is loaded into the server: no script, no function. Each worker
//! (thread) keeps one connection per server across requests.
//!
//! * [`resp`]: the wire format, with allocation-free readers for the hit's replies.
//! * [`bitfield`]: the GCRA step as four saturating or failing increments, and the check of
//!   their answers.
//! * [`clock`]: the server's time as seen from this worker.
//! * [`expiry`]: when a hit must set its key's expiry.
//! * [`fork`]: which process a connection belongs to.
//!
//! A hand-written client was chosen over the `redis` crate: the store needs a handful of
//! commands and reply shapes, and a few hundred lines over std add no dependency tree, no async
//! runtime and no connection pool whose behaviour under fork we would have to audit. The hit's
//! pipeline goes out in one `write` from a buffer the connection keeps, and its replies are
//! parsed straight from the socket's buffer.
//!
//! Failures (refused, timed out, protocol error, answers that contradict the step) close the
//! connection and start a back-off: for the next 100 ms (doubling up to 1 s while the outage
//! lasts) this worker does not try the server at all and reports the failure at once, so an
//! outage does not cost every request a timeout. The first request after the back-off tries
//! again; success resets it.

pub mod bitfield;
pub mod clock;
pub mod expiry;
pub mod fork;
pub mod resp;

use std::cell::RefCell;
use std::io::{BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::options::RedisTarget;
use bitfield::Step;
use clock::ServerClock;
use resp::{Reply, io};

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

/// The socket, with one deadline for a whole exchange: the socket's own timeout bounds each
/// `read`, and a read that starts after the deadline fails, so a server that answers a byte at
/// a time cannot hold a worker for longer than about twice the command timeout per exchange.
/// A read interrupted by a signal the process handles (with a receive timeout set, Linux
/// reports `EINTR` even for handlers installed with `SA_RESTART`) is retried within the same
/// deadline, so a PHP signal handler does not turn into a store error.
struct Timed<S = TcpStream> {
    stream: S,
    deadline: Instant,
}

impl<S: Read> Read for Timed<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if Instant::now() >= self.deadline {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            match self.stream.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }
}

struct Conn {
    reader: BufReader<Timed>,
    /// The command timeout, and so the length of each exchange's deadline.
    timeout: Duration,
    /// The pipeline being written (kept: no allocation per hit).
    buf: Vec<u8>,
    /// The reply line being read (kept likewise).
    line: Vec<u8>,
    /// The server's clock as seen from here.
    clock: ServerClock,
    /// When the connection opened: the origin of `recent`'s times.
    opened: Instant,
    /// The keys whose expiry this connection set lately.
    recent: expiry::Recent,
    /// An exchange failed after its answer was read: the connection is dropped after this call.
    broken: bool,
}

impl Conn {
    fn open(t: &RedisTarget) -> Result<Self, StoreError> {
        let addrs = (t.host.as_str(), t.port).to_socket_addrs().map_err(io)?;
        let mut last = StoreError::Io("host did not resolve".into());
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, t.connect_timeout) {
                Ok(s) => return Self::start(s, t),
                Err(e) => last = io(e),
            }
        }
        Err(last)
    }

    /// Sets up a fresh socket: timeouts, `AUTH`, `SELECT`, then the first reading of the
    /// server's clock.
    fn start(stream: TcpStream, t: &RedisTarget) -> Result<Self, StoreError> {
        stream
            .set_read_timeout(Some(t.command_timeout))
            .map_err(io)?;
        stream
            .set_write_timeout(Some(t.command_timeout))
            .map_err(io)?;
        stream.set_nodelay(true).map_err(io)?;
        let started = Instant::now();
        let mut c = Conn {
            reader: BufReader::with_capacity(
                512,
                Timed {
                    stream,
                    deadline: started,
                },
            ),
            timeout: t.command_timeout,
            buf: Vec::with_capacity(512),
            line: Vec::with_capacity(resp::MAX_LINE),
            clock: ServerClock::anchored(started, started, 0),
            opened: started,
            recent: expiry::Recent::default(),
            broken: false,
        };
        if let Some(pw) = &t.password {
            c.expect_ok(&[b"AUTH", pw.as_bytes()])?;
        }
        if t.db != 0 {
            c.expect_ok(&[b"SELECT", t.db.to_string().as_bytes()])?;
        }
        c.sync_clock()?;
        Ok(c)
    }

    /// Applies `timeout` as the command timeout (the socket's read and write timeouts, and the
    /// length of each exchange's deadline). Limiters with different timeouts share a server's
    /// connection: each hit applies its own, at the cost of two system calls when it changes.
    fn use_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        if self.timeout != timeout {
            let stream = &self.reader.get_ref().stream;
            stream.set_read_timeout(Some(timeout)).map_err(io)?;
            stream.set_write_timeout(Some(timeout)).map_err(io)?;
            self.timeout = timeout;
        }
        Ok(())
    }

    /// Writes the command(s) in `buf` in one `write`, starting the exchange's deadline at
    /// `sent` (now, as the caller read it).
    fn send(&mut self, sent: Instant) -> Result<(), StoreError> {
        let timed = self.reader.get_mut();
        timed.deadline = sent + self.timeout;
        timed.stream.write_all(&self.buf).map_err(io)
    }

    /// Asks the server's clock in a round trip of its own.
    fn sync_clock(&mut self) -> Result<(), StoreError> {
        self.buf.clear();
        resp::encode(&mut self.buf, &[b"TIME"]);
        let sent = Instant::now();
        self.send(sent)?;
        let server = resp::read_time(&mut self.reader, &mut self.line)?;
        self.clock = ServerClock::anchored(sent, Instant::now(), server);
        Ok(())
    }

    fn call(&mut self, args: &[&[u8]]) -> Result<Reply, StoreError> {
        self.buf.clear();
        resp::encode(&mut self.buf, args);
        self.send(Instant::now())?;
        resp::read_reply(&mut self.reader, 0)
    }

    fn expect_ok(&mut self, args: &[&[u8]]) -> Result<(), StoreError> {
        match self.call(args)? {
            Reply::Simple(_) => Ok(()),
            e => Err(resp::error_word(&e)),
        }
    }

    /// One hit's pipeline, written in one `write`: the step, the key's expiry unless this
    /// connection set it lately, and `TIME` when the clock estimate is due. `given` is the
    /// caller's `now`; without it the estimate of the server's clock decides (asked first, in a
    /// round trip of its own, when this connection has been idle long enough for the estimate
    /// to be stale). A key the step created although its expiry was skipped (it was deleted
    /// since) gets its expiry at once, in a round trip of its own.
    fn hit(
        &mut self,
        key: &Key<'_>,
        cost: u64,
        bound: u64,
        given: Option<u64>,
    ) -> Result<Answer, StoreError> {
        let mut sent = Instant::now();
        if given.is_none() && self.clock.stale(sent) {
            self.sync_clock()?;
            sent = Instant::now();
        }
        let resync = given.is_none() && self.clock.due(sent);
        let now = given.unwrap_or_else(|| self.clock.at(sent));
        let step = Step::new(now, cost, bound)
            .ok_or_else(|| StoreError::Protocol("time or cost out of range".into()))?;
        let since_open = sent.saturating_duration_since(self.opened);
        let expire = !self.recent.fresh(key.id, since_open, now);
        let ttl = i64::try_from(expiry::ttl_ms(bound)).unwrap_or(i64::MAX);
        self.buf.clear();
        step.encode(&mut self.buf, key.text);
        if expire {
            self.push_pexpire(key.text, ttl);
        }
        if resync {
            resp::encode(&mut self.buf, &[b"TIME"]);
        }
        self.send(sent)?;
        let [mark, answers @ ..] = resp::read_ints::<5>(&mut self.reader, &mut self.line)?;
        if expire {
            resp::read_int(&mut self.reader, &mut self.line)?;
        }
        if resync {
            let server = resp::read_time(&mut self.reader, &mut self.line)?;
            self.clock = ServerClock::anchored(sent, Instant::now(), server);
        }
        let created = Step::created(mark)
            .ok_or_else(|| StoreError::Protocol("BITFIELD mark is not a bit".into()))?;
        let (admitted, tat) = step
            .read(answers)
            .ok_or_else(|| StoreError::Protocol("BITFIELD answers contradict the step".into()))?;
        if !expire && created {
            // Redis has counted the hit: its answer stands even if this fails. A failure only
            // ends the connection (the key may then stay without expiry until a hit from a
            // connection that has not set it lately, which is stricter, never looser).
            self.buf.clear();
            self.push_pexpire(key.text, ttl);
            let set = self.send(Instant::now());
            if set
                .and_then(|()| resp::read_int(&mut self.reader, &mut self.line))
                .is_err()
            {
                self.broken = true;
                return Ok((admitted, tat, now));
            }
        }
        if expire || created {
            self.recent.set(key.id, since_open, now);
        }
        Ok((admitted, tat, now))
    }

    /// Appends `PEXPIRE key ttl_ms` (relative: Redis counts it on its own clock).
    fn push_pexpire(&mut self, key: &[u8], ttl_ms: i64) {
        resp::push_command(&mut self.buf, 3);
        resp::push_bulk(&mut self.buf, b"PEXPIRE");
        resp::push_bulk(&mut self.buf, key);
        resp::push_int(&mut self.buf, ttl_ms);
    }
}

/// A key as the store sees it: its text on the server, and a 128-bit identity of it (the first
/// half of the SHA-256 its text ends with) by which a connection remembers it.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    /// The key on the server.
    pub text: &'a [u8],
    /// Equal for equal keys, and for different keys only by a 128-bit collision.
    pub id: u128,
}

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// One server as this worker sees it: identified by everything the connection was set up
/// with (a connection authenticated with one password is never reused for another).
struct Endpoint {
    host: String,
    port: u16,
    db: u32,
    password: Option<String>,
    /// The [`fork::mark`] of the process that opened `conn`.
    process: u64,
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
        let process = fork::mark();
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
                    process,
                    conn: None,
                    down_until: None,
                    backoff: BACKOFF_MIN,
                });
                eps.len() - 1
            }
        };
        let ep = &mut eps[i];
        if ep.process != process {
            // Inherited across fork(): the socket belongs to the parent.
            ep.conn = None;
            ep.process = process;
        }
        if ep.down_until.is_some_and(|until| Instant::now() < until) {
            return Err(StoreError::BackingOff);
        }
        let result = match ep.conn.as_mut() {
            Some(c) => c.use_timeout(t.command_timeout).and_then(|()| f(c)),
            None => match Conn::open(t) {
                Ok(c) => f(ep.conn.insert(c)),
                Err(e) => Err(e),
            },
        };
        let broken = ep.conn.as_ref().is_some_and(|c| c.broken);
        match &result {
            Ok(_) if !broken => {
                ep.down_until = None;
                ep.backoff = BACKOFF_MIN;
            }
            _ => {
                ep.conn = None;
                ep.down_until = Some(Instant::now() + ep.backoff);
                ep.backoff = (ep.backoff * 2).min(BACKOFF_MAX);
            }
        }
        result
    })
}

/// The server's answer to one hit: `(admitted, tat, now)` in microseconds; `tat` is the TAT the
/// hit was judged against and left: the new TAT when admitted, `max(old, now)` when denied
/// (see [`Step::read`] for a tampered field).
pub type Answer = (bool, u64, u64);

/// One GCRA hit on the server, in one round trip. `now` = None uses the server's clock (as
/// estimated by this worker, see [`clock`]).
pub fn hit(
    t: &RedisTarget,
    key: &Key<'_>,
    interval: u64,
    limit: u64,
    cost: u64,
    now: Option<u64>,
) -> Result<Answer, StoreError> {
    let cost = cost.saturating_mul(interval);
    let bound = limit.saturating_mul(interval);
    with_conn(t, |c| c.hit(key, cost, bound, now))
}

/// Deletes the key's state on the server.
pub fn reset(t: &RedisTarget, key: &Key<'_>) -> Result<(), StoreError> {
    with_conn(t, |c| {
        c.recent.forget(key.id);
        match c.call(&[b"DEL", key.text])? {
            Reply::Int(_) => Ok(()),
            _ => Err(StoreError::Protocol("unexpected DEL reply".into())),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Key<'static> = Key { text: b"k", id: 1 };

    #[test]
    fn an_unreachable_server_fails_fast_and_then_backs_off() {
        // Port 1 on loopback: nothing listens there, the connect is refused at once.
        let t = super::super::options::parse_store_url(b"redis://127.0.0.1:1").unwrap();
        assert!(matches!(
            hit(&t, &KEY, 1, 1, 1, None),
            Err(StoreError::Io(_))
        ));
        assert_eq!(hit(&t, &KEY, 1, 1, 1, None), Err(StoreError::BackingOff));
    }

    /// A read interrupted by a handled signal is tried again within the deadline; past the
    /// deadline it is a timeout.
    #[test]
    fn an_interrupted_read_is_retried_until_the_deadline() {
        struct Flaky(u32);
        impl Read for Flaky {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 > 0 {
                    self.0 -= 1;
                    return Err(std::io::ErrorKind::Interrupted.into());
                }
                buf[0] = b'x';
                Ok(1)
            }
        }
        let mut buf = [0u8; 4];
        let mut t = Timed {
            stream: Flaky(3),
            deadline: Instant::now() + Duration::from_secs(5),
        };
        assert_eq!(t.read(&mut buf).unwrap(), 1);
        let mut late = Timed {
            stream: Flaky(u32::MAX),
            deadline: Instant::now() + Duration::from_millis(20),
        };
        let e = late.read(&mut buf).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    }

    /// A server that answers `TIME` and then drips its reply a byte at a time, each byte within
    /// the 50 ms command timeout: the hit still gives up after about twice the timeout.
    #[test]
    fn a_dripping_server_cannot_hold_a_hit() {
        use std::io::BufRead;
        use std::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut w = s;
            let mut line = String::new();
            // TIME: *1, $4, TIME.
            for _ in 0..3 {
                line.clear();
                r.read_line(&mut line).unwrap();
            }
            w.write_all(b"*2\r\n$10\r\n1764900000\r\n$1\r\n0\r\n")
                .unwrap();
            // Then whatever comes: a reply of 5 integers, one byte every 30 ms.
            let _ = r.fill_buf();
            for b in b"*5\r\n:1\r\n:1\r\n:2\r\n:3\r\n:4\r\n:1\r\n" {
                std::thread::sleep(Duration::from_millis(30));
                if w.write_all(&[*b]).is_err() {
                    break;
                }
            }
        });
        let url = format!("redis://127.0.0.1:{port}");
        let t = super::super::options::parse_store_url(url.as_bytes()).unwrap();
        let started = Instant::now();
        let r = hit(&t, &KEY, 1_000, 10, 1, None);
        let took = started.elapsed();
        assert!(matches!(r, Err(StoreError::Io(_))), "{r:?}");
        assert!(took < Duration::from_millis(400), "{took:?}");
        server.join().unwrap();
    }
}
