//! Array keys interned once at MINIT, and the insertions that take them: a result array built
//! per call then costs no key allocation, no hashing and no lookup of an existing entry.

use std::ffi::{c_char, c_void};
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::OnceLock;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{HashTable, zend_hash_add_new, zval};
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

/// The engine's own `zend_hash_str_add_new` (exported since PHP 7.0; no calling-convention
/// attribute on 64-bit targets), which the bindings leave out. Looked up in the running process
/// when first needed rather than linked, like the parameter parsers in `params.rs`: the stub
/// generator loads the library outside PHP, where only the symbols ext-php-rs uses exist.
type StrAddNew = unsafe extern "C" fn(*mut HashTable, *const c_char, usize, *mut zval) -> *mut zval;

fn str_add_new() -> Option<StrAddNew> {
    static FOUND: OnceLock<Option<StrAddNew>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        let p = super::raw::engine_symbol(c"zend_hash_str_add_new")?;
        // SAFETY: the symbol is the engine's `zend_hash_str_add_new`, whose C signature
        // (zend_hash.h, PHP 8) the type spells out.
        Some(unsafe { std::mem::transmute::<*mut c_void, StrAddNew>(p) })
    })
}

/// `N` permanent interned strings.
pub struct Interned<const N: usize>([&'static ZendStr; N]);

// SAFETY: the strings are permanent interned strings created at MINIT and never freed or
// modified afterwards; sharing read-only pointers to them between threads is sound.
unsafe impl<const N: usize> Sync for Interned<N> {}
// SAFETY: as for `Sync`: the pointers are to immutable strings that live as long as the engine.
unsafe impl<const N: usize> Send for Interned<N> {}

impl<const N: usize> Interned<N> {
    /// Interns `names` (MINIT only: permanent interned strings must be created at start-up).
    pub fn new(names: [&str; N]) -> Self {
        Self(names.map(|name| {
            let raw = ZBox::into_raw(ZendStr::new_interned(name, true));
            // SAFETY: `into_raw` gives the pointer the engine allocated; a permanent interned
            // string lives until the engine shuts down, so a 'static shared reference is valid.
            unsafe { &*raw }
        }))
    }

    /// The `i`-th string.
    pub fn key(&self, i: usize) -> &'static ZendStr {
        self.0[i]
    }

    /// Every string, in order.
    pub fn as_slice(&self) -> &[&'static ZendStr] {
        &self.0
    }

    /// The `i`-th string as a PHP string value.
    pub fn zval(&self, i: usize) -> Zval {
        let mut z = Zval::new();
        // SAFETY: the pointer is a permanent interned string (see `new`); `set_zend_string`
        // recognises it as interned, so the zval never frees or counts it.
        z.set_zend_string(unsafe { ZBox::from_raw(ptr::from_ref(self.0[i]).cast_mut()) });
        z
    }
}

/// Appends `key => v` to an array that does not hold `key` yet.
pub fn put(ht: &mut ZendHashTable, key: &'static ZendStr, v: Zval) {
    let mut v = ManuallyDrop::new(v);
    // SAFETY: `ht` is a live array owned by the caller and does not contain `key` (the caller's
    // contract, as zend_hash_add_new requires); `key` is a permanent interned string, which the
    // table stores without counting; the value is moved into the table (the local copy is never
    // dropped).
    unsafe {
        zend_hash_add_new(ht, ptr::from_ref(key).cast_mut(), &raw mut *v);
    }
}

/// Appends `name => v` to an array that does not hold that key yet, with PHP's rule for array
/// keys (a canonical decimal integer name, such as `"7"` or `"-1"`, becomes an integer key);
/// `key` is the interned copy of `name`, when there is one.
pub fn put_named(ht: &mut ZendHashTable, name: &str, key: Option<&'static ZendStr>, v: Zval) {
    if let Some(key) = key {
        return put(ht, key, v);
    }
    if matches!(name.as_bytes().first(), Some(b'-' | b'0'..=b'9'))
        && let ArrayKey::Long(i) = ArrayKey::from(name)
    {
        let _ = ht.insert_at_index(i, v);
        return;
    }
    let Some(add) = str_add_new() else {
        let _ = ht.insert(name, v);
        return;
    };
    let mut v = ManuallyDrop::new(v);
    // SAFETY: `ht` is a live array owned by the caller and does not contain the key (the
    // caller's contract); the engine copies the `len` bytes at `key` into a new key string; the
    // value is moved into the table (the local copy is never dropped).
    unsafe {
        add(ht, name.as_ptr().cast(), name.len(), &raw mut *v);
    }
}
