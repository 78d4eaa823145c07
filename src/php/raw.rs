//! The glue's direct reads of engine state that ext-php-rs does not wrap. Every `unsafe` block
//! of the PHP glue lives here, each with the reason it is sound.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::IS_UNDEF;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ExecutorGlobals;

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
            // SAFETY: a live bucket's `key` is null (integer key `h`) or a live zend_string
            // owned by the table.
            match unsafe { b.key.as_ref() } {
                None => f(Key::Int(b.h as i64), v),
                Some(key) => f(Key::Str(key.as_bytes()), v),
            }
        }
    }
}

/// The value held in a slot: `None` for a hole (`IS_UNDEF`, left by `unset()`), else the value
/// with references and indirect slots followed (an indirect slot pointing at a hole is a hole).
fn live(zv: &Zval) -> Option<&Zval> {
    // SAFETY: the type byte of a zval is always initialized.
    let ty = u32::from(unsafe { zv.u1.v.type_ });
    if ty == IS_UNDEF {
        return None;
    }
    let zv = zv.dereference();
    // SAFETY: as above, for the zval an indirect slot or a reference points at.
    (u32::from(unsafe { zv.u1.v.type_ }) != IS_UNDEF).then_some(zv)
}
