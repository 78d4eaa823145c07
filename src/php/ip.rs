//! PHP glue for IP allowlists and client-IP resolution: `Agents\Core\IpAllowlist`,
//! `Agents\Core\ip_allowed()` and `Agents\Core\client_ip()`. Converts PHP values to the core's
//! inputs and maps errors; every decision is made in [`crate::ip`].

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;
use serde_json::{Value, json};

use super::convert::{self, describe, for_each_entry, to_array};
use super::params::{ArrayOrEmpty, Param};
use crate::ip::{self, Allowlist, Input, ListItem, Normalized};

/// The members of a PHP array, in order, keys ignored.
fn members(ht: &ZendHashTable) -> Vec<ListItem<'_>> {
    let mut out = Vec::with_capacity(ht.len());
    for_each_entry(ht, |_, v| {
        out.push(match convert::bytes(v) {
            Some(b) => ListItem::Text(b),
            None => ListItem::Other(describe(v)),
        });
    });
    out
}

/// A PHP `array|string` value as allowlist input.
fn input(zv: &Zval) -> Input<'_> {
    let zv = zv.dereference();
    if let Some(b) = convert::bytes(zv) {
        Input::Text(b)
    } else if let Some(ht) = zv.array() {
        Input::List(members(ht))
    } else {
        Input::Other(describe(zv))
    }
}

/// `['entries' => [...], 'invalid' => [['entry' => ..., 'reason' => ...], ...]]`.
fn normalized_array(n: &Normalized) -> ZBox<ZendHashTable> {
    let entries: Vec<String> = n.entries.iter().map(ToString::to_string).collect();
    let invalid: Vec<Value> = n
        .invalid
        .iter()
        .map(|p| json!({ "entry": p.entry, "reason": p.reason }))
        .collect();
    to_array(&json!({ "entries": entries, "invalid": invalid }))
}

/// An IP allowlist compiled once: strict entries, canonical order, fast membership.
#[php_class]
#[php(name = "Agents\\Core\\IpAllowlist")]
#[php(flags = ClassFlags::Final)]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
pub struct IpAllowlist {
    inner: Allowlist,
}

#[php_impl]
impl IpAllowlist {
    /// Compiles the entries: a list of strings, text separated by commas and whitespace, or
    /// JSON array text. Throws `InvalidInputException` naming every bad entry and why.
    ///
    /// @param list<string>|string $entries
    pub fn __construct(entries: &Zval) -> PhpResult<Self> {
        super::raw::refuse_reconstruction::<Self>()?;
        let inner = Allowlist::parse(&input(entries), "IpAllowlist entries", "entries")?;
        Ok(Self { inner })
    }

    /// Reads the entries without throwing: `['entries' => canonical, sorted, de-duplicated
    /// strings, 'invalid' => [['entry' => string, 'reason' => string], ...]]`.
    ///
    /// @param list<string>|string $entries
    /// @return array{entries: list<string>, invalid: list<array{entry: string, reason: string}>}
    pub fn normalize(entries: &Zval) -> ZBox<ZendHashTable> {
        normalized_array(&ip::normalize(&input(entries)))
    }

    /// True when an entry contains `$ip`. An IPv4-mapped address and its IPv4 form match the
    /// same entries (`::ffff:10.0.0.0/104` holds `10.1.2.3`, `10.0.0.0/8` holds
    /// `::ffff:10.1.2.3`), exactly as `Guard::authenticate` matches credential allowlists.
    /// Invalid address text (any bytes) gives false.
    ///
    /// @param string $ip an IPv4 or IPv6 address
    pub fn contains(&self, ip: Param<&[u8]>) -> PhpResult<bool> {
        Ok(self.inner.contains_text(ip.get()?))
    }

    /// The entries in canonical form: IPv4 before IPv6, by network, then prefix length.
    ///
    /// @return list<string>
    pub fn entries(&self) -> ZBox<ZendHashTable> {
        let list: Vec<Value> = self
            .inner
            .entries()
            .iter()
            .map(|e| Value::String(e.to_string()))
            .collect();
        to_array(&Value::Array(list))
    }

