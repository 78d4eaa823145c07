//! Result arrays copied from templates: a persistent, immutable array holding a result's keys
//! in order (values are null placeholders) is built once at MINIT; a call copies it
//! (`zend_array_dup` copies an immutable array's buckets and hash in one `memcpy`) and moves its
//! values into the copy's buckets, with no hashing and no insertion per key.
//!
//! A template is only made when the engine lays the buckets out one after the other in key
//! order, which is checked when it is built, not assumed; without one the callers insert their
//! interned keys one by one.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    self, Bucket, HashTable, zend_array_dup, zend_hash_add_new, zend_hash_find_known_hash,
    zend_string,
};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

/// An immutable array of `len` keys, the first being `first_key`.
pub struct Template {
    ht: NonNull<HashTable>,
    first_key: &'static ZendStr,
    len: usize,
}

// SAFETY: a template is a persistent array built at MINIT and never modified or freed
// afterwards; every thread only reads it (`zend_array_dup` copies without writing).
unsafe impl Sync for Template {}
unsafe impl Send for Template {}

/// The engine's `_zend_hash_init` (exported, `ZEND_FASTCALL` = the C convention on x86-64 and
/// aarch64). Looked up with [`super::raw::engine_symbol`]: ext-php-rs does not bind it.
type HashInit = unsafe extern "C" fn(*mut HashTable, u32, ffi::dtor_func_t, bool);

pub(super) fn hash_init() -> Option<HashInit> {
    static FOUND: OnceLock<Option<HashInit>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        let p = super::raw::engine_symbol(c"_zend_hash_init")?;
        // SAFETY: the symbol is the engine's `_zend_hash_init`, whose C signature (zend_hash.h,
        // PHP 8) the type spells out.
        Some(unsafe { std::mem::transmute::<*mut c_void, HashInit>(p) })
    })
}

impl Template {
    /// A template of `keys` (distinct permanent interned strings), or `None` when the engine's
    /// hash initialiser is missing or the buckets are not laid out in key order.
    pub fn new(keys: &[&'static ZendStr]) -> Option<Self> {
        let init = hash_init()?;
        let first_key = *keys.first()?;
        // SAFETY: a zeroed `HashTable` is plain data (integers, null pointers, no destructor);
        // `_zend_hash_init` then initialises every field.
        let ht: *mut HashTable =
            Box::into_raw(Box::new(unsafe { std::mem::zeroed::<HashTable>() }));
        // SAFETY: `ht` is a live, exclusively owned table; a persistent table allocates its
        // buckets with the system allocator (`pemalloc`), so it outlives every request. It is
        // never freed (like the interned keys it holds).
        unsafe { init(ht, u32::try_from(keys.len()).ok()?, None, true) };
        for key in keys {
            let mut null = Zval::new();
            // SAFETY: `ht` is live and does not hold `key` yet (the keys are distinct); the key
            // is a permanent interned string; a null value owns nothing.
            unsafe {
                zend_hash_add_new(ht, ptr::from_ref(*key).cast_mut(), &raw mut null);
            }
        }
        let first = bucket_of(ht, first_key);
        for (i, key) in keys.iter().enumerate() {
            // SAFETY: only addresses are computed and compared; `i < keys.len() <= nTableSize`,
            // so the address stays inside the bucket array when `first` is its start.
            if first.is_null() || bucket_of(ht, key) != unsafe { first.add(i) } {
                return None;
            }
        }
        // SAFETY: `ht` is live and exclusively owned; marking it immutable (as opcache marks
        // the arrays it shares) makes `zend_array_dup` copy it with one `memcpy`; it only holds
        // interned keys and null values, which need no reference counting.
        unsafe { (*ht).gc.u.type_info |= ffi::GC_IMMUTABLE };
        Some(Self {
            ht: NonNull::new(ht)?,
            first_key,
            len: keys.len(),
        })
    }

    /// A fresh request array with the template's keys, its values set by `fill` (a slot `fill`
    /// leaves alone stays null).
    pub fn fill(&self, fill: impl FnOnce(&mut Slots<'_>)) -> ZBox<ZendHashTable> {
        // SAFETY: the template is a live immutable array; the copy is a fresh request array
        // with refcount 1, owned by the returned box.
        let ht = unsafe { ZBox::from_raw(zend_array_dup(self.ht.as_ptr())) };
        let first = bucket_of(&raw const *ht, self.first_key);
        let mut slots = Slots {
            first,
            len: if first.is_null() { 0 } else { self.len },
            _array: PhantomData,
        };
        fill(&mut slots);
        ht
    }
}

/// The value slots of a copy being filled, by key position.
pub struct Slots<'a> {
    first: *mut Bucket,
    len: usize,
    _array: PhantomData<&'a mut ZendHashTable>,
}

impl Slots<'_> {
    /// Writes `value` of type `type_info` into slot `i`; a position past the end is ignored.
    ///
    /// # Safety
    /// `value` and `type_info` form a valid zval whose ownership (one reference, or none for
    /// a value that is not counted) moves into the array.
    unsafe fn write(&mut self, i: usize, value: ffi::zend_value, type_info: u32) -> bool {
        if i >= self.len {
            return false;
        }
        // SAFETY: `first` is the first of `len` consecutive live buckets of the copy being
        // filled (checked when the template was built, and the copy has the same layout), and
        // `i < len`. The slot held a null placeholder that owns nothing; the caller's value
        // moves in.
        unsafe {
            let b = self.first.add(i);
            (*b).val.value = value;
            (*b).val.u1.type_info = type_info;
        }
        true
    }

