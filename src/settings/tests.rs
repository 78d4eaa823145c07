//! Resolution tests over whole env maps.

use super::*;
use serde_json::json;

fn env(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn resolve(v: Value) -> RuntimeConfig {
    RuntimeConfig::resolve(&env(v), &SettingsOptions::default())
}

fn codes(c: &RuntimeConfig) -> Vec<&'static str> {
    c.warnings.iter().map(|w| w.code.as_str()).collect()
}

const ALL_FIELDS: [&str; 9] = [
    "allowInsecureNoTokenInProd",
    "allowQueryToken",
    "failOnMissingTokenInProd",
    "rateLimitPerMinute",
    "rateLimitWindowSeconds",
    "redactEmail",
    "requireToken",
    "webhookMaxAttempts",
    "webhookTimeoutSeconds",
];

#[test]
fn nothing_configured_is_production_with_every_default() {
    let c = resolve(json!({}));
    assert_eq!(c.environment, "production");
    assert_eq!(c.profile, Profile::Production);
    assert_eq!(c.profile_source, ProfileSource::Inferred);
    assert!(c.is_production && c.require_token && c.requested_require_token);
    assert!(!c.token_requirement_forced_in_prod);
    assert!(!c.allow_query_token && !c.allow_insecure_no_token_in_prod);
    assert!(c.fail_on_missing_token_in_prod && c.redact_email);
    assert_eq!(c.defaults_applied_fields, ALL_FIELDS);
    assert!(c.profile_defaults_applied());
    assert_eq!(
        (c.rate_limit_per_minute, c.rate_limit_window_seconds),
        (60, 60)
    );
    assert_eq!((c.webhook.timeout_seconds, c.webhook.max_attempts), (5, 3));
    assert_eq!(c.token_scopes, scopes::DEFAULT_SCOPES);
    assert_eq!(c.enabled, None);
    assert_eq!(c.lifecycle, LifecycleThresholds::default());
    assert!(c.warnings.is_empty());
    assert_eq!(c.availability, Availability::default());
}

#[test]
fn production_is_decided_from_the_resolved_profile() {
    let rows = [
        (json!({"ENVIRONMENT": "Production "}), true),
        (
            json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_ENV_PROFILE": "production"}),
            true,
        ),
        (json!({"ENVIRONMENT": "prod"}), true),
        (json!({"ENVIRONMENT": "live"}), true),
        (
            json!({"ENVIRONMENT": "staging", "PLUGIN_AGENTS_ENV_PROFILE": "qa"}),
            true,
        ),
        (
            json!({"ENVIRONMENT": "production", "PLUGIN_AGENTS_ENV_PROFILE": "dev"}),
            false,
        ),
        (json!({"CRAFT_ENVIRONMENT": "staging"}), false),
    ];
    for (e, production) in rows {
        let c = resolve(e.clone());
        assert_eq!(c.is_production, production, "{e}");
        assert_eq!(c.profile == Profile::Production, production, "{e}");
    }
}

#[test]
fn profile_defaults_follow_the_profile() {
    for (name, rate, attempts) in [
        ("local", 300, 2),
        ("test", 300, 2),
        ("staging", 120, 3),
        ("production", 60, 3),
    ] {
        let c = resolve(json!({"PLUGIN_AGENTS_ENV_PROFILE": name}));
        assert_eq!(c.profile.as_str(), name);
        assert_eq!(c.rate_limit_per_minute, rate, "{name}");
        assert_eq!(c.webhook.max_attempts, attempts, "{name}");
    }
}

#[test]
fn guardrail_decision_table() {
    // (profile, REQUIRE_TOKEN, ALLOW_INSECURE) -> (requireToken, forced)
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, bool, bool);
    let rows: &[Row<'_>] = &[
        ("production", None, None, true, false),
        ("production", Some("true"), Some("true"), true, false),
        ("production", Some("false"), None, true, true),
        ("production", Some("false"), Some("false"), true, true),
        ("production", Some("false"), Some("true"), false, false),
        ("production", Some(""), Some("true"), true, false),
        ("staging", Some("false"), None, false, false),
        ("staging", Some("false"), Some("true"), false, false),
        ("test", Some("0"), None, false, false),
        ("local", Some("off"), None, false, false),
        ("local", Some(""), None, true, false),
        ("local", Some("maybe"), None, true, false),
    ];
    for (profile, req, insecure, want_req, want_forced) in rows {
        let mut m = Map::new();
        m.insert("PLUGIN_AGENTS_ENV_PROFILE".into(), json!(profile));
        if let Some(v) = req {
            m.insert("PLUGIN_AGENTS_REQUIRE_TOKEN".into(), json!(v));
        }
        if let Some(v) = insecure {
            m.insert(
                "PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD".into(),
                json!(v),
            );
        }
        let c = RuntimeConfig::resolve(&m, &SettingsOptions::default());
        let row = format!("{profile} {req:?} {insecure:?}");
        assert_eq!(c.require_token, *want_req, "{row}");
        assert_eq!(c.token_requirement_forced_in_prod, *want_forced, "{row}");
    }
    for p in [true, false] {
        for r in [true, false] {
            for a in [true, false] {
                let (req, forced) = token_requirement(p, r, a);
                assert_eq!(req, r || (p && !a));
                assert_eq!(forced, p && !r && !a);
            }
        }
    }
}

