//! `Agents\Core\Guard` and the `posture()` function: conversion only.

// Rust parameter names are the PHP parameter names (named arguments), which are camelCase.
#![allow(non_snake_case)]

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::FromZval;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::ExecutorGlobals;
use serde_json::{Map, Value};

use super::convert::{self, Key, for_each_entry};
use super::exceptions::{core_exception, invalid_input_msg};
use super::interned::{self, Interned};
use super::params::Param;
use super::raw::{self, View};
use super::scope_lists;
use super::template::{self, Shared, Template};
use crate::auth::{Denial, PrincipalRef};
use crate::credentials::field::{Field, Item};
use crate::credentials::managed::{self, ManagedRow};
use crate::errors::InvalidInput;
use crate::guard::Guard;
use crate::guard_cache::{self, Cache};
use crate::request::{Part, Request, RequestReader};

/// Reads a request array into `req` (the core's [`RequestReader`] decides what is a caller
/// mistake). Returns `remoteAddr` as the PHP string it is (the result can share it as
/// `clientIp`).
fn request_from<'a>(ht: &'a ZendHashTable, req: &mut Request<'a>) -> PhpResult<Option<Shared<'a>>> {
    let mut r = RequestReader::new(req);
    let mut remote = None;
    for_each_entry(ht, |k, v| {
        let part = match k {
            Key::Str(b) => Part::from_key(b),
            Key::Int(_) => None,
        };
        match part {
            None => r.unknown_key(&k.to_text()),
            Some(Part::Method) => match convert::bytes(v) {
                Some(m) => r.method(m),
                None => r.wrong_type(Part::Method, &convert::describe(v)),
            },
            Some(Part::RemoteAddr) => match convert::bytes(v) {
                Some(a) => {
                    remote = Shared::of(v);
                    r.remote_addr(a);
                }
                None if v.is_null() => {}
                None => r.wrong_type(Part::RemoteAddr, &convert::describe(v)),
            },
            Some(part @ (Part::Headers | Part::Query)) => match raw::array(v) {
                Some(h) if part == Part::Headers => {
                    convert::for_each_header(h, |name, _, value| r.header(name, value))
                }
                Some(q) => convert::for_each_header(q, |name, _, value| r.query(name, value)),
                None => r.wrong_type(part, &convert::describe(v)),
            },
        }
    });
    r.finish()?;
    Ok(remote)
}

fn string_zval(s: &str) -> PhpResult<Zval> {
    let mut zv = Zval::new();
    zv.set_string(s, false)?;
    Ok(zv)
}

fn array_zval(ht: ZBox<ZendHashTable>) -> Zval {
    let mut zv = Zval::new();
    zv.set_hashtable(ht);
    zv
}

/// Dotted-quad text of `ip` written into `buf` (what `Display` prints, without the formatting
/// machinery), as the ASCII bytes a PHP string is made of.
fn ipv4_text(ip: Ipv4Addr, buf: &mut [u8; 15]) -> &[u8] {
    let mut n = 0;
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        if octet >= 100 {
            buf[n] = b'0' + octet / 100;
            n += 1;
        }
        if octet >= 10 {
            buf[n] = b'0' + (octet / 10) % 10;
            n += 1;
        }
        buf[n] = b'0' + octet % 10;
        n += 1;
    }
    &buf[..n]
}

/// The key names of the authenticate result, and the values of its closed sets
/// (`credentialSource`, `authMethod`).
#[derive(Clone, Copy)]
enum K {
    Ok,
    Principal,
    CredentialId,
    CredentialSource,
    ManagedCredentialId,
    AuthMethod,
    PrincipalFingerprint,
    Scopes,
    ForceHumanApproval,
    ClientIp,
    Status,
    Error,
    Message,
    Headers,
    Reason,
    ReasonDetail,
}

const NAMES: [&str; 16] = [
    "ok",
    "principal",
    "credentialId",
    "credentialSource",
    "managedCredentialId",
    "authMethod",
    "principalFingerprint",
    "scopes",
    "forceHumanApproval",
    "clientIp",
    "status",
    "error",
    "message",
    "headers",
    "reason",
    "reasonDetail",
];

/// Values from a closed set that a principal carries, interned like the key names.
const VALUES: [&str; 8] = [
    "env",
    "cp",
    "jwt",
    "unknown",
    "authorization",
    "x-agents-token",
    "query",
    "none",
];

static KEYS: OnceLock<Interned<16>> = OnceLock::new();
static FIXED_VALUES: OnceLock<Interned<8>> = OnceLock::new();

/// The authenticate result's templates (see [`super::template`]), built once at MINIT.
struct Templates {
    /// `ok`, `principal`.
    allowed: Template,
    /// `credentialId` … `clientIp`, in the order of [`K`].
    principal: Template,
    /// `ok`, `status`, `error`, `message`, `headers`, `reason`, `reasonDetail`.
    denied: Template,
}

/// `None` when a template could not be built: results are then built key by key.
static TEMPLATES: OnceLock<Option<Templates>> = OnceLock::new();

