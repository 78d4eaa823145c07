//! Runtime settings: environment profile resolution, every `PLUGIN_AGENTS_*` setting with its
//! parse rules, and the production guardrail ([spec:profile], [spec:settings],
//! [spec:token-requirement]).
//!
//! Variables are read in a fixed order ([`READ_ORDER`]); each read follows one rule (see
//! [`read`]) and problems become warnings in that order. No secret value is kept beyond the
//! raw credential inputs, which the Guard wipes once the credential set is built.

pub mod grammar;
pub mod profile;
pub mod read;
pub mod webhook;

use serde_json::{Map, Value};

pub use profile::{POLICY_VERSION, Profile, ProfileDefaults, ProfileSource};
pub use webhook::{UrlIssue, WebhookSettings};

use crate::errors::codes::WarningCode;
use crate::scopes::{self, Availability};
use crate::warnings::Warning;
use read::Reader;

/// Every variable the settings read, in reading order (which is the order of their warnings).
/// `PLUGIN_AGENTS_TOKEN_SCOPES` comes last: its warnings depend on the availability flags.
pub const READ_ORDER: [&str; 28] = [
    "ENVIRONMENT",
    "CRAFT_ENVIRONMENT",
    "PLUGIN_AGENTS_ENV_PROFILE",
    "PLUGIN_AGENTS_ENABLED",
    "PLUGIN_AGENTS_REQUIRE_TOKEN",
    "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD",
    "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN",
    "PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD",
    "PLUGIN_AGENTS_REDACT_EMAIL",
    "PLUGIN_AGENTS_API_CREDENTIALS",
    "PLUGIN_AGENTS_API_TOKEN",
    "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE",
    "PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS",
    "PLUGIN_AGENTS_WEBHOOK_URL",
    "PLUGIN_AGENTS_WEBHOOK_SECRET",
    "PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS",
    "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS",
    "PLUGIN_AGENTS_WEBHOOK_TEST_SINK",
    "PLUGIN_AGENTS_WRITES_EXPERIMENTAL",
    "PLUGIN_AGENTS_ENABLE_USERS_API",
    "PLUGIN_AGENTS_ENABLE_ADDRESSES_API",
    "PLUGIN_AGENTS_LIFECYCLE_STALE_UNUSED_WARN_DAYS",
    "PLUGIN_AGENTS_LIFECYCLE_STALE_UNUSED_CRITICAL_DAYS",
    "PLUGIN_AGENTS_LIFECYCLE_STALE_NEVER_USED_WARN_DAYS",
    "PLUGIN_AGENTS_LIFECYCLE_STALE_NEVER_USED_CRITICAL_DAYS",
    "PLUGIN_AGENTS_LIFECYCLE_ROTATION_WARN_DAYS",
    "PLUGIN_AGENTS_LIFECYCLE_ROTATION_CRITICAL_DAYS",
    "PLUGIN_AGENTS_TOKEN_SCOPES",
];

/// Credential lifecycle thresholds, days ([spec:lifecycle-thresholds]; not part of the posture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleThresholds {
    /// Used, but not for this many days: warn.
    pub stale_unused_warn_days: u32,
    /// Used, but not for this many days: critical.
    pub stale_unused_critical_days: u32,
    /// Never used for this many days after creation: warn.
    pub stale_never_used_warn_days: u32,
    /// Never used for this many days after creation: critical.
    pub stale_never_used_critical_days: u32,
    /// Days since rotation (or creation) before rotation is due.
    pub rotation_warn_days: u32,
    /// Days since rotation (or creation) before rotation is overdue.
    pub rotation_critical_days: u32,
}

impl Default for LifecycleThresholds {
    fn default() -> Self {
        Self {
            stale_unused_warn_days: 30,
            stale_unused_critical_days: 90,
            stale_never_used_warn_days: 30,
            stale_never_used_critical_days: 90,
            rotation_warn_days: 45,
            rotation_critical_days: 120,
        }
    }
}

