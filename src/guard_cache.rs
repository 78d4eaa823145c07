//! The per-process cache of compiled Guards behind `Guard::cached()`.
//!
//! A compiled policy is kept between requests, keyed by a revision the caller changes whenever
//! the inputs change, for at most `max_age` (which bounds how long a change the caller forgot to
//! reflect in the revision can go unnoticed). At most [`CAPACITY`] entries are kept; the least
//! recently used goes first. The key is the SHA-256 digest of the revision, so even a caller who
//! passes raw configuration as the revision leaves no copy of it here; the values are compiled
//! Guards, which hold token digests only.
//!
//! One cache serves the whole process (every thread of a ZTS build): a `Mutex` guards it, and
//! it is never held while a Guard is being built (building runs the caller's code, which may
//! itself ask the cache).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Most Guards kept at once.
pub const CAPACITY: usize = 16;

/// A revision's digest (the cache key).
type Key = [u8; 32];

struct Entry<T> {
    key: Key,
    built: Instant,
    last_used: u64,
    value: Arc<T>,
}

struct Inner<T> {
    entries: Vec<Entry<T>>,
    tick: u64,
    hits: u64,
    misses: u64,
}

/// Counters for `php --ri agents_core`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Guards held now.
    pub entries: usize,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to build (including `max_age` 0).
    pub misses: u64,
}

/// A bounded, process-wide LRU of compiled values keyed by revision.
pub struct Cache<T> {
    inner: Mutex<Inner<T>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A revision as the cache keeps it: the SHA-256 digest of the caller's value, computed once
/// per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision(Key);

impl Revision {
    /// The revision of the caller's value (any bytes).
    pub fn of(revision: &[u8]) -> Self {
        Self(Sha256::digest(revision).into())
    }

    /// How a cached Guard names its revision (in `var_dump`): `sha256:` and the first 16 hex
    /// digits of the digest, so a caller can match it against the value it passed without the
    /// value itself being kept.
    pub fn label(&self) -> String {
        format!("sha256:{}", &crate::hex::encode(&self.0)[..16])
    }
}

impl<T> Cache<T> {
    /// An empty cache.
    pub const fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: Vec::new(),
                tick: 0,
                hits: 0,
                misses: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // A panic while holding the lock cannot leave the entries inconsistent (every update
        // is a single push, swap or removal), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value for `revision` when one younger than `max_age` is held; otherwise `build` is
    /// called (without the lock held) and, when it succeeds and `max_age` is not zero, its value
    /// is kept. An error from `build` is returned and nothing is kept.
    pub fn get_or_build<E>(
        &self,
        revision: &Revision,
        max_age: Duration,
        build: impl FnOnce() -> Result<Arc<T>, E>,
    ) -> Result<Arc<T>, E> {
        if max_age.is_zero() {
            self.lock().misses += 1;
            return build();
        }
        let key = revision.0;
        {
            let mut inner = self.lock();
            inner.tick += 1;
            let tick = inner.tick;
            let now = Instant::now();
            if let Some(i) = inner.entries.iter().position(|e| e.key == key) {
                if now.saturating_duration_since(inner.entries[i].built) < max_age {
                    inner.hits += 1;
                    let e = &mut inner.entries[i];
                    e.last_used = tick;
                    return Ok(Arc::clone(&e.value));
                }
                // Too old for this caller: it must not be served again.
                inner.entries.swap_remove(i);
            }
            inner.misses += 1;
        }
        let value = build()?;
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        // Another thread may have built the same revision meanwhile: the newer one replaces it.
        if let Some(i) = inner.entries.iter().position(|e| e.key == key) {
            inner.entries.swap_remove(i);
        }
        if inner.entries.len() >= CAPACITY
            && let Some(oldest) = inner
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(i, _)| i)
        {
            inner.entries.swap_remove(oldest);
        }
        inner.entries.push(Entry {
            key,
            built: Instant::now(),
            last_used: tick,
            value: Arc::clone(&value),
        });
        Ok(value)
    }

    /// Drops every entry; returns how many there were.
    pub fn forget(&self) -> usize {
        let mut inner = self.lock();
        let n = inner.entries.len();
        inner.entries.clear();
        n
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        let inner = self.lock();
        Stats {
            entries: inner.entries.len(),
            hits: inner.hits,
            misses: inner.misses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn ok(v: u32) -> impl FnOnce() -> Result<Arc<u32>, ()> {
        move || Ok(Arc::new(v))
    }

    #[test]
    fn hit_miss_and_revision_change() {
        let c = Cache::new();
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r1"), MINUTE, ok(1)).unwrap(),
            1
        );
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r1"), MINUTE, ok(2)).unwrap(),
            1
        );
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r2"), MINUTE, ok(3)).unwrap(),
            3
        );
        assert_eq!(
            c.stats(),
            Stats {
                entries: 2,
                hits: 1,
                misses: 2
            }
        );
    }

    #[test]
    fn zero_max_age_never_caches_and_errors_keep_nothing() {
        let c = Cache::new();
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r"), Duration::ZERO, ok(1))
                .unwrap(),
            1
        );
        assert!(
            c.get_or_build(&Revision::of(b"r"), MINUTE, || Err::<Arc<u32>, _>("no"))
                .is_err()
        );
        assert_eq!(c.stats().entries, 0);
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r"), MINUTE, ok(2)).unwrap(),
            2
        );
    }

    #[test]
    fn expired_entries_are_rebuilt() {
        let c = Cache::new();
        c.get_or_build(&Revision::of(b"r"), MINUTE, ok(1)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r"), Duration::from_millis(10), ok(2))
                .unwrap(),
            2
        );
        assert_eq!(c.stats().entries, 1);
    }

    #[test]
    fn least_recently_used_goes_first() {
        let c = Cache::new();
        for i in 0..CAPACITY as u32 {
            c.get_or_build(&Revision::of(format!("r{i}").as_bytes()), MINUTE, ok(i))
                .unwrap();
        }
        // Touch r0 so r1 is now the least recently used.
        c.get_or_build(&Revision::of(b"r0"), MINUTE, ok(99))
            .unwrap();
        c.get_or_build(&Revision::of(b"new"), MINUTE, ok(100))
            .unwrap();
        assert_eq!(c.stats().entries, CAPACITY);
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r0"), MINUTE, ok(99))
                .unwrap(),
            0
        );
        assert_eq!(
            *c.get_or_build(&Revision::of(b"r1"), MINUTE, ok(42))
                .unwrap(),
            42
        );
        assert_eq!(c.forget(), CAPACITY);
        assert_eq!(c.stats().entries, 0);
    }
}
