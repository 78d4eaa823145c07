//! Posture, warnings, capabilities and diagnostics over resolved configurations.

use super::*;
use crate::credentials::{DeliveryMode, ExpirySummary};
use crate::errors::codes::WarningCode;
use crate::settings::SettingsOptions;
use serde_json::{Map, json};

fn config(v: Value) -> RuntimeConfig {
    let env: Map<String, Value> = v.as_object().cloned().unwrap_or_default();
    RuntimeConfig::resolve(&env, &SettingsOptions::default())
}

fn with_credentials(n: usize) -> CredentialSummary {
    CredentialSummary {
        credential_count: n,
        env_count: n,
        ids: (0..n).map(|i| format!("env:c{i}")).collect(),
        ..CredentialSummary::default()
    }
}

fn codes(w: &[Warning]) -> Vec<&'static str> {
    w.iter().map(|w| w.code.as_str()).collect()
}

fn all(config: &RuntimeConfig, summary: &CredentialSummary) -> Vec<Warning> {
    warnings(config, summary, &[])
}

#[test]
fn a_clean_configuration_has_no_warning() {
    let c = config(json!({"ENVIRONMENT": "production"}));
    let w = all(&c, &with_credentials(1));
    assert!(w.is_empty(), "{w:?}");
    let p = posture(&c, &with_credentials(1), &w);
    assert_eq!(p["verdict"], "ok");
    assert_eq!(p["warningCounts"], json!({"warnings": 0, "errors": 0}));
}

