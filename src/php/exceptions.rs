//! The exception hierarchy, registered at MINIT as ordinary Zend classes so PHP code can
//! construct and subclass them:
//!
//! ```text
//! \RuntimeException
//!  └─ Agents\Core\AgentsCoreException
//!      ├─ Agents\Core\InvalidInputException
//!      └─ Agents\Core\TokenException
//! ```

use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::ClassEntry;

use crate::errors::InvalidInput;

static BASE_CE: AtomicPtr<ClassEntry> = AtomicPtr::new(null_mut());
static INVALID_INPUT_CE: AtomicPtr<ClassEntry> = AtomicPtr::new(null_mut());
static TOKEN_CE: AtomicPtr<ClassEntry> = AtomicPtr::new(null_mut());

fn load(slot: &AtomicPtr<ClassEntry>) -> &'static ClassEntry {
    // SAFETY: the pointers are stored once at MINIT from entries the engine keeps alive for the
    // whole process; before MINIT no PHP code (and so no caller of this) can run.
    unsafe { slot.load(Ordering::Acquire).as_ref() }
        .expect("agents_core exception classes are registered at module startup")
}

/// `Agents\Core\AgentsCoreException`.
pub fn base_ce() -> &'static ClassEntry {
    load(&BASE_CE)
}

/// `Agents\Core\InvalidInputException`.
pub fn invalid_input_ce() -> &'static ClassEntry {
    load(&INVALID_INPUT_CE)
}

/// `Agents\Core\TokenException`.
pub fn token_ce() -> &'static ClassEntry {
    load(&TOKEN_CE)
}

fn runtime_exception() -> &'static ClassEntry {
    // During MINIT, EG(class_table) is not set yet: read the compiler's class table.
    // SAFETY: CG(class_table) is a valid hash table for the lifetime of the process, and the
    // SPL class entry it holds outlives the module.
    let cg = unsafe { ext_php_rs::ffi::ext_php_rs_compiler_globals().as_ref() }
        .expect("compiler globals");
    let table = unsafe { cg.class_table.as_ref() }.expect("class table");
    let zv = table
        .get("runtimeexception")
        .expect("RuntimeException is registered by SPL");
    unsafe { zv.value.ptr.cast::<ClassEntry>().as_ref() }.expect("RuntimeException entry")
}

fn register_one(
    name: &str,
    parent: fn() -> &'static ClassEntry,
    parent_stub: &'static str,
    store: fn(&'static mut ClassEntry, ext_php_rs::args::ArgInfoTables),
) -> bool {
    ClassBuilder::new(name)
        .extends((parent, parent_stub))
        .registration(store)
        .register()
        .is_ok()
}

/// MINIT hook: registers the exception classes. Returns `-1` (module fails to start) on error.
///
/// # Safety
///
/// Called by the Zend engine at module startup only.
pub unsafe extern "C" fn register(_ty: i32, _module: i32) -> i32 {
    let ok = register_one(
        "Agents\\Core\\AgentsCoreException",
        runtime_exception,
        "\\RuntimeException",
        |ce, _| BASE_CE.store(ce, Ordering::Release),
    ) && register_one(
        "Agents\\Core\\InvalidInputException",
        base_ce,
        "\\Agents\\Core\\AgentsCoreException",
        |ce, _| INVALID_INPUT_CE.store(ce, Ordering::Release),
    ) && register_one(
        "Agents\\Core\\TokenException",
        base_ce,
        "\\Agents\\Core\\AgentsCoreException",
        |ce, _| TOKEN_CE.store(ce, Ordering::Release),
    );
    if ok { 0 } else { -1 }
}

/// An `InvalidInputException` carrying the core's message.
pub fn invalid_input(e: InvalidInput) -> PhpException {
    invalid_input_msg(e.to_string())
}

/// An `InvalidInputException` with a plain message (NUL bytes escaped, see [`without_nul`]).
pub fn invalid_input_msg(msg: impl Into<String>) -> PhpException {
    PhpException::new(without_nul(msg.into()), 0, invalid_input_ce())
}

/// A `TokenException` whose message starts with the reason code.
pub fn token_exception(code: &str, explanation: &str) -> PhpException {
    PhpException::new(without_nul(format!("{code}: {explanation}")), 0, token_ce())
}

/// An `AgentsCoreException` with a plain message.
pub fn core_exception(msg: impl Into<String>) -> PhpException {
    PhpException::new(without_nul(msg.into()), 0, base_ce())
}

impl From<InvalidInput> for PhpException {
    fn from(e: InvalidInput) -> Self {
        invalid_input(e)
    }
}

/// `message` as text an exception can carry: PHP refuses to throw an exception whose message
/// holds a NUL byte (it raises an `Error` instead), so each NUL is written as `\0`. Messages
/// name the offending input, and input may hold NUL bytes (keys, class names).
pub fn without_nul(message: String) -> String {
    if message.contains('\0') {
        message.replace('\0', "\\0")
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_nul() {
        assert_eq!(without_nul("plain".to_owned()), "plain");
        let m = without_nul("env[A\0B]: object(class@anonymous\0/x.php:1$0)".to_owned());
        assert!(!m.contains('\0'));
        assert_eq!(m, "env[A\\0B]: object(class@anonymous\\0/x.php:1$0)");
    }
}
