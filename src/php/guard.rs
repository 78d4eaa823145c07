//! `Agents\Core\Guard` and the `posture()` function: conversion only.

// Rust parameter names are the PHP parameter names (named arguments), which are camelCase.
#![allow(non_snake_case)]

use std::borrow::Cow;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Map, Value};

use super::convert::{self, Key, for_each_entry};
use super::exceptions::invalid_input_msg;
use crate::guard::Guard;
use crate::request::Request;

/// Marker for request values that are not text; no grammar accepts it.
const NOT_TEXT: &str = "\u{FFFD}";

fn text_of(zv: &Zval) -> Option<Cow<'_, str>> {
    if let Some(b) = convert::bytes(zv) {
        return Some(String::from_utf8_lossy(b));
    }
    zv.long().map(|i| Cow::Owned(i.to_string()))
}

fn key_text(k: Key<'_>) -> Cow<'static, str> {
    Cow::Owned(k.to_text())
}

/// name => value | list of values, flattened into pairs.
fn pairs<'a>(ht: &'a ZendHashTable) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    let mut out = Vec::with_capacity(ht.len());
    for_each_entry(ht, |k, v| {
        let name = key_text(k);
        if let Some(list) = v.array() {
            for_each_entry(list, |_, item| {
                let value = text_of(item).unwrap_or(Cow::Borrowed(NOT_TEXT));
                out.push((name.clone(), value));
            });
        } else {
            let value = text_of(v).unwrap_or(Cow::Borrowed(NOT_TEXT));
            out.push((name, value));
        }
    });
    out
}

fn request_from(ht: &ZendHashTable) -> PhpResult<Request<'_>> {
    let mut req = Request {
        method: Cow::Borrowed("GET"),
        ..Request::default()
    };
    let mut bad = Vec::new();
    for_each_entry(ht, |k, v| match key_text(k).as_ref() {
        "method" => match text_of(v) {
            Some(m) => req.method = m,
            None => bad.push("method must be a string"),
        },
        "remoteAddr" => {
            if v.is_null() {
                return;
            }
            match text_of(v) {
                Some(a) => req.remote_addr = a,
                None => bad.push("remoteAddr must be a string"),
            }
        }
        "headers" => match v.array() {
            Some(h) => req.headers = pairs(h),
            None => bad.push("headers must be an array"),
        },
        "query" => match v.array() {
            Some(q) => req.query = pairs(q),
            None => bad.push("query must be an array"),
        },
        _ => {}
    });
    if bad.is_empty() {
        Ok(req)
    } else {
        Err(invalid_input_msg(format!(
            "Invalid request array: {}",
            bad.join("; ")
        )))
    }
}

fn object(ht: &ZendHashTable, path: &str) -> PhpResult<Map<String, Value>> {
    match convert::array_to_value(ht, path)? {
        Value::Object(m) => Ok(m),
        Value::Array(a) if a.is_empty() => Ok(Map::new()),
        _ => Err(invalid_input_msg(format!(
            "Invalid {path}: must be an array keyed by name"
        ))),
    }
}

fn list(ht: Option<&ZendHashTable>, path: &str) -> PhpResult<Vec<Value>> {
    let Some(ht) = ht else {
        return Ok(Vec::new());
    };
    match convert::array_to_value(ht, path)? {
        Value::Array(a) => Ok(a),
        Value::Object(m) => Ok(m.into_iter().map(|(_, v)| v).collect()),
        _ => Ok(Vec::new()),
    }
}

fn build(
    env: &ZendHashTable,
    managed: Option<&ZendHashTable>,
    options: Option<&ZendHashTable>,
) -> PhpResult<Guard> {
    let env = object(env, "env")?;
    let rows = list(managed, "managedCredentials")?;
    let options = match options {
        Some(o) => object(o, "options")?,
        None => Map::new(),
    };
    Ok(Guard::new(&env, &rows, &options)?)
}

fn strings(zv: &Zval) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(ht) = zv.array() {
        for_each_entry(ht, |_, v| {
            if let Some(b) = convert::bytes(v) {
                out.push(String::from_utf8_lossy(b).into_owned());
            }
        });
    } else if let Some(b) = convert::bytes(zv) {
        out.push(String::from_utf8_lossy(b).into_owned());
    }
    out
}

/// One compiled security policy per configuration.
#[php_class]
#[php(name = "Agents\\Core\\Guard")]
#[php(flags = ClassFlags::Final)]
pub struct PhpGuard {
    inner: Guard,
}

#[php_impl]
impl PhpGuard {
    /// Compiles the policy from `$env` (PLUGIN_AGENTS_*, ENVIRONMENT, CRAFT_ENVIRONMENT values),
    /// the managed credential rows and `$options` (now, commerceEnabled, writesExperimental,
    /// trustedProxies, jwt). Throws InvalidInputException naming every bad item.
    pub fn __construct(
        env: &ZendHashTable,
        managedCredentials: Option<&ZendHashTable>,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Self> {
        Ok(Self {
            inner: build(env, managedCredentials, options)?,
        })
    }

    /// Authenticates one request (`method`, `headers`, `query`, `remoteAddr`):
    /// `['ok' => true, 'principal' => [...]]` or
    /// `['ok' => false, 'status', 'error', 'message', 'headers', 'reason']`.
    pub fn authenticate(&self, request: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let req = request_from(request)?;
        Ok(convert::to_array(&self.inner.authenticate(&req).to_value()))
    }

    /// True when the principal holds the scope (`string`), or any of the scopes (`list<string>`).
    pub fn has_scope(&self, principal: &ZendHashTable, scope: &Zval) -> bool {
        let granted = principal.get("scopes").map(strings).unwrap_or_default();
        self.inner.has_scope(&granted, &strings(scope))
    }

    /// The security posture object.
    pub fn posture(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.posture())
    }

    /// The `authentication` block of `/capabilities`.
    pub fn capabilities(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.capabilities())
    }

    /// Every warning: `[['level' => 'warning'|'error', 'code' => string, 'message' => string], ...]`.
    pub fn warnings(&self) -> ZBox<ZendHashTable> {
        let list: Vec<Value> = self.inner.warnings().iter().map(|w| w.to_value()).collect();
        convert::to_array(&Value::Array(list))
    }

    /// `checks.auth` of the diagnostics bundle.
    pub fn diagnostics(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.diagnostics())
    }
}

/// The posture of a configuration: `(new Guard($env, $managedCredentials, $options))->posture()`.
#[php_function]
#[php(name = "Agents\\Core\\posture")]
pub fn posture(
    env: &ZendHashTable,
    managedCredentials: Option<&ZendHashTable>,
    options: Option<&ZendHashTable>,
) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(convert::to_array(
        &build(env, managedCredentials, options)?.posture(),
    ))
}

/// Adds the Guard class and the `posture()` function to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<PhpGuard>().function(wrap_function!(posture))
}