/// The token-requirement decision table and its warnings ([spec:token-requirement]), with
/// production taken from the resolved profile.
fn expected(
    profile: &str,
    require: Option<bool>,
    insecure: Option<bool>,
    creds: bool,
) -> (bool, bool, Vec<(&'static str, Level)>) {
    let prod = profile == "production";
    let requested = require.unwrap_or(true);
    let insecure = insecure.unwrap_or(false);
    let effective = requested || (prod && !insecure);
    let forced = !requested && prod && !insecure;
    let mut w = Vec::new();
    if forced {
        w.push(("token_requirement_forced_in_prod", Level::Error));
    } else if !requested {
        w.push(("token_enforcement_disabled", Level::Warning));
    }
    if prod && !requested && insecure {
        w.push(("insecure_no_token_in_prod", Level::Warning));
    }
    if effective && !creds {
        let level = if prod { Level::Error } else { Level::Warning };
        w.push(("missing_credentials", level));
    }
    (effective, forced, w)
}

#[test]
fn full_guardrail_matrix() {
    let flags = [None, Some(true), Some(false)];
    let mut rows = 0;
    for profile in ["local", "test", "staging", "production"] {
        for require in flags {
            for insecure in flags {
                for creds in [false, true] {
                    let mut env = Map::new();
                    env.insert("PLUGIN_AGENTS_ENV_PROFILE".into(), json!(profile));
                    if let Some(r) = require {
                        env.insert("PLUGIN_AGENTS_REQUIRE_TOKEN".into(), json!(r.to_string()));
                    }
                    if let Some(i) = insecure {
                        env.insert(
                            "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD".into(),
                            json!(i.to_string()),
                        );
                    }
                    let c = RuntimeConfig::resolve(&env, &SettingsOptions::default());
                    let s = with_credentials(usize::from(creds));
                    let w = all(&c, &s);
                    let (req, forced, want) = expected(profile, require, insecure, creds);
                    let row = format!("{profile} {require:?} {insecure:?} creds={creds}");
                    assert_eq!(c.require_token, req, "{row}");
                    assert_eq!(c.token_requirement_forced_in_prod, forced, "{row}");
                    let got: Vec<(&str, Level)> =
                        w.iter().map(|w| (w.code.as_str(), w.level)).collect();
                    assert_eq!(got, want, "{row}");
                    let p = posture(&c, &s, &w);
                    let verdict = if want.iter().any(|(_, l)| *l == Level::Error) {
                        "critical"
                    } else if want.is_empty() {
                        "ok"
                    } else {
                        "warn"
                    };
                    assert_eq!(p["verdict"], verdict, "{row}");
                    assert_eq!(p["authentication"]["required"], req, "{row}");
                    rows += 1;
                }
            }
        }
    }
    assert_eq!(rows, 72);
}

#[test]
fn explicit_guardrail_rows() {
    // Production, REQUIRE_TOKEN=false, no bypass: forced back on, one error.
    let c = config(json!({"PLUGIN_AGENTS_REQUIRE_TOKEN": "false"}));
    let w = all(&c, &with_credentials(1));
    assert!(c.require_token && c.token_requirement_forced_in_prod);
    assert_eq!(codes(&w), vec!["token_requirement_forced_in_prod"]);
    assert_eq!(w[0].level, Level::Error);
    // Production with the bypass: token_enforcement_disabled + insecure_no_token_in_prod, no error.
    let c = config(json!({
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "false",
        "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD": "true",
    }));
    let w = all(&c, &with_credentials(0));
    assert!(!c.require_token);
    assert_eq!(
        codes(&w),
        vec!["token_enforcement_disabled", "insecure_no_token_in_prod"]
    );
    // The bypass alone changes nothing.
    let c = config(json!({"PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD": "true"}));
    assert!(c.require_token);
    assert!(all(&c, &with_credentials(1)).is_empty());
}

#[test]
fn fail_on_missing_only_changes_the_level_of_missing_credentials() {
    for (profile, fail, level) in [
        ("production", "true", Level::Error),
        ("production", "false", Level::Warning),
        ("staging", "true", Level::Warning),
        ("local", "false", Level::Warning),
    ] {
        let c = config(json!({
            "PLUGIN_AGENTS_ENV_PROFILE": profile,
            "PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD": fail,
        }));
        assert!(c.require_token);
        let w = all(&c, &with_credentials(0));
        assert_eq!(codes(&w), vec!["missing_credentials"], "{profile} {fail}");
        assert_eq!(w[0].level, level, "{profile} {fail}");
        assert!(all(&c, &with_credentials(2)).is_empty());
    }
}

/// One env (plus summary and credential warnings) per code that switches it on; the clean
/// configuration above is the "off" case of every code.
#[test]
fn each_warning_code_on_and_off() {
    let base = json!({"ENVIRONMENT": "production"});
    let cases: Vec<(Value, CredentialSummary, Vec<Warning>, WarningCode)> = vec![
        (
            json!({"PLUGIN_AGENTS_API_CREDENTIALS": "nope"}),
            CredentialSummary {
                parse_error: true,
                ..with_credentials(1)
            },
            vec![],
            WarningCode::CredentialsParseError,
        ),
        (
            json!({"PLUGIN_AGENTS_ENV_PROFILE": "qa"}),
            with_credentials(1),
            vec![],
            WarningCode::InvalidEnvProfile,
        ),
        (
            json!({"ENVIRONMENT": "live"}),
            with_credentials(1),
            vec![],
            WarningCode::UnknownEnvironment,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_SECRET": "$PLUGIN_AGENTS_WEBHOOK_SECRET"}),
            with_credentials(1),
            vec![],
            WarningCode::UnresolvedEnvReference,
        ),
        (
            json!({"PLUGIN_AGENTS_REDACT_EMAIL": "nah"}),
            with_credentials(1),
            vec![],
            WarningCode::InvalidBooleanSetting,
        ),
        (
            json!({"PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS": "1e3"}),
            with_credentials(1),
            vec![],
            WarningCode::InvalidIntegerSetting,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS": "120"}),
            with_credentials(1),
            vec![],
            WarningCode::SettingCapped,
        ),
        (
            json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "%%%"}),
            with_credentials(1),
            vec![],
            WarningCode::InvalidTokenScopes,
        ),
        (
            json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "control:audit:read"}),
            with_credentials(1),
            vec![],
            WarningCode::TokenScopesUnavailable,
        ),
        (
            json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "*"}),
            with_credentials(1),
            vec![],
            WarningCode::WildcardTokenScopes,
        ),
        (
            json!({"PLUGIN_AGENTS_REQUIRE_TOKEN": "false"}),
            with_credentials(1),
            vec![],
            WarningCode::TokenRequirementForcedInProd,
        ),
        (
            json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_REQUIRE_TOKEN": "false"}),
            with_credentials(1),
            vec![],
            WarningCode::TokenEnforcementDisabled,
        ),
        (
            json!({"PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "true"}),
            with_credentials(1),
            vec![],
            WarningCode::QueryTokenEnabled,
        ),
        (
            json!({
                "PLUGIN_AGENTS_REQUIRE_TOKEN": "false",
                "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD": "true",
            }),
            with_credentials(1),
            vec![],
            WarningCode::InsecureNoTokenInProd,
        ),
        (
            json!({}),
            with_credentials(0),
            vec![],
            WarningCode::MissingCredentials,
        ),
        (
            json!({}),
            with_credentials(1),
            vec![Warning::warn(
                WarningCode::ManagedCredentialSkipped,
                "row 3 skipped",
            )],
            WarningCode::ManagedCredentialSkipped,
        ),
        (
            json!({}),
            CredentialSummary {
                expiry: ExpirySummary {
                    expired: 2,
                    expiring_soon: 0,
                    active_with_expiry: 0,
                },
                ..with_credentials(1)
            },
            vec![],
            WarningCode::CredentialExpired,
        ),
        (
            json!({}),
            CredentialSummary {
                expiry: ExpirySummary {
                    expired: 0,
                    expiring_soon: 1,
                    active_with_expiry: 1,
                },
                ..with_credentials(1)
            },
            vec![],
            WarningCode::CredentialExpiringSoon,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_URL": "https://h.example/x"}),
            with_credentials(1),
            vec![],
            WarningCode::WebhookSecretMissing,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_SECRET": "s3cr3t"}),
            with_credentials(1),
            vec![],
            WarningCode::WebhookUrlMissing,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_URL": "h.example/x", "PLUGIN_AGENTS_WEBHOOK_SECRET": "s"}),
            with_credentials(1),
            vec![],
            WarningCode::WebhookUrlInvalid,
        ),
        (
            json!({"PLUGIN_AGENTS_WEBHOOK_URL": "http://h.example/x", "PLUGIN_AGENTS_WEBHOOK_SECRET": "s"}),
            with_credentials(1),
            vec![],
            WarningCode::WebhookInsecureUrl,
        ),
    ];
    let clean = all(&config(base.clone()), &with_credentials(1));
    assert!(clean.is_empty());
    // Codes only the credential set raises are passed through, once each.
    let derived: Vec<WarningCode> = cases.iter().map(|c| c.3).collect();
    let mut cases = cases;
    for code in WarningCode::ALL {
        if !derived.contains(code) {
            cases.push((
                json!({}),
                with_credentials(1),
                vec![Warning::warn(*code, "from the credential set")],
                *code,
            ));
        }
    }
    assert_eq!(cases.len(), WarningCode::ALL.len());
    for (extra, summary, credential_warnings, code) in cases {
        let mut env = base.as_object().cloned().unwrap_or_default();
        env.extend(extra.as_object().cloned().unwrap_or_default());
        let c = RuntimeConfig::resolve(&env, &SettingsOptions::default());
        let w = warnings(&c, &summary, &credential_warnings);
        assert_eq!(
            w.iter().filter(|w| w.code == code).count(),
            1,
            "{code}: {:?}",
            codes(&w)
        );
        assert!(!w.iter().any(|w| w.message.is_empty()));
    }
}

