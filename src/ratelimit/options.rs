//! Reads and validates `RateLimiter` options, including the Redis store URL
//! `redis://[:password@]host:port[/db]`. Every bad item is named in one [`InvalidInput`]; a
//! password is never echoed.

use std::time::Duration;

use crate::errors::InvalidInput;

/// Largest accepted `limit`.
pub const MAX_LIMIT: i64 = 1_000_000_000;
/// Largest accepted `window`, in seconds (one year).
pub const MAX_WINDOW: i64 = 31_536_000;
/// Default connect and command timeout of the Redis store.
pub const DEFAULT_TIMEOUT_MS: i64 = 50;
/// Largest accepted timeout, in milliseconds.
pub const MAX_TIMEOUT_MS: i64 = 10_000;
/// Longest accepted `prefix`, in bytes.
pub const MAX_PREFIX: usize = 256;

/// One option value as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum OptValue<'a> {
    /// An integer.
    Int(i64),
    /// A string (any bytes).
    Str(&'a [u8]),
    /// Anything else, described by its type name.
    Other(String),
}

/// What to do when the Redis store cannot answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnStoreError {
    /// Decide on this node's table and report `local-fallback`.
    Local,
    /// Deny the hit.
    Deny,
    /// Admit the hit.
    Allow,
}

/// Where a Redis server is and how to talk to it.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisTarget {
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `AUTH` password, if any.
    pub password: Option<String>,
    /// Database index for `SELECT`.
    pub db: u32,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Read/write timeout of one command.
    pub command_timeout: Duration,
}

impl std::fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .finish()
    }
}

/// The store a limiter keeps its state in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// The node's shared-memory table.
    Local,
    /// A Redis server shared by every node.
    Redis(RedisTarget),
}

/// Validated options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Units per window.
    pub limit: u64,
    /// Window in seconds.
    pub window: u64,
    /// Where the state lives.
    pub store: Store,
    /// What a Redis failure turns into.
    pub on_store_error: OnStoreError,
    /// Namespace mixed into every key hash (and the Redis key name).
    pub prefix: Vec<u8>,
}

const KNOWN: &[&str] = &[
    "limit",
    "window",
    "store",
    "onStoreError",
    "prefix",
    "connectTimeoutMs",
    "commandTimeoutMs",
];

fn int_in(
    errs: &mut InvalidInput,
    name: &str,
    v: Option<&OptValue<'_>>,
    default: Option<i64>,
    max: i64,
) -> i64 {
    match v {
        None => match default {
            Some(d) => d,
            None => {
                errs.push(name, "is required");
                0
            }
        },
        Some(OptValue::Int(i)) if (1..=max).contains(i) => *i,
        Some(OptValue::Int(_)) => {
            errs.push(name, format!("must be an integer from 1 to {max}"));
            0
        }
        Some(_) => {
            errs.push(name, "must be an integer");
            0
        }
    }
}

/// Reads `options` (name, value pairs in the caller's order).
pub fn parse(options: &[(&[u8], OptValue<'_>)]) -> Result<Options, InvalidInput> {
    let mut errs = InvalidInput::new("RateLimiter options");
    let get = |name: &str| -> Option<&OptValue<'_>> {
        options
            .iter()
            .find(|(k, _)| *k == name.as_bytes())
            .map(|(_, v)| v)
    };
    for (k, _) in options {
        if !KNOWN.iter().any(|n| n.as_bytes() == *k) {
            errs.push(
                String::from_utf8_lossy(k).into_owned(),
                format!("unknown option (known: {})", KNOWN.join(", ")),
            );
        }
    }
    let limit = int_in(&mut errs, "limit", get("limit"), None, MAX_LIMIT);
    let window = int_in(&mut errs, "window", get("window"), None, MAX_WINDOW);
    let connect_ms = int_in(
        &mut errs,
        "connectTimeoutMs",
        get("connectTimeoutMs"),
        Some(DEFAULT_TIMEOUT_MS),
        MAX_TIMEOUT_MS,
    );
    let command_ms = int_in(
        &mut errs,
        "commandTimeoutMs",
        get("commandTimeoutMs"),
        Some(DEFAULT_TIMEOUT_MS),
        MAX_TIMEOUT_MS,
    );
    let on_store_error = match get("onStoreError") {
        None | Some(OptValue::Str(b"local")) => OnStoreError::Local,
        Some(OptValue::Str(b"deny")) => OnStoreError::Deny,
        Some(OptValue::Str(b"allow")) => OnStoreError::Allow,
        Some(_) => {
            errs.push("onStoreError", "must be 'local', 'deny' or 'allow'");
            OnStoreError::Local
        }
    };
    let prefix = match get("prefix") {
        None => Vec::new(),
        Some(OptValue::Str(b)) if b.len() <= MAX_PREFIX => b.to_vec(),
        Some(OptValue::Str(_)) => {
            errs.push("prefix", format!("must be at most {MAX_PREFIX} bytes"));
            Vec::new()
        }
        Some(_) => {
            errs.push("prefix", "must be a string");
            Vec::new()
        }
    };
    let connect_timeout = Duration::from_millis(connect_ms.max(1).unsigned_abs());
    let command_timeout = Duration::from_millis(command_ms.max(1).unsigned_abs());
    let store = match get("store") {
        None | Some(OptValue::Str(b"local")) => Store::Local,
        Some(OptValue::Str(url)) => match parse_store_url(url) {
            Ok(mut t) => {
                t.connect_timeout = connect_timeout;
                t.command_timeout = command_timeout;
                Store::Redis(t)
            }
            Err(reason) => {
                errs.push("store", reason);
                Store::Local
            }
        },
        Some(_) => {
            errs.push("store", "must be 'local' or a redis:// URL");
            Store::Local
        }
    };
    errs.into_result(Options {
        limit: limit.unsigned_abs(),
        window: window.unsigned_abs(),
        store,
        on_store_error,
        prefix,
    })
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Parses `redis://[:password@]host:port[/db]`. The reason never contains the password.
pub fn parse_store_url(url: &[u8]) -> Result<RedisTarget, String> {
    const GRAMMAR: &str = "must be 'local' or redis://[:password@]host:port[/db]";
    let Ok(url) = std::str::from_utf8(url) else {
        return Err(format!("{GRAMMAR} (not UTF-8)"));
    };
    let Some(rest) = url.strip_prefix("redis://") else {
        return Err(format!("{GRAMMAR} (unknown scheme)"));
    };
    let (auth, hostpart) = match rest.rfind('@') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    let password = match auth {
        None => None,
        Some(a) => match a.strip_prefix(':') {
            Some(p) if !p.is_empty() && !p.chars().any(char::is_control) => Some(p.to_owned()),
            _ => return Err(format!("{GRAMMAR} (credentials must be ':password')")),
        },
    };
    let (hostport, db) = match hostpart.find('/') {
        Some(i) => (&hostpart[..i], Some(&hostpart[i + 1..])),
        None => (hostpart, None),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((h, p)) = v6.split_once("]:") else {
            return Err(format!("{GRAMMAR} (bad [ipv6]:port)"));
        };
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{GRAMMAR} (bad IPv6 address)"));
        }
        (h, p)
    } else {
        let Some((h, p)) = hostport.rsplit_once(':') else {
            return Err(format!("{GRAMMAR} (port missing)"));
        };
        if !valid_hostname(h) {
            return Err(format!("{GRAMMAR} (bad host)"));
        }
        (h, p)
    };
    let port = match p_u32(port) {
        Some(p @ 1..=65535) => p as u16,
        _ => return Err(format!("{GRAMMAR} (port must be 1-65535)")),
    };
    let db = match db {
        None => 0,
        Some(d) => match p_u32(d) {
            Some(n) if n <= 1_000_000 => n,
            _ => return Err(format!("{GRAMMAR} (db must be a number)")),
        },
    };
    Ok(RedisTarget {
        host: host.to_owned(),
        port,
        password,
        db,
        connect_timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS.unsigned_abs()),
        command_timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS.unsigned_abs()),
    })
}