/// Positions in the `denied` template.
const DENIED_KEYS: [K; 7] = [
    K::Ok,
    K::Status,
    K::Error,
    K::Message,
    K::Headers,
    K::Reason,
    K::ReasonDetail,
];

/// MINIT part: interns the result arrays' fixed strings and builds their templates.
pub fn startup() {
    let keys = KEYS.get_or_init(|| Interned::new(NAMES));
    let _ = FIXED_VALUES.set(Interned::new(VALUES));
    let key = |k: K| keys.key(k as usize);
    let _ = TEMPLATES.set((|| {
        Some(Templates {
            allowed: Template::new(&[key(K::Ok), key(K::Principal)])?,
            principal: Template::new(
                &keys.as_slice()[K::CredentialId as usize..=K::ClientIp as usize],
            )?,
            denied: Template::new(&DENIED_KEYS.map(key))?,
        })
    })());
}

/// Adds `key => v` to a fresh array: the interned key once MINIT has run (always, in PHP).
fn put_key(ht: &mut ZendHashTable, key: K, v: Zval) {
    match KEYS.get() {
        Some(keys) => interned::put(ht, keys.key(key as usize), v),
        None => {
            let _ = ht.insert(NAMES[key as usize], v);
        }
    }
}

/// `s` as a PHP string: interned when it is one of [`VALUES`].
fn fixed_value(s: &str) -> PhpResult<Zval> {
    match (FIXED_VALUES.get(), fixed_index(s)) {
        (Some(values), Some(i)) => Ok(values.zval(i)),
        _ => string_zval(s),
    }
}

/// The position of `s` among [`VALUES`].
fn fixed_index(s: &str) -> Option<usize> {
    VALUES.iter().position(|v| *v == s)
}

fn bool_zval(b: bool) -> Zval {
    let mut zv = Zval::new();
    zv.set_bool(b);
    zv
}

fn null_zval() -> Zval {
    let mut zv = Zval::new();
    zv.set_null();
    zv
}

/// `['ok' => true, 'principal' => [...]]` (the hot path): copied from the templates when they
/// exist, built key by key otherwise.
fn allowed_array(
    p: &PrincipalRef<'_>,
    remote: Option<Shared<'_>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (Some(Some(t)), Some(values)) = (TEMPLATES.get(), FIXED_VALUES.get()) else {
        return allowed_array_keyed(p, template::string_list(&p.scopes));
    };
    // A configured list of catalogue scopes is shared (`Ok`), any other one built (see
    // `scope_lists`): a signed token's list is its issuer's choice, and is not let near the
    // bound on shared lists.
    let scopes = p
        .configured_scopes()
        .and_then(scope_lists::shared)
        .ok_or_else(|| template::string_list(&p.scopes));
    let fixed = |s: &str| fixed_index(s).map(|i| values.key(i));
    let mut ipv4 = [0u8; 15];
    let ip_text;
    let ip = match p.client_ip {
        Some(IpAddr::V4(v4)) => Some(ipv4_text(v4, &mut ipv4)),
        Some(ip) => {
            ip_text = ip.to_string();
            Some(ip_text.as_bytes())
        }
        None => None,
    };
    let principal = t.principal.fill(|slots| {
        let at = |k: K| k as usize - K::CredentialId as usize;
        slots.set_string(
            at(K::CredentialId),
            ZendStr::new(p.credential_id.as_bytes(), false),
        );
        match fixed(p.credential_source) {
            Some(v) => slots.set_interned(at(K::CredentialSource), v),
            None => slots.set_string(
                at(K::CredentialSource),
                ZendStr::new(p.credential_source, false),
            ),
        }
        match p.managed_credential_id {
            Some(id) => slots.set_long(at(K::ManagedCredentialId), id),
            None => slots.set_null(at(K::ManagedCredentialId)),
        }
        match fixed(p.auth_method) {
            Some(v) => slots.set_interned(at(K::AuthMethod), v),
            None => slots.set_string(at(K::AuthMethod), ZendStr::new(p.auth_method, false)),
        }
        slots.set_string(
            at(K::PrincipalFingerprint),
            ZendStr::new(p.principal_fingerprint.as_bytes(), false),
        );
        match scopes {
            // SAFETY: `scope_lists` builds persistent immutable arrays with two references
            // and never frees them.
            Ok(list) => unsafe { slots.set_immutable(at(K::Scopes), list) },
            Err(built) => slots.set_array(at(K::Scopes), built),
        }
        slots.set_bool(at(K::ForceHumanApproval), p.force_human_approval);
        match (ip, remote) {
            // The peer address as the caller gave it, already canonical: shared, not copied.
            (Some(text), Some(r)) if r.bytes() == text => {
                slots.set_shared(at(K::ClientIp), r);
            }
            (Some(text), _) => slots.set_string(at(K::ClientIp), ZendStr::new(text, false)),
            (None, _) => slots.set_null(at(K::ClientIp)),
        }
    });
    Ok(t.allowed.fill(|slots| {
        slots.set_bool(0, true);
        slots.set_array(1, principal);
    }))
}

