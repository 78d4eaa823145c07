//! PHP glue for `Agents\Core\JwtVerifier` (core: [`crate::jwt`]).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Value, json};
use std::sync::OnceLock;

use super::interned::{Interned, put};
use super::params::Param;
use super::{convert, exceptions};
use crate::jwt;

/// The keys of `check()`'s result, in order.
const CHECK_KEYS: [&str; 4] = ["valid", "claims", "reason", "message"];

/// [`CHECK_KEYS`], interned at MINIT.
static KEYS: OnceLock<Interned<4>> = OnceLock::new();

/// MINIT part: interns the keys of `check()`'s result.
pub fn startup() {
    let _ = KEYS.set(Interned::new(CHECK_KEYS));
}

/// Verifies signed bearer tokens (JWT, compact JWS) strictly: canonical base64url, no repeated
/// JSON member names, `alg: none` refused in any spelling, the algorithm pinned by the key,
/// `exp == now` expired, weak keys refused when the verifier is built.
///
/// `$keys`: a JWK Set (`['keys' => [...]]`), one JWK, one key spec, or a list of JWKs and key
/// specs. A key spec is `['alg' => 'HS256', 'secret' => string]` (binary strings allowed) or
/// `['alg' => 'RS256'|'PS256'|'ES256'|'EdDSA'|..., 'pem' => string]` (PEM `PUBLIC KEY` or
/// `RSA PUBLIC KEY`); any key may carry `kid`. A JWK without `alg` serves every algorithm of
/// `algorithms` that fits its key type; a key whose `alg` is not in `algorithms` is left out.
///
/// `$options`: `algorithms` (required, non-empty list of HS256/384/512, RS256/384/512,
/// PS256/384/512, ES256, ES384, EdDSA), `leeway` (seconds, 0..86400, default 0), `requireExp`
/// (default true), `issuer` and `audience` (string or list), `maxTokenBytes` (64..1048576,
/// default 8192). A token carrying `aud` is refused when no audience is configured.
///
/// @final
#[php_class]
#[php(name = "Agents\\Core\\JwtVerifier")]
#[php(flags = ClassFlags::Final)]
pub struct JwtVerifier {
    inner: jwt::JwtVerifier,
}

#[php_impl]
impl JwtVerifier {
    /// Builds the verifier; every key is parsed and checked now.
    ///
    /// @param array{keys: list<array<string, mixed>>}|array<string, mixed>|list<array<string, mixed>> $keys
    ///   a JWK Set, one JWK, one key spec (`array{alg: string, secret?: string, pem?: string,
    ///   kid?: string}`) or a list of JWKs and key specs
    /// @param array{algorithms: non-empty-list<'HS256'|'HS384'|'HS512'|'RS256'|'RS384'|'RS512'|'PS256'|'PS384'|'PS512'|'ES256'|'ES384'|'EdDSA'>, leeway?: int<0, 86400>, requireExp?: bool, issuer?: string|list<string>, audience?: string|list<string>, maxTokenBytes?: int<64, 1048576>} $options
    /// @throws \Agents\Core\InvalidInputException naming every bad key or option; each reason
    ///   starts with its code (`key_invalid`, `weak_key`, `key_type_mismatch`, `jwk_invalid`,
    ///   `alg_none`, `unsupported_alg`, `alg_mismatch`). Secrets never appear in the message.
    pub fn __construct(
        keys: Param<&ZendHashTable>,
        options: Param<&ZendHashTable>,
    ) -> PhpResult<Self> {
        super::raw::refuse_reconstruction::<Self>()?;
        let (keys, options) = (keys.get()?, options.get()?);
        let keys = convert::array_to_value_keeping_bytes(keys, "keys")?;
        let options = convert::array_to_value(options, "options")?;
        Ok(Self {
            inner: jwt::JwtVerifier::from_config(&keys, &options)?,
        })
    }

