//! The glue's direct reads of engine state that ext-php-rs does not wrap. Every `unsafe` block
//! of the PHP glue lives here, each with the reason it is sound.

use ext_php_rs::class::RegisteredClass;
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
