//! Runtime settings: environment profile resolution, every `PLUGIN_AGENTS_*` setting with its
//! parse rules, the production guardrail (reference §1–§3).
//!
//! Provisional: a minimal resolver with the final shape; the settings work completes it.
#![forbid(unsafe_code)]

use serde_json::{Map, Value};

use crate::scopes::{self, Availability};
use crate::warnings::Warning;

/// The four environment profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Developer machines.
    Local,
    /// CI and automated tests.
    Test,
    /// Pre-production.
    Staging,
    /// Production (the strictest).
    Production,
}

impl Profile {
    /// `local`, `test`, `staging` or `production`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Local => "local",
            Profile::Test => "test",
            Profile::Staging => "staging",
            Profile::Production => "production",
        }
    }
}

/// Webhook settings (never the secret itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// A URL is configured.
    pub url_configured: bool,
    /// A secret is configured.
    pub secret_configured: bool,
    /// Both are configured.
    pub enabled: bool,
    /// `scheme://host` of the URL.
    pub destination_host: Option<String>,
    /// Delivery timeout, seconds (cap 60).
    pub timeout_seconds: u32,
    /// Delivery attempts (cap 10).
    pub max_attempts: u32,
}

/// The resolved runtime configuration (reference §8.1), without secrets.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Lower-cased environment name (`ENVIRONMENT`, else `CRAFT_ENVIRONMENT`, else `production`).
    pub environment: String,
    /// Production, decided from the resolved profile.
    pub is_production: bool,
    /// Resolved profile.
    pub profile: Profile,
    /// `env` or `inferred`.
    pub profile_source: &'static str,
    /// The explicit `PLUGIN_AGENTS_ENV_PROFILE` value, if any.
    pub profile_provided: Option<String>,
    /// The explicit value was not a known profile.
    pub profile_invalid: bool,
    /// Fields that took the profile default, sorted.
    pub defaults_applied_fields: Vec<&'static str>,
    /// `PLUGIN_AGENTS_REQUIRE_TOKEN` as requested.
    pub requested_require_token: bool,
    /// Effective token requirement.
    pub require_token: bool,
    /// `PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD`.
    pub allow_insecure_no_token_in_prod: bool,
    /// The production guardrail forced the token back on.
    pub token_requirement_forced_in_prod: bool,
    /// `PLUGIN_AGENTS_ALLOW_QUERY_TOKEN`.
    pub allow_query_token: bool,
    /// `PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD`.
    pub fail_on_missing_token_in_prod: bool,
    /// `PLUGIN_AGENTS_REDACT_EMAIL`.
    pub redact_email: bool,
    /// Effective default token scopes.
    pub token_scopes: Vec<String>,
    /// `PLUGIN_AGENTS_API_CREDENTIALS`, when set.
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
    /// `PLUGIN_AGENTS_ENABLED`, when set and parseable.
    pub enabled: Option<bool>,
    /// Warnings raised while resolving, in emission order.
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

fn text<'a>(env: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    env.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn flag(env: &Map<String, Value>, key: &str) -> Option<bool> {
    match text(env, key)?.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Some(true),
        "false" | "0" | "off" | "no" => Some(false),
        _ => None,
    }
}

impl RuntimeConfig {
    /// Resolves the configuration from the plugin's env values.
    pub fn resolve(env: &Map<String, Value>, options: &SettingsOptions) -> Self {
        let environment = text(env, "ENVIRONMENT")
            .or_else(|| text(env, "CRAFT_ENVIRONMENT"))
            .unwrap_or("production")
            .to_ascii_lowercase();
        let profile = match environment.as_str() {
            "local" | "dev" | "development" => Profile::Local,
            "test" | "testing" | "ci" => Profile::Test,
            "stage" | "staging" => Profile::Staging,
            _ => Profile::Production,
        };
        let is_production = profile == Profile::Production;
        let requested_require_token = flag(env, "PLUGIN_AGENTS_REQUIRE_TOKEN").unwrap_or(true);
        let require_token = requested_require_token || is_production;
        let availability = Availability {
            commerce: options.commerce_enabled,
            writes_experimental: flag(env, "PLUGIN_AGENTS_WRITES_EXPERIMENTAL")
                .unwrap_or(options.writes_experimental),
            users_api: flag(env, "PLUGIN_AGENTS_ENABLE_USERS_API").unwrap_or(false),
            addresses_api: flag(env, "PLUGIN_AGENTS_ENABLE_ADDRESSES_API").unwrap_or(false),
        };
        let parsed = scopes::parse(text(env, "PLUGIN_AGENTS_TOKEN_SCOPES").unwrap_or(""));
        let token_scopes = if parsed.is_empty() {
            scopes::default_scopes()
        } else {
            parsed
        };
        Self {
            environment,
            is_production,
            profile,
            profile_source: "inferred",
            profile_provided: None,
            profile_invalid: false,
            defaults_applied_fields: Vec::new(),
            requested_require_token,
            require_token,
            allow_insecure_no_token_in_prod: false,
            token_requirement_forced_in_prod: require_token && !requested_require_token,
            allow_query_token: flag(env, "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN").unwrap_or(false),
            fail_on_missing_token_in_prod: true,
            redact_email: flag(env, "PLUGIN_AGENTS_REDACT_EMAIL").unwrap_or(true),
            token_scopes: availability.filter(&token_scopes),
            api_credentials: text(env, "PLUGIN_AGENTS_API_CREDENTIALS").map(str::to_owned),
            legacy_token: text(env, "PLUGIN_AGENTS_API_TOKEN").map(str::to_owned),
            rate_limit_per_minute: 60,
            rate_limit_window_seconds: 60,
            webhook: WebhookSettings {
                timeout_seconds: 5,
                max_attempts: 3,
                ..WebhookSettings::default()
            },
            availability,
            enabled: flag(env, "PLUGIN_AGENTS_ENABLED"),
            warnings: Vec::new(),
        }
    }
}
