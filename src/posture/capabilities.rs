//! The `authentication` block of `/capabilities` ([spec:capabilities], methods per
//! [spec:advertised-methods]), with the
//! `runtimeProfile` object inside it.

use serde_json::{Map, Value, json};

use crate::credentials::CredentialSummary;
use crate::settings::{POLICY_VERSION, RuntimeConfig};

/// The `runtimeProfile` object (also OpenAPI's `x-runtime-profile`).
pub fn runtime_profile(config: &RuntimeConfig) -> Value {
    json!({
        "environment": config.environment,
        "environmentProfile": config.profile.as_str(),
        "environmentProfileSource": config.profile_source.as_str(),
        "profileDefaultsApplied": config.profile_defaults_applied(),
        "profileDefaultsAppliedFields": config.defaults_applied_fields,
        "effectivePolicyVersion": POLICY_VERSION,
    })
}

/// How a token may be presented: nothing when tokens are not required; else the two headers,
/// and the query parameter (GET/HEAD only) when query tokens are enabled.
fn methods(config: &RuntimeConfig, out: &mut Map<String, Value>) {
    let methods: Vec<&str> = if config.require_token {
        vec!["Authorization: Bearer <token>", "X-Agents-Token: <token>"]
    } else {
        Vec::new()
    };
    out.insert("methods".into(), json!(methods));
    if config.require_token && config.allow_query_token {
        out.insert("queryParam".into(), json!("apiToken"));
        out.insert("queryParamAllowedMethods".into(), json!(["GET", "HEAD"]));
    }
}

/// The `authentication` block of `/capabilities`.
pub fn capabilities(config: &RuntimeConfig, summary: &CredentialSummary) -> Value {
    let mut out = Map::with_capacity(16);
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_owned(), v);
    };
    put("required", json!(config.require_token));
    put("allowQueryToken", json!(config.allow_query_token));
    put(
        "allowInsecureNoTokenInProd",
        json!(config.allow_insecure_no_token_in_prod),
    );
    put(
        "tokenRequirementForcedInProd",
        json!(config.token_requirement_forced_in_prod),
    );
    put(
        "failOnMissingTokenInProd",
        json!(config.fail_on_missing_token_in_prod),
    );
    put("tokenConfigured", json!(summary.credential_count > 0));
    put("credentialCount", json!(summary.credential_count));
    put("environment", json!(config.environment));
    put("environmentProfile", json!(config.profile.as_str()));
    put(
        "environmentProfileSource",
        json!(config.profile_source.as_str()),
    );
    put(
        "profileDefaultsApplied",
        json!(config.profile_defaults_applied()),
    );
    put("effectivePolicyVersion", json!(POLICY_VERSION));
    methods(config, &mut out);
    out.insert("runtimeProfile".into(), runtime_profile(config));
    Value::Object(out)
}
