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
pub mod ip;
pub mod posture;
pub mod request;
pub mod scopes;
pub mod settings;
pub mod tokens;
pub mod warnings;

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
