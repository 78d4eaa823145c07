//! The security posture and its projections: `posture()`, `capabilities()`, `warnings()`,
//! `diagnostics()` (reference §8).
//!
//! Provisional: minimal projections with the final signatures; the posture work completes them.
#![forbid(unsafe_code)]

use serde_json::{Value, json};

use crate::credentials::CredentialSummary;
use crate::settings::RuntimeConfig;
use crate::warnings::Warning;

/// Every warning, in the documented order, from the settings, the credential set and the
/// derived checks.
pub fn warnings(
    config: &RuntimeConfig,
    _summary: &CredentialSummary,
    credential_warnings: &[Warning],
) -> Vec<Warning> {
    let mut out = config.warnings.clone();
    out.extend_from_slice(credential_warnings);
    out
}

/// The posture object (reference §8.2 plus `credentialExpiry`, `webhook.deliveryMode`,
/// `verdict`).
pub fn posture(config: &RuntimeConfig, summary: &CredentialSummary, warnings: &[Warning]) -> Value {
    json!({
        "environment": config.environment,
        "authentication": {
            "required": config.require_token,
            "credentialCount": summary.credential_count,
        },
        "warnings": warnings.iter().map(Warning::to_value).collect::<Vec<_>>(),
    })
}

/// The `authentication` block of `/capabilities` (reference §8.3).
pub fn capabilities(config: &RuntimeConfig, summary: &CredentialSummary) -> Value {
    json!({
        "required": config.require_token,
        "allowQueryToken": config.allow_query_token,
        "tokenConfigured": summary.credential_count > 0,
        "credentialCount": summary.credential_count,
    })
}

/// `checks.auth` of the diagnostics bundle (reference §8.6).
pub fn diagnostics(
    config: &RuntimeConfig,
    summary: &CredentialSummary,
    warnings: &[Warning],
    _now: i64,
) -> Value {
    json!({
        "check": "auth",
        "status": "ok",
        "details": {"requireToken": config.require_token, "credentialCount": summary.credential_count},
        "warnings": warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>(),
    })
}