/// [`allowed_array`] key by key (only when the templates could not be built).
fn allowed_array_keyed(
    p: &PrincipalRef<'_>,
    scopes: ZBox<ZendHashTable>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let mut principal = ZendHashTable::with_capacity(8);
    let pr = &mut principal;
    put_key(pr, K::CredentialId, string_zval(&p.credential_id)?);
    put_key(pr, K::CredentialSource, fixed_value(p.credential_source)?);
    let managed_id = match p.managed_credential_id {
        Some(id) => {
            let mut zv = Zval::new();
            zv.set_long(id);
            zv
        }
        None => null_zval(),
    };
    put_key(pr, K::ManagedCredentialId, managed_id);
    put_key(pr, K::AuthMethod, fixed_value(p.auth_method)?);
    put_key(
        pr,
        K::PrincipalFingerprint,
        string_zval(&p.principal_fingerprint)?,
    );
    put_key(pr, K::Scopes, array_zval(scopes));
    put_key(pr, K::ForceHumanApproval, bool_zval(p.force_human_approval));
    let ip = match p.client_ip {
        Some(IpAddr::V4(v4)) => {
            let mut zv = Zval::new();
            zv.set_zend_string(ZendStr::new(ipv4_text(v4, &mut [0u8; 15]), false));
            zv
        }
        Some(ip) => string_zval(&ip.to_string())?,
        None => null_zval(),
    };
    put_key(pr, K::ClientIp, ip);
    let mut out = ZendHashTable::with_capacity(2);
    put_key(&mut out, K::Ok, bool_zval(true));
    put_key(&mut out, K::Principal, array_zval(principal));
    Ok(out)
}

/// `['ok' => false, 'status', 'error', 'message', 'headers', 'reason', 'reasonDetail']`.
fn denied_array(d: &Denial) -> PhpResult<ZBox<ZendHashTable>> {
    let mut headers =
        ZendHashTable::with_capacity(u32::try_from(d.headers.len()).unwrap_or(u32::MAX));
    for (name, value) in &d.headers {
        headers.insert(name.as_str(), string_zval(value)?)?;
    }
    if let Some(Some(t)) = TEMPLATES.get() {
        return Ok(t.denied.fill(|slots| {
            slots.set_bool(0, false);
            slots.set_long(1, i64::from(d.status));
            slots.set_string(2, ZendStr::new(d.error, false));
            slots.set_string(3, ZendStr::new(&d.message, false));
            slots.set_array(4, headers);
            slots.set_string(5, ZendStr::new(d.reason.as_str(), false));
            match d.detail {
                Some(detail) => slots.set_string(6, ZendStr::new(detail.as_str(), false)),
                None => slots.set_null(6),
            }
        }));
    }
    let mut out = ZendHashTable::with_capacity(8);
    let o = &mut out;
    put_key(o, K::Ok, bool_zval(false));
    let mut status = Zval::new();
    status.set_long(i64::from(d.status));
    put_key(o, K::Status, status);
    put_key(o, K::Error, string_zval(d.error)?);
    put_key(o, K::Message, string_zval(&d.message)?);
    put_key(o, K::Headers, array_zval(headers));
    put_key(o, K::Reason, string_zval(d.reason.as_str())?);
    let detail = match d.detail {
        Some(detail) => string_zval(detail.as_str())?,
        None => null_zval(),
    };
    put_key(o, K::ReasonDetail, detail);
    Ok(out)
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

/// A value that is not an array, borrowed from PHP, as a list member; an array inside a list
/// is one no reader accepts (no configuration column nests further, which also ends any
/// recursion through references).
#[inline]
fn item_of(view: View<'_>) -> Item<'_> {
    match view {
        View::Null => Item::Null,
        View::Bool(b) => Item::Bool(b),
        View::Long(i) => Item::Int(i),
        View::Double(d) => Item::Float(d),
        View::Str(s) => match raw::text(s) {
            Some(t) => Item::Text(t),
            None => Item::Invalid("non-UTF-8 text"),
        },
        View::Array(_) => Item::Invalid("a nested array"),
        View::Other => Item::Invalid("an object or resource"),
    }
}

/// A column value, borrowed from the PHP array; a list's members are read one level deep.
#[inline(always)]
fn field_of(zv: &Zval) -> Field<'_> {
    match raw::view(zv) {
        View::Array(ht) => list_of(ht),
        view => Field::from(item_of(view)),
    }
}

/// The list an array column holds (see [`field_of`]).
#[inline(never)]
fn list_of(ht: &ZendHashTable) -> Field<'_> {
    // The table's element count sizes the list (the walk decides what is in it).
    let mut items = Vec::with_capacity(ht.nNumOfElements as usize);
    for_each_entry(ht, |_, item| items.push(item_of(raw::view(item))));
    Field::List(items)
}

