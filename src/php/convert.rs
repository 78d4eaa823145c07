//! Conversions between PHP values and the core's types. No policy lives here.
//!
//! PHP arrays become `serde_json::Value` (lists when keys are 0..n-1, objects otherwise; integer
//! keys become decimal strings). Text that is not UTF-8, objects, resources, non-finite floats and
//! arrays nested deeper than [`MAX_DEPTH`] cannot be converted: the caller gets an error naming
//! the path, which the glue turns into an `InvalidInputException`. [`array_to_value_keeping_bytes`]
//! instead turns non-UTF-8 text into a list of byte values, for inputs (such as HMAC secrets)
//! where a PHP string is binary data.

use std::sync::OnceLock;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use serde_json::{Map, Number, Value};

use super::interned::{Interned, put_named};

use crate::errors::InvalidInput;

/// Deepest nesting accepted from PHP (guards against recursive references).
pub const MAX_DEPTH: usize = 32;

pub use super::raw::Key;

/// Visits every (key, value) of an array in order (references followed), with a direct walk of
/// the table ([`super::raw::walk`]).
pub fn for_each_entry<'a>(ht: &'a ZendHashTable, f: impl FnMut(Key<'a>, &'a Zval)) {
    super::raw::walk(ht, f);
}

/// The one reader of header arrays (`name => value | list of values`): calls `f` once per
/// value, in order, with the name, the index of the array entry it came from and the value's
/// bytes, or `None` when the value is not a string (no value of another type is read as text:
/// the consumer treats it as malformed). Integer keys name no header and are skipped.
pub fn for_each_header<'a>(
    ht: &'a ZendHashTable,
    mut f: impl FnMut(&'a [u8], usize, Option<&'a [u8]>),
) {
    let mut entry = 0usize;
    for_each_entry(ht, |k, v| {
        let Key::Str(name) = k else { return };
        if let Some(list) = super::raw::array(v) {
            for_each_entry(list, |_, item| f(name, entry, bytes(item)));
        } else {
            f(name, entry, bytes(v));
        }
        entry += 1;
    });
}

/// True when the keys are exactly 0, 1, 2, … in order. (ext-php-rs's `has_sequential_keys`
/// panics on a key that is not UTF-8.)
fn is_list(ht: &ZendHashTable) -> bool {
    let mut expected = 0i64;
    let mut list = true;
    for_each_entry(ht, |k, _| {
        list &= matches!(k, Key::Int(i) if i == expected);
        expected += 1;
    });
    list
}

/// A short description of a PHP value's type for messages, e.g. `(int) 5` or `array`.
pub fn describe(zv: &Zval) -> String {
    let zv = zv.dereference();
    if zv.is_null() {
        "null".to_owned()
    } else if let Some(b) = zv.bool() {
        format!("(bool) {b}")
    } else if let Some(i) = zv.long() {
        format!("(int) {i}")
    } else if let Some(d) = zv.double() {
        format!("(float) {d}")
    } else if zv.is_string() {
        "string".to_owned()
    } else if zv.is_array() {
        "array".to_owned()
    } else if let Some(o) = zv.object() {
        // An anonymous class's name continues after a NUL with its file and line: keep the
        // part PHP itself prints (`class@anonymous`).
        let name = o.get_class_name().unwrap_or_default();
        format!("object({})", name.split('\0').next().unwrap_or_default())
    } else {
        "resource".to_owned()
    }
}

/// Where a value sits, e.g. `managedCredentials[3][scopes]`; rendered only for error messages,
/// so converting valid input allocates no path text.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root(&'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root(p) => f.write_str(p),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent, k) => write!(f, "{parent}[{k}]"),
        }
    }
}

/// Converts any PHP value to a JSON value; `path` names the value in error messages.
pub fn to_value(zv: &Zval, path: &str) -> Result<Value, InvalidInput> {
    let mut err = InvalidInput::new("input");
    let v = convert(zv, &Path::Root(path), 0, Text::Utf8, &mut err);
    err.into_result(v)
}

/// Converts a PHP array to a JSON value (list or object).
pub fn array_to_value(ht: &ZendHashTable, path: &str) -> Result<Value, InvalidInput> {
    let mut err = InvalidInput::new("input");
    let v = convert_array(ht, &Path::Root(path), 0, Text::Utf8, &mut err);
    err.into_result(v)
}

