//! Rate limiting with GCRA, on the node's shared table (`local`) or on Redis (one limit for a
//! cluster). See `docs/rate-limiting.md`.
//!
//! * [`gcra`]: the algorithm, pure.
//! * [`options`]: reading and validating options and the store URL.
//! * [`local`]: the node table (one slot per key hash, compare-and-swap updates).
//! * [`shm`]: maps the node table's memory (the only `unsafe` outside the PHP glue).
//! * [`redis`]: the Redis store (RESP client, the GCRA step as one `BITFIELD`, back-off).
//! * [`siphash`]: the keyed hash that places keys in the node table.
//!
//! Request values never raise: an empty key or a cost outside `1..=limit` is a denial that
//! touches no store. Keys are never stored or logged: the node table keeps a state under a
//! keyed hash of the key, Redis under a SHA-256 of it.

pub mod gcra;
pub mod local;
pub mod options;
pub mod redis;
pub mod siphash;
// The one core module that may use `unsafe`: it maps the node table's shared memory.
#[allow(unsafe_code)]
pub mod shm;

use sha2::{Digest, Sha256};

use crate::errors::InvalidInput;
use gcra::{Decision, MICROS, Params};
use options::{OnStoreError, OptValue, Options, Store};

/// Largest `now` accepted from the caller (unix seconds, year 2223): keeps every time in
/// microseconds, plus a window, far inside the Redis store's 63-bit field.
pub const MAX_NOW: i64 = 8_000_000_000;

/// The Redis key prefix when the caller gives none.
pub const DEFAULT_REDIS_PREFIX: &[u8] = b"agents:rl:";

/// Which store decided a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreUsed {
    /// The node table (configured `store: 'local'`).
    Local,
    /// Redis (or the `onStoreError` policy `deny`/`allow` when Redis could not answer).
    Redis,
    /// Redis could not answer; the node table decided.
    LocalFallback,
}

impl StoreUsed {
    /// The `store` value of the result array.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Redis => "redis",
            Self::LocalFallback => "local-fallback",
        }
    }
}

/// The answer to one hit, in the units of the PHP result array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Admitted or not.
    pub allowed: bool,
    /// The configured limit.
    pub limit: i64,
    /// Unit-cost hits that would still pass now.
    pub remaining: i64,
    /// Unix seconds when the key is back to its full allowance.
    pub reset_at: i64,
    /// Seconds until this hit would pass; 0 when allowed.
    pub retry_after: i64,
    /// Which store decided.
    pub store: StoreUsed,
}

/// Header names of the result, in order.
pub const HEADER_LIMIT: &str = "X-RateLimit-Limit";
/// See [`HEADER_LIMIT`].
pub const HEADER_REMAINING: &str = "X-RateLimit-Remaining";
/// See [`HEADER_LIMIT`].
pub const HEADER_RESET: &str = "X-RateLimit-Reset";
/// Sent only with a denial.
pub const HEADER_RETRY_AFTER: &str = "Retry-After";

