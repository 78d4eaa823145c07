//! `Agents\Core\RateLimiter` and the `agents_core.rate_limit_slots` ini setting: conversion
//! only. Every decision is made in [`crate::ratelimit`].

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::{ClassFlags, IniEntryPermission};
use ext_php_rs::prelude::*;
use std::ptr;
use std::sync::OnceLock;

use std::ffi::{c_char, c_void};
use std::ptr::NonNull;

use ext_php_rs::ffi::{
    self, Bucket, HashTable, zend_array_dup, zend_hash_add_new, zend_hash_find_known_hash,
};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::{ExecutorGlobals, IniEntryDef, IniEntryDefs};

use super::convert::{self, Key, describe, for_each_entry};
use super::interned::{Interned, put};
use super::params::Param;
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

/// MINIT part: registers the ini entry and maps the node table, before any worker is forked.
/// A value that is not a whole number falls back to the default; the count is clamped to the
/// accepted range. Never fails the module: without a table the local store denies.
pub fn startup(module_number: i32) {
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

/// The interned `store` value of `s`.
fn store_key(k: &Keys, s: StoreUsed) -> &'static ZendStr {
    k.key(store_index(s))
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

/// `v` in decimal, written into the end of `buf` (two digits per step).
fn decimal(buf: &mut [u8; 20], v: i64) -> &str {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    // SAFETY: every byte written above is an ASCII digit or '-', so the slice is UTF-8.
    unsafe { std::str::from_utf8_unchecked(&buf[i..]) }
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

/// Persistent, immutable arrays holding the result's keys in order (values are placeholders),
/// built once at MINIT. A hit copies one (`zend_array_dup` copies an immutable array's buckets
/// and hash in one `memcpy`) and writes its values into the copy's buckets: no hashing, no
/// per-key insertion.
struct Templates {
    /// `allowed` … `headers` (7 entries).
    result: NonNull<HashTable>,
    /// The three `X-RateLimit-*` headers; then the same plus `Retry-After`.
    headers: [NonNull<HashTable>; 2],
}

// SAFETY: the templates are persistent arrays built at MINIT and never modified or freed
// afterwards; every thread only reads them (`zend_array_dup` copies without writing).
unsafe impl Sync for Templates {}
unsafe impl Send for Templates {}

/// `None` when a template could not be built (an engine without the expected functions):
/// results are then built entry by entry.
static TEMPLATES: OnceLock<Option<Templates>> = OnceLock::new();

/// The engine's `_zend_hash_init` (exported, `ZEND_FASTCALL` = the C convention on x86-64 and
/// aarch64). Looked up rather than linked, like the parameter parsers in `params.rs`: ext-php-rs
/// does not bind it.
type HashInit = unsafe extern "C" fn(*mut HashTable, u32, ffi::dtor_func_t, bool);

unsafe extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

impl Templates {
    fn build(k: &Keys) -> Option<Self> {
        // SAFETY: `RTLD_DEFAULT` (null) searches the process's global symbols; the name is
        // NUL-terminated.
        let p = unsafe { dlsym(ptr::null_mut(), c"_zend_hash_init".as_ptr()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: the symbol is the engine's `_zend_hash_init`, whose C signature (zend_hash.h,
        // PHP 8) the type spells out.
        let init = unsafe { std::mem::transmute::<*mut c_void, HashInit>(p) };
        Some(Self {
            result: template(init, &k.as_slice()[0..7])?,
            headers: [
                template(init, &k.as_slice()[7..10])?,
                template(init, &k.as_slice()[7..11])?,
            ],
        })
    }
}

/// A persistent immutable array with `keys` in order and null values, or `None` when its
/// buckets are not laid out one after the other in insertion order (checked, not assumed).
fn template(init: HashInit, keys: &[&'static ZendStr]) -> Option<NonNull<HashTable>> {
    // SAFETY: a zeroed `HashTable` is plain data (integers, null pointers, no destructor);
    // `_zend_hash_init` then initialises every field.
    let ht: *mut HashTable = Box::into_raw(Box::new(unsafe { std::mem::zeroed::<HashTable>() }));
    // SAFETY: `ht` is a live, exclusively owned table; a persistent table allocates its
    // buckets with the system allocator (`pemalloc`), so it outlives every request. It is never
    // freed (like the interned keys it holds).
    unsafe { init(ht, keys.len() as u32, None, true) };
    for key in keys {
        let mut null = Zval::new();
        // SAFETY: `ht` is live and does not hold `key` yet (the keys are distinct); the key is
        // a permanent interned string; a null value owns nothing.
        unsafe {
            zend_hash_add_new(ht, ptr::from_ref(*key).cast_mut(), &raw mut null);
        }
    }
    let first = bucket_of(ht, keys[0]);
    for (i, key) in keys.iter().enumerate() {
        // SAFETY: only addresses are computed and compared; `i < keys.len() <= nTableSize`, so
        // the address stays inside the bucket array when `first` is its start.
        if first.is_null() || bucket_of(ht, key) != unsafe { first.add(i) } {
            return None;
        }
    }
    // SAFETY: `ht` is live and exclusively owned; marking it immutable (as opcache marks the
    // arrays it shares) makes `zend_array_dup` copy it with one `memcpy`; it only holds
    // interned keys and null values, which need no reference counting.
    unsafe { (*ht).gc.u.type_info |= ffi::GC_IMMUTABLE };
    NonNull::new(ht)
}

/// The bucket that holds `key` in `ht` (null when absent).
fn bucket_of(ht: *const HashTable, key: &ZendStr) -> *mut Bucket {
    // SAFETY: `ht` is a live array; `key` is an interned string, whose hash is already set.
    unsafe { zend_hash_find_known_hash(ht, ptr::from_ref(key)).cast::<Bucket>() }
}

/// A copy of `template` and its first bucket (the others follow, in the template's order).
fn copy(template: NonNull<HashTable>, first_key: &ZendStr) -> (ZBox<ZendHashTable>, *mut Bucket) {
    // SAFETY: the template is a live immutable array; the copy is a fresh request array with
    // refcount 1, owned by the returned box.
    let ht = unsafe { ZBox::from_raw(zend_array_dup(template.as_ptr())) };
    let first = bucket_of(&raw const *ht, first_key);
    (ht, first)
}

/// Writes `value` (type `type_info`) into bucket `i` after `first`, leaving the bucket's hash
/// chain (`u2`) alone.
///
/// # Safety
/// `first` is the first bucket of a copy made by [`copy`] whose template has more than `i`
/// entries; the copy's value there is a placeholder that owns nothing; `value` is owned by
/// the caller and moves into the array.
unsafe fn set(first: *mut Bucket, i: usize, value: ffi::zend_value, type_info: u32) {
    // SAFETY: see the function's contract.
    unsafe {
        let b = first.add(i);
        (*b).val.value = value;
        (*b).val.u1.type_info = type_info;
    }
}

/// `v` in decimal as a new request string, and its zval type.
fn decimal_string(v: i64) -> (ffi::zend_value, u32) {
    let mut buf = [0u8; 20];
    let s = ZendStr::new(decimal(&mut buf, v), false);
    // A one-digit value comes back as the engine's interned one-character string.
    // SAFETY: every member of the header's `u` is a plain u32 (`type_info`).
    let interned = unsafe { s.gc.u.type_info } & ffi::GC_IMMUTABLE != 0;
    (
        ffi::zend_value { str_: s.into_raw() },
        if interned {
            ffi::IS_INTERNED_STRING_EX
        } else {
            ffi::IS_STRING_EX
        },
    )
}

fn result_from_templates(t: &Templates, k: &Keys, o: &Outcome) -> ZBox<ZendHashTable> {
    let (fixed, retry) = o.headers();
    let (headers, hb) = copy(t.headers[usize::from(retry.is_some())], k.key(7));
    let (ht, rb) = copy(t.result, k.key(0));
    if hb.is_null() || rb.is_null() {
        // Not reachable with a template built at MINIT (its first key is always there).
        return result_array_keyed(k, o);
    }
    for (i, (_, value)) in fixed.into_iter().chain(retry).enumerate() {
        let (v, ty) = decimal_string(value);
        // SAFETY: `hb` is the first bucket of a fresh copy of the headers template chosen for
        // this many headers; the new string moves into the array.
        unsafe { set(hb, i, v, ty) };
    }
    let long = |v: i64| ffi::zend_value { lval: v };
    let store = store_key(k, o.store);
    // SAFETY: `rb` is the first bucket of a fresh copy of the 7-entry result template, in the
    // order of `KEY_NAMES`; longs and booleans own nothing, `store` is a permanent interned
    // string (never counted), and the headers array moves into the result.
    unsafe {
        set(
            rb,
            0,
            long(0),
            if o.allowed {
                ffi::IS_TRUE
            } else {
                ffi::IS_FALSE
            },
        );
        set(rb, 1, long(o.limit), ffi::IS_LONG);
        set(rb, 2, long(o.remaining), ffi::IS_LONG);
        set(rb, 3, long(o.reset_at), ffi::IS_LONG);
        set(rb, 4, long(o.retry_after), ffi::IS_LONG);
        set(
            rb,
            5,
            ffi::zend_value {
                str_: ptr::from_ref(store).cast_mut(),
            },
            ffi::IS_INTERNED_STRING_EX,
        );
        set(
            rb,
            6,
            ffi::zend_value {
                arr: headers.into_raw(),
            },
            ffi::IS_ARRAY_EX,
        );
    }
    ht
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
