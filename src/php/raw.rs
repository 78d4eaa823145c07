//! The glue's direct reads of engine state that ext-php-rs does not wrap (arrays, strings, the
//! current frame), each `unsafe` block with the reason it is sound. The arrays the glue builds
//! live beside it: `interned.rs`, `template.rs`, `scope_lists.rs`.

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

/// The slots of a PHP array, as the engine lays them out: a packed table (keys 0..n) keeps
/// zvals, a hash table keeps buckets (key and zval). Holes (`IS_UNDEF`) included.
enum Slots<'a> {
    Packed(&'a [Zval]),
    Hash(&'a [ext_php_rs::ffi::Bucket]),
}

/// The `nNumUsed` slots of `ht`, live or not. The one place the walkers make them.
#[inline(always)]
fn slots(ht: &ZendHashTable) -> Slots<'_> {
    let used = ht.nNumUsed as usize;
    // SAFETY: `u` is a union of a `u32` and four `u8`s; every bit pattern is a valid `u32`. A
    // packed table keeps its values in `arPacked`, a vector of at least `nNumUsed` zvals
    // (`nTableSize` are allocated); a hash table keeps its entries in `arData`, a vector of at
    // least `nNumUsed` buckets. Either lives as long as the table and does not move while it
    // is borrowed immutably (the engine reallocates it only when the array is written, and no
    // PHP code runs while the glue reads its arguments). An uninitialized table has
    // `nNumUsed == 0`, so nothing is read from its shared placeholder.
    unsafe {
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            Slots::Packed(std::slice::from_raw_parts(
                ht.__bindgen_anon_1.arPacked,
                used,
            ))
        } else {
            Slots::Hash(std::slice::from_raw_parts(ht.__bindgen_anon_1.arData, used))
        }
    }
}

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
    match slots(ht) {
        Slots::Packed(values) => {
            for (i, zv) in values.iter().enumerate() {
                if let Some(v) = live(zv) {
                    f(Key::Int(i as i64), v);
                }
            }
        }
        Slots::Hash(buckets) => {
            for b in buckets {
                let Some(v) = live(&b.val) else { continue };
                if b.key.is_null() {
                    f(Key::Int(b.h as i64), v);
                } else {
                    // SAFETY: a live bucket's `key` is null (integer key `h`, handled above) or
                    // a live zend_string owned by the table, which outlives the borrow of `ht`.
                    f(Key::Str(unsafe { str_bytes(b.key) }), v);
                }
            }
        }
    }
}

/// [`walk`] over the string keys alone, for a row of named columns: a packed table (keys
/// 0..n only) is not visited and integer keys are passed over. One call site for `f`, so the
/// compiler can inline it into the loop.
pub fn walk_named<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(&'a [u8], &'a Zval)) {
    let Slots::Hash(buckets) = slots(ht) else {
        return;
    };
    for b in buckets {
        let Some(v) = live(&b.val) else { continue };
        if !b.key.is_null() {
            // SAFETY: as in `walk`: a live bucket's non-null `key` is a live zend_string owned
            // by the table, which outlives the borrow of `ht`.
            f(unsafe { str_bytes(b.key) }, v);
        }
    }
}

/// Tables with fewer rows than this are read without asking for rows ahead: they sit in the
/// cache whole after the first read.
const ROWS_AHEAD_FROM: usize = 256;

/// How many rows ahead [`walk_rows`] asks for a row's slot target (the array, or the reference
/// that holds it).
const TARGET_AHEAD: usize = 4;

/// How many rows ahead [`walk_rows`] asks for a row array's header and entries.
const ENTRIES_AHEAD: usize = 2;

/// [`walk`] over the values of a list of rows (each usually an array of named columns), for a
/// reader that reads every row whole, in order.
///
/// A row is several allocations (its array, the entries, the strings they point at), and in a
/// heap that has served a while the rows of one table lie far apart, where the processor's own
/// prefetching cannot guess them: read one after another, a large table waits on the memory
/// for each part of each row. So the walk asks for the parts of the rows ahead, each once the
/// part that points at it has had time to arrive: a row's array (or the reference holding it)
/// four rows ahead, the array's header and entries two rows ahead. Asking is a hint: it loads
/// nothing into the program, and reads nothing the reader does not read anyway. (Asking for
/// the strings the entries point at as well cost more than it saved.)
pub fn walk_rows<'a>(ht: &'a ZendHashTable, f: impl FnMut(&'a Zval)) {
    let used = ht.nNumUsed as usize;
    let ahead = used >= ROWS_AHEAD_FROM;
    match slots(ht) {
        Slots::Packed(values) => rows(used, ahead, |i| values.get(i), f),
        Slots::Hash(buckets) => rows(used, ahead, |i| buckets.get(i).map(|b| &b.val), f),
    }
}

/// The loop of [`walk_rows`] over `used` slots, `slot(i)` being the `i`-th.
#[inline(always)]
fn rows<'a>(
    used: usize,
    ahead: bool,
    slot: impl Fn(usize) -> Option<&'a Zval>,
    mut f: impl FnMut(&'a Zval),
) {
    for i in 0..used {
        if ahead {
            if let Some(zv) = slot(i + TARGET_AHEAD) {
                ask_for_target(zv);
            }
            if let Some(zv) = slot(i + ENTRIES_AHEAD) {
                ask_for_entries(zv);
            }
        }
        if let Some(v) = slot(i).and_then(live) {
            f(v);
        }
    }
}

/// Asks the memory for the cache line at `p`. A hint: nothing is loaded into the program, and
/// an address that is not mapped is ignored.
#[inline(always)]
fn ask_for<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch reads nothing into the program and never faults, whatever the
        // address; SSE, which provides it, is part of every x86-64 processor.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Asks for what the slot `zv` points at: the reference that holds a row, or the row's array.
#[inline(always)]
fn ask_for_target(zv: &Zval) {
    match type_of(zv) {
        // SAFETY: the type byte says which pointer the value union holds; only the pointer is
        // read, never what it points at.
        IS_REFERENCE => ask_for(unsafe { zv.value.ref_ }),
        IS_ARRAY => ask_for(unsafe { zv.value.arr }),
        _ => {}
    }
}

/// Asks for the header and every entry of the row array in slot `zv`.
#[inline(always)]
fn ask_for_entries(zv: &Zval) {
    let Some(row) = array(zv) else { return };
    ask_for(std::ptr::from_ref(row));
    // Only the addresses of the entries are taken; nothing is read through them.
    let (start, bytes) = match slots(row) {
        Slots::Packed(values) => (values.as_ptr().cast::<u8>(), size_of_val(values)),
        Slots::Hash(buckets) => (buckets.as_ptr().cast::<u8>(), size_of_val(buckets)),
    };
    for offset in (0..bytes).step_by(64) {
        ask_for(start.wrapping_add(offset));
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
