//! PHP glue (ext-php-rs): registers the module, converts types and maps core errors to PHP
//! exceptions. Every policy decision is made by the pure-Rust core.

pub mod convert;
pub mod exceptions;
pub mod guard;
pub mod interned;
pub mod ip;
pub mod jwt;
pub mod params;
#[cfg(feature = "panic-probe")]
pub mod probe;
pub mod ratelimit;
pub mod raw;
pub mod redact;
pub mod scope_lists;
pub mod template;
pub mod tokens;
pub mod webhook;

use ext_php_rs::prelude::*;

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

/// Features compiled into this build, for `php --ri agents_core`.
const FEATURES: &str =
    "ip-allowlist, guard, posture, tokens, jwt, webhooks, redaction, rate-limiting";

/// Thread safety of the PHP the module was compiled against (PHP's own wording in `php -i`).
const THREAD_SAFETY: &str = if ext_php_rs::ffi::USING_ZTS != 0 {
    "enabled (ZTS)"
} else {
    "disabled (NTS)"
};

extern "C" fn info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("agents_core support", "enabled");
    info_table_row!("version", crate::VERSION);
    info_table_row!("build profile", crate::BUILD_PROFILE);
    info_table_row!("crypto backend", crate::CRYPTO_BACKEND);
    info_table_row!("features", FEATURES);
    info_table_row!("rate limiter node table slots", ratelimit::slots_info());
    info_table_row!("source revision", crate::SOURCE_REVISION);
    info_table_row!(
        "built for PHP API",
        ext_php_rs::ffi::ZEND_MODULE_API_NO.to_string()
    );
    info_table_row!("built for thread safety", THREAD_SAFETY);
    let cache = guard::cache_stats();
    info_table_row!("cached guards", cache.entries.to_string());
    info_table_row!("cached guard hits", cache.hits.to_string());
    info_table_row!("cached guard misses", cache.misses.to_string());
    info_table_row!("shared scope lists", scope_lists::kept().to_string());
    info_table_end!();
}

/// MINIT: the exception classes, then the rate limiter's ini entry and node table (mapped here,
/// before PHP-FPM or `php -S` fork their workers, so every worker shares it), then the interned
/// array keys of the result arrays.
///
/// # Safety
///
/// Called by the Zend engine at module startup only.
unsafe extern "C" fn startup(ty: i32, module_number: i32) -> i32 {
    // SAFETY: forwarded unchanged from the engine's MINIT call.
    let rc = unsafe { exceptions::register(ty, module_number) };
    if rc == 0 {
        ratelimit::startup(module_number);
        guard::startup();
        convert::startup();
        jwt::startup();
        scope_lists::startup();
    }
    rc
}

/// Module entry point.
#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .name("agents_core")
        .version(crate::VERSION)
        .startup_function(startup)
        .constant(("AGENTS_CORE_VERSION", crate::VERSION, &[]))
        .class::<jwt::JwtVerifier>()
        .info_function(info);
    // Each concern registers its own functions and classes (the macro-generated entries are
    // private to the module that defines them).
    #[cfg(feature = "panic-probe")]
    let module = probe::register(module);
    let module = guard::register(module);
    let module = tokens::register(module);
    let module = ip::register(module);
    let module = webhook::register(module);
    let module = ratelimit::register(module);
    redact::register(module)
}