/// The resolved runtime configuration, without secrets ([spec:posture] projects it).
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Lower-cased, trimmed environment name (`ENVIRONMENT`, else `CRAFT_ENVIRONMENT`, else
    /// `production`).
    pub environment: String,
    /// Production, decided from the resolved profile.
    pub is_production: bool,
    /// Resolved profile.
    pub profile: Profile,
    /// Where the profile came from.
    pub profile_source: ProfileSource,
    /// The explicit `PLUGIN_AGENTS_ENV_PROFILE` value (trimmed), if any.
    pub profile_provided: Option<String>,
    /// The explicit value was not a known profile (production was used).
    pub profile_invalid: bool,
    /// Profile-driven fields that took the profile default, sorted.
    pub defaults_applied_fields: Vec<&'static str>,
    /// `PLUGIN_AGENTS_REQUIRE_TOKEN` as requested (profile default when unset).
    pub requested_require_token: bool,
    /// Effective token requirement, after the production guardrail.
    pub require_token: bool,
    /// `PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD`.
    pub allow_insecure_no_token_in_prod: bool,
    /// The production guardrail forced the token requirement back on.
    pub token_requirement_forced_in_prod: bool,
    /// `PLUGIN_AGENTS_ALLOW_QUERY_TOKEN`.
    pub allow_query_token: bool,
    /// `PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD` (changes the level of
    /// `missing_credentials` and the 503 wording only).
    pub fail_on_missing_token_in_prod: bool,
    /// `PLUGIN_AGENTS_REDACT_EMAIL`.
    pub redact_email: bool,
    /// Effective default token scopes (availability-filtered; may be empty).
    pub token_scopes: Vec<String>,
    /// `PLUGIN_AGENTS_API_CREDENTIALS`, when set (wiped once the credential set is built).
    pub api_credentials: Option<String>,
    /// `PLUGIN_AGENTS_API_TOKEN`, when set (wiped once the credential set is built).
    pub legacy_token: Option<String>,
    /// Requests per window.
    pub rate_limit_per_minute: u32,
    /// Window length, seconds.
    pub rate_limit_window_seconds: u32,
    /// Webhook settings.
    pub webhook: WebhookSettings,
    /// Optional API parts.
    pub availability: Availability,
    /// `PLUGIN_AGENTS_ENABLED`, when set and parseable (it then overrides the CP setting).
    pub enabled: Option<bool>,
    /// Credential lifecycle thresholds.
    pub lifecycle: LifecycleThresholds,
    /// Warnings raised while reading, in [`READ_ORDER`].
    pub warnings: Vec<Warning>,
}

/// Options from `$options` that influence settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsOptions {
    /// Craft Commerce is enabled.
    pub commerce_enabled: bool,
    /// The plugin setting `enableWritesExperimental` (env overrides it).
    pub writes_experimental: bool,
}

/// The effective token requirement ([spec:token-requirement] decision table, with production taken
/// from the resolved profile): `(requireToken, tokenRequirementForcedInProd)`.
pub const fn token_requirement(
    is_production: bool,
    requested: bool,
    allow_insecure_no_token_in_prod: bool,
) -> (bool, bool) {
    if requested {
        (true, false)
    } else if is_production && !allow_insecure_no_token_in_prod {
        (true, true)
    } else {
        (false, false)
    }
}

/// An optional boolean: the env value, else `fallback` (no applied-default bookkeeping).
fn plain_flag(r: &mut Reader<'_>, key: &'static str, fallback: bool) -> bool {
    r.flag(key, || format!("the default `{fallback}`"))
        .unwrap_or(fallback)
}

/// An optional positive integer: the env value, else `fallback`.
fn plain_int(r: &mut Reader<'_>, key: &'static str, fallback: u32) -> u32 {
    r.int(key, None, || format!("the default {fallback}"))
        .unwrap_or(fallback)
}

fn lifecycle(r: &mut Reader<'_>) -> LifecycleThresholds {
    let d = LifecycleThresholds::default();
    LifecycleThresholds {
        stale_unused_warn_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_STALE_UNUSED_WARN_DAYS",
            d.stale_unused_warn_days,
        ),
        stale_unused_critical_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_STALE_UNUSED_CRITICAL_DAYS",
            d.stale_unused_critical_days,
        ),
        stale_never_used_warn_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_STALE_NEVER_USED_WARN_DAYS",
            d.stale_never_used_warn_days,
        ),
        stale_never_used_critical_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_STALE_NEVER_USED_CRITICAL_DAYS",
            d.stale_never_used_critical_days,
        ),
        rotation_warn_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_ROTATION_WARN_DAYS",
            d.rotation_warn_days,
        ),
        rotation_critical_days: plain_int(
            r,
            "PLUGIN_AGENTS_LIFECYCLE_ROTATION_CRITICAL_DAYS",
            d.rotation_critical_days,
        ),
    }
}

/// `PLUGIN_AGENTS_TOKEN_SCOPES`: parsed; nothing parseable → the default set (declaration
/// order); then availability-filtered with no re-fallback.
fn token_scopes(r: &mut Reader<'_>, availability: &Availability) -> Vec<String> {
    const KEY: &str = "PLUGIN_AGENTS_TOKEN_SCOPES";
    let configured = r.text(KEY).map(scopes::parse);
    let parsed = match configured {
        Some(list) if !list.is_empty() => list,
        Some(_) => {
            r.warn(Warning::warn(
                WarningCode::InvalidTokenScopes,
                format!("`{KEY}` contains no valid scope; the default scopes apply."),
            ));
            scopes::default_scopes()
        }
        None => scopes::default_scopes(),
    };
    let filtered = availability.filter(&parsed);
    if filtered.is_empty() {
        r.warn(Warning::warn(
            WarningCode::TokenScopesUnavailable,
            format!(
                "Every scope in `{KEY}` belongs to a disabled part of the API; env credentials without their own scopes and token-less access grant nothing."
            ),
        ));
    }
    if filtered.iter().any(|s| s == scopes::WILDCARD) {
        r.warn(Warning::warn(
            WarningCode::WildcardTokenScopes,
            format!(
                "`{KEY}` grants the wildcard scope `*`: env credentials without their own scopes (and token-less access, where allowed) may call every endpoint."
            ),
        ));
    }
    filtered
}

