//! `token_generate()` and `token_hash()`: conversion only.

// Rust parameter names are the PHP parameter names (named arguments).
#![allow(non_snake_case)]

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::StrBytes;
use super::exceptions::core_exception;
use crate::tokens;

fn string_zval(s: &str) -> Zval {
    let mut zv = Zval::new();
    // Fails only on allocation failure, which the engine reports itself.
    let _ = zv.set_string(s, false);
    zv
}

/// Generates a credential token: `['token' => secret to show once, 'hash' => token_hash(token),
/// 'publicId' => non-secret display id]`. The token reads `agt_[<handle>_]<id>_<secret><check>`:
/// a fixed prefix, the handle as a slug, a public id, ≈190 bits from the OS CSPRNG and a
/// checksum that lets a typo be refused before any lookup. `publicId` (`agt_[<handle>_]<id>`)
/// is drawn separately and contains nothing of the secret (bytes that are not UTF-8 count as
/// separators in the slug). Throws AgentsCoreException when the OS random source fails (there
/// is no weaker fallback).
#[php_function]
#[php(name = "Agents\\Core\\token_generate")]
#[php(defaults(handle = StrBytes::EMPTY))]
pub fn token_generate(handle: StrBytes<'_>) -> PhpResult<ZBox<ZendHashTable>> {
    let handle = String::from_utf8_lossy(handle.0);
    let g = tokens::generate(&handle).map_err(|e| core_exception(e.to_string()))?;
    let mut out = ZendHashTable::with_capacity(3);
    out.insert("token", string_zval(&g.token))?;
    out.insert("hash", string_zval(&g.hash))?;
    out.insert("publicId", string_zval(&g.public_id))?;
    Ok(out)
}

/// Lower-case hex SHA-256 of the token's bytes, exactly as given (the `tokenHash` storage
/// format; tokens of every format, old and generated, are stored this way).
#[php_function]
#[php(name = "Agents\\Core\\token_hash")]
pub fn token_hash(token: BinarySlice<u8>) -> String {
    tokens::hash_hex(&token)
}

/// Adds the token functions to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(token_generate))
        .function(wrap_function!(token_hash))
}
