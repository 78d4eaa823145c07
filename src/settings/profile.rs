//! Environment profiles: the alias table, resolution from `PLUGIN_AGENTS_ENV_PROFILE` or the
//! environment name, and the per-profile defaults ([spec:profile]).
//!
//! Unlike the plugin, an unknown explicit profile or an unknown environment name resolves to
//! `production` (the strictest profile) with a warning, and production is decided from the
//! resolved profile only.

use super::read::Reader;
use crate::errors::codes::WarningCode;
use crate::warnings::Warning;

/// `effectivePolicyVersion`.
pub const POLICY_VERSION: &str = "env-profile-v1";

/// The environment name used when neither `ENVIRONMENT` nor `CRAFT_ENVIRONMENT` is set.
pub const DEFAULT_ENVIRONMENT: &str = "production";

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

    /// The profile an alias names (ASCII case-insensitive, surrounding whitespace ignored):
    /// `prod`/`production`, `stage`/`staging`, `test`/`testing`/`ci`, `local`/`dev`/`development`.
    pub fn from_alias(text: &str) -> Option<Self> {
        const ALIASES: [(&str, Profile); 10] = [
            ("prod", Profile::Production),
            ("production", Profile::Production),
            ("stage", Profile::Staging),
            ("staging", Profile::Staging),
            ("test", Profile::Test),
            ("testing", Profile::Test),
            ("ci", Profile::Test),
            ("local", Profile::Local),
            ("dev", Profile::Local),
            ("development", Profile::Local),
        ];
        let t = text.trim();
        ALIASES
            .iter()
            .find(|(alias, _)| t.eq_ignore_ascii_case(alias))
            .map(|(_, p)| *p)
    }

    /// The defaults of this profile (the table in `docs/posture.md`, [spec:profile]).
    pub const fn defaults(self) -> ProfileDefaults {
        let (rate_limit_per_minute, webhook_max_attempts) = match self {
            Profile::Local | Profile::Test => (300, 2),
            Profile::Staging => (120, 3),
            Profile::Production => (60, 3),
        };
        ProfileDefaults {
            require_token: true,
            allow_insecure_no_token_in_prod: false,
            allow_query_token: false,
            fail_on_missing_token_in_prod: true,
            redact_email: true,
            rate_limit_per_minute,
            rate_limit_window_seconds: 60,
            webhook_timeout_seconds: 5,
            webhook_max_attempts,
        }
    }
}

/// The values a profile supplies for settings that are not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileDefaults {
    /// `requireToken`.
    pub require_token: bool,
    /// `allowInsecureNoTokenInProd`.
    pub allow_insecure_no_token_in_prod: bool,
    /// `allowQueryToken`.
    pub allow_query_token: bool,
    /// `failOnMissingTokenInProd`.
    pub fail_on_missing_token_in_prod: bool,
    /// `redactEmail`.
    pub redact_email: bool,
    /// `rateLimitPerMinute`.
    pub rate_limit_per_minute: u32,
    /// `rateLimitWindowSeconds`.
    pub rate_limit_window_seconds: u32,
    /// `webhookTimeoutSeconds`.
    pub webhook_timeout_seconds: u32,
    /// `webhookMaxAttempts`.
    pub webhook_max_attempts: u32,
}

/// Where the profile came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSource {
    /// `PLUGIN_AGENTS_ENV_PROFILE`.
    Env,
    /// The environment name.
    Inferred,
}

impl ProfileSource {
    /// `env` or `inferred`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProfileSource::Env => "env",
            ProfileSource::Inferred => "inferred",
        }
    }
}

/// The outcome of profile resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileResolution {
    /// The environment name: the first set value of `ENVIRONMENT`, `CRAFT_ENVIRONMENT`
    /// (trimmed, lower-cased), else `production`.
    pub environment: String,
    /// The resolved profile.
    pub profile: Profile,
    /// Where it came from.
    pub source: ProfileSource,
    /// The explicit `PLUGIN_AGENTS_ENV_PROFILE` value (trimmed), if any.
    pub provided: Option<String>,
    /// The explicit value named no profile (the strictest profile was used).
    pub invalid: bool,
}