    /// Number of (de-duplicated) entries.
    pub fn count(&self) -> i64 {
        i64::try_from(self.inner.len()).unwrap_or(i64::MAX)
    }
}

/// One-shot check: true when `$ip` is inside a valid entry of `$cidrs`. Invalid entries never
/// match; an empty list matches nothing; invalid address text gives false. Never throws.
///
/// @param string $ip an IPv4 or IPv6 address
/// @param list<string> $cidrs IPs or CIDRs
#[php_function]
#[php(name = "Agents\\Core\\ip_allowed")]
pub fn ip_allowed(ip: Param<&[u8]>, cidrs: Param<&ZendHashTable>) -> PhpResult<bool> {
    let (ip, cidrs) = (ip.get()?, cidrs.get()?);
    Ok(ip::ip_allowed(ip, &members(cidrs)))
}

/// Registers `Agents\Core\IpAllowlist`, `ip_allowed()` and `client_ip()` (the
/// macro-generated entries are private to this module).
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<IpAllowlist>()
        .function(wrap_function!(ip_allowed))
        .function(client_ip_glue::client_ip_fn())
}

/// `client_ip`, in its own module so its PHP parameter names can be camelCase.
#[allow(non_snake_case)]
mod client_ip_glue {
    use ext_php_rs::builders::FunctionBuilder;

    use super::*;

    /// `Agents\Core\client_ip` for module registration.
    pub fn client_ip_fn() -> FunctionBuilder<'static> {
        wrap_function!(client_ip)
    }

    /// The request's client address: `$remoteAddr` unless it is a trusted proxy; then the
    /// `Forwarded` header if present, else `X-Forwarded-For`, walked right to left skipping
    /// trusted proxies. `$headers` maps names (any case) to a string or a list of strings (one
    /// per header line; each line is read on its own). Null when the client is unknown: the
    /// peer is not a valid address, or the peer is a trusted proxy and the forwarding chain
    /// cannot be read completely (an unterminated quote, a hop that is not an address, a value
    /// that is not text or holds a control character) or the walk reaches `unknown` or an
    /// obfuscated node; never the proxy's own address in that case. Throws `InvalidInputException` only for invalid
    /// `$trustedProxies` entries (configuration). A `Forwarded` header is read whenever the
    /// request has one, so trusted proxies that only maintain `X-Forwarded-For` must strip a
    /// client-sent `Forwarded` header.
    ///
    /// @param string $remoteAddr the socket peer (`REMOTE_ADDR`)
    /// @param array<string, string|list<string>> $headers
    /// @param list<string> $trustedProxies IPs or CIDRs
    /// @return string|null
    #[php_function]
    #[php(name = "Agents\\Core\\client_ip")]
    #[php(defaults(trustedProxies = Param::EMPTY_ARRAY))]
    pub fn client_ip(
        remoteAddr: Param<&[u8]>,
        headers: Param<&ZendHashTable>,
        trustedProxies: Param<ArrayOrEmpty<'_>>,
    ) -> PhpResult<Option<String>> {
        let (remoteAddr, headers) = (remoteAddr.get()?, headers.get()?);
        let ArrayOrEmpty(trustedProxies) = trustedProxies.get()?;
        let trusted = match trustedProxies {
            Some(ht) => Allowlist::parse(
                &Input::List(members(ht)),
                "trusted proxies",
                "trustedProxies",
            )?,
            None => Allowlist::default(),
        };
        let pairs = || {
            let mut pairs: Vec<ip::HeaderLine<'_>> = Vec::with_capacity(headers.len());
            convert::for_each_header(headers, |name, _, value| pairs.push((name, value)));
            pairs
        };
        Ok(
            ip::client::resolve(remoteAddr, pairs, &trusted, ip::ForwardingHeader::Auto)
                .map(|a| a.to_string()),
        )
    }
}
