//! The strict JSON reader against serde_json: whatever it accepts, serde_json accepts too and
//! reads as the same value; whatever valid JSON it refuses is refused for one of its own rules
//! (a repeated member name, nesting deeper than `MAX_DEPTH`), never by accident.

#![no_main]

use agents_core::json::{self, JsonError, MAX_DEPTH};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Deepest nesting of arrays and objects in a value.
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Equal values; doubles may differ in the last place (serde_json's default float parser is
/// not always correctly rounded, the strict reader's is).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            _ if x == y => true,
            (Some(p), Some(q)) if x.is_f64() || y.is_f64() => {
                (p - q).abs() <= f64::EPSILON * 4.0 * p.abs().max(q.abs())
            }
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same(p, q)))
        }
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = json::parse(data);
    let theirs = serde_json::from_slice::<Value>(data);
    match (ours, theirs) {
        (Ok(a), Ok(b)) => assert!(same(&a, &b), "{a:?} != {b:?}"),
        (Ok(a), Err(e)) => panic!("accepted what serde_json refuses ({e}): {a:?}"),
        (Err(JsonError::DuplicateKey(_)), Ok(_)) | (Err(_), Err(_)) => {}
        (Err(JsonError::Syntax(why)), Ok(b)) => {
            assert!(depth(&b) > MAX_DEPTH, "refused valid JSON ({why}): {b:?}")
        }
    }
});
