//! The `$env` of `new Guard(...)` as the settings read it (name => text), and its wiping.

use serde_json::{Map, Value};

use crate::errors::InvalidInput;

/// Normalizes `$env` to name => text. Booleans and numbers (as Craft's `App::env` returns
/// them) become their text; null counts as unset; anything else is refused.
pub fn normalize_env(env: &Map<String, Value>) -> Result<Map<String, Value>, InvalidInput> {
    let mut err = InvalidInput::new("Guard env");
    let mut out = Map::with_capacity(env.len());
    for (key, value) in env {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                err.push(
                    crate::errors::excerpt(key, 64),
                    "must be a string, number, boolean or null",
                );
                continue;
            }
        };
        out.insert(key.clone(), Value::String(text));
    }
    err.into_result(out)
}

/// Zeroes every text value of an env copy (tokens, credentials JSON, webhook secret and the
/// rest alike) before it is dropped.
pub fn wipe_env(env: &mut Map<String, Value>) {
    for value in env.values_mut() {
        if let Value::String(text) = value {
            zeroize::Zeroize::zeroize(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_scalars_become_text() {
        let env = json!({"A": true, "B": 5, "C": null, "D": "x"});
        let env = normalize_env(env.as_object().unwrap()).unwrap();
        assert_eq!(env.get("A"), Some(&json!("true")));
        assert_eq!(env.get("B"), Some(&json!("5")));
        assert!(!env.contains_key("C"));
    }
}
