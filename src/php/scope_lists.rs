//! Granted scope lists as immutable arrays that every result granting the list shares.
//!
//! A successful `authenticate()` returns the principal's scopes as a list. Built per call, that
//! list costs an array and one string per scope, each allocated, filled and freed again when
//! the result goes. The lists a site grants are few, and their names come from the scope
//! catalogue, so a list of catalogue names (or `*`) is built once, as a persistent immutable
//! array of permanent interned strings, the way opcache shares an array literal: a result holds
//! it without counting a reference, and PHP copies it before any write (`$scopes[] = …` changes
//! that caller's copy only). Those arrays are kept for the life of the process, since a result
//! may outlive its Guard; at most [`MAX_LISTS`] of them. A list with a name outside the
//! catalogue, or past that number, is built per call as before.
//!
//! Each thread remembers the array it last handed out for a few scope slices (by address),
//! and checks the array's names against the slice before it hands it out again: a slice freed
//! and another one allocated at the same address is recognised by its content, never taken for
//! the old one. A slice found not shareable is remembered by its address and shape, so that a
//! list with a name outside the catalogue costs no lock per call.

use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::{Mutex, OnceLock};

use ext_php_rs::ffi::{self, HashTable, zend_hash_next_index_insert};
use ext_php_rs::types::{ZendStr, Zval};

use super::interned::Interned;
use crate::scopes::{CATALOGUE, WILDCARD};

/// How many names can be shared: the catalogue's scopes and the wildcard.
const NAME_COUNT: usize = CATALOGUE.len() + 1;

/// The catalogue's scope names, then `*`.
const NAMES: [&str; NAME_COUNT] = {
    let mut out = [WILDCARD; NAME_COUNT];
    let mut i = 0;
    while i < CATALOGUE.len() {
        out[i] = CATALOGUE[i].scope;
        i += 1;
    }
    out
};

/// [`NAMES`], interned at MINIT (permanent interned strings can only be made then).
static INTERNED: OnceLock<Interned<NAME_COUNT>> = OnceLock::new();

/// The most distinct lists kept. A site grants a handful; the bound keeps a process that is
/// handed ever new lists from growing without end.
pub const MAX_LISTS: usize = 256;

/// A shared list: a persistent immutable array, never written or freed once built.
#[derive(Clone, Copy)]
struct List(NonNull<HashTable>);

// SAFETY: a `List` points at a persistent array that no thread writes after it is built (it is
// immutable: PHP copies it before any write) and that is never freed; reading it from any
// thread is sound.
unsafe impl Send for List {}

/// Every list built so far, in the order built.
static LISTS: Mutex<Vec<List>> = Mutex::new(Vec::new());

/// How many slices each thread remembers.
const WAYS: usize = 4;

thread_local! {
    /// Per slot: the address and [`shape`] of a scope slice seen last, and the list handed out
    /// for it (0: none could be, the slice is built per call).
    static RECENT: [Cell<(usize, usize, usize)>; WAYS] =
        const { [const { Cell::new((0, 0, 0)) }; WAYS] };
}

/// How many names a slice holds and how long each is, folded into one number: what tells a
/// slice from another one allocated later at the same address, where there is no list to
/// compare with.
fn shape(scopes: &[String]) -> usize {
    scopes.iter().fold(scopes.len(), |n, s| {
        n.wrapping_mul(31).wrapping_add(s.len())
    })
}

/// MINIT part: interns the names a shared list may hold.
pub fn startup() {
    let _ = INTERNED.set(Interned::new(NAMES));
}