    /// Sets slot `i` to an integer.
    pub fn set_long(&mut self, i: usize, v: i64) {
        // SAFETY: an integer owns nothing.
        unsafe { self.write(i, ffi::zend_value { lval: v }, ffi::IS_LONG) };
    }

    /// Sets slot `i` to `true` or `false`.
    pub fn set_bool(&mut self, i: usize, v: bool) {
        let ty = if v { ffi::IS_TRUE } else { ffi::IS_FALSE };
        // SAFETY: a boolean owns nothing.
        unsafe { self.write(i, ffi::zend_value { lval: 0 }, ty) };
    }

    /// Sets slot `i` to `null`.
    pub fn set_null(&mut self, i: usize) {
        // SAFETY: null owns nothing.
        unsafe { self.write(i, ffi::zend_value { lval: 0 }, ffi::IS_NULL) };
    }

    /// Sets slot `i` to a permanent interned string (never counted).
    pub fn set_interned(&mut self, i: usize, s: &'static ZendStr) {
        // SAFETY: an interned string is not reference counted; the type says so.
        unsafe {
            self.write(
                i,
                ffi::zend_value {
                    str_: ptr::from_ref(s).cast_mut(),
                },
                ffi::IS_INTERNED_STRING_EX,
            )
        };
    }

    /// Moves the string `s` into slot `i`.
    pub fn set_string(&mut self, i: usize, s: ZBox<ZendStr>) {
        let raw = s.into_raw();
        // SAFETY: `raw` is a live string.
        let ty = unsafe { string_type(raw) };
        // SAFETY: as `Zval::set_zend_string`: an interned string is not counted, any other one
        // moves its one reference into the array.
        if !unsafe { self.write(i, ffi::zend_value { str_: raw }, ty) } {
            // Past the end: take the string back so it is released.
            // SAFETY: `raw` came from `into_raw` above and was not stored.
            drop(unsafe { ZBox::from_raw(raw) });
        }
    }

    /// Sets slot `i` to the caller's string `s`, shared (one more reference) rather than
    /// copied.
    pub fn set_shared(&mut self, i: usize, s: Shared<'_>) {
        let raw = s.ptr.as_ptr();
        // SAFETY: `raw` is a live string (see `Shared`).
        if unsafe { string_type(raw) } == ffi::IS_INTERNED_STRING_EX {
            // SAFETY: an interned string is not reference counted; the type says so.
            unsafe { self.write(i, ffi::zend_value { str_: raw }, ffi::IS_INTERNED_STRING_EX) };
            return;
        }
        // SAFETY: a request string owned by this thread and reached only through raw pointers
        // here (no Rust reference to its header exists); taking one more reference for the slot
        // is what `GC_ADDREF` does, and the slot's zval releases it with the array.
        unsafe {
            if self.write(i, ffi::zend_value { str_: raw }, ffi::IS_STRING_EX) {
                (*raw).gc.refcount += 1;
            }
        }
    }

