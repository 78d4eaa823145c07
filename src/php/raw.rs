//! The glue's direct reads of engine state that ext-php-rs does not wrap. Every `unsafe` block
//! of the PHP glue lives here, each with the reason it is sound.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::{
    IS_ARRAY, IS_DOUBLE, IS_FALSE, IS_LONG, IS_NULL, IS_REFERENCE, IS_STRING, IS_TRUE, IS_UNDEF,
    zend_string,
};
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ExecutorGlobals;
use std::ffi::{CStr, c_char, c_void};

unsafe extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

/// The address of the engine's exported symbol `name` in the running process, or `None`.
/// Engine functions the bindings leave out are looked up this way rather than linked: the stub
/// generator loads the library outside PHP, where only the symbols ext-php-rs uses exist.
pub fn engine_symbol(name: &CStr) -> Option<*mut c_void> {
    // SAFETY: `RTLD_DEFAULT` (null on glibc and musl) searches the process's global symbols;
    // `name` is NUL-terminated.
    let p = unsafe { dlsym(std::ptr::null_mut(), name.as_ptr()) };
    (!p.is_null()).then_some(p)
}

/// True when the object a constructor runs on (`$this` of the current internal call) already
/// holds a `T`: `__construct()` called again on a live object.
pub fn this_is_constructed<T: RegisteredClass>() -> bool {
    let frame = ExecutorGlobals::get().current_execute_data;
    // SAFETY: while an internal method runs, the engine points `current_execute_data` at that
    // call's frame, which lives until the method returns; we only read it during the call and
    // keep no reference past this function. A null pointer (no frame) reads as "not
    // constructed".
    let Some(frame) = (unsafe { frame.as_mut() }) else {
        return false;
    };
    // `get_object` resolves `$this` only when it is an initialized object of class `T`.
    frame.get_object::<T>().is_some()
}

/// `Err` (an `AgentsCoreException`) when `__construct()` is called again on a live `T`: a
/// compiled object never changes after construction.
pub fn refuse_reconstruction<T: RegisteredClass>() -> ext_php_rs::prelude::PhpResult<()> {
    if this_is_constructed::<T>() {
        return Err(super::exceptions::core_exception(format!(
            "{}::__construct() was called on an object that is already constructed; create a \
             new one instead",
            T::CLASS_NAME
        )));
    }
    Ok(())
}

/// One key of a PHP array.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// An integer key.
    Int(i64),
    /// A string key, as raw bytes (PHP strings need not be UTF-8).
    Str(&'a [u8]),
}

impl Key<'_> {
    /// The key as text: integers in decimal, bytes lossily decoded.
    pub fn to_text(self) -> String {
        match self {
            Key::Int(i) => i.to_string(),
            Key::Str(b) => match std::str::from_utf8(b) {
                Ok(t) => t.to_owned(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            },
        }
    }
}

/// `HASH_FLAG_PACKED` of `Zend/zend_hash.h` (the same bit in every PHP version this extension
/// supports): the table is a plain vector of values with keys 0..n, `arPacked`.
const HASH_FLAG_PACKED: u32 = 1 << 2;

/// Visits every live entry of `ht` in order, with its key and its value (references and
/// indirect slots followed), reading PHP's hash table directly: about a tenth of the cost of
/// ext-php-rs's iterator, which matters on the per-request path and when a Guard reads
/// thousands of credential rows.
///
/// Packed arrays (`[a, b]`), hashes with holes after `unset()` and mixed keys are all walked
/// the same way the engine's own `ZEND_HASH_FOREACH` walks them: slot by slot up to
/// `nNumUsed`, skipping `IS_UNDEF` slots.
///
/// `f` must not run PHP code (it cannot: it receives only borrowed values and the glue calls no
/// user function while converting), so the table cannot change during the walk.
pub fn walk<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(Key<'a>, &'a Zval)) {
    let used = ht.nNumUsed as usize;
    // SAFETY: `u` is a union of a `u32` and four `u8`s; every bit pattern is a valid `u32`.
    let flags = unsafe { ht.u.flags };
    if flags & HASH_FLAG_PACKED != 0 {
        // SAFETY: a packed table keeps its values in `arPacked`, a vector of at least
        // `nNumUsed` zvals (`nTableSize` are allocated), which lives as long as the table and
        // does not move while it is borrowed immutably (the engine reallocates it only when
        // the array is written, and no PHP code runs during the walk).
        let values = unsafe { std::slice::from_raw_parts(ht.__bindgen_anon_1.arPacked, used) };
        for (i, zv) in values.iter().enumerate() {
            if let Some(v) = live(zv) {
                f(Key::Int(i as i64), v);
            }
        }
    } else {
        // SAFETY: a hash (not packed) table keeps its entries in `arData`, a vector of at
        // least `nNumUsed` buckets, with the same lifetime argument as above. An
        // uninitialized table has `nNumUsed == 0`, so nothing is read from its shared
        // placeholder.
        let buckets = unsafe { std::slice::from_raw_parts(ht.__bindgen_anon_1.arData, used) };
        for b in buckets {
            let Some(v) = live(&b.val) else { continue };
            if b.key.is_null() {
                f(Key::Int(b.h as i64), v);
            } else {
                // SAFETY: a live bucket's `key` is null (integer key `h`, handled above) or a
                // live zend_string owned by the table, which outlives the borrow of `ht`.
                f(Key::Str(unsafe { str_bytes(b.key) }), v);
            }
        }
    }
}

