//! `Agents\Core\RateLimiter` and the `agents_core.rate_limit_slots` ini setting: conversion
//! only. Every decision is made in [`crate::ratelimit`].

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::{ClassFlags, IniEntryPermission};
use ext_php_rs::prelude::*;
use std::sync::OnceLock;

use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::{ExecutorGlobals, IniEntryDef, IniEntryDefs};

use super::convert::{self, Key, describe, for_each_entry};
use super::interned::{Interned, put};
use super::params::Param;
use super::template::Template;
use crate::ratelimit::options::OptValue;
use crate::ratelimit::{self as core, Outcome, StoreUsed, local};

/// The ini setting that sizes the node table (read once, at module start-up).
pub const SLOTS_INI: &str = "agents_core.rate_limit_slots";

static INI: IniEntryDefs<2> = IniEntryDefs::new([
    IniEntryDef::new(
        c"agents_core.rate_limit_slots",
        c"1048576",
        IniEntryPermission::System,
    ),
    IniEntryDef::end(),
]);

/// Runs in the child after every `fork()`: the Redis connections opened before it stay the
/// parent's. Only an atomic increment: nothing here can panic or allocate.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn after_fork() {
    crate::ratelimit::redis::fork::forked();
}

/// Has the C library report every `fork()` to the Redis store (see
/// [`crate::ratelimit::redis::fork`]). Only with glibc, which drops a library's fork handlers
/// when the library is unloaded (its `pthread_atfork` registers them under the caller's
/// handle); elsewhere a handler could outlive an unloaded extension, so the store keeps asking
/// for the process id. If the registration fails, likewise.
fn watch_forks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `after_fork` is a plain `extern "C"` function of this library with no
        // arguments; glibc unregisters it when this library is unloaded (see above), so it is
        // never called after its code is gone.
        if unsafe { libc::pthread_atfork(None, None, Some(after_fork)) } == 0 {
            crate::ratelimit::redis::fork::watched();
        }
    }
}

/// MINIT part: registers the ini entry and maps the node table, before any worker is forked.
/// A value that is not a whole number falls back to the default; the count is clamped to the
/// accepted range. Never fails the module: without a table the local store denies. Then
/// [`watch_forks`].
pub fn startup(module_number: i32) {
    watch_forks();
    IniEntryDef::register(INI.as_slice(), module_number);
    let configured = ExecutorGlobals::get()
        .ini_values()
        .get(SLOTS_INI)
        .and_then(|v| v.as_deref().map(str::trim).map(str::parse::<usize>))
        .and_then(Result::ok)
        .unwrap_or(local::DEFAULT_SLOTS);
    local::startup(configured);
    let keys = KEYS.get_or_init(|| Interned::new(KEY_NAMES));
    let _ = TEMPLATES.set(Templates::build(keys));
}

/// The result array's key names and `store` values, interned once at MINIT: inserting them
/// costs no allocation and no hashing per call.
type Keys = Interned<14>;

const KEY_NAMES: [&str; 14] = [
    "allowed",
    "limit",
    "remaining",
    "resetAt",
    "retryAfter",
    "store",
    "headers",
    crate::ratelimit::HEADER_LIMIT,
    crate::ratelimit::HEADER_REMAINING,
    crate::ratelimit::HEADER_RESET,
    crate::ratelimit::HEADER_RETRY_AFTER,
    // The `store` values.
    "local",
    "redis",
    "local-fallback",
];

static KEYS: OnceLock<Keys> = OnceLock::new();

/// Position of the `store` value `s` among [`KEY_NAMES`].
fn store_index(s: StoreUsed) -> usize {
    match s {
        StoreUsed::Local => 11,
        StoreUsed::Redis => 12,
        StoreUsed::LocalFallback => 13,
    }
}

/// The `store` value of `s` as a PHP string.
fn store(k: &Keys, s: StoreUsed) -> Zval {
    k.zval(store_index(s))
}

fn long(v: i64) -> Zval {
    let mut z = Zval::new();
    z.set_long(v);
    z
}

