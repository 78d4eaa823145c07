//! Fixed strings of the result arrays (key names, and values such as `cp` or `bearer` that come
//! from a closed set), made permanent interned strings once at module start-up: an array built
//! on the per-request path then inserts them without allocating, copying or hashing them.

use std::mem::ManuallyDrop;
use std::ptr;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::zend_hash_add_new;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

/// A set of permanent interned strings, in the order of the names it was made from.
pub struct Interned<const N: usize>([&'static ZendStr; N]);

// SAFETY: the strings are permanent interned strings created at MINIT (before any request or
// thread runs PHP code) and never freed or modified afterwards; sharing read-only pointers to
// them between threads is sound.
unsafe impl<const N: usize> Sync for Interned<N> {}
// SAFETY: as above.
unsafe impl<const N: usize> Send for Interned<N> {}

impl<const N: usize> Interned<N> {
    /// Interns every name. Only at MINIT: a permanent interned string made later would be a
    /// request-bound one.
    pub fn new(names: [&str; N]) -> Self {
        Self(names.map(|name| {
            let raw = ZBox::into_raw(ZendStr::new_interned(name, true));
            // SAFETY: `into_raw` gives the pointer the engine allocated; a permanent interned
            // string lives until the engine shuts down, so a 'static shared reference is valid.
            unsafe { &*raw }
        }))
    }

    /// String number `i`.
    pub fn get(&self, i: usize) -> &'static ZendStr {
        self.0[i]
    }

    /// Every string, in order.
    pub fn as_slice(&self) -> &[&'static ZendStr] {
        &self.0
    }

    /// String number `i` as a PHP value (no allocation, no reference counting).
    pub fn zval(&self, i: usize) -> Zval {
        let mut z = Zval::new();
        // SAFETY: the pointer is a permanent interned string (see `new`); `set_zend_string`
        // recognises it as interned, so the zval never frees or counts it.
        z.set_zend_string(unsafe { ZBox::from_raw(ptr::from_ref(self.0[i]).cast_mut()) });
        z
    }
}

/// Appends `key => v` to an array that does not hold `key` yet (each key is added once to a
/// fresh array).
pub fn put(ht: &mut ZendHashTable, key: &'static ZendStr, v: Zval) {
    let mut v = ManuallyDrop::new(v);
    // SAFETY: `ht` is a live array owned by the caller and does not contain `key`, as
    // zend_hash_add_new requires; `key` is a permanent interned string, which the table stores
    // without counting; the value is moved into the table (the local copy is never dropped).
    unsafe {
        zend_hash_add_new(ht, ptr::from_ref(key).cast_mut(), &raw mut *v);
    }
}