/// The shared array of `scopes`, or `None` when that list is built per call (a name outside
/// the catalogue, an empty list, the bound reached, or MINIT not run).
pub fn shared(scopes: &[String]) -> Option<NonNull<HashTable>> {
    if scopes.is_empty() {
        return None;
    }
    let (at, shape) = (scopes.as_ptr() as usize, shape(scopes));
    let slot = (at >> 4) % WAYS;
    let seen = RECENT.with(|r| r[slot].get());
    if (seen.0, seen.1) == (at, shape) {
        match NonNull::new(seen.2 as *mut HashTable).map(List) {
            // A list is handed out only when it holds these very names.
            Some(l) if holds(l, scopes) => return Some(l.0),
            // Found not shareable before. Should this be another slice of the same shape now,
            // building it per call is still right.
            None => return None,
            Some(_) => {}
        }
    }
    let list = stored(scopes);
    let handed = list.map_or(0, |l| l.0.as_ptr() as usize);
    RECENT.with(|r| r[slot].set((at, shape, handed)));
    list.map(|l| l.0)
}

/// The kept list equal to `scopes`, built and kept when there is none yet.
fn stored(scopes: &[String]) -> Option<List> {
    let names = INTERNED.get()?;
    let mut lists = LISTS.lock().ok()?;
    if let Some(l) = lists.iter().find(|l| holds(**l, scopes)) {
        return Some(*l);
    }
    if lists.len() >= MAX_LISTS {
        return None;
    }
    let members: Option<Vec<&'static ZendStr>> = scopes
        .iter()
        .map(|s| NAMES.iter().position(|n| n == s).map(|i| names.key(i)))
        .collect();
    let list = build(&members?)?;
    lists.push(list);
    Some(list)
}

/// True when the list holds exactly the names `scopes`, in order.
fn holds(list: List, scopes: &[String]) -> bool {
    let ht = list.0.as_ptr();
    // SAFETY: a `List` is a live packed array whose values are interned strings (see `build`),
    // never written after it was built; `nNumUsed` of them sit in `arPacked`, all live (a
    // list is built by appending and never has holes).
    unsafe {
        let used = (*ht).nNumUsed as usize;
        if used != scopes.len() {
            return false;
        }
        let values = std::slice::from_raw_parts((*ht).__bindgen_anon_1.arPacked, used);
        values.iter().zip(scopes).all(|(v, s)| {
            let name = v.value.str_;
            let bytes =
                std::slice::from_raw_parts(ptr::addr_of!((*name).val).cast::<u8>(), (*name).len);
            bytes == s.as_bytes()
        })
    }
}

/// A persistent immutable packed array of `names`.
fn build(names: &[&'static ZendStr]) -> Option<List> {
    let init = super::template::hash_init()?;
    // SAFETY: a zeroed `HashTable` is plain data (integers, null pointers, no destructor);
    // `_zend_hash_init` then initialises every field.
    let ht: *mut HashTable = Box::into_raw(Box::new(unsafe { std::mem::zeroed::<HashTable>() }));
    // SAFETY: `ht` is a live table owned here alone. A persistent table allocates its values
    // with the system allocator, so it outlives every request; it is never freed.
    unsafe { init(ht, u32::try_from(names.len()).ok()?, None, true) };
    for name in names {
        let mut zv = Zval::new();
        zv.value.str_ = ptr::from_ref(*name).cast_mut();
        zv.u1.type_info = ffi::IS_INTERNED_STRING_EX;
        // SAFETY: `ht` is live and owned here; the value is a permanent interned string, which
        // is never counted, so copying the zval into the table owns nothing twice.
        unsafe { zend_hash_next_index_insert(ht, &raw mut zv) };
    }
    // SAFETY: `ht` is live and owned here. As opcache does for the arrays it shares: two
    // references (so that PHP copies the array before any write instead of writing in place)
    // and the immutable flag (so that nothing ever counts or frees it).
    unsafe {
        (*ht).gc.refcount = 2;
        (*ht).gc.u.type_info |= ffi::GC_IMMUTABLE;
    }
    NonNull::new(ht).map(List)
}

/// How many lists are kept, for `php --ri agents_core`.
pub fn kept() -> usize {
    LISTS.lock().map_or(0, |l| l.len())
}
