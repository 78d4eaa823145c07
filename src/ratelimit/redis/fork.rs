//! Which process a connection belongs to. A socket opened before `fork()` is shared by parent
//! and child: if both used it, their commands and replies would interleave. So a connection
//! records the process [`mark`] it was opened under, and one opened under another mark is
//! dropped, never used.
//!
//! Asking the kernel for the process id costs a system call on every hit. Instead, on glibc,
//! the PHP module has the C library call [`forked`] in every child right after `fork()`
//! (registered once at module start-up, see [`watched`]), and the mark is a counter that call
//! advances: one atomic load per hit. PHP forks through `fork()` (PHP-FPM, `php -S` workers,
//! `pcntl_fork`), which runs these handlers; a raw `clone` would not. A process where nothing
//! registered the hook (another C library, a Rust program using this crate directly) falls back
//! to the process id.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);
static WATCHED: AtomicBool = AtomicBool::new(false);

/// To be called in the child right after every `fork()`: every connection opened before it is
/// left to the parent.
pub fn forked() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// Declares that [`forked`] is called after every `fork()` of this process from now on (the
/// caller registered it with `pthread_atfork`). Call it before the first connection opens.
pub fn watched() {
    WATCHED.store(true, Ordering::Release);
}

/// This process's mark: it differs between a parent and any child forked after a connection
/// opened.
pub fn mark() -> u64 {
    if WATCHED.load(Ordering::Acquire) {
        GENERATION.load(Ordering::Acquire)
    } else {
        // Never equal to a generation count: the top bit is set.
        u64::from(std::process::id()) | 1 << 63
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_changes_after_a_fork_once_watched() {
        let before = mark();
        // Unwatched: the process id, tagged so it never equals a generation count.
        assert_eq!(before, u64::from(std::process::id()) | 1 << 63);
        watched();
        let watched_mark = mark();
        assert_ne!(watched_mark, before);
        forked();
        assert_ne!(mark(), watched_mark);
        assert_eq!(mark(), mark());
    }
}