/// `v` in decimal, written into the end of `buf`.
fn decimal(buf: &mut [u8; 20], v: i64) -> &str {
    let text = crate::decimal::i64_into(buf, v);
    // SAFETY: `i64_into` writes ASCII digits and at most a '-', so the slice is UTF-8.
    unsafe { std::str::from_utf8_unchecked(text) }
}

/// The node table size for `php --ri`, or "unavailable".
pub fn slots_info() -> String {
    local::node().map_or_else(|| "unavailable".to_owned(), |t| t.len().to_string())
}

/// The PHP result array of one hit.
fn result_array(o: &Outcome) -> ZBox<ZendHashTable> {
    let Some(k) = KEYS.get() else {
        return result_array_plain(o);
    };
    match TEMPLATES.get() {
        Some(Some(t)) => result_from_templates(t, k, o),
        _ => result_array_keyed(k, o),
    }
}

/// The result array built entry by entry with the interned keys (only when the templates could
/// not be built at MINIT).
fn result_array_keyed(k: &Keys, o: &Outcome) -> ZBox<ZendHashTable> {
    let mut buf = [0u8; 20];
    let mut headers = ZendHashTable::with_capacity(4);
    let (fixed, retry) = o.headers();
    for (i, (_, value)) in fixed.into_iter().chain(retry).enumerate() {
        let mut z = Zval::new();
        let _ = z.set_string(decimal(&mut buf, value), false);
        put(&mut headers, k.key(7 + i), z);
    }
    let mut ht = ZendHashTable::with_capacity(8);
    let mut allowed = Zval::new();
    allowed.set_bool(o.allowed);
    put(&mut ht, k.key(0), allowed);
    put(&mut ht, k.key(1), long(o.limit));
    put(&mut ht, k.key(2), long(o.remaining));
    put(&mut ht, k.key(3), long(o.reset_at));
    put(&mut ht, k.key(4), long(o.retry_after));
    put(&mut ht, k.key(5), store(k, o.store));
    let mut h = Zval::new();
    h.set_hashtable(headers);
    put(&mut ht, k.key(6), h);
    ht
}

/// The result's templates, built once at MINIT (see [`super::template`]).
struct Templates {
    /// `allowed` … `headers` (7 entries).
    result: Template,
    /// The three `X-RateLimit-*` headers; then the same plus `Retry-After`.
    headers: [Template; 2],
}

/// `None` when a template could not be built (an engine without the expected functions):
/// results are then built entry by entry.
static TEMPLATES: OnceLock<Option<Templates>> = OnceLock::new();

impl Templates {
    fn build(k: &Keys) -> Option<Self> {
        Some(Self {
            result: Template::new(&k.as_slice()[0..7])?,
            headers: [
                Template::new(&k.as_slice()[7..10])?,
                Template::new(&k.as_slice()[7..11])?,
            ],
        })
    }
}

/// The interned `store` value of `s`.
fn store_key(k: &Keys, s: StoreUsed) -> &'static ZendStr {
    k.key(store_index(s))
}

fn result_from_templates(t: &Templates, k: &Keys, o: &Outcome) -> ZBox<ZendHashTable> {
    let (fixed, retry) = o.headers();
    let headers = t.headers[usize::from(retry.is_some())].fill(|slots| {
        let mut buf = [0u8; 20];
        for (i, (_, value)) in fixed.into_iter().chain(retry).enumerate() {
            // A one-digit value comes back as the engine's interned one-character string.
            slots.set_string(i, ZendStr::new(decimal(&mut buf, value), false));
        }
    });
    t.result.fill(|slots| {
        slots.set_bool(0, o.allowed);
        slots.set_long(1, o.limit);
        slots.set_long(2, o.remaining);
        slots.set_long(3, o.reset_at);
        slots.set_long(4, o.retry_after);
        slots.set_interned(5, store_key(k, o.store));
        slots.set_array(6, headers);
    })
}