/// Whether `item_of(view) == *value`. Text is compared as bytes: bytes equal to a `&str`'s
/// are that UTF-8 text, and bytes that differ cannot convert to it. Text read from the very
/// same string (an interned or shared one) is equal without comparing its bytes.
#[inline]
fn item_is(view: View<'_>, value: &Item<'_>) -> bool {
    match (view, value) {
        (View::Str(s), Item::Text(t)) => {
            s.len() == t.len() && (std::ptr::eq(s.as_ptr(), t.as_ptr()) || s == t.as_bytes())
        }
        (view, value) => item_of(view) == *value,
    }
}

/// Whether `field_of(zv) == *value`, without building a list to find out.
fn field_is(zv: &Zval, value: &Field<'_>) -> bool {
    match (raw::view(zv), value) {
        // An array's element count is the length of its list (for any array PHP code builds;
        // an engine table may also count slots that point at unset values, which only makes
        // an equal list look unequal, and the reader then reads it).
        (View::Array(ht), Field::List(items)) if ht.nNumOfElements as usize != items.len() => false,
        (View::Array(ht), Field::List(items)) => {
            let mut expected = items.iter();
            let mut equal = true;
            for_each_entry(ht, |_, item| {
                equal = equal && expected.next().is_some_and(|e| item_is(raw::view(item), e));
            });
            equal && expected.next().is_none()
        }
        (View::Array(_), _) => false,
        (view, value) => value.as_item().is_some_and(|item| item_is(view, &item)),
    }
}

/// How many key positions of a row [`PhpRow`] remembers.
const KEY_POSITIONS: usize = 24;

/// One managed row's PHP array, seen through [`managed::Columns`]: where each column the core
/// reads sits (its zval), found in one walk of the array; values are converted only when the
/// reader asks for them. One `PhpRow` reads every row of a table in turn.
struct PhpRow<'a> {
    values: [Option<&'a Zval>; managed::COLUMNS.len()],
    /// Per key position: the address and length of the key seen there last, and the column
    /// (position in [`managed::COLUMNS`]) it names, `None` for one the core does not read. The
    /// rows of a table usually share their key strings (PDO hands every row the same column
    /// name strings; an array literal's keys are interned), so most keys are recognised by
    /// their address. An address is compared only with keys of earlier rows of the same
    /// table, which the table still holds while it is read (it is borrowed, and no PHP code
    /// runs): no other string can sit there, so the same address and length is the same key.
    keys: [(usize, usize, Option<usize>); KEY_POSITIONS],
}

impl<'a> PhpRow<'a> {
    fn new() -> Self {
        Self {
            values: [None; managed::COLUMNS.len()],
            keys: [(0, 0, None); KEY_POSITIONS],
        }
    }

    /// Finds the columns of the row `ht` (every other key is passed over).
    fn find(&mut self, ht: &'a ZendHashTable) -> &Self {
        let Self { values, keys } = self;
        *values = [None; managed::COLUMNS.len()];
        let mut position = 0usize;
        raw::walk_named(ht, |name, v| {
            let at = (name.as_ptr() as usize, name.len());
            let column = match keys.get_mut(position) {
                Some(seen) if (seen.0, seen.1) == at => seen.2,
                Some(seen) => {
                    let column = managed::column_index(name);
                    *seen = (at.0, at.1, column);
                    column
                }
                None => managed::column_index(name),
            };
            position += 1;
            if let Some(slot) = column.and_then(|i| values.get_mut(i)) {
                *slot = Some(v);
            }
        });
        self
    }
}

impl<'a> managed::Columns<'a> for PhpRow<'a> {
    #[inline(always)]
    fn column(&self, i: usize) -> Option<Cow<'_, Field<'a>>> {
        let zv = (*self.values.get(i)?)?;
        Some(Cow::Owned(field_of(zv)))
    }

    #[inline(always)]
    fn column_is(&self, i: usize, value: &Field<'a>) -> Option<bool> {
        let zv = (*self.values.get(i)?)?;
        Some(field_is(zv, value))
    }

    #[inline(always)]
    fn column_is_empty(&self, i: usize) -> Option<bool> {
        let zv = (*self.values.get(i)?)?;
        // No element counted: no entry to read (a count that includes slots pointing at unset
        // values only sends an empty list down the reader's full path).
        Some(match raw::view(zv) {
            View::Null => true,
            View::Array(ht) => ht.nNumOfElements == 0,
            _ => false,
        })
    }
}

/// The managed rows of a PHP array, read by the core's row reader and handed over one by one
/// as they are read.
struct PhpRows<'a>(Option<&'a ZendHashTable>);

impl managed::RowSource for PhpRows<'_> {
    fn size_hint(&self) -> usize {
        self.0.map_or(0, ZendHashTable::len)
    }

    fn for_each_row(self, mut f: impl FnMut(ManagedRow)) {
        let Some(ht) = self.0 else {
            return;
        };
        let mut reader = managed::RowReader::default();
        let mut columns = PhpRow::new();
        let mut index = 0;
        raw::walk_rows(ht, |row| {
            f(match raw::array(row) {
                Some(ht) => reader.read(columns.find(ht), index),
                None => managed::not_an_array(index),
            });
            index += 1;
        });
    }
}