/// One response header: name and value.
pub type LimitHeader = (&'static str, i64);

impl Outcome {
    /// The response headers: limit, remaining, reset (unix seconds), and `Retry-After` (seconds)
    /// when denied.
    pub fn headers(&self) -> ([LimitHeader; 3], Option<LimitHeader>) {
        (
            [
                (HEADER_LIMIT, self.limit),
                (HEADER_REMAINING, self.remaining),
                (HEADER_RESET, self.reset_at),
            ],
            (!self.allowed).then_some((HEADER_RETRY_AFTER, self.retry_after)),
        )
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A configured limiter.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    opts: Options,
    params: Params,
    /// The prefix's hash key in the node table (None when no table existed at construction).
    table_key: Option<local::PrefixKey>,
    /// SHA-256 state after the Redis key's fixed part (version tag, limit, window and prefix).
    key_hash: Sha256,
}

/// The current time in microseconds since the unix epoch.
fn clock_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

impl RateLimiter {
    /// Validates `options` (see [`options::parse`]).
    pub fn new(options: &[(&[u8], OptValue<'_>)]) -> Result<Self, InvalidInput> {
        let opts = options::parse(options)?;
        let params = Params::new(opts.limit, opts.window);
        let table_key = local::node().map(|t| t.key_for(&opts.prefix));
        let mut key_hash = Sha256::new();
        key_hash.update(b"agents_core.ratelimit.v3\0");
        // The limit and window too: limiters that differ in either never share a key, so every
        // writer of a key sets the same expiry (see `redis::expiry`).
        key_hash.update(opts.limit.to_le_bytes());
        key_hash.update(opts.window.to_le_bytes());
        key_hash.update((opts.prefix.len() as u64).to_le_bytes());
        key_hash.update(&opts.prefix);
        Ok(Self {
            opts,
            params,
            table_key,
            key_hash,
        })
    }

    /// The validated options.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The Redis key for `key`: the prefix, then the hex SHA-256 of the limit, the window, the
    /// prefix and the key.
    pub fn redis_key(&self, key: &[u8]) -> Vec<u8> {
        self.redis_key_and_id(key).0
    }

    /// The Redis key for `key` and its identity for [`redis::Key`]: the digest's first half.
    fn redis_key_and_id(&self, key: &[u8]) -> (Vec<u8>, u128) {
        let mut h = self.key_hash.clone();
        h.update(key);
        let digest = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        let prefix: &[u8] = if self.opts.prefix.is_empty() {
            DEFAULT_REDIS_PREFIX
        } else {
            &self.opts.prefix
        };
        let mut out = Vec::with_capacity(prefix.len() + 64);
        out.extend_from_slice(prefix);
        crate::hex::encode_into(&mut out, &digest);
        (out, u128::from_le_bytes(first))
    }

    fn outcome(&self, d: &Decision, store: StoreUsed) -> Outcome {
        Outcome {
            allowed: d.allowed,
            limit: to_i64(self.params.limit),
            remaining: to_i64(d.remaining),
            reset_at: to_i64(d.reset_at_secs()),
            retry_after: to_i64(d.retry_after_secs()),
            store,
        }
    }

    /// A denial that touched no store.
    fn refuse(&self, now: u64, retry_after: u64, store: StoreUsed) -> Outcome {
        let d = Decision {
            allowed: false,
            tat: 0,
            remaining: 0,
            reset_at: now + retry_after,
            retry_after,
        };
        self.outcome(&d, store)
    }

    fn local(&self, key: &[u8], cost: u64, now: u64, store: StoreUsed) -> Outcome {
        match local::node() {
            Some(t) => {
                let pk = self
                    .table_key
                    .unwrap_or_else(|| t.key_for(&self.opts.prefix));
                self.outcome(&t.hit(&self.params, pk, key, cost, now), store)
            }
            // No node table (start-up could not map it): fail closed.
            None => self.refuse(now, MICROS, store),
        }
    }

    /// Counts a hit of `cost` on `key` at `now` (unix seconds; None = the clock). Errors only
    /// for a `now` outside `0..=MAX_NOW` (a caller mistake); every request value is answered.
    pub fn hit(&self, key: &[u8], cost: i64, now: Option<i64>) -> Result<Outcome, InvalidInput> {
        let given = match now {
            Some(s) if (0..=MAX_NOW).contains(&s) => Some(s.unsigned_abs() * MICROS),
            Some(_) => {
                return Err(InvalidInput::single(
                    "RateLimiter::hit() arguments",
                    "now",
                    format!("must be unix seconds from 0 to {MAX_NOW}"),
                ));
            }
            None => None,
        };
        let now_us = given.unwrap_or_else(clock_micros);
        let configured = match self.opts.store {
            Store::Local => StoreUsed::Local,
            Store::Redis(_) => StoreUsed::Redis,
        };
        let cost = match u64::try_from(cost) {
            Ok(c) if (1..=self.params.limit).contains(&c) && !key.is_empty() => c,
            // Empty key, cost below 1 or above the limit: denied, nothing counted anywhere.
            _ => return Ok(self.refuse(now_us, self.params.window_secs() * MICROS, configured)),
        };
        let Store::Redis(target) = &self.opts.store else {
            return Ok(self.local(key, cost, now_us, StoreUsed::Local));
        };
        let (text, id) = self.redis_key_and_id(key);
        let rkey = redis::Key { text: &text, id };
        let p = &self.params;
        match redis::hit(target, &rkey, p.interval, p.limit, cost, given) {
            Ok((true, tat, server_now)) => {
                Ok(self.outcome(&gcra::admitted(p, tat, server_now), StoreUsed::Redis))
            }
            Ok((false, tat, server_now)) => {
                Ok(self.outcome(&gcra::decide(p, tat, server_now, cost), StoreUsed::Redis))
            }
            Err(_) => Ok(match self.opts.on_store_error {
                OnStoreError::Local => self.local(key, cost, now_us, StoreUsed::LocalFallback),
                OnStoreError::Deny => self.refuse(now_us, MICROS, StoreUsed::Redis),
                OnStoreError::Allow => {
                    let d = gcra::admitted(p, now_us + cost * p.interval, now_us);
                    self.outcome(&d, StoreUsed::Redis)
                }
            }),
        }
    }

    /// Forgets `key`'s state in the configured store (and, for Redis, in the node table that
    /// serves as its fallback). A Redis failure is ignored: the state then expires on its own.
    pub fn reset(&self, key: &[u8]) {
        if let Some(t) = local::node() {
            let pk = self
                .table_key
                .unwrap_or_else(|| t.key_for(&self.opts.prefix));
            t.reset(pk, key);
        }
        if let Store::Redis(target) = &self.opts.store {
            let (text, id) = self.redis_key_and_id(key);
            let _ = redis::reset(target, &redis::Key { text: &text, id });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(extra: &[(&'static str, OptValue<'static>)]) -> RateLimiter {
        let mut o: Vec<(&[u8], OptValue<'_>)> =
            vec![(b"limit", OptValue::Int(3)), (b"window", OptValue::Int(30))];
        o.extend(extra.iter().map(|(k, v)| (k.as_bytes(), v.clone())));
        RateLimiter::new(&o).unwrap()
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn local_store_counts_and_reports() {
        assert!(local::startup(4096));
        let l = limiter(&[("prefix", OptValue::Str(b"mod-test"))]);
        let o = l.hit(b"k", 1, Some(NOW)).unwrap();
        assert_eq!(
            o,
            Outcome {
                allowed: true,
                limit: 3,
                remaining: 2,
                reset_at: NOW + 10,
                retry_after: 0,
                store: StoreUsed::Local
            }
        );
        l.hit(b"k", 2, Some(NOW)).unwrap();
        let o = l.hit(b"k", 1, Some(NOW)).unwrap();
        assert!(!o.allowed);
        assert_eq!((o.remaining, o.retry_after, o.reset_at), (0, 10, NOW + 30));
        assert_eq!(o.headers().1, Some((HEADER_RETRY_AFTER, 10)));
        l.reset(b"k");
        assert!(l.hit(b"k", 1, Some(NOW)).unwrap().allowed);
    }

    #[test]
    fn bad_request_values_are_denials_that_count_nothing() {
        assert!(local::startup(4096));
        let l = limiter(&[("prefix", OptValue::Str(b"bad-values"))]);
        for (key, cost) in [
            (&b""[..], 1),
            (b"k", 0),
            (b"k", -1),
            (b"k", 4),
            (b"k", i64::MIN),
        ] {
            let o = l.hit(key, cost, Some(NOW)).unwrap();
            assert!(!o.allowed);
            assert_eq!(o.retry_after, 30);
        }
        assert_eq!(l.hit(b"k", 3, Some(NOW)).unwrap().remaining, 0);
        let huge = vec![b'x'; 1 << 20];
        assert!(l.hit(&huge, 1, Some(NOW)).unwrap().allowed);
        assert!(l.hit(b"k", 1, Some(-1)).is_err());
        assert!(l.hit(b"k", 1, Some(MAX_NOW + 1)).is_err());
    }

    #[test]
    fn redis_keys_are_hashed_and_prefixed() {
        let l = limiter(&[]);
        let k = l.redis_key(b"203.0.113.9|health");
        assert!(k.starts_with(b"agents:rl:"));
        assert_eq!(k.len(), 10 + 64);
        assert!(!k.windows(11).any(|w| w == b"203.0.113.9"));
        let p = limiter(&[("prefix", OptValue::Str(b"site1:"))]);
        assert!(p.redis_key(b"x").starts_with(b"site1:"));
        assert_ne!(p.redis_key(b"x")[6..], l.redis_key(b"x")[10..]);
        // Another limit or window under the same prefix: another key.
        let with = |limit: i64, window: i64| {
            RateLimiter::new(&[
                (&b"limit"[..], OptValue::Int(limit)),
                (&b"window"[..], OptValue::Int(window)),
            ])
            .unwrap()
            .redis_key(b"x")
        };
        assert_eq!(with(3, 30), l.redis_key(b"x"));
        assert_ne!(with(4, 30), with(3, 30));
        assert_ne!(with(3, 31), with(3, 30));
    }

    #[test]
    fn an_unreachable_redis_follows_on_store_error() {
        assert!(local::startup(4096));
        let url = OptValue::Str(b"redis://127.0.0.1:1");
        let fb = limiter(&[("store", url.clone()), ("prefix", OptValue::Str(b"fb"))]);
        let o = fb.hit(b"k", 1, Some(NOW)).unwrap();
        assert!(o.allowed);
        assert_eq!(o.store, StoreUsed::LocalFallback);
        let deny = limiter(&[
            ("store", url.clone()),
            ("onStoreError", OptValue::Str(b"deny")),
        ]);
        let o = deny.hit(b"k", 1, Some(NOW)).unwrap();
        assert!(!o.allowed);
        assert_eq!(o.store, StoreUsed::Redis);
        let allow = limiter(&[("store", url), ("onStoreError", OptValue::Str(b"allow"))]);
        assert!(allow.hit(b"k", 1, Some(NOW)).unwrap().allowed);
    }
}
