//! The one place outside the PHP glue that uses `unsafe`: maps the node table's memory.
//!
//! [`map`] creates an anonymous `MAP_SHARED` mapping. Called at module start-up (MINIT), before
//! PHP-FPM or `php -S` fork their workers, the mapping is inherited by every child and shared
//! with every thread, so all of them read and write the same slots. An independent process
//! (another pool, another server) maps its own, separate table. The mapping is never unmapped:
//! it lives as long as the process, like the workers that use it.

use std::sync::atomic::AtomicU64;

/// Maps `slots` zeroed 64-bit atomics shared with every process forked after this call.
/// `None` when the size overflows or the kernel refuses the mapping.
pub fn map(slots: usize) -> Option<&'static [AtomicU64]> {
    let bytes = slots.checked_mul(std::mem::size_of::<AtomicU64>())?;
    if bytes == 0 {
        return None;
    }
    // SAFETY: an anonymous mapping with a null hint has no preconditions; the result is checked
    // against MAP_FAILED before use.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED || ptr.is_null() {
        return None;
    }
    // SAFETY: the mapping is `bytes` long, page-aligned (so aligned for AtomicU64), zero-filled
    // by the kernel (a valid AtomicU64 is any bit pattern), never unmapped, and only ever
    // accessed through atomics, so a 'static shared slice over it is sound even when other
    // processes write the same pages.
    Some(unsafe { std::slice::from_raw_parts(ptr.cast::<AtomicU64>(), slots) })
}