fn build(
    env: &ZendHashTable,
    managed: Option<&ZendHashTable>,
    options: Option<&ZendHashTable>,
) -> PhpResult<Guard> {
    let mut env = object(env, "env")?;
    let rows = PhpRows(managed);
    let options = match options {
        Some(o) => object(o, "options"),
        None => Ok(Map::new()),
    };
    let guard = options.and_then(|o| Ok(Guard::with_rows(&env, rows, &o)?));
    // This copy of `$env` holds the raw tokens too: wiped like the core's own.
    crate::guard::wipe_env(&mut env);
    guard
}

/// The granted scopes of a principal: a string or a list; members that are not UTF-8 text are
/// left out (they can satisfy nothing).
fn granted_scopes(zv: &Zval) -> Vec<&str> {
    fn text(v: &Zval) -> Option<&str> {
        convert::bytes(v).and_then(|b| std::str::from_utf8(b).ok())
    }
    let mut out = Vec::new();
    let zv = zv.dereference();
    if let Some(ht) = zv.array() {
        for_each_entry(ht, |_, v| out.extend(text(v)));
    } else {
        out.extend(text(zv));
    }
    out
}

/// The required scope(s): a string or a list of strings. Anything else names the offending
/// value: it must not read as "no requirement".
fn required_scopes(zv: &Zval) -> Result<Vec<&str>, InvalidInput> {
    let mut err = InvalidInput::new("hasScope arguments");
    let mut out = Vec::new();
    let zv = zv.dereference();
    if let Some(ht) = zv.array() {
        for_each_entry(ht, |k, v| {
            match convert::bytes(v).map(std::str::from_utf8) {
                Some(Ok(s)) => out.push(s),
                _ => err.push(
                    format!("scope[{}]", k.to_text()),
                    format!("{} is not a UTF-8 string", convert::describe(v)),
                ),
            }
        });
    } else {
        match convert::bytes(zv).map(std::str::from_utf8) {
            Some(Ok(s)) => out.push(s),
            _ => err.push(
                "scope",
                format!(
                    "{} given; expected a UTF-8 string or a list of them",
                    convert::describe(zv)
                ),
            ),
        }
    }
    err.into_result(out)
}

/// The `var_dump()` summary of a Guard: only non-secret fields of its posture.
fn debug_summary(posture: &Value) -> Value {
    let auth = &posture["authentication"];
    let mut out = Map::new();
    out.insert("profile".into(), posture["profile"]["name"].clone());
    out.insert("environment".into(), posture["environment"].clone());
    for count in [
        "credentialCount",
        "envCredentialCount",
        "managedCredentialCount",
    ] {
        out.insert(count.into(), auth[count].clone());
    }
    out.insert("warningCounts".into(), posture["warningCounts"].clone());
    out.insert("verdict".into(), posture["verdict"].clone());
    Value::Object(out)
}

/// One compiled security policy per configuration.
#[php_class]
#[php(name = "Agents\\Core\\Guard")]
#[php(flags = ClassFlags::Final)]
pub struct PhpGuard {
    inner: Arc<Guard>,
    /// The revision this object was handed out for by `Guard::cached()` (its digest; the
    /// label is written only when asked for).
    revision: Option<guard_cache::Revision>,
}

/// This process's compiled Guards (see [`crate::guard_cache`]).
static CACHE: Cache<Guard> = Cache::new();

/// The cache's counters, for `php --ri agents_core`.
pub fn cache_stats() -> guard_cache::Stats {
    CACHE.stats()
}

/// What `$build` returned, as a compiled Guard; anything else is the caller's mistake.
fn built_guard(zv: &Zval) -> PhpResult<Arc<Guard>> {
    match <&PhpGuard>::from_zval(zv) {
        // The Guard is shared with the object `$build` returned; the cache needs its own
        // handle, which costs one reference count.
        Some(g) => Ok(Arc::clone(&g.inner)),
        None => Err(invalid_input_msg(format!(
            "Guard::cached(): $build must return an Agents\\Core\\Guard, {} given",
            convert::describe(zv)
        ))),
    }
}