/// The same array with keys allocated per call (only before MINIT interned the names).
fn result_array_plain(o: &Outcome) -> ZBox<ZendHashTable> {
    let mut buf = [0u8; 20];
    let mut headers = ZendHashTable::with_capacity(4);
    let (fixed, retry) = o.headers();
    for (name, value) in fixed.into_iter().chain(retry) {
        let _ = headers.insert(name, decimal(&mut buf, value));
    }
    let mut ht = ZendHashTable::with_capacity(8);
    for (i, v) in [o.limit, o.remaining, o.reset_at, o.retry_after]
        .into_iter()
        .enumerate()
    {
        if i == 0 {
            let _ = ht.insert(KEY_NAMES[0], o.allowed);
        }
        let _ = ht.insert(KEY_NAMES[1 + i], v);
    }
    let _ = ht.insert(KEY_NAMES[5], o.store.as_str());
    let _ = ht.insert(KEY_NAMES[6], headers);
    ht
}

/// A GCRA rate limiter on the node's shared table or on Redis.
#[php_class]
#[php(name = "Agents\\Core\\RateLimiter")]
#[php(flags = ClassFlags::Final)]
pub struct RateLimiter {
    inner: core::RateLimiter,
}

#[php_impl]
impl RateLimiter {
    /// `limit` (int > 0), `window` (seconds > 0), `store` (`'local'`, the default, or
    /// `'redis://[:password@]host:port[/db]'`), `onStoreError` (`'local'`, the default,
    /// `'deny'` or `'allow'`), `prefix` (string), `connectTimeoutMs` and `commandTimeoutMs`
    /// (Redis, default 50). Throws `InvalidInputException` naming every bad option.
    ///
    /// @param array<string, int|string> $options
    /// @throws \Agents\Core\AgentsCoreException when called again on a constructed limiter.
    pub fn __construct(options: Param<&ZendHashTable>) -> PhpResult<Self> {
        super::raw::refuse_reconstruction::<Self>()?;
        let options = options.get()?;
        let mut names: Vec<(Vec<u8>, &Zval)> = Vec::with_capacity(options.len());
        for_each_entry(options, |k, v| {
            let name = match k {
                Key::Str(s) => s.to_vec(),
                other => other.to_text().into_bytes(),
            };
            names.push((name, v));
        });
        let pairs: Vec<(&[u8], OptValue<'_>)> = names
            .iter()
            .map(|(n, v)| {
                let v = v.dereference();
                let value = if let Some(i) = v.long() {
                    OptValue::Int(i)
                } else if let Some(b) = convert::bytes(v) {
                    OptValue::Str(b)
                } else {
                    OptValue::Other(describe(v))
                };
                (n.as_slice(), value)
            })
            .collect();
        Ok(Self {
            inner: core::RateLimiter::new(&pairs)?,
        })
    }

    /// Counts a hit of `$cost` units on `$key` at `$now` (unix seconds, default: the clock) and
    /// returns `['allowed', 'limit', 'remaining', 'resetAt', 'retryAfter', 'store', 'headers']`.
    /// An empty key or a cost outside 1..limit is a denial that counts nothing. A Redis outage
    /// never throws: `onStoreError` decides. Throws only for a `$now` out of range.
    ///
    /// @param string $key the client's key (any bytes; hashed before it is stored)
    /// @param int $cost units this hit counts, 1..limit
    /// @param int|null $now unix seconds; null reads the clock
    /// @return array{allowed: bool, limit: int, remaining: int, resetAt: int, retryAfter: int, store: string, headers: array<string, string>}
    #[php(defaults(cost = 1))]
    pub fn hit(
        &self,
        key: Param<&[u8]>,
        cost: Param<i64>,
        now: Param<Option<i64>>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let (key, cost, now) = (key.get()?, cost.get()?, now.get()?);
        let o = self.inner.hit(key, cost, now)?;
        Ok(result_array(&o))
    }

    /// Forgets `$key`'s state. A Redis failure is ignored (the state expires by itself).
    ///
    /// @param string $key the client's key
    pub fn reset(&self, key: Param<&[u8]>) -> PhpResult<()> {
        self.inner.reset(key.get()?);
        Ok(())
    }
}

/// Registers `Agents\Core\RateLimiter`.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<RateLimiter>()
}
