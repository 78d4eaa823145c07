//! `agents_core`: the security core of the Agents Craft CMS plugin.
//!
//! The crate is a pure-Rust library (every module outside [`php`] forbids `unsafe` and never
//! touches PHP) plus, behind the default `php` feature, a PHP extension whose glue only converts
//! types and maps errors. The PHP contract is documented in `php-stubs/`.
#![cfg_attr(all(windows, feature = "php"), feature(abi_vectorcall))]

pub mod auth;
pub mod credentials;
pub mod errors;
pub mod guard;
pub mod guard_cache;
pub mod ip;
pub mod jwt;
pub mod posture;
pub mod redact;
pub mod request;
pub mod scopes;
pub mod settings;
pub mod tokens;
pub mod warnings;
pub mod webhook;

#[cfg(feature = "php")]
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

/// The current unix time in seconds (the default `now` of every time-dependent check).
pub fn unix_now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
