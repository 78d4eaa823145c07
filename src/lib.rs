//! `agents_core`: the security core of the Agents Craft CMS plugin.
//!
//! The crate is a pure-Rust library (`unsafe` is denied outside [`php`] by the `[lints]` of
//! `Cargo.toml`, and no module outside it touches PHP) plus, behind the default `php` feature, a PHP extension whose glue only converts
//! types and maps errors. The PHP contract is documented in `php-stubs/`.
#![cfg_attr(all(windows, feature = "php"), feature(abi_vectorcall))]

pub mod auth;
pub mod byte_class;
pub mod constant_time;
pub mod credentials;
pub mod decimal;
pub mod digest;
pub mod errors;
pub mod guard;
pub mod guard_cache;
pub mod hex;
pub mod ip;
pub mod json;
pub mod jwt;
pub mod posture;
pub mod ratelimit;
pub mod redact;
pub mod request;
pub mod scopes;
pub mod settings;
pub mod swar;
pub mod time;
pub mod tokens;
pub mod warnings;
pub mod webhook;

// The glue is the one place that needs `unsafe` (PHP arrays, class entries): every block there
// carries a `// SAFETY:` comment. `#[php_module]` also generates a public entry point
// (`ext_php_rs_describe_module_v2`) that cannot carry a doc comment; the PHP-facing docs of the
// glue are the stubs in `php-stubs/`, checked against the built extension.
#[cfg(feature = "php")]
#[allow(unsafe_code, missing_docs)]
pub mod php;

/// The extension version (`AGENTS_CORE_VERSION`, `phpversion('agents_core')`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The source revision the library was built from: `git describe` at build time, the
/// `AGENTS_CORE_REVISION` environment variable when set, or `unknown` (built from a copy
/// without git metadata). See `build.rs`.
pub const SOURCE_REVISION: &str = env!("AGENTS_CORE_BUILD_REVISION");

/// The cryptographic backend of JWT signature checks (`php --ri agents_core` shows it).
pub const CRYPTO_BACKEND: &str = jwt::signature::BACKEND;

/// The build profile the library was compiled with.
pub const BUILD_PROFILE: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};