#[php_impl]
impl PhpGuard {
    /// Compiles the policy from `$env` (PLUGIN_AGENTS_*, ENVIRONMENT, CRAFT_ENVIRONMENT values),
    /// the managed credential rows and `$options` (now, commerceEnabled, writesExperimental,
    /// trustedProxies, forwardedHeader, jwt). Throws InvalidInputException naming every bad
    /// item.
    ///
    /// @param array<string, string|int|float|bool|null> $env PLUGIN_AGENTS_* values (as
    ///   `App::env` returns them), ENVIRONMENT, CRAFT_ENVIRONMENT; a missing key is unset
    /// @param list<array{id: int|numeric-string, handle: string, tokenHash: string, scopes?: list<string>|string|null, ipAllowlist?: list<string>|string|null, expiresAt?: string|int|null, revokedAt?: string|int|null, pausedAt?: string|int|null, reminderDays?: int|numeric-string|null, expiryReminderDays?: int|numeric-string|null, forceHumanApproval?: bool|int|string|null, webhookResourceTypes?: list<string>|string|null, webhookActions?: list<string>|string|null, ...}>|null $managedCredentials
    ///   the rows of the managed-credentials table (other columns are ignored)
    /// @param array{now?: int|null, commerceEnabled?: bool, writesExperimental?: bool, trustedProxies?: list<string>|string, forwardedHeader?: 'x-forwarded-for'|'forwarded'|'auto', jwt?: array{keys: array<array-key, mixed>, algorithms: non-empty-list<string>, issuer?: string|list<string>, audience?: string|list<string>, leeway?: int, requireExp?: bool, maxTokenBytes?: int, scopeCeiling?: list<string>|string}|null}|null $options
    ///   `now` (unix seconds, for tests), `commerceEnabled`, `writesExperimental` (the plugin
    ///   setting; the env variable overrides it), `trustedProxies` (IPs/CIDRs of your proxies),
    ///   `forwardedHeader` (`x-forwarded-for` or `forwarded`: the one header your proxy
    ///   writes; `auto`, the default, reads `Forwarded` when present, else `X-Forwarded-For`,
    ///   and the posture warns `forwarded_header_not_pinned`), `jwt` (signed bearer tokens:
    ///   the JwtVerifier settings plus `keys` and `scopeCeiling`). Unknown keys are refused.
    pub fn __construct(
        env: Param<&ZendHashTable>,
        managedCredentials: Param<Option<&ZendHashTable>>,
        options: Param<Option<&ZendHashTable>>,
    ) -> PhpResult<Self> {
        super::raw::refuse_reconstruction::<Self>()?;
        Ok(Self {
            inner: Arc::new(build(
                env.get()?,
                managedCredentials.get()?,
                options.get()?,
            )?),
            revision: None,
        })
    }

    /// The Guard compiled for `$revision` in this process, when one younger than
    /// `$maxAgeSeconds` is held; otherwise calls `$build` (which must return a Guard), keeps its
    /// result and returns it. `$maxAgeSeconds = 0` calls `$build` and keeps nothing. What
    /// `$build` throws propagates and nothing is kept.
    ///
    /// `$revision` must change whenever any input of the Guard changes (env values, any
    /// credential create, update, rotate, pause, revoke or delete); `$maxAgeSeconds` bounds how
    /// long a change missing from the revision can go unnoticed. The process keeps at most 16
    /// Guards (least recently used goes first) and only the SHA-256 digest of each revision.
    /// See docs/craft-integration.md.
    ///
    /// @param string $revision changes whenever an input of the Guard changes (any bytes)
    /// @param callable(): Guard $build
    /// @param int $maxAgeSeconds the longest a kept Guard is reused; 0 keeps nothing
    /// @throws \Agents\Core\InvalidInputException when `$build` returns something other than a
    ///   Guard, or `$maxAgeSeconds` is negative.
    #[php(defaults(maxAgeSeconds = 60))]
    pub fn cached(
        revision: Param<&[u8]>,
        build: Param<ZendCallable>,
        maxAgeSeconds: Param<i64>,
    ) -> PhpResult<Self> {
        let (revision, build) = (revision.get()?, build.get()?);
        let maxAgeSeconds = maxAgeSeconds.get()?;
        let Ok(seconds) = u64::try_from(maxAgeSeconds) else {
            return Err(invalid_input_msg(format!(
                "Guard::cached(): maxAgeSeconds must be 0 or more, {maxAgeSeconds} given"
            )));
        };
        let revision = guard_cache::Revision::of(revision);
        let inner = CACHE.get_or_build(&revision, Duration::from_secs(seconds), || {
            match build.try_call(vec![]) {
                Ok(zv) => built_guard(&zv),
                Err(e) => Err(match ExecutorGlobals::take_exception() {
                    // Rethrow what `$build` threw, unchanged (same object, same trace).
                    Some(thrown) => {
                        let mut zv = Zval::new();
                        let _ = ext_php_rs::convert::IntoZval::set_zval(thrown, &mut zv, false);
                        PhpException::from_message(String::new()).with_object(zv)
                    }
                    None => core_exception(format!("Guard::cached(): $build failed: {e}")),
                }),
            }
        })?;
        Ok(Self {
            inner,
            revision: Some(revision),
        })
    }

    /// Drops this process's cached Guards; returns how many there were.
    pub fn forget() -> i64 {
        i64::try_from(CACHE.forget()).unwrap_or(i64::MAX)
    }