/// Plain decimal digits only (no sign, no spaces), at most 10 of them.
fn p_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts<'a>(pairs: &'a [(&'a str, OptValue<'a>)]) -> Vec<(&'a [u8], OptValue<'a>)> {
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.clone()))
            .collect()
    }

    #[test]
    fn minimal_options_default_to_the_local_store() {
        let o = parse(&opts(&[
            ("limit", OptValue::Int(60)),
            ("window", OptValue::Int(60)),
        ]))
        .unwrap();
        assert_eq!(o.store, Store::Local);
        assert_eq!(o.on_store_error, OnStoreError::Local);
        assert_eq!((o.limit, o.window), (60, 60));
    }

    #[test]
    fn every_bad_item_is_named_once() {
        let e = parse(&opts(&[
            ("limit", OptValue::Int(0)),
            ("window", OptValue::Str(b"60")),
            ("store", OptValue::Str(b"redis://:hunter2@host")),
            ("onStoreError", OptValue::Str(b"maybe")),
            ("bogus", OptValue::Int(1)),
            ("commandTimeoutMs", OptValue::Int(-5)),
        ]))
        .unwrap_err();
        let items: Vec<&str> = e.items.iter().map(|i| i.item.as_str()).collect();
        assert_eq!(
            items,
            [
                "bogus",
                "limit",
                "window",
                "commandTimeoutMs",
                "onStoreError",
                "store"
            ]
        );
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn limit_and_window_are_required() {
        let e = parse(&[]).unwrap_err();
        assert_eq!(e.items.len(), 2);
    }

    #[test]
    fn store_urls() {
        let t = parse_store_url(b"redis://127.0.0.1:6379").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.db), ("127.0.0.1", 6379, 0));
        assert!(t.password.is_none());
        let t = parse_store_url(b"redis://:p@ss:w0rd@cache.internal:6380/3").unwrap();
        assert_eq!(t.password.as_deref(), Some("p@ss:w0rd"));
        assert_eq!((t.host.as_str(), t.port, t.db), ("cache.internal", 6380, 3));
        let t = parse_store_url(b"redis://[::1]:7000/0").unwrap();
        assert_eq!(t.host, "::1");
        assert!(!format!("{t:?}").contains("ss:w0rd"));
        for bad in [
            &b"redis://host"[..],
            b"redis://host:0",
            b"redis://host:65536",
            b"redis://host:+5",
            b"redis://user:pw@host:1",
            b"redis://:@host:1",
            b"http://host:1",
            b"redis://ho st:1",
            b"redis://host:1/x",
            b"redis://host:1/",
            b"redis://[zz]:1",
            b"redis://:1",
            b"rediss://host:1",
            b"redis://-host:1",
            b"\xff",
            b"",
        ] {
            assert!(
                parse_store_url(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn timeouts_are_settable() {
        let o = parse(&opts(&[
            ("limit", OptValue::Int(1)),
            ("window", OptValue::Int(1)),
            ("store", OptValue::Str(b"redis://localhost:1")),
            ("connectTimeoutMs", OptValue::Int(7)),
        ]))
        .unwrap();
        let Store::Redis(t) = o.store else { panic!() };
        assert_eq!(t.connect_timeout, Duration::from_millis(7));
        assert_eq!(t.command_timeout, Duration::from_millis(50));
    }
}
