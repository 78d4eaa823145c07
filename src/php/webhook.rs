//! PHP glue for `Agents\Core\webhook_sign` and `Agents\Core\webhook_verify` (core:
//! [`crate::webhook`]).
// PHP parameter names are part of the contract (named arguments), so some are camelCase.
#![allow(non_snake_case)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Map, Value, json};

use super::convert;
use super::params::Param;
use crate::errors::InvalidInput;
use crate::webhook;

/// Signs a webhook delivery: a flat header map `X-Agents-Webhook-Id` (`$id`, or a random UUID v4),
/// `X-Agents-Webhook-Timestamp`, `X-Agents-Webhook-Signature` (`sha256=` + lower-case hex
/// HMAC-SHA256 of `"<timestamp>.<body>"`). `$body` may be binary.
///
/// @param string $secret the signing secret (any bytes, not empty)
/// @param string $body the exact bytes delivered
/// @param int $timestamp unix seconds (not negative)
/// @param string|null $id the delivery id; null draws a random UUID v4
/// @return array{X-Agents-Webhook-Id: string, X-Agents-Webhook-Timestamp: numeric-string, X-Agents-Webhook-Signature: non-empty-string}
/// @throws \Agents\Core\InvalidInputException for an empty secret, a negative timestamp or an id
///   that is not 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
#[php_function]
#[php(name = "Agents\\Core\\webhook_sign")]
pub fn webhook_sign(
    secret: Param<&[u8]>,
    body: Param<&[u8]>,
    timestamp: Param<i64>,
    id: Param<Option<&[u8]>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (secret, body, timestamp, id) = (secret.get()?, body.get()?, timestamp.get()?, id.get()?);
    let signed = webhook::sign(secret, body, timestamp, id)?;
    let headers: Map<String, Value> = signed
        .headers()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), Value::String(value)))
        .collect();
    Ok(convert::to_array(&Value::Object(headers)))
}

/// Verifies a webhook delivery: `['valid' => bool, 'reason' => ?string]`, reasons
/// `missing_header`, `malformed_header`, `stale_timestamp` (older than `$toleranceSeconds`),
/// `future_timestamp` (newer than now + `$toleranceSeconds`), `signature_mismatch`. The
/// timestamp must be the canonical decimal `webhook_sign()` writes (digits only, no sign, no
/// leading zero): `0001700000000` is `malformed_header` although it names the same second.
///
/// @param string|list<string> $secrets one secret, or several during rotation (any may match)
/// @param string $body the exact bytes received
/// @param array<string, string|list<string>> $headers header name (any case) => string or list
///   of strings
/// @param int $toleranceSeconds the accepted clock difference, either way (not negative)
/// @param int|null $now unix seconds; null reads the clock
/// @return array{valid: true, reason: null}|array{valid: false, reason: 'missing_header'|'malformed_header'|'stale_timestamp'|'future_timestamp'|'signature_mismatch'}
/// @throws \Agents\Core\InvalidInputException when a secret is empty or not a string, or the
///   tolerance is negative (the message never contains a secret).
#[php_function]
#[php(name = "Agents\\Core\\webhook_verify")]
#[php(defaults(toleranceSeconds = 300))]
pub fn webhook_verify(
    secrets: &Zval,
    body: Param<&[u8]>,
    headers: Param<&ZendHashTable>,
    toleranceSeconds: Param<i64>,
    now: Param<Option<i64>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (body, headers) = (body.get()?, headers.get()?);
    let (toleranceSeconds, now) = (toleranceSeconds.get()?, now.get()?);
    let tolerance_seconds = toleranceSeconds;
    let secrets = secret_list(secrets)?;
    let verifier = webhook::Verifier::new(&secrets, tolerance_seconds)?;
    let names_values = header_list(headers);
    let headers: Vec<webhook::HeaderValues<'_>> = names_values
        .iter()
        .map(|(n, v)| (n.as_slice(), v.clone()))
        .collect();
    let result = verifier.verify(body, &headers, now.unwrap_or_else(crate::time::unix_now));
    let out = match result {
        Ok(()) => json!({"valid": true, "reason": null}),
        Err(r) => json!({"valid": false, "reason": r.as_str()}),
    };
    Ok(convert::to_array(&out))
}

/// Adds this module's functions (`wrap_function!` must name them from their own module).
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(webhook_sign))
        .function(wrap_function!(webhook_verify))
}

/// `string` or list of strings; anything else names the offending items.
fn secret_list(secrets: &Zval) -> Result<Vec<&[u8]>, InvalidInput> {
    if let Some(s) = convert::bytes(secrets) {
        return Ok(vec![s]);
    }
    let mut err = InvalidInput::new("webhook_verify settings");
    let mut out = Vec::new();
    match secrets.array() {
        Some(ht) => convert::for_each_entry(ht, |k, v| match convert::bytes(v) {
            Some(s) => out.push(s),
            None => err.push(
                format!("secrets[{}]", k.to_text()),
                format!("{} is not a string", convert::describe(v)),
            ),
        }),
        None => err.push(
            "secrets",
            format!(
                "{} given; expected a string or a list of strings",
                convert::describe(secrets)
            ),
        ),
    }
    err.into_result(out)
}

/// A header name and its values, `None` when some value is not text.
type OwnedHeader<'a> = (Vec<u8>, Option<Vec<&'a [u8]>>);

/// (name, values) pairs, one per header entry (see [`convert::for_each_header`]).
fn header_list(headers: &ZendHashTable) -> Vec<OwnedHeader<'_>> {
    let mut out: Vec<OwnedHeader<'_>> = Vec::with_capacity(headers.len());
    let mut last = usize::MAX;
    convert::for_each_header(headers, |name, entry, value| {
        if entry != last {
            last = entry;
            out.push((name.to_vec(), Some(Vec::with_capacity(1))));
        }
        if let Some((_, values)) = out.last_mut() {
            match (values.as_mut(), value) {
                (Some(list), Some(v)) => list.push(v),
                _ => *values = None,
            }
        }
    });
    out
}