    /// Authenticates one request (`method`, `headers`, `query`, `remoteAddr`). The array's
    /// shape is the caller's code: a missing or non-string `method`, an unknown key, `headers`
    /// or `query` that is not an array, or `remoteAddr` neither a string nor null throws
    /// `InvalidInputException` naming every such key. Values inside `headers` and `query` come
    /// from the client and never throw (a value that is not a string can only be denied).
    /// Returns
    /// `['ok' => true, 'principal' => [...]]` or
    /// `['ok' => false, 'status', 'error', 'message', 'headers', 'reason', 'reasonDetail']`
    /// (`reason` and `reasonDetail` are for the plugin's log, never for the response).
    ///
    /// @param array{method?: string, headers?: array<string, string|list<string>>, query?: array<string, mixed>, remoteAddr?: string|null} $request
    ///   `headers` as Yii's `HeaderCollection::toArray()` gives them; `remoteAddr` is the
    ///   socket peer (`REMOTE_ADDR`)
    /// @return array{ok: true, principal: array{credentialId: string, credentialSource: 'cp'|'env'|'jwt'|'unknown', managedCredentialId: int|null, authMethod: 'authorization'|'x-agents-token'|'query'|'jwt'|'none', principalFingerprint: string, scopes: list<string>, forceHumanApproval: bool, clientIp: string|null}}|array{ok: false, status: int, error: string, message: string, headers: array<string, string>, reason: string, reasonDetail: string|null}
    pub fn authenticate(&self, request: Param<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
        let mut req = Request::default();
        let remote = request_from(request.get()?, &mut req)?;
        match self.inner.authenticate_ref(&req) {
            Ok(principal) => allowed_array(&principal, remote),
            Err(denial) => denied_array(&denial),
        }
    }

    /// True when the principal holds the scope (`string`), or any of the scopes (`list<string>`).
    /// An empty requirement (`''` or `[]`) is satisfied.
    ///
    /// @param array{scopes: list<string>|string, ...} $principal the `principal` of a successful
    ///   `authenticate()`
    /// @param string|list<string> $scope
    /// @throws \Agents\Core\InvalidInputException when `$scope` is neither a UTF-8 string nor a
    ///   list of them (a malformed requirement is never read as "no requirement"), or when
    ///   `$principal` is a whole authenticate() result instead of its `principal`.
    pub fn has_scope(&self, principal: Param<&ZendHashTable>, scope: &Zval) -> PhpResult<bool> {
        let principal = principal.get()?;
        let required = required_scopes(scope)?;
        let scopes = principal.get("scopes");
        if scopes.is_none() && principal.get("ok").is_some_and(|ok| ok.bool().is_some()) {
            return Err(invalid_input_msg(
                "Invalid hasScope arguments: principal: an authenticate() result was given; pass \
                 its principal (`$result['principal']`)",
            ));
        }
        let granted = scopes.map(granted_scopes).unwrap_or_default();
        Ok(self.inner.has_scope(&granted, &required))
    }

    /// The security posture: `environment`, `profile`, `authentication`, `credentialExpiry`,
    /// `rateLimit`, `privacy`, `webhook` (with `destinationHost` = `scheme://host` and
    /// `deliveryMode`), `warnings`, `warningCounts`, `verdict` (`ok`|`warn`|`critical`). Never
    /// contains a token, hash, webhook secret or full webhook URL. See docs/posture.md.
    ///
    /// @return array{environment: string|null, profile: array{name: 'local'|'test'|'staging'|'production', source: 'env'|'inferred', defaultsApplied: bool, defaultsAppliedFields: list<string>, effectivePolicyVersion: string}, authentication: array{required: bool, requestedRequireToken: bool, tokenRequirementForcedInProd: bool, allowInsecureNoTokenInProd: bool, allowQueryToken: bool, failOnMissingTokenInProd: bool, credentialCount: int, envCredentialCount: int, managedCredentialCount: int, credentialIds: list<string>, tokenScopes: list<string>, ...}, credentialExpiry: array{expired: int, expiringSoon: int, activeWithExpiry: int}, rateLimit: array{perMinute: int, windowSeconds: int}, privacy: array{redactEmail: bool}, webhook: array{enabled: bool, urlConfigured: bool, secretConfigured: bool, destinationHost: string|null, timeoutSeconds: int, maxAttempts: int, deliveryMode: string}, warnings: list<array{level: 'warning'|'error', code: string, message: string}>, warningCounts: array{warnings: int, errors: int}, verdict: 'ok'|'warn'|'critical', ...}
    pub fn posture(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.posture())
    }

    /// The `authentication` block of `/capabilities`, with `methods` and the `runtimeProfile`
    /// object inside it.
    ///
    /// @return array{required: bool, allowQueryToken: bool, allowInsecureNoTokenInProd: bool, tokenRequirementForcedInProd: bool, failOnMissingTokenInProd: bool, tokenConfigured: bool, credentialCount: int, environment: string|null, environmentProfile: string, environmentProfileSource: 'env'|'inferred', profileDefaultsApplied: bool, effectivePolicyVersion: string, methods: list<string>, runtimeProfile: array{environment: string|null, environmentProfile: string, environmentProfileSource: 'env'|'inferred', profileDefaultsApplied: bool, profileDefaultsAppliedFields: list<string>, effectivePolicyVersion: string}, ...}
    pub fn capabilities(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.capabilities())
    }

    /// Every warning, in the documented order (docs/posture.md):
    /// `[['level' => 'warning'|'error', 'code' => string, 'message' => string], ...]`.
    ///
    /// @return list<array{level: 'warning'|'error', code: string, message: string}>
    pub fn warnings(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.warning_values())
    }

    /// `checks.auth` of the diagnostics bundle: `check`, `status` (`ok`|`failed`), `strict`,
    /// `errors`, `warnings`, `details`, `generatedAt` (ISO-8601 UTC of `now`).
    ///
    /// @return array{check: 'auth', status: 'ok'|'failed', strict: bool, errors: list<string>, warnings: list<string>, details: array<string, mixed>, generatedAt: string}
    pub fn diagnostics(&self) -> ZBox<ZendHashTable> {
        convert::to_array(&self.inner.diagnostics())
    }

    /// What `var_dump()` and `print_r()` show: a summary without secrets (profile, environment,
    /// credential counts, warning counts, verdict), read from the posture; a Guard handed out by
    /// `Guard::cached()` adds `cachedRevision` (`sha256:` and 16 hex digits of its revision's
    /// digest).
    ///
    /// @return array{profile: string|null, environment: string|null, credentialCount: int|null, envCredentialCount: int|null, managedCredentialCount: int|null, warningCounts: array{warnings: int, errors: int}|null, verdict: string|null, cachedRevision?: string}
    pub fn __debug_info(&self) -> ZBox<ZendHashTable> {
        let mut summary = debug_summary(&self.inner.posture());
        if let (Some(revision), Value::Object(map)) = (&self.revision, &mut summary) {
            map.insert("cachedRevision".into(), Value::String(revision.label()));
        }
        convert::to_array(&summary)
    }
}

