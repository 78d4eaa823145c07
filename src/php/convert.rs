//! Conversions between PHP values and the core's types. No policy lives here.
//!
//! PHP arrays become `serde_json::Value` (lists when keys are 0..n-1, objects otherwise; integer
//! keys become decimal strings). Text that is not UTF-8, objects, resources, non-finite floats and
//! arrays nested deeper than [`MAX_DEPTH`] cannot be converted: the caller gets an error naming
//! the path, which the glue turns into an `InvalidInputException`.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Map, Number, Value};

use crate::errors::InvalidInput;

/// Deepest nesting accepted from PHP (guards against recursive references).
pub const MAX_DEPTH: usize = 32;

/// One key of a PHP array.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// An integer key.
    Int(i64),
    /// A string key, as raw bytes (PHP strings need not be UTF-8).
    Str(&'a [u8]),
}

impl Key<'_> {
    /// The key as text: integers in decimal, bytes lossily decoded.
    pub fn to_text(self) -> String {
        match self {
            Key::Int(i) => i.to_string(),
            Key::Str(b) => match std::str::from_utf8(b) {
                Ok(t) => t.to_owned(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            },
        }
    }
}

/// Visits every (key, value) of an array in order without panicking on odd keys.
pub fn for_each_entry<'a>(ht: &'a ZendHashTable, mut f: impl FnMut(Key<'_>, &'a Zval)) {
    let mut it = ht.iter();
    while let Some((k, v)) = it.next_zval() {
        let v = v.dereference();
        if let Some(i) = k.long() {
            f(Key::Int(i), v);
        } else if let Some(s) = k.zend_str() {
            f(Key::Str(s.as_bytes()), v);
        }
    }
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
        format!("object({})", o.get_class_name().unwrap_or_default())
    } else {
        "resource".to_owned()
    }
}

/// Where a value sits, rendered only when an error names it (no allocation per element).
#[derive(Clone, Copy)]
enum Path<'p> {
    Root(&'p str),
    Index(&'p Path<'p>, usize),
    Key(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root(name) => (*name).to_owned(),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
            Path::Key(parent, k) => format!("{}[{k}]", parent.render()),
        }
    }
}

/// Converts any PHP value to a JSON value; `path` names the value in error messages.
pub fn to_value(zv: &Zval, path: &str) -> Result<Value, InvalidInput> {
    // No allocation unless something is wrong (this runs once per converted value).
    let mut err = InvalidInput::default();
    let v = convert(zv, &Path::Root(path), 0, &mut err);
    finish(err, v)
}

fn finish(mut err: InvalidInput, v: Value) -> Result<Value, InvalidInput> {
    if !err.is_empty() {
        err.subject = "input".to_owned();
    }
    err.into_result(v)
}

/// Converts a PHP array to a JSON value (list or object).
pub fn array_to_value(ht: &ZendHashTable, path: &str) -> Result<Value, InvalidInput> {
    let mut err = InvalidInput::default();
    let v = convert_array(ht, &Path::Root(path), 0, &mut err);
    finish(err, v)
}

fn convert(zv: &Zval, path: &Path<'_>, depth: usize, err: &mut InvalidInput) -> Value {
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
                err.push(path.render(), "non-finite float");
                Value::Null
            }
        }
    } else if let Some(s) = zv.zend_str() {
        match std::str::from_utf8(s.as_bytes()) {
            Ok(t) => Value::String(t.to_owned()),
            Err(_) => {
                err.push(path.render(), "text is not valid UTF-8");
                Value::Null
            }
        }
    } else if let Some(ht) = zv.array() {
        convert_array(ht, path, depth + 1, err)
    } else {
        err.push(
            path.render(),
            format!("{} is not allowed here", describe(zv)),
        );
        Value::Null
    }
}

fn convert_array(
    ht: &ZendHashTable,
    path: &Path<'_>,
    depth: usize,
    err: &mut InvalidInput,
) -> Value {
    if depth > MAX_DEPTH {
        err.push(
            path.render(),
            format!("nested deeper than {MAX_DEPTH} levels"),
        );
        return Value::Null;
    }
    if ht.is_empty() {
        return Value::Array(Vec::new());
    }
    if ht.has_sequential_keys() {
        let mut out = Vec::with_capacity(ht.len());
        let mut i = 0usize;
        for_each_entry(ht, |_, v| {
            out.push(convert(v, &Path::Index(path, i), depth, err));
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
                        err.push(
                            format!("{}[…]", path.render()),
                            "array key is not valid UTF-8",
                        );
                        return;
                    }
                },
            };
            let child = convert(v, &Path::Key(path, &name), depth, err);
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

/// A PHP string's bytes, whatever the encoding.
pub fn bytes(zv: &Zval) -> Option<&[u8]> {
    zv.zend_str().map(|s| s.as_bytes())
}