#[test]
fn empty_values_count_as_unset() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_ENV_PROFILE": "local",
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "",
        "PLUGIN_AGENTS_REDACT_EMAIL": "  ",
        "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE": "",
        "PLUGIN_AGENTS_API_TOKEN": "",
        "PLUGIN_AGENTS_WEBHOOK_URL": " ",
    }));
    assert!(c.require_token && c.redact_email);
    assert_eq!(c.rate_limit_per_minute, 300);
    assert_eq!(c.legacy_token, None);
    assert!(!c.webhook.url_configured);
    assert!(c.warnings.is_empty());
    assert_eq!(c.defaults_applied_fields, ALL_FIELDS);
}

#[test]
fn boolean_edge_cases() {
    let rows: &[(&str, bool, &[&str], bool)] = &[
        // value, effective allowQueryToken, warnings, defaulted
        ("", false, &[], true),
        (" true ", true, &[], false),
        ("yes", true, &[], false),
        ("ON", true, &[], false),
        ("1", true, &[], false),
        ("no", false, &[], false),
        ("2", false, &["invalid_boolean_setting"], true),
        ("-1", false, &["invalid_boolean_setting"], true),
        ("1e3", false, &["invalid_boolean_setting"], true),
        ("enabled", false, &["invalid_boolean_setting"], true),
        ("$ALLOW", false, &["unresolved_env_reference"], true),
    ];
    for (value, want, warnings, defaulted) in rows {
        let c = resolve(json!({"PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": value}));
        assert_eq!(c.allow_query_token, *want, "{value:?}");
        assert_eq!(codes(&c), *warnings, "{value:?}");
        assert_eq!(
            c.defaults_applied_fields.contains(&"allowQueryToken"),
            *defaulted,
            "{value:?}"
        );
    }
}

#[test]
fn integer_edge_cases() {
    let rows: &[(&str, u32, &[&str])] = &[
        ("", 60, &[]),
        (" 5 ", 5, &[]),
        ("2", 2, &[]),
        ("-1", 60, &["invalid_integer_setting"]),
        ("0", 60, &["invalid_integer_setting"]),
        ("1e3", 60, &["invalid_integer_setting"]),
        ("2.5", 60, &["invalid_integer_setting"]),
        ("yes", 60, &["invalid_integer_setting"]),
        ("100000", 100_000, &[]),
        ("${RATE}", 60, &["unresolved_env_reference"]),
    ];
    for (value, want, warnings) in rows {
        let c = resolve(json!({"PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE": value}));
        assert_eq!(c.rate_limit_per_minute, *want, "{value:?}");
        assert_eq!(codes(&c), *warnings, "{value:?}");
    }
}

#[test]
fn caps_on_webhook_timeout_and_attempts() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS": "61",
        "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS": "11",
    }));
    assert_eq!(
        (c.webhook.timeout_seconds, c.webhook.max_attempts),
        (60, 10)
    );
    assert_eq!(codes(&c), vec!["setting_capped", "setting_capped"]);
    assert!(!c.defaults_applied_fields.contains(&"webhookTimeoutSeconds"));
    let c = resolve(json!({
        "PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS": "60",
        "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS": "10",
    }));
    assert_eq!(
        (c.webhook.timeout_seconds, c.webhook.max_attempts),
        (60, 10)
    );
    assert!(c.warnings.is_empty());
}

#[test]
fn webhook_references_count_as_unset() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_WEBHOOK_URL": "$PLUGIN_AGENTS_WEBHOOK_URL",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "$PLUGIN_AGENTS_WEBHOOK_SECRET",
    }));
    assert!(!c.webhook.url_configured && !c.webhook.secret_configured && !c.webhook.enabled);
    assert_eq!(
        codes(&c),
        vec!["unresolved_env_reference", "unresolved_env_reference"]
    );
    let c = resolve(json!({
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://h.example/x",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "${PLUGIN_AGENTS_WEBHOOK_SECRET}",
    }));
    assert!(c.webhook.url_configured && !c.webhook.secret_configured && !c.webhook.enabled);
}

