//! Guard configuration: env settings, `PLUGIN_AGENTS_API_CREDENTIALS`, managed rows and options
//! from arbitrary text. Never panics; the posture projections never fail.
#![no_main]

use agents_core::guard::Guard;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const KEYS: [&str; 16] = [
    "ENVIRONMENT",
    "PLUGIN_AGENTS_ENV_PROFILE",
    "PLUGIN_AGENTS_REQUIRE_TOKEN",
    "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD",
    "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN",
    "PLUGIN_AGENTS_API_CREDENTIALS",
    "PLUGIN_AGENTS_API_TOKEN",
    "PLUGIN_AGENTS_TOKEN_SCOPES",
    "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE",
    "PLUGIN_AGENTS_WEBHOOK_URL",
    "PLUGIN_AGENTS_WEBHOOK_SECRET",
    "PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS",
    "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS",
    "PLUGIN_AGENTS_REDACT_EMAIL",
    "CRAFT_ENVIRONMENT",
    "PLUGIN_AGENTS_WRITES_EXPERIMENTAL",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let mut env = Map::new();
    for (key, value) in KEYS.iter().zip(parts.by_ref().take(KEYS.len())) {
        if !value.is_empty() {
            env.insert((*key).to_owned(), Value::String(value.to_owned()));
        }
    }
    let rows: Vec<Value> = match parts.next().map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Array(rows))) => rows,
        Some(Ok(other)) => vec![other],
        _ => Vec::new(),
    };
    let options = match parts.next().map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(o))) => o,
        _ => Map::new(),
    };
    if let Ok(guard) = Guard::new(&env, &rows, &options) {
        let _ = guard.posture();
        let _ = guard.capabilities();
        let _ = guard.diagnostics();
        let _ = guard.warnings();
    }
});