/// The posture of a configuration: `(new Guard($env, $managedCredentials, $options))->posture()`.
///
/// @param array<string, string|int|float|bool|null> $env PLUGIN_AGENTS_* values (as
///   `App::env` returns them), ENVIRONMENT, CRAFT_ENVIRONMENT; a missing key is unset
/// @param list<array{id: int|numeric-string, handle: string, tokenHash: string, scopes?: list<string>|string|null, ipAllowlist?: list<string>|string|null, expiresAt?: string|int|null, revokedAt?: string|int|null, pausedAt?: string|int|null, reminderDays?: int|numeric-string|null, expiryReminderDays?: int|numeric-string|null, forceHumanApproval?: bool|int|string|null, webhookResourceTypes?: list<string>|string|null, webhookActions?: list<string>|string|null, ...}>|null $managedCredentials
///   the rows of the managed-credentials table (other columns are ignored)
/// @param array{now?: int|null, commerceEnabled?: bool, writesExperimental?: bool, trustedProxies?: list<string>|string, forwardedHeader?: 'x-forwarded-for'|'forwarded'|'auto', jwt?: array{keys: array<array-key, mixed>, algorithms: non-empty-list<string>, issuer?: string|list<string>, audience?: string|list<string>, leeway?: int, requireExp?: bool, maxTokenBytes?: int, scopeCeiling?: list<string>|string}|null}|null $options
///   `now` (unix seconds, for tests), `commerceEnabled`, `writesExperimental` (the plugin
///   setting; the env variable overrides it), `trustedProxies` (IPs/CIDRs of your proxies),
///   `forwardedHeader` (`x-forwarded-for` or `forwarded`: the one header your proxy
///   writes; `auto`, the default, reads `Forwarded` when present, else `X-Forwarded-For`,
///   and the posture warns `forwarded_header_not_pinned`), `jwt` (signed bearer tokens:
///   the JwtVerifier settings plus `keys` and `scopeCeiling`). Unknown keys are refused.
/// @return array{environment: string|null, profile: array{name: 'local'|'test'|'staging'|'production', source: 'env'|'inferred', defaultsApplied: bool, defaultsAppliedFields: list<string>, effectivePolicyVersion: string}, authentication: array{required: bool, requestedRequireToken: bool, tokenRequirementForcedInProd: bool, allowInsecureNoTokenInProd: bool, allowQueryToken: bool, failOnMissingTokenInProd: bool, credentialCount: int, envCredentialCount: int, managedCredentialCount: int, credentialIds: list<string>, tokenScopes: list<string>, ...}, credentialExpiry: array{expired: int, expiringSoon: int, activeWithExpiry: int}, rateLimit: array{perMinute: int, windowSeconds: int}, privacy: array{redactEmail: bool}, webhook: array{enabled: bool, urlConfigured: bool, secretConfigured: bool, destinationHost: string|null, timeoutSeconds: int, maxAttempts: int, deliveryMode: string}, warnings: list<array{level: 'warning'|'error', code: string, message: string}>, warningCounts: array{warnings: int, errors: int}, verdict: 'ok'|'warn'|'critical', ...}
#[php_function]
#[php(name = "Agents\\Core\\posture")]
pub fn posture(
    env: Param<&ZendHashTable>,
    managedCredentials: Param<Option<&ZendHashTable>>,
    options: Param<Option<&ZendHashTable>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (env, managed, options) = (env.get()?, managedCredentials.get()?, options.get()?);
    Ok(convert::to_array(&build(env, managed, options)?.posture()))
}

/// Adds the Guard class and the `posture()` function to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<PhpGuard>().function(wrap_function!(posture))
}
