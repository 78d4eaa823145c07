//! `token_generate()` and `token_hash()`: conversion only.

// Rust parameter names are the PHP parameter names (named arguments).
#![allow(non_snake_case)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::exceptions::core_exception;
use super::params::Param;
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
/// checksum that lets a typo be refused as malformed. `publicId` (`agt_[<handle>_]<id>`)
/// is drawn separately and contains nothing of the secret (bytes that are not UTF-8 count as
/// separators in the slug). Throws AgentsCoreException when the OS random source fails (there
/// is no weaker fallback).
///
/// @param string $handle the credential handle, put in the token as a slug (may be empty)
/// @return array{token: non-empty-string, hash: non-empty-string, publicId: non-empty-string}
#[php_function]
#[php(name = "Agents\\Core\\token_generate")]
#[php(defaults(handle = Param::EMPTY_STRING))]
pub fn token_generate(handle: Param<&[u8]>) -> PhpResult<ZBox<ZendHashTable>> {
    let handle = String::from_utf8_lossy(handle.get()?);
    let g = tokens::generate(&handle).map_err(|e| core_exception(e.to_string()))?;
    let mut out = ZendHashTable::with_capacity(3);
    out.insert("token", string_zval(&g.token))?;
    out.insert("hash", string_zval(&g.hash))?;
    out.insert("publicId", string_zval(&g.public_id))?;
    Ok(out)
}

/// Lower-case hex SHA-256 of the token's bytes, exactly as given (the `tokenHash` storage
/// format; tokens of every format, old and generated, are stored this way).
///
/// @param string $token the raw token (any bytes)
/// @return non-empty-string 64 lower-case hex digits
#[php_function]
#[php(name = "Agents\\Core\\token_hash")]
pub fn token_hash(token: Param<&[u8]>) -> PhpResult<String> {
    Ok(tokens::hash_hex(token.get()?))
}

/// Adds the token functions to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(token_generate))
        .function(wrap_function!(token_hash))
}
