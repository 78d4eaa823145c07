//! PHP glue for `Agents\Core\redact` (core: [`crate::redact`]).
// PHP parameter names are part of the contract (named arguments), so some are camelCase.
#![allow(non_snake_case)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use super::convert;
use super::params::Param;
use crate::errors::InvalidInput;
use crate::redact::{self, Resource};

/// Redacts sensitive fields for a caller without the resource's `*:read_sensitive` scope
/// ([spec:redaction]); `*` unlocks everything.
///
/// * `order` (`orders:read_sensitive`): `email` → null with `emailRedacted`; line items (every
///   array directly under `lineItems`, whatever its keys: a list, a list with gaps after
///   `array_filter`, or keyed by line-item id) lose `salePrice`, `subtotal` and `total` whatever
///   `$redactEmail` says.
/// * `user` (`users:read_sensitive`): `email` → null with `emailRedacted`; `firstName`,
///   `lastName`, `friendlyName`, `unverifiedEmail` → null whatever `$redactEmail` says.
/// * `address` (`addresses:read_sensitive`): `fullName`, `organization`, `postalCode`,
///   `locality`, `administrativeArea`, `firstName`, `lastName`, `organizationTaxId`,
///   `addressLine1`-`3`, `dependentLocality`, `sortingCode`, `latitude`, `longitude` → null, with
///   `sensitiveRedacted`.
///
/// Markers are `true` when redacted and `false` otherwise, set beside the fields on every object
/// (at any depth: a list of records, an order's customer block) that holds one of them. Absent
/// fields are not added. `$redactEmail = false` turns e-mail and address redaction off.
///
/// @param array<array-key, mixed> $record a record, a list of records, or any array holding them
/// @param 'order'|'user'|'address' $resource the kind of record
/// @param list<string> $grantedScopes the caller's scopes
/// @param bool $redactEmail false turns e-mail and address redaction off
/// @return array<array-key, mixed> `$record` with the fields redacted and the markers set
/// @throws \Agents\Core\InvalidInputException for an unknown resource, a scope that is not a
///   string, or a record holding objects or non-UTF-8 text.
#[php_function]
#[php(name = "Agents\\Core\\redact")]
#[php(defaults(redactEmail = true))]
pub fn redact(
    record: Param<&ZendHashTable>,
    resource: Param<&[u8]>,
    grantedScopes: Param<&ZendHashTable>,
    redactEmail: Param<bool>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (record, resource) = (record.get()?, resource.get()?);
    let (grantedScopes, redactEmail) = (grantedScopes.get()?, redactEmail.get()?);
    let (granted_scopes, redact_email) = (grantedScopes, redactEmail);
    let resource = Resource::parse(&String::from_utf8_lossy(resource))?;
    let mut err = InvalidInput::new("redact arguments");
    let mut scopes = Vec::with_capacity(granted_scopes.len());
    convert::for_each_entry(granted_scopes, |k, v| {
        match convert::bytes(v).and_then(|b| std::str::from_utf8(b).ok()) {
            Some(s) => scopes.push(s),
            None => err.push(
                format!("grantedScopes[{}]", k.to_text()),
                format!("{} is not a UTF-8 string", convert::describe(v)),
            ),
        }
    });
    err.into_result(())?;
    let value = convert::array_to_value(record, "record")?;
    let out = redact::redact(value, resource, &scopes, redact_email);
    Ok(convert::to_array(&out))
}

/// Adds this module's function (`wrap_function!` must name it from its own module).
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(redact))
}
