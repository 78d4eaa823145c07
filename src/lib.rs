//! `agents_core`: the security core of the Agents Craft CMS plugin.
//!
//! The crate is a pure-Rust library (`unsafe` is denied outside [`php`] by the `[lints]` of
//! `Cargo.toml`, and no module outside it touches PHP) plus, behind the default `php` feature, a PHP extension whose glue only converts
//! types and maps errors. The PHP contract is documented in `php-stubs/`.
#![cfg_attr(all(windows, feature = "php"), feature(abi_vectorcall))]

pub mod auth;
pub mod credentials;
pub mod digest;
pub mod errors;
pub mod guard;
pub mod guard_cache;
pub mod hex;
pub mod ip;
pub mod json;
pub mod jwt;
pub mod posture;
pub mod redact;
pub mod request;
pub mod scopes;
pub mod settings;
pub mod time;
pub mod tokens;
pub mod warnings;
pub mod webhook;

/// The clock, also reachable at the crate root, where the PHP glue calls it.
pub use time::unix_now;

// The glue is the one place that needs `unsafe` (PHP arrays, class entries): every block there
// carries a `// SAFETY:` comment. `#[php_module]` also generates a public entry point
// (`ext_php_rs_describe_module_v2`) that cannot carry a doc comment; the PHP-facing docs of the
// glue are the stubs in `php-stubs/`, checked against the built extension.
#[cfg(feature = "php")]
#[allow(unsafe_code, missing_docs)]
pub mod php;

/// The extension version (`AGENTS_CORE_VERSION`, `phpversion('agents_core')`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The cryptographic backend jsonwebtoken is built with.
pub const CRYPTO_BACKEND: &str = "rust_crypto (RustCrypto, pure Rust)";

/// The build profile the library was compiled with.
pub const BUILD_PROFILE: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};