    /// Sets slot `i` to the immutable array `a` (never counted: PHP copies it before a write).
    ///
    /// # Safety
    /// `a` is a persistent immutable array with at least two references (as
    /// [`super::scope_lists`] builds them) that outlives every result it is put in.
    pub unsafe fn set_immutable(&mut self, i: usize, a: NonNull<HashTable>) {
        // SAFETY: the caller's: an immutable array is not reference counted, and the plain
        // array type says so.
        unsafe { self.write(i, ffi::zend_value { arr: a.as_ptr() }, ffi::IS_ARRAY) };
    }

    /// Moves the array `a` into slot `i`.
    pub fn set_array(&mut self, i: usize, a: ZBox<ZendHashTable>) {
        let raw = a.into_raw();
        // SAFETY: `raw` is a live request array whose one reference moves into the array.
        if !unsafe { self.write(i, ffi::zend_value { arr: raw }, ffi::IS_ARRAY_EX) } {
            // SAFETY: `raw` came from `into_raw` above and was not stored.
            drop(unsafe { ZBox::from_raw(raw) });
        }
    }
}

/// A string held by a caller's array for the length of a call, which a result may share.
#[derive(Clone, Copy)]
pub struct Shared<'a> {
    ptr: NonNull<zend_string>,
    _held: PhantomData<&'a Zval>,
}

impl<'a> Shared<'a> {
    /// The string `zv` holds (references followed), or `None` when it holds something else.
    pub fn of(zv: &'a Zval) -> Option<Self> {
        let zv = zv.dereference();
        if !zv.is_string() {
            return None;
        }
        // SAFETY: the type says the value union holds a string pointer; only the pointer is
        // read (no reference to the string is made, so its header may be written later).
        let ptr = NonNull::new(unsafe { zv.value.str_ })?;
        Some(Self {
            ptr,
            _held: PhantomData,
        })
    }

    /// The string's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        let raw = self.ptr.as_ptr();
        // SAFETY: a live string holds `len` bytes from `val` on (a flexible array member of the
        // same allocation), alive as long as the caller's array (`'a`); the slice covers the
        // bytes only, never the header a shared slot writes.
        unsafe { std::slice::from_raw_parts(ptr::addr_of!((*raw).val).cast::<u8>(), (*raw).len) }
    }
}

/// The bucket that holds `key` in `ht` (null when absent).
fn bucket_of(ht: *const HashTable, key: &ZendStr) -> *mut Bucket {
    // SAFETY: `ht` is a live array; `key` is an interned string, whose hash is already set.
    unsafe { zend_hash_find_known_hash(ht, ptr::from_ref(key)).cast::<Bucket>() }
}

/// The zval type of the string at `s`: interned (never reference counted) when its header says
/// it is immutable, else a counted string.
///
/// # Safety
///
/// `s` points to a live string.
unsafe fn string_type(s: *const ffi::zend_string) -> u32 {
    // SAFETY: the caller's; every member of the header's `u` is a plain u32 (`type_info`).
    if unsafe { (*s).gc.u.type_info } & ffi::GC_IMMUTABLE != 0 {
        ffi::IS_INTERNED_STRING_EX
    } else {
        ffi::IS_STRING_EX
    }
}

/// A PHP list of the strings `items`, each zval written directly (no type change through the
/// engine per element).
pub fn string_list<S: AsRef<[u8]>>(items: &[S]) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
    for item in items {
        let raw = ZendStr::new(item.as_ref(), false).into_raw();
        let mut zv = Zval::new();
        zv.value.str_ = raw;
        // SAFETY: `raw` is a live string.
        zv.u1.type_info = unsafe { string_type(raw) };
        // SAFETY: `ht` is a live request array; the zval holds a live string whose one
        // reference moves into the array, so the zval is forgotten rather than released.
        unsafe { ffi::zend_hash_next_index_insert(&raw mut *ht, &raw mut zv) };
        std::mem::forget(zv);
    }
    ht
}