/// Shows an environment name (which the posture shows anyway) in a message when it is short
/// and plain, else hides it.
fn shown(text: &str) -> String {
    let plain = text.len() <= 40
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if plain {
        format!("`{text}`")
    } else {
        "(not shown)".to_owned()
    }
}

/// Resolves the environment name and the profile, reading `ENVIRONMENT`,
/// `CRAFT_ENVIRONMENT` (only when `ENVIRONMENT` is unset) and `PLUGIN_AGENTS_ENV_PROFILE`.
pub fn resolve(reader: &mut Reader<'_>) -> ProfileResolution {
    let named = reader
        .text("ENVIRONMENT")
        .or_else(|| reader.text("CRAFT_ENVIRONMENT"))
        .map(str::to_ascii_lowercase);
    let explicit = reader.text("PLUGIN_AGENTS_ENV_PROFILE");
    let environment = named
        .clone()
        .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned());
    if let Some(value) = explicit {
        let profile = Profile::from_alias(value);
        if profile.is_none() {
            reader.warn(Warning::warn(
                WarningCode::InvalidEnvProfile,
                "`PLUGIN_AGENTS_ENV_PROFILE` names no known profile (local, test, staging, production or an alias); the strictest profile, production, applies.",
            ));
        }
        return ProfileResolution {
            environment,
            profile: profile.unwrap_or(Profile::Production),
            source: ProfileSource::Env,
            provided: Some(value.to_owned()),
            invalid: profile.is_none(),
        };
    }
    let profile = match Profile::from_alias(&environment) {
        Some(p) => p,
        None => {
            reader.warn(Warning::warn(
                WarningCode::UnknownEnvironment,
                format!(
                    "The environment name {} matches no profile alias; the strictest profile, production, applies. Set `PLUGIN_AGENTS_ENV_PROFILE` to choose one.",
                    shown(&environment)
                ),
            ));
            Profile::Production
        }
    };
    ProfileResolution {
        environment,
        profile,
        source: ProfileSource::Inferred,
        provided: None,
        invalid: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    fn run(v: Value) -> (ProfileResolution, Vec<&'static str>) {
        let e: Map<String, Value> = v.as_object().cloned().unwrap_or_default();
        let mut r = Reader::new(&e);
        let res = resolve(&mut r);
        let (w, _) = r.finish();
        (res, w.iter().map(|w| w.code.as_str()).collect())
    }

    #[test]
    fn every_alias() {
        let table = [
            ("prod", Profile::Production),
            ("production", Profile::Production),
            (" PRODUCTION ", Profile::Production),
            ("stage", Profile::Staging),
            ("Staging", Profile::Staging),
            ("test", Profile::Test),
            ("testing", Profile::Test),
            ("CI", Profile::Test),
            ("local", Profile::Local),
            ("dev", Profile::Local),
            ("Development", Profile::Local),
        ];
        for (alias, want) in table {
            assert_eq!(Profile::from_alias(alias), Some(want), "{alias}");
            let (res, w) = run(json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_ENV_PROFILE": alias}));
            assert_eq!(res.profile, want, "{alias}");
            assert_eq!(res.source, ProfileSource::Env);
            assert_eq!(res.provided.as_deref(), Some(alias.trim()));
            assert!(!res.invalid && w.is_empty());
        }
        for no in ["", "qa", "prd", "live", "product", "loca l"] {
            assert_eq!(Profile::from_alias(no), None, "{no}");
        }
    }

    #[test]
    fn invalid_explicit_profile_is_production_with_a_warning() {
        let (res, w) =
            run(json!({"CRAFT_ENVIRONMENT": "staging", "PLUGIN_AGENTS_ENV_PROFILE": "qa"}));
        assert_eq!(res.profile, Profile::Production);
        assert_eq!(res.source, ProfileSource::Env);
        assert_eq!(res.provided.as_deref(), Some("qa"));
        assert!(res.invalid);
        assert_eq!(res.environment, "staging");
        assert_eq!(w, vec!["invalid_env_profile"]);
    }

    #[test]
    fn inference_rows() {
        let rows: &[(Value, &str, Profile, &[&str])] = &[
            (json!({}), "production", Profile::Production, &[]),
            (
                json!({"ENVIRONMENT": ""}),
                "production",
                Profile::Production,
                &[],
            ),
            (
                json!({"CRAFT_ENVIRONMENT": "dev"}),
                "dev",
                Profile::Local,
                &[],
            ),
            (
                json!({"ENVIRONMENT": "Production "}),
                "production",
                Profile::Production,
                &[],
            ),
            (
                json!({"ENVIRONMENT": "staging", "CRAFT_ENVIRONMENT": "dev"}),
                "staging",
                Profile::Staging,
                &[],
            ),
            (
                json!({"ENVIRONMENT": "  ", "CRAFT_ENVIRONMENT": "ci"}),
                "ci",
                Profile::Test,
                &[],
            ),
            (
                json!({"ENVIRONMENT": "live"}),
                "live",
                Profile::Production,
                &["unknown_environment"],
            ),
            (
                json!({"CRAFT_ENVIRONMENT": "prd"}),
                "prd",
                Profile::Production,
                &["unknown_environment"],
            ),
            (
                json!({"ENVIRONMENT": "$ENVIRONMENT", "CRAFT_ENVIRONMENT": "local"}),
                "local",
                Profile::Local,
                &["unresolved_env_reference"],
            ),
            (
                json!({"ENVIRONMENT": "null"}),
                "production",
                Profile::Production,
                &[],
            ),
            (
                json!({"PLUGIN_AGENTS_ENV_PROFILE": "  "}),
                "production",
                Profile::Production,
                &[],
            ),
        ];
        for (env, name, profile, warnings) in rows {
            let (res, w) = run(env.clone());
            assert_eq!(res.environment, *name, "{env}");
            assert_eq!(res.profile, *profile, "{env}");
            assert_eq!(res.source, ProfileSource::Inferred, "{env}");
            assert_eq!(res.provided, None);
            assert!(!res.invalid);
            assert_eq!(w, *warnings, "{env}");
        }
    }

    #[test]
    fn explicit_profile_beats_an_unknown_environment_without_warning() {
        let (res, w) = run(json!({"ENVIRONMENT": "live", "PLUGIN_AGENTS_ENV_PROFILE": "staging"}));
        assert_eq!(res.profile, Profile::Staging);
        assert!(w.is_empty());
    }

    #[test]
    fn profile_values_and_odd_names_are_not_echoed() {
        for (env, hidden) in [
            (json!({"PLUGIN_AGENTS_ENV_PROFILE": "hunter2"}), "hunter2"),
            (json!({"ENVIRONMENT": "hunter2 secret!"}), "hunter2"),
        ] {
            let e: Map<String, Value> = env.as_object().cloned().unwrap_or_default();
            let mut r = Reader::new(&e);
            resolve(&mut r);
            let (w, _) = r.finish();
            assert_eq!(w.len(), 1);
            assert!(!w[0].message.contains(hidden), "{}", w[0].message);
        }
        let e: Map<String, Value> = json!({"ENVIRONMENT": "Live"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut r = Reader::new(&e);
        resolve(&mut r);
        let (w, _) = r.finish();
        assert!(w[0].message.contains("`live`"), "{}", w[0].message);
    }

    #[test]
    fn defaults_table() {
        let d = Profile::Local.defaults();
        assert_eq!((d.rate_limit_per_minute, d.webhook_max_attempts), (300, 2));
        let d = Profile::Test.defaults();
        assert_eq!((d.rate_limit_per_minute, d.webhook_max_attempts), (300, 2));
        let d = Profile::Staging.defaults();
        assert_eq!((d.rate_limit_per_minute, d.webhook_max_attempts), (120, 3));
        let d = Profile::Production.defaults();
        assert_eq!((d.rate_limit_per_minute, d.webhook_max_attempts), (60, 3));
        for p in [
            Profile::Local,
            Profile::Test,
            Profile::Staging,
            Profile::Production,
        ] {
            let d = p.defaults();
            assert!(d.require_token && d.fail_on_missing_token_in_prod && d.redact_email);
            assert!(!d.allow_insecure_no_token_in_prod && !d.allow_query_token);
            assert_eq!(
                (d.rate_limit_window_seconds, d.webhook_timeout_seconds),
                (60, 5)
            );
        }
    }
}