#[test]
fn availability_flags() {
    let opts = SettingsOptions {
        commerce_enabled: true,
        writes_experimental: true,
    };
    let c = RuntimeConfig::resolve(&env(json!({})), &opts);
    assert!(c.availability.commerce && c.availability.writes_experimental);
    let c = RuntimeConfig::resolve(
        &env(json!({"PLUGIN_AGENTS_WRITES_EXPERIMENTAL": "false"})),
        &opts,
    );
    assert!(!c.availability.writes_experimental);
    let c = RuntimeConfig::resolve(
        &env(json!({"PLUGIN_AGENTS_WRITES_EXPERIMENTAL": "bogus"})),
        &opts,
    );
    assert!(c.availability.writes_experimental);
    assert_eq!(codes(&c), vec!["invalid_boolean_setting"]);
    let c = resolve(json!({
        "PLUGIN_AGENTS_WRITES_EXPERIMENTAL": "1",
        "PLUGIN_AGENTS_ENABLE_USERS_API": "yes",
        "PLUGIN_AGENTS_ENABLE_ADDRESSES_API": "on",
        "PLUGIN_AGENTS_ENABLED": "false",
    }));
    assert!(c.availability.writes_experimental && c.availability.users_api);
    assert!(c.availability.addresses_api && !c.availability.commerce);
    assert_eq!(c.enabled, Some(false));
    let c = resolve(json!({"PLUGIN_AGENTS_ENABLED": "perhaps"}));
    assert_eq!(c.enabled, None);
    assert_eq!(codes(&c), vec!["invalid_boolean_setting"]);
}

#[test]
fn token_scopes() {
    let c = resolve(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "health:read, Entries:Read"}));
    assert_eq!(c.token_scopes, vec!["entries:read", "health:read"]);
    assert!(c.warnings.is_empty());
    let c = resolve(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "orders:read"}));
    assert!(c.token_scopes.is_empty());
    assert_eq!(codes(&c), vec!["token_scopes_unavailable"]);
    let c = RuntimeConfig::resolve(
        &env(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "orders:read"})),
        &SettingsOptions {
            commerce_enabled: true,
            writes_experimental: false,
        },
    );
    assert_eq!(c.token_scopes, vec!["orders:read"]);
    let c = resolve(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "!!! ,,"}));
    assert_eq!(c.token_scopes, scopes::DEFAULT_SCOPES);
    assert_eq!(codes(&c), vec!["invalid_token_scopes"]);
    let c = resolve(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "* health:read"}));
    assert_eq!(c.token_scopes, vec!["*", "health:read"]);
    assert_eq!(codes(&c), vec!["wildcard_token_scopes"]);
    let c = resolve(json!({"PLUGIN_AGENTS_TOKEN_SCOPES": "entries:*"}));
    assert!(c.warnings.is_empty());
}

#[test]
fn lifecycle_thresholds() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_LIFECYCLE_ROTATION_WARN_DAYS": "10",
        "PLUGIN_AGENTS_LIFECYCLE_ROTATION_CRITICAL_DAYS": "0",
    }));
    assert_eq!(c.lifecycle.rotation_warn_days, 10);
    assert_eq!(c.lifecycle.rotation_critical_days, 120);
    assert_eq!(codes(&c), vec!["invalid_integer_setting"]);
}

#[test]
fn warnings_follow_the_read_order() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_TOKEN_SCOPES": "*",
        "PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS": "50",
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "sure",
        "PLUGIN_AGENTS_API_TOKEN": "$TOKEN",
        "PLUGIN_AGENTS_ENV_PROFILE": "qa",
        "ENVIRONMENT": "$ENV",
    }));
    assert_eq!(
        codes(&c),
        vec![
            "unresolved_env_reference",
            "invalid_env_profile",
            "invalid_boolean_setting",
            "unresolved_env_reference",
            "setting_capped",
            "wildcard_token_scopes",
        ]
    );
    let names: Vec<&str> = c
        .warnings
        .iter()
        .filter_map(|w| {
            READ_ORDER
                .iter()
                .find(|k| w.message.contains(&format!("`{k}`")))
        })
        .copied()
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|k| READ_ORDER.iter().position(|x| x == k));
    assert_eq!(names, sorted);
}

#[test]
fn secrets_are_kept_only_as_credential_inputs() {
    let c = resolve(json!({
        "PLUGIN_AGENTS_API_TOKEN": " tok-123 ",
        "PLUGIN_AGENTS_API_CREDENTIALS": "[{\"id\":\"a\",\"token\":\"t\"}]",
        "PLUGIN_AGENTS_WEBHOOK_SECRET": "whsec-1",
        "PLUGIN_AGENTS_WEBHOOK_URL": "https://u:p@h.example/hook?k=v",
    }));
    assert_eq!(c.legacy_token.as_deref(), Some("tok-123"));
    assert!(c.api_credentials.is_some());
    let dump = format!("{:?}", c.webhook);
    assert!(!dump.contains("whsec-1") && !dump.contains("/hook") && !dump.contains("u:p"));
    assert_eq!(
        c.webhook.destination_host.as_deref(),
        Some("https://h.example")
    );
}
