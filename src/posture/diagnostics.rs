//! `checks.auth` of the diagnostics bundle ([spec:diagnostics]).

use serde_json::{Map, Value, json};

use super::capabilities::runtime_profile;

use crate::credentials::CredentialSummary;
use crate::settings::RuntimeConfig;
use crate::time::iso8601_utc;
use crate::warnings::{Level, Warning};

/// The extra error of the auth check when tokens are required and no credential exists.
pub const NO_CREDENTIALS_ERROR: &str = "Tokens are required but no credential is configured.";

/// Trimmed, non-empty, de-duplicated, sorted.
fn normalize(mut list: Vec<String>) -> Vec<String> {
    for s in &mut list {
        let t = s.trim();
        if t.len() != s.len() {
            *s = t.to_owned();
        }
    }
    list.retain(|s| !s.is_empty());
    list.sort_unstable();
    list.dedup();
    list
}

/// `checks.auth`: `{check, status, strict, errors, warnings, details, generatedAt}`.
/// `errors` holds the error-level messages (plus [`NO_CREDENTIALS_ERROR`] when tokens are
/// required and no credential exists), `warnings` the others; `status` is `failed` iff there
/// is an error.
pub fn diagnostics(
    config: &RuntimeConfig,
    summary: &CredentialSummary,
    warnings: &[Warning],
    now: i64,
) -> Value {
    let pick = |level: Level| -> Vec<String> {
        warnings
            .iter()
            .filter(|w| w.level == level)
            .map(|w| w.message.clone())
            .collect()
    };
    let mut errors = pick(Level::Error);
    if config.require_token && summary.credential_count == 0 {
        errors.push(NO_CREDENTIALS_ERROR.to_owned());
    }
    let errors = normalize(errors);
    let webhook = &config.webhook;
    // The runtime profile's keys first, in its order, then the auth details.
    let mut details = match runtime_profile(config) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let rest = json!({
            "requireToken": config.require_token,
            "allowQueryToken": config.allow_query_token,
            "credentialCount": summary.credential_count,
            "managedCredentialCount": summary.managed_count,
            "envCredentialCount": summary.env_count,
            "tokenScopes": config.token_scopes,
            "rateLimitPerMinute": config.rate_limit_per_minute,
            "rateLimitWindowSeconds": config.rate_limit_window_seconds,
            "webhookEnabled": webhook.enabled,
            "webhookUrlHost": webhook.destination_host,
            "webhookTimeoutSeconds": webhook.timeout_seconds,
            "webhookMaxAttempts": webhook.max_attempts,
    });
    if let Value::Object(rest) = rest {
        details.extend(rest);
    }
    json!({
        "check": "auth",
        "status": if errors.is_empty() { "ok" } else { "failed" },
        "strict": false,
        "errors": errors,
        "warnings": normalize(pick(Level::Warning)),
        "details": details,
        "generatedAt": iso8601_utc(now),
    })
}