    /// Verifies `$token` at `$now` (unix seconds; default the clock) and returns its claims.
    ///
    /// @param string $token the compact JWS
    /// @param int|null $now unix seconds; null reads the clock
    /// @return array<string, mixed> the claims
    /// @throws \Agents\Core\TokenException whose message is `"<reason>: <explanation>"`.
    pub fn verify(
        &self,
        token: Param<&[u8]>,
        now: Param<Option<i64>>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let (token, now) = (token.get()?, now.get()?);
        let claims = self.inner.verify_build(
            token,
            now.unwrap_or_else(crate::time::unix_now),
            &mut convert::ZvalBuilder,
        );
        claims.map_err(|r| exceptions::token_exception(r.reason.as_str(), &r.message))
    }

    /// Like `verify()`, without throwing: `['valid' => bool, 'claims' => ?array,
    /// 'reason' => ?string, 'message' => ?string]`. On refusal `claims` is set only when the
    /// signature verified and a claim check failed (e.g. `expired`): authentic, but not valid.
    ///
    /// @param string $token the compact JWS
    /// @param int|null $now unix seconds; null reads the clock
    /// @return array{valid: true, claims: array<string, mixed>, reason: null, message: null}|array{valid: false, claims: array<string, mixed>|null, reason: string, message: string}
    pub fn check(
        &self,
        token: Param<&[u8]>,
        now: Param<Option<i64>>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let (token, now) = (token.get()?, now.get()?);
        let verified = self.inner.verify_build(
            token,
            now.unwrap_or_else(crate::time::unix_now),
            &mut convert::ZvalBuilder,
        );
        let (valid, claims, reason, message) = match verified {
            Ok(claims) => (true, Some(claims), None, None),
            Err(r) => (
                false,
                r.claims.map(|c| convert::to_array(&Value::Object(c))),
                Some(r.reason.as_str()),
                Some(r.message),
            ),
        };
        let mut out = ZendHashTable::with_capacity(4);
        let Some(k) = KEYS.get() else {
            let _ = out.insert(CHECK_KEYS[0], valid);
            let _ = out.insert(CHECK_KEYS[1], claims);
            let _ = out.insert(CHECK_KEYS[2], reason);
            let _ = out.insert(CHECK_KEYS[3], message);
            return Ok(out);
        };
        let mut zv = Zval::new();
        zv.set_bool(valid);
        put(&mut out, k.key(0), zv);
        let mut zv = Zval::new();
        match claims {
            Some(c) => zv.set_hashtable(c),
            None => zv.set_null(),
        }
        put(&mut out, k.key(1), zv);
        for (i, text) in [(2, reason), (3, message.as_deref())] {
            let mut zv = Zval::new();
            match text {
                // Fails only on allocation failure, which the engine reports itself; null then.
                Some(t) => {
                    let _ = zv.set_string(t, false);
                }
                None => zv.set_null(),
            }
            put(&mut out, k.key(i), zv);
        }
        Ok(out)
    }

    /// The keys that can verify tokens: a list of `['kid' => ?string, 'kty' => string,
    /// 'algorithms' => list, 'bits' => ?int, 'curve' => ?string, 'thumbprint' => ?string]`
    /// (`thumbprint`: RFC 7638 SHA-256 of a public key; never set for HMAC secrets).
    ///
    /// @return list<array{kid: string|null, kty: string, algorithms: list<string>, bits: int|null, curve: string|null, thumbprint: string|null}>
    pub fn keys(&self) -> ZBox<ZendHashTable> {
        let list: Vec<Value> = self
            .inner
            .describe()
            .into_iter()
            .map(|k| {
                json!({
                    "kid": k.kid,
                    "kty": k.kty,
                    "algorithms": k.algorithms,
                    "bits": k.bits,
                    "curve": k.curve,
                    "thumbprint": k.thumbprint,
                })
            })
            .collect();
        convert::to_array(&Value::Array(list))
    }
}