/// Like [`array_to_value`], but a string value that is not UTF-8 becomes a list of its byte
/// values (0..=255) instead of an error. Array keys must still be UTF-8.
pub fn array_to_value_keeping_bytes(ht: &ZendHashTable, path: &str) -> Result<Value, InvalidInput> {
    let mut err = InvalidInput::new("input");
    let v = convert_array(ht, &Path::Root(path), 0, Text::BytesWhenNotUtf8, &mut err);
    err.into_result(v)
}

/// What to do with string values that are not UTF-8.
#[derive(Clone, Copy)]
enum Text {
    /// Refuse them.
    Utf8,
    /// Keep them as a list of byte values.
    BytesWhenNotUtf8,
}

fn convert(zv: &Zval, path: &Path<'_>, depth: usize, text: Text, err: &mut InvalidInput) -> Value {
    let zv = zv.dereference();
    if zv.is_null() {
        Value::Null
    } else if let Some(b) = zv.bool() {
        Value::Bool(b)
    } else if let Some(i) = zv.long() {
        Value::Number(i.into())
    } else if let Some(d) = zv.double() {
        match Number::from_f64(d) {
            Some(n) => Value::Number(n),
            None => {
                err.push(path.to_string(), "non-finite float");
                Value::Null
            }
        }
    } else if let Some(s) = zv.zend_str() {
        match (std::str::from_utf8(s.as_bytes()), text) {
            (Ok(t), _) => Value::String(t.to_owned()),
            (Err(_), Text::BytesWhenNotUtf8) => {
                Value::Array(s.as_bytes().iter().map(|b| Value::from(*b)).collect())
            }
            (Err(_), Text::Utf8) => {
                err.push(path.to_string(), "text is not valid UTF-8");
                Value::Null
            }
        }
    } else if let Some(ht) = zv.array() {
        convert_array(ht, path, depth + 1, text, err)
    } else {
        err.push(
            path.to_string(),
            format!("{} is not allowed here", describe(zv)),
        );
        Value::Null
    }
}

fn convert_array(
    ht: &ZendHashTable,
    path: &Path<'_>,
    depth: usize,
    text: Text,
    err: &mut InvalidInput,
) -> Value {
    if depth > MAX_DEPTH {
        err.push(
            path.to_string(),
            format!("nested deeper than {MAX_DEPTH} levels"),
        );
        return Value::Null;
    }
    if is_list(ht) {
        let mut out = Vec::with_capacity(ht.len());
        let mut i = 0usize;
        for_each_entry(ht, |_, v| {
            out.push(convert(v, &Path::Index(path, i), depth, text, err));
            i += 1;
        });
        Value::Array(out)
    } else {
        let mut out = Map::with_capacity(ht.len());
        for_each_entry(ht, |k, v| {
            let name = match k {
                Key::Int(i) => i.to_string(),
                Key::Str(b) => match std::str::from_utf8(b) {
                    Ok(t) => t.to_owned(),
                    Err(_) => {
                        err.push(format!("{path}[…]"), "array key is not valid UTF-8");
                        return;
                    }
                },
            };
            let child = convert(v, &Path::Key(path, &name), depth, text, err);
            out.insert(name, child);
        });
        Value::Object(out)
    }
}

/// Converts a JSON value to a PHP value.
pub fn from_value(v: &Value) -> Zval {
    let mut zv = Zval::new();
    match v {
        Value::Null => zv.set_null(),
        Value::Bool(b) => zv.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                zv.set_long(i);
            } else {
                zv.set_double(n.as_f64().unwrap_or(0.0));
            }
        }
        Value::String(s) => {
            // Cannot fail for a non-persistent string except on allocation failure, which the
            // engine reports itself; leave null in that case.
            let _ = zv.set_string(s, false);
        }
        Value::Array(_) | Value::Object(_) => zv.set_hashtable(to_array(v)),
    }
    zv
}

/// Converts a JSON list or object to a PHP array (a scalar becomes a one-element list).
pub fn to_array(v: &Value) -> ZBox<ZendHashTable> {
    match v {
        Value::Array(items) => {
            let mut ht =
                ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
            for item in items {
                let _ = ht.push(from_value(item));
            }
            ht
        }
        Value::Object(map) => {
            let mut ht = ZendHashTable::with_capacity(u32::try_from(map.len()).unwrap_or(u32::MAX));
            for (k, item) in map {
                let _ = ht.insert(k.as_str(), from_value(item));
            }
            ht
        }
        other => {
            let mut ht = ZendHashTable::new();
            let _ = ht.push(from_value(other));
            ht
        }
    }
}

