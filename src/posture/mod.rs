//! The security posture and its projections: `posture()`, `capabilities()`, `warnings()`,
//! `diagnostics()` ([spec:posture], with the additions over the plugin: `credentialExpiry`,
//! `webhook.deliveryMode`, `verdict`).
//!
//! Everything here is derived from the resolved settings and the credential summary, neither of
//! which holds a secret: no token, hash, webhook secret or full webhook URL can appear.

mod capabilities;
mod checks;
mod diagnostics;

use serde_json::{Value, json};

pub use capabilities::{capabilities, runtime_profile};
pub use checks::warnings;
pub use diagnostics::diagnostics;

use crate::credentials::CredentialSummary;
use crate::settings::{POLICY_VERSION, RuntimeConfig};
use crate::warnings::{Level, Warning};

/// One word for the whole posture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No warning.
    Ok,
    /// Some warning, no error.
    Warn,
    /// Some error-level warning.
    Critical,
}

impl Verdict {
    /// `critical` with any error-level warning, `warn` with any warning, else `ok`.
    pub fn of(warnings: &[Warning]) -> Self {
        if warnings.iter().any(|w| w.level == Level::Error) {
            Verdict::Critical
        } else if warnings.is_empty() {
            Verdict::Ok
        } else {
            Verdict::Warn
        }
    }

    /// `ok`, `warn` or `critical`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Critical => "critical",
        }
    }
}

/// `(warnings, errors)`: entries below error level, and error-level entries.
pub fn warning_counts(warnings: &[Warning]) -> (usize, usize) {
    let errors = warnings.iter().filter(|w| w.level == Level::Error).count();
    (warnings.len() - errors, errors)
}

/// The posture object ([spec:posture]: the plugin's keys plus `authentication.allowInsecureNoTokenInProd`,
/// `credentialExpiry`, `webhook.deliveryMode` and `verdict`).
pub fn posture(config: &RuntimeConfig, summary: &CredentialSummary, warnings: &[Warning]) -> Value {
    let (warning_count, error_count) = warning_counts(warnings);
    let webhook = &config.webhook;
    json!({
        "environment": config.environment,
        "profile": {
            "name": config.profile.as_str(),
            "source": config.profile_source.as_str(),
            "defaultsApplied": config.profile_defaults_applied(),
            "defaultsAppliedFields": config.defaults_applied_fields,
            "effectivePolicyVersion": POLICY_VERSION,
        },
        "authentication": {
            "required": config.require_token,
            "requestedRequireToken": config.requested_require_token,
            "tokenRequirementForcedInProd": config.token_requirement_forced_in_prod,
            "allowInsecureNoTokenInProd": config.allow_insecure_no_token_in_prod,
            "allowQueryToken": config.allow_query_token,
            "failOnMissingTokenInProd": config.fail_on_missing_token_in_prod,
            "credentialCount": summary.credential_count,
            "envCredentialCount": summary.env_count,
            "managedCredentialCount": summary.managed_count,
            "credentialIds": summary.ids,
            "tokenScopes": config.token_scopes,
        },
        "credentialExpiry": {
            "expired": summary.expiry.expired,
            "expiringSoon": summary.expiry.expiring_soon,
            "activeWithExpiry": summary.expiry.active_with_expiry,
        },
        "rateLimit": {
            "perMinute": config.rate_limit_per_minute,
            "windowSeconds": config.rate_limit_window_seconds,
        },
        "privacy": {
            "redactEmail": config.redact_email,
        },
        "webhook": {
            "enabled": webhook.enabled,
            "urlConfigured": webhook.url_configured,
            "secretConfigured": webhook.secret_configured,
            "destinationHost": webhook.destination_host,
            "timeoutSeconds": webhook.timeout_seconds,
            "maxAttempts": webhook.max_attempts,
            "deliveryMode": summary.delivery_mode.as_str(),
        },
        "warnings": warnings.iter().map(Warning::to_value).collect::<Vec<_>>(),
        "warningCounts": {
            "warnings": warning_count,
            "errors": error_count,
        },
        "verdict": Verdict::of(warnings).as_str(),
    })
}

#[cfg(test)]
mod tests;