#[test]
fn webhook_pairs_are_quiet_when_both_or_neither_are_set() {
    let c = config(json!({
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://h.example/x",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "s",
    }));
    assert!(all(&c, &with_credentials(1)).is_empty());
    assert!(c.webhook.enabled);
}

#[test]
fn credential_warnings_merge_in_their_place() {
    let c =
        config(json!({"PLUGIN_AGENTS_ENV_PROFILE": "qa", "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "1"}));
    let summary = CredentialSummary {
        parse_error: true,
        expiry: ExpirySummary {
            expired: 1,
            expiring_soon: 1,
            active_with_expiry: 1,
        },
        ..with_credentials(1)
    };
    let given = vec![
        Warning::warn(WarningCode::DuplicateCredential, "dup"),
        Warning::warn(WarningCode::CredentialsParseError, "entry 2: no token"),
        Warning::warn(WarningCode::CredentialExpired, "cp:old expired"),
    ];
    let w = warnings(&c, &summary, &given);
    assert_eq!(
        codes(&w),
        vec![
            "invalid_env_profile",
            "credentials_parse_error",
            "duplicate_credential",
            "credential_expired",
            "credential_expiring_soon",
            "query_token_enabled",
        ]
    );
    assert_eq!(w[1].message, "entry 2: no token");
    assert_eq!(w[3].message, "cp:old expired");
    // Without the set's own entries, the summary ones are derived.
    let w = warnings(&c, &summary, &[]);
    assert_eq!(
        codes(&w),
        vec![
            "invalid_env_profile",
            "credentials_parse_error",
            "credential_expired",
            "credential_expiring_soon",
            "query_token_enabled",
        ]
    );
    assert!(w[2].message.starts_with("1 managed credential has expired"));
}

#[test]
fn posture_has_every_key() {
    let c = config(json!({
        "ENVIRONMENT": "staging",
        "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE": "90",
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://user:pw@Hooks.Example.com:8443/in?key=abc",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "whsec",
    }));
    let summary = CredentialSummary {
        credential_count: 3,
        env_count: 1,
        managed_count: 2,
        ids: vec!["cp:a".into(), "cp:b".into(), "env:default".into()],
        expiry: ExpirySummary {
            expired: 1,
            expiring_soon: 1,
            active_with_expiry: 2,
        },
        delivery_mode: DeliveryMode::Targeted,
        ..CredentialSummary::default()
    };
    let w = all(&c, &summary);
    let p = posture(&c, &summary, &w);
    let keys = |v: &Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        keys(&p),
        [
            "environment",
            "profile",
            "authentication",
            "credentialExpiry",
            "rateLimit",
            "privacy",
            "webhook",
            "warnings",
            "warningCounts",
            "verdict"
        ]
    );
    assert_eq!(
        keys(&p["profile"]),
        [
            "name",
            "source",
            "defaultsApplied",
            "defaultsAppliedFields",
            "effectivePolicyVersion"
        ]
    );
    assert_eq!(
        keys(&p["authentication"]),
        [
            "required",
            "requestedRequireToken",
            "tokenRequirementForcedInProd",
            "allowInsecureNoTokenInProd",
            "allowQueryToken",
            "failOnMissingTokenInProd",
            "credentialCount",
            "envCredentialCount",
            "managedCredentialCount",
            "credentialIds",
            "tokenScopes"
        ]
    );
    assert_eq!(
        keys(&p["webhook"]),
        [
            "enabled",
            "urlConfigured",
            "secretConfigured",
            "destinationHost",
            "timeoutSeconds",
            "maxAttempts",
            "deliveryMode"
        ]
    );
    assert_eq!(p["environment"], "staging");
    assert_eq!(p["profile"]["name"], "staging");
    assert_eq!(p["profile"]["source"], "inferred");
    assert_eq!(p["profile"]["effectivePolicyVersion"], "env-profile-v1");
    assert_eq!(p["profile"]["defaultsApplied"], true);
    assert!(
        !p["profile"]["defaultsAppliedFields"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f == "rateLimitPerMinute"))
    );
    assert_eq!(
        p["rateLimit"],
        json!({"perMinute": 90, "windowSeconds": 60})
    );
    assert_eq!(p["privacy"], json!({"redactEmail": true}));
    assert_eq!(p["webhook"]["destinationHost"], "https://hooks.example.com");
    assert_eq!(p["webhook"]["deliveryMode"], "targeted");
    assert_eq!(p["webhook"]["maxAttempts"], 3);
    assert_eq!(
        p["credentialExpiry"],
        json!({"expired": 1, "expiringSoon": 1, "activeWithExpiry": 2})
    );
    assert_eq!(
        p["authentication"]["credentialIds"],
        json!(["cp:a", "cp:b", "env:default"])
    );
    assert_eq!(p["authentication"]["tokenScopes"], json!(scopes_default()));
    assert_eq!(p["warningCounts"], json!({"warnings": 2, "errors": 0}));
    assert_eq!(p["verdict"], "warn");
    let text = p.to_string();
    for secret in ["whsec", "user:pw", "/in", "key=abc", "8443"] {
        assert!(!text.contains(secret), "{secret}");
    }
}

fn scopes_default() -> Vec<&'static str> {
    crate::scopes::DEFAULT_SCOPES.to_vec()
}