/// A PHP string's bytes (references followed), whatever the encoding.
pub fn bytes(zv: &Zval) -> Option<&[u8]> {
    super::raw::string(zv)
}

/// Member names [`ZvalBuilder`] meets in most documents it builds (the registered JWT claims and
/// a few common ones), interned at MINIT by [`startup`].
const MEMBER_NAMES: [&str; 11] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "scope",
    "client_id",
    "azp",
    "sid",
];

static MEMBERS: OnceLock<Interned<11>> = OnceLock::new();

/// MINIT part: interns [`ZvalBuilder`]'s common member names (only when [`member_index`] agrees
/// with [`MEMBER_NAMES`]; without them, every name takes the general path).
pub fn startup() {
    if (0..MEMBER_NAMES.len()).all(|i| member_index(MEMBER_NAMES[i]) == Some(i)) {
        let _ = MEMBERS.set(Interned::new(MEMBER_NAMES));
    }
}

/// The interned copy of a common member name.
fn member_key(name: &str) -> Option<&'static ZendStr> {
    let i = member_index(name)?;
    MEMBERS.get().map(|m| m.key(i))
}

/// The position of `name` in [`MEMBER_NAMES`]: a match on the text compiles to a switch on the
/// length, where a search would compare each name.
fn member_index(name: &str) -> Option<usize> {
    Some(match name {
        "iss" => 0,
        "sub" => 1,
        "aud" => 2,
        "exp" => 3,
        "nbf" => 4,
        "iat" => 5,
        "jti" => 6,
        "scope" => 7,
        "client_id" => 8,
        "azp" => 9,
        "sid" => 10,
        _ => return None,
    })
}

/// Builds PHP values straight from JSON text (see [`crate::json::build`]), without an
/// intermediate `serde_json::Value`: objects and arrays become PHP arrays (a member named like an
/// integer gets an integer key, as PHP itself does), integers above `i64::MAX` become floats.
pub struct ZvalBuilder;

impl crate::json::Build for ZvalBuilder {
    type Value = Zval;
    type Array = ZBox<ZendHashTable>;
    type Object = ZBox<ZendHashTable>;

    fn null(&mut self) -> Zval {
        let mut zv = Zval::new();
        zv.set_null();
        zv
    }

    fn bool(&mut self, v: bool) -> Zval {
        let mut zv = Zval::new();
        zv.set_bool(v);
        zv
    }

    fn i64(&mut self, v: i64) -> Zval {
        let mut zv = Zval::new();
        zv.set_long(v);
        zv
    }

    fn u64(&mut self, v: u64) -> Zval {
        let mut zv = Zval::new();
        zv.set_double(v as f64);
        zv
    }

    fn f64(&mut self, v: f64) -> Zval {
        let mut zv = Zval::new();
        zv.set_double(v);
        zv
    }

    fn str(&mut self, v: &str) -> Zval {
        let mut zv = Zval::new();
        // Fails only on allocation failure, which the engine reports itself; null then.
        let _ = zv.set_string(v, false);
        zv
    }

    fn array(&mut self) -> ZBox<ZendHashTable> {
        ZendHashTable::new()
    }

    fn push(&mut self, array: &mut ZBox<ZendHashTable>, v: Zval) {
        let _ = array.push(v);
    }

    fn end_array(&mut self, array: ZBox<ZendHashTable>) -> Zval {
        let mut zv = Zval::new();
        zv.set_hashtable(array);
        zv
    }

    fn object(&mut self) -> ZBox<ZendHashTable> {
        ZendHashTable::new()
    }

    fn insert(&mut self, object: &mut ZBox<ZendHashTable>, key: &str, v: Zval) {
        // Names are never repeated (the reader refuses a document that repeats one), and two
        // different names never make the same PHP key.
        put_named(object, key, member_key(key), v);
    }

    fn end_object(&mut self, object: ZBox<ZendHashTable>) -> Zval {
        self.end_array(object)
    }
}
