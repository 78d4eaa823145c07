//! Authentication of one request against the compiled policy (reference §3–§6, §9).
//!
//! Provisional: the types below are the interface the Guard uses; the logic is filled in by the
//! credentials work.
#![forbid(unsafe_code)]

use serde_json::{Map, Value, json};

use crate::credentials::CredentialSet;
use crate::errors::codes::DenialReason;
use crate::ip::Allowlist;
use crate::request::Request;
use crate::scopes::Availability;

/// Everything `authenticate` needs, borrowed from the Guard.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy<'a> {
    /// Effective token requirement (after the production guardrail).
    pub require_token: bool,
    /// `?apiToken` accepted on GET/HEAD.
    pub allow_query_token: bool,
    /// Scopes of the anonymous principal when the token is not required.
    pub anonymous_scopes: &'a [String],
    /// The credential set.
    pub credentials: &'a CredentialSet,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: &'a Allowlist,
    /// The resolved profile is production.
    pub production: bool,
    /// `PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD` (changes the 503 message only).
    pub fail_on_missing_token_in_prod: bool,
    /// Which optional API parts are on (granted scopes are filtered by it).
    pub availability: Availability,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Credential id or handle (`anonymous` when the token is not required).
    pub credential_id: String,
    /// `env`, `cp`, `jwt` or `unknown`.
    pub credential_source: &'static str,
    /// Managed credential row id.
    pub managed_credential_id: Option<i64>,
    /// `authorization`, `x-agents-token`, `query`, `jwt` or `none`.
    pub auth_method: &'static str,
    /// Non-secret stable fingerprint of the credential.
    pub principal_fingerprint: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Actions by this caller need a human approval.
    pub force_human_approval: bool,
    /// The resolved client IP.
    pub client_ip: Option<String>,
}

/// A denied request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// HTTP status.
    pub status: u16,
    /// Error code of reference §9.3.
    pub error: &'static str,
    /// Response message (no oracle: identical for every 401 cause).
    pub message: String,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The precise cause, for the plugin's log only.
    pub reason: DenialReason,
}

/// The result of `authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Authenticated.
    Allowed(Principal),
    /// Denied.
    Denied(Denial),
}

impl Outcome {
    /// The PHP result array of api.md.
    pub fn to_value(&self) -> Value {
        match self {
            Outcome::Allowed(p) => json!({
                "ok": true,
                "principal": {
                    "credentialId": p.credential_id,
                    "credentialSource": p.credential_source,
                    "managedCredentialId": p.managed_credential_id,
                    "authMethod": p.auth_method,
                    "principalFingerprint": p.principal_fingerprint,
                    "scopes": p.scopes,
                    "forceHumanApproval": p.force_human_approval,
                    "clientIp": p.client_ip,
                }
            }),
            Outcome::Denied(d) => {
                let headers: Map<String, Value> = d
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                json!({
                    "ok": false,
                    "status": d.status,
                    "error": d.error,
                    "message": d.message,
                    "headers": headers,
                    "reason": d.reason.as_str(),
                })
            }
        }
    }
}

/// Authenticates one request.
pub fn authenticate(_policy: &AuthPolicy<'_>, _request: &Request<'_>, _now: i64) -> Outcome {
    Outcome::Denied(Denial {
        status: 401,
        error: "UNAUTHORIZED",
        message: "Missing or invalid token.".to_owned(),
        headers: vec![("WWW-Authenticate".to_owned(), "Bearer".to_owned())],
        reason: DenialReason::TokenMissing,
    })
}