#[test]
fn capabilities_block() {
    let c = config(json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "yes"}));
    let a = capabilities(&c, &with_credentials(2));
    assert_eq!(a["required"], true);
    assert_eq!(a["tokenConfigured"], true);
    assert_eq!(a["credentialCount"], 2);
    assert_eq!(a["environment"], "dev");
    assert_eq!(a["environmentProfile"], "local");
    assert_eq!(a["environmentProfileSource"], "inferred");
    assert_eq!(a["effectivePolicyVersion"], "env-profile-v1");
    assert_eq!(
        a["methods"],
        json!(["Authorization: Bearer <token>", "X-Agents-Token: <token>"])
    );
    assert_eq!(a["queryParam"], "apiToken");
    assert_eq!(a["queryParamAllowedMethods"], json!(["GET", "HEAD"]));
    assert_eq!(a["runtimeProfile"], runtime_profile(&c));
    assert_eq!(
        a["runtimeProfile"]["profileDefaultsAppliedFields"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
    for k in [
        "allowInsecureNoTokenInProd",
        "tokenRequirementForcedInProd",
        "failOnMissingTokenInProd",
        "profileDefaultsApplied",
    ] {
        assert!(a.get(k).is_some(), "{k}");
    }
    // Query token off: no query keys.
    let c = config(json!({"ENVIRONMENT": "dev"}));
    let a = capabilities(&c, &with_credentials(0));
    assert_eq!(a["tokenConfigured"], false);
    assert!(a.get("queryParam").is_none() && a.get("queryParamAllowedMethods").is_none());
    // Token not required: no methods at all.
    let c = config(json!({
        "ENVIRONMENT": "dev",
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "false",
        "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "true",
    }));
    let a = capabilities(&c, &with_credentials(0));
    assert_eq!(a["required"], false);
    assert_eq!(a["methods"], json!([]));
    assert!(a.get("queryParam").is_none());
}

#[test]
fn diagnostics_check() {
    let c = config(json!({
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "false",
        "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "true",
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://h.example/x",
    }));
    let s = with_credentials(0);
    let w = all(&c, &s);
    let d = diagnostics(&c, &s, &w, 1_700_000_000);
    assert_eq!(d["check"], "auth");
    assert_eq!(d["status"], "failed");
    assert_eq!(d["strict"], false);
    assert_eq!(d["generatedAt"], "2023-11-14T22:13:20Z");
    let errors: Vec<&str> = d["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Forced-on error, missing-credentials error and the no-credentials sentence, sorted.
    assert_eq!(errors.len(), 3);
    assert!(errors.windows(2).all(|p| p[0] < p[1]));
    assert!(errors.contains(&diagnostics::NO_CREDENTIALS_ERROR));
    let warnings: Vec<&str> = d["warnings"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(warnings.len(), 2);
    assert!(warnings.windows(2).all(|p| p[0] < p[1]));
    let details = &d["details"];
    for k in [
        "environment",
        "environmentProfile",
        "environmentProfileSource",
        "profileDefaultsApplied",
        "profileDefaultsAppliedFields",
        "effectivePolicyVersion",
        "requireToken",
        "allowQueryToken",
        "credentialCount",
        "managedCredentialCount",
        "envCredentialCount",
        "tokenScopes",
        "rateLimitPerMinute",
        "rateLimitWindowSeconds",
        "webhookEnabled",
        "webhookUrlHost",
        "webhookTimeoutSeconds",
        "webhookMaxAttempts",
    ] {
        assert!(details.get(k).is_some(), "{k}");
    }
    assert_eq!(details.as_object().map(Map::len), Some(18));
    assert_eq!(details["webhookUrlHost"], "https://h.example");
    // A healthy configuration passes.
    let c = config(json!({}));
    let s = with_credentials(1);
    let d = diagnostics(&c, &s, &all(&c, &s), 0);
    assert_eq!(d["status"], "ok");
    assert_eq!(d["errors"], json!([]));
    assert_eq!(d["warnings"], json!([]));
    assert_eq!(d["generatedAt"], "1970-01-01T00:00:00Z");
}

#[test]
fn diagnostics_lists_are_trimmed_and_deduplicated() {
    let c = config(json!({}));
    let s = with_credentials(1);
    let w = vec![
        Warning::warn(WarningCode::DuplicateCredential, " b "),
        Warning::warn(WarningCode::DuplicateCredential, "a"),
        Warning::warn(WarningCode::DuplicateCredential, "b"),
        Warning::warn(WarningCode::DuplicateCredential, "  "),
    ];
    let d = diagnostics(&c, &s, &w, 0);
    assert_eq!(d["warnings"], json!(["a", "b"]));
}

#[test]
fn verdict_and_counts() {
    let w = [
        Warning::warn(WarningCode::QueryTokenEnabled, "q"),
        Warning::error(WarningCode::MissingCredentials, "m"),
    ];
    assert_eq!(Verdict::of(&w), Verdict::Critical);
    assert_eq!(Verdict::of(&w[..1]), Verdict::Warn);
    assert_eq!(Verdict::of(&[]), Verdict::Ok);
    assert_eq!(warning_counts(&w), (1, 1));
}
