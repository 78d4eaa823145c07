//! Test-only entry point (feature `panic-probe`): panics on purpose.

use ext_php_rs::prelude::*;

/// Panics with `message`. Exists only in test builds, to prove panic containment.
#[php_function]
#[php(name = "Agents\\Core\\panic_probe")]
pub fn panic_probe(message: &str) -> bool {
    panic!("{message}")
}

/// Adds the probe to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(panic_probe))
}