/// [`walk`] over the string keys alone, for a row of named columns: a packed table (keys
/// 0..n only) is not visited and integer keys are passed over. One call site for `f`, so the
/// compiler can inline it into the loop.
pub fn walk_named<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(&'a [u8], &'a Zval)) {
    // SAFETY: as in `walk`: every bit pattern of the flags union is a valid `u32`.
    let flags = unsafe { ht.u.flags };
    if flags & HASH_FLAG_PACKED != 0 {
        return;
    }
    let used = ht.nNumUsed as usize;
    // SAFETY: as in `walk`: a hash (not packed) table keeps at least `nNumUsed` buckets in
    // `arData`, alive and unmoved while the table is borrowed (no PHP code runs during the
    // walk); an uninitialized table has `nNumUsed == 0`.
    let buckets = unsafe { std::slice::from_raw_parts(ht.__bindgen_anon_1.arData, used) };
    for b in buckets {
        let Some(v) = live(&b.val) else { continue };
        if !b.key.is_null() {
            // SAFETY: as in `walk`: a live bucket's non-null `key` is a live zend_string owned
            // by the table, which outlives the borrow of `ht`.
            f(unsafe { str_bytes(b.key) }, v);
        }
    }
}

/// The value held in a slot: `None` for a hole (`IS_UNDEF`, left by `unset()`), else the value
/// with references and indirect slots followed (an indirect slot pointing at a hole is a hole).
#[inline(always)]
fn live(zv: &Zval) -> Option<&Zval> {
    let zv = followed(zv);
    (type_of(zv) != IS_UNDEF).then_some(zv)
}

/// `zv` with a reference or an indirect slot followed. A value held in place (every type below
/// `IS_REFERENCE`, a hole included) is the usual case, and is taken as it is.
#[inline(always)]
fn followed(zv: &Zval) -> &Zval {
    if type_of(zv) < IS_REFERENCE {
        zv
    } else {
        zv.dereference()
    }
}

/// The type byte of `zv`.
#[inline(always)]
fn type_of(zv: &Zval) -> u32 {
    // SAFETY: the type byte of a zval is always initialized.
    u32::from(unsafe { zv.u1.v.type_ })
}

/// The bytes of a zend_string.
///
/// # Safety
///
/// `s` points at a live zend_string that outlives `'a`.
unsafe fn str_bytes<'a>(s: *const zend_string) -> &'a [u8] {
    // SAFETY (for the caller's pointer): a zend_string holds `len` bytes from `val` on (a
    // flexible array member of the same allocation); the slice is made from the raw pointer, so
    // it may cover all of them, and nothing writes to a string while it is borrowed here.
    unsafe {
        let len = (*s).len;
        std::slice::from_raw_parts(std::ptr::addr_of!((*s).val).cast::<u8>(), len)
    }
}

/// A PHP value as the glue reads it: the type byte read once, the payload borrowed.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Long(i64),
    /// A float.
    Double(f64),
    /// A string, as raw bytes.
    Str(&'a [u8]),
    /// An array.
    Array(&'a ZendHashTable),
    /// Anything else (object, resource, an unset slot).
    Other,
}

/// What `zv` holds (references and indirect slots followed).
#[inline]
pub fn view(zv: &Zval) -> View<'_> {
    let zv = followed(zv);
    // SAFETY: each arm reads only the member of the value union that the type byte says is the
    // live one, and a string or array pointer of a live zval points at a live string or array
    // that outlives the borrow of `zv` (nothing is written while the glue reads its arguments).
    unsafe {
        match type_of(zv) {
            IS_NULL => View::Null,
            IS_FALSE => View::Bool(false),
            IS_TRUE => View::Bool(true),
            IS_LONG => View::Long(zv.value.lval),
            IS_DOUBLE => View::Double(zv.value.dval),
            IS_STRING if !zv.value.str_.is_null() => View::Str(str_bytes(zv.value.str_)),
            IS_ARRAY => zv.value.arr.as_ref().map_or(View::Other, View::Array),
            _ => View::Other,
        }
    }
}

/// The array `zv` holds (references and indirect slots followed), if it holds one.
#[inline]
pub fn array(zv: &Zval) -> Option<&ZendHashTable> {
    match view(zv) {
        View::Array(ht) => Some(ht),
        _ => None,
    }
}

/// The bytes of the string `zv` holds (references and indirect slots followed), if it holds
/// one.
#[inline]
pub fn string(zv: &Zval) -> Option<&[u8]> {
    match view(zv) {
        View::Str(b) => Some(b),
        _ => None,
    }
}

/// `bytes` as text when they are UTF-8. ASCII (what configuration values almost always are) is
/// recognised eight bytes at a time; anything else goes through the full UTF-8 check.
#[inline]
pub fn text(bytes: &[u8]) -> Option<&str> {
    if crate::swar::all_ascii(bytes) {
        // SAFETY: every byte is below 0x80, and ASCII is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}
