//! The warning list: settings warnings, credential warnings, token-enforcement checks and
//! webhook checks, in the order documented in `docs/posture.md`.

use crate::credentials::CredentialSummary;
use crate::errors::codes::WarningCode;
use crate::settings::{RuntimeConfig, UrlIssue, WebhookSettings};
use crate::warnings::Warning;

/// `1 managed credential has` / `2 managed credentials have`.
fn credentials_have(n: usize) -> String {
    if n == 1 {
        "1 managed credential has".to_owned()
    } else {
        format!("{n} managed credentials have")
    }
}

/// Group 2: `credentials_parse_error`, then the credential set's own warnings in its order,
/// then expiry. A code the credential set already reported is not derived again.
fn credential_group(
    out: &mut Vec<Warning>,
    summary: &CredentialSummary,
    credential_warnings: &[Warning],
) {
    let reported = |code| credential_warnings.iter().any(|w| w.code == code);
    let is_parse = |w: &&Warning| w.code == WarningCode::CredentialsParseError;
    if reported(WarningCode::CredentialsParseError) {
        out.extend(credential_warnings.iter().filter(is_parse).cloned());
    } else if summary.parse_error {
        out.push(Warning::warn(
            WarningCode::CredentialsParseError,
            "`PLUGIN_AGENTS_API_CREDENTIALS` is set but could not be used completely (not a JSON list or object of credentials, or unusable entries); what could not be read grants nothing.",
        ));
    }
    out.extend(credential_warnings.iter().filter(|w| !is_parse(w)).cloned());
    let expiry = summary.expiry;
    if expiry.expired > 0 && !reported(WarningCode::CredentialExpired) {
        out.push(Warning::warn(
            WarningCode::CredentialExpired,
            format!(
                "{} expired and no longer authenticate{}; rotate or revoke {}.",
                credentials_have(expiry.expired),
                if expiry.expired == 1 { "s" } else { "" },
                if expiry.expired == 1 { "it" } else { "them" },
            ),
        ));
    }
    if expiry.expiring_soon > 0 && !reported(WarningCode::CredentialExpiringSoon) {
        out.push(Warning::warn(
            WarningCode::CredentialExpiringSoon,
            format!(
                "{} reached the reminder window before expiry.",
                credentials_have(expiry.expiring_soon)
            ),
        ));
    }
}

/// Group 3: the production guardrail, query tokens and missing credentials.
fn enforcement_group(out: &mut Vec<Warning>, config: &RuntimeConfig, summary: &CredentialSummary) {
    if config.token_requirement_forced_in_prod {
        out.push(Warning::error(
            WarningCode::TokenRequirementForcedInProd,
            "`PLUGIN_AGENTS_REQUIRE_TOKEN=false` is refused in production, so tokens stay required; only `PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD=true` would allow it.",
        ));
    } else if !config.requested_require_token {
        out.push(Warning::warn(
            WarningCode::TokenEnforcementDisabled,
            "Token enforcement is off (`PLUGIN_AGENTS_REQUIRE_TOKEN=false`): guarded endpoints accept requests without a token.",
        ));
    }
    if config.allow_query_token {
        out.push(Warning::warn(
            WarningCode::QueryTokenEnabled,
            "Tokens are accepted in the `apiToken` query parameter on GET and HEAD (`PLUGIN_AGENTS_ALLOW_QUERY_TOKEN=true`); such tokens end up in access logs and browser history.",
        ));
    }
    if config.is_production && !config.requested_require_token && !config.require_token {
        out.push(Warning::warn(
            WarningCode::InsecureNoTokenInProd,
            "Token enforcement is disabled in production on purpose (`PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD=true`).",
        ));
    }
    if config.require_token && summary.credential_count == 0 {
        out.push(if config.is_production && config.fail_on_missing_token_in_prod {
            Warning::error(
                WarningCode::MissingCredentials,
                "Tokens are required but no usable env or managed credential exists: every guarded request is refused (503) in production.",
            )
        } else {
            Warning::warn(
                WarningCode::MissingCredentials,
                "Tokens are required but no usable env or managed credential exists: every guarded request is refused (503). Add a credential, or set `PLUGIN_AGENTS_REQUIRE_TOKEN=false` for a local-only setup.",
            )
        });
    }
}

/// Group 4: webhook configuration.
fn webhook_group(out: &mut Vec<Warning>, webhook: &WebhookSettings) {
    if webhook.url_configured && !webhook.secret_configured {
        out.push(Warning::warn(
            WarningCode::WebhookSecretMissing,
            "The webhook URL is set but `PLUGIN_AGENTS_WEBHOOK_SECRET` is not: nothing is delivered until both are set.",
        ));
    }
    if webhook.secret_configured && !webhook.url_configured {
        out.push(Warning::warn(
            WarningCode::WebhookUrlMissing,
            "The webhook secret is set but `PLUGIN_AGENTS_WEBHOOK_URL` is not: nothing is delivered until both are set.",
        ));
    }
    match webhook.url_issue {
        Some(UrlIssue::Invalid) => out.push(Warning::warn(
            WarningCode::WebhookUrlInvalid,
            "The webhook URL is not an absolute http(s) URL with a host; deliveries will fail.",
        )),
        Some(UrlIssue::Insecure) => out.push(Warning::warn(
            WarningCode::WebhookInsecureUrl,
            "The webhook URL uses http://: payloads travel unencrypted; use https://.",
        )),
        None => {}
    }
}

/// Every warning, in the documented order: the settings' warnings (read order), the credential
/// group, the token-enforcement group, the webhook group.
pub fn warnings(
    config: &RuntimeConfig,
    summary: &CredentialSummary,
    credential_warnings: &[Warning],
) -> Vec<Warning> {
    let mut out = Vec::with_capacity(config.warnings.len() + credential_warnings.len() + 6);
    out.extend_from_slice(&config.warnings);
    credential_group(&mut out, summary, credential_warnings);
    enforcement_group(&mut out, config, summary);
    webhook_group(&mut out, &config.webhook);
    out
}