impl RuntimeConfig {
    /// Resolves the configuration from the plugin's env values (name => text, as
    /// `guard::normalize_env` gives them).
    pub fn resolve(env: &Map<String, Value>, options: &SettingsOptions) -> Self {
        let mut r = Reader::new(env);
        let resolved = profile::resolve(&mut r);
        let is_production = resolved.profile == Profile::Production;
        let d = resolved.profile.defaults();

        let enabled = r.flag("PLUGIN_AGENTS_ENABLED", || "the CP setting".to_owned());
        let requested_require_token = r.profile_flag(
            "PLUGIN_AGENTS_REQUIRE_TOKEN",
            "requireToken",
            d.require_token,
        );
        let allow_insecure_no_token_in_prod = r.profile_flag(
            "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD",
            "allowInsecureNoTokenInProd",
            d.allow_insecure_no_token_in_prod,
        );
        let allow_query_token = r.profile_flag(
            "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN",
            "allowQueryToken",
            d.allow_query_token,
        );
        let fail_on_missing_token_in_prod = r.profile_flag(
            "PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD",
            "failOnMissingTokenInProd",
            d.fail_on_missing_token_in_prod,
        );
        let redact_email =
            r.profile_flag("PLUGIN_AGENTS_REDACT_EMAIL", "redactEmail", d.redact_email);
        let api_credentials = r.text("PLUGIN_AGENTS_API_CREDENTIALS").map(str::to_owned);
        let legacy_token = r.text("PLUGIN_AGENTS_API_TOKEN").map(str::to_owned);
        let rate_limit_per_minute = r.profile_int(
            "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE",
            "rateLimitPerMinute",
            d.rate_limit_per_minute,
            None,
        );
        let rate_limit_window_seconds = r.profile_int(
            "PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS",
            "rateLimitWindowSeconds",
            d.rate_limit_window_seconds,
            None,
        );
        let url = r.text("PLUGIN_AGENTS_WEBHOOK_URL");
        let secret_configured = r.text("PLUGIN_AGENTS_WEBHOOK_SECRET").is_some();
        let mut webhook = WebhookSettings::new(url, secret_configured);
        webhook.timeout_seconds = r.profile_int(
            "PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS",
            "webhookTimeoutSeconds",
            d.webhook_timeout_seconds,
            Some(webhook::MAX_TIMEOUT_SECONDS),
        );
        webhook.max_attempts = r.profile_int(
            "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS",
            "webhookMaxAttempts",
            d.webhook_max_attempts,
            Some(webhook::MAX_ATTEMPTS),
        );
        webhook.test_sink = plain_flag(&mut r, "PLUGIN_AGENTS_WEBHOOK_TEST_SINK", false);
        let availability = Availability {
            commerce: options.commerce_enabled,
            writes_experimental: r
                .flag("PLUGIN_AGENTS_WRITES_EXPERIMENTAL", || {
                    format!("the plugin setting (`{}`)", options.writes_experimental)
                })
                .unwrap_or(options.writes_experimental),
            users_api: plain_flag(&mut r, "PLUGIN_AGENTS_ENABLE_USERS_API", false),
            addresses_api: plain_flag(&mut r, "PLUGIN_AGENTS_ENABLE_ADDRESSES_API", false),
        };
        let lifecycle = lifecycle(&mut r);
        let token_scopes = token_scopes(&mut r, &availability);

        let (require_token, token_requirement_forced_in_prod) = token_requirement(
            is_production,
            requested_require_token,
            allow_insecure_no_token_in_prod,
        );
        let (warnings, defaults_applied_fields) = r.finish();
        Self {
            environment: resolved.environment,
            is_production,
            profile: resolved.profile,
            profile_source: resolved.source,
            profile_provided: resolved.provided,
            profile_invalid: resolved.invalid,
            defaults_applied_fields,
            requested_require_token,
            require_token,
            allow_insecure_no_token_in_prod,
            token_requirement_forced_in_prod,
            allow_query_token,
            fail_on_missing_token_in_prod,
            redact_email,
            token_scopes,
            api_credentials,
            legacy_token,
            rate_limit_per_minute,
            rate_limit_window_seconds,
            webhook,
            availability,
            enabled,
            lifecycle,
            warnings,
        }
    }

    /// `profileDefaultsApplied`: some profile-driven field took its profile default.
    pub fn profile_defaults_applied(&self) -> bool {
        !self.defaults_applied_fields.is_empty()
    }
}

#[cfg(test)]
mod tests;
