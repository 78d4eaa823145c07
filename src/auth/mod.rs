//! Authentication of one request against the compiled policy ([spec:token-requirement],
//! [spec:credentials], [spec:transport], [spec:denials]).
//!
//! Order: the write contract (400), then, when the token is not required, the anonymous
//! principal; else no usable credential (503); then the presented token ([spec:transport]), its format
//! (generated tokens carry a checksum), the digest lookup, the credential's lifecycle at
//! request time and its IP allowlist. Every 401 has the same body and `WWW-Authenticate`
//! header; only `reason` (for the plugin's log) says why ([spec:denials]).

pub mod jwt_bearer;
pub mod transport;

use std::borrow::Cow;
use std::net::IpAddr;

use crate::credentials::expiry::Mode;
use crate::credentials::{Credential, CredentialSet};
use crate::digest::TokenDigest;
use crate::errors::codes::{DenialReason, JwtReason};
use crate::ip::{self, Allowlist};
use crate::request::Request;
use crate::scopes::Availability;
use crate::tokens::{self, Format};

pub use transport::AuthMethod;

/// The one 401 message, whatever the cause.
pub const UNAUTHORIZED_MESSAGE: &str = "Missing or invalid token.";

/// The `WWW-Authenticate` challenge of every 401 (RFC 6750).
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"agents\"";

/// Message of the 503 when the token is required but no usable credential exists.
pub const MISCONFIGURED_MESSAGE: &str = "API credentials are required but not configured.";

/// Appended to [`MISCONFIGURED_MESSAGE`] in production with `failOnMissingTokenInProd`.
pub const MISCONFIGURED_PRODUCTION_SUFFIX: &str =
    " Refusing to serve guarded endpoints in production.";

/// `credentialId` of the anonymous principal.
pub const ANONYMOUS_ID: &str = "anonymous";

/// `principalFingerprint` of the anonymous principal.
pub const ANONYMOUS_FINGERPRINT: &str = "token-disabled";

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
    /// Signed bearer tokens accepted (the Guard option `jwt`).
    pub jwt: Option<&'a jwt_bearer::JwtAuth>,
    /// The forwarding header trusted proxies write (the Guard option `forwardedHeader`).
    pub forwarded_header: ip::ForwardingHeader,
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

/// An authenticated caller, borrowing from the policy (the request path allocates nothing for
/// it); [`Principal`] is its owned form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalRef<'a> {
    /// Credential id or handle (`anonymous` when the token is not required).
    pub credential_id: Cow<'a, str>,
    /// `env`, `cp`, `jwt` or `unknown`.
    pub credential_source: &'static str,
    /// Managed credential row id.
    pub managed_credential_id: Option<i64>,
    /// `authorization`, `x-agents-token`, `query`, `jwt` or `none`.
    pub auth_method: &'static str,
    /// Non-secret stable fingerprint of the credential.
    pub principal_fingerprint: Cow<'a, str>,
    /// Granted scopes: borrowed when they are a configured list (a credential's, or the
    /// anonymous principal's), owned when they were made for this request (a signed token's
    /// claims, or a list narrowed by availability).
    pub scopes: Cow<'a, [String]>,
    /// Actions by this caller need a human approval.
    pub force_human_approval: bool,
    /// The resolved client IP (IPv4-mapped addresses as IPv4).
    pub client_ip: Option<IpAddr>,
}

impl<'a> PrincipalRef<'a> {
    /// The granted scopes when they are a configured list, the same for every request that
    /// grants them (a caller may keep what it derives from them); `None` for scopes made for
    /// this request alone, such as a signed token's, which its issuer chooses.
    pub fn configured_scopes(&self) -> Option<&'a [String]> {
        match self.scopes {
            Cow::Borrowed(configured) => Some(configured),
            Cow::Owned(_) => None,
        }
    }

    /// The owned principal.
    pub fn to_principal(&self) -> Principal {
        Principal {
            credential_id: self.credential_id.to_string(),
            credential_source: self.credential_source,
            managed_credential_id: self.managed_credential_id,
            auth_method: self.auth_method,
            principal_fingerprint: self.principal_fingerprint.to_string(),
            scopes: self.scopes.to_vec(),
            force_human_approval: self.force_human_approval,
            client_ip: self.client_ip.map(|ip| ip.to_string()),
        }
    }
}

/// A denied request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// HTTP status.
    pub status: u16,
    /// Error code ([spec:denials]): `UNAUTHORIZED`, `INVALID_REQUEST`, `SERVER_MISCONFIGURED`, ...
    pub error: &'static str,
    /// Response message (no oracle: identical for every 401 cause).
    pub message: String,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The precise cause, for the plugin's log only.
    pub reason: DenialReason,
    /// For a refused signed token, the JWT reason (log only).
    pub detail: Option<JwtReason>,
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
    /// The denial reason, if denied.
    pub fn reason(&self) -> Option<DenialReason> {
        match self {
            Outcome::Allowed(_) => None,
            Outcome::Denied(d) => Some(d.reason),
        }
    }
}

/// The 401 every authentication failure gets.
pub fn unauthorized(reason: DenialReason) -> Denial {
    Denial {
        status: 401,
        error: "UNAUTHORIZED",
        message: UNAUTHORIZED_MESSAGE.to_owned(),
        headers: vec![("WWW-Authenticate".to_owned(), WWW_AUTHENTICATE.to_owned())],
        reason,
        detail: None,
    }
}

fn invalid_request(reason: DenialReason) -> Denial {
    let message = match reason {
        DenialReason::QueryTokenOnWrite => transport::QUERY_TOKEN_ON_WRITE_MESSAGE,
        _ => transport::WRITE_NOT_JSON_MESSAGE,
    };
    Denial {
        status: 400,
        error: "INVALID_REQUEST",
        message: message.to_owned(),
        headers: Vec::new(),
        reason,
        detail: None,
    }
}

fn misconfigured(policy: &AuthPolicy<'_>) -> Denial {
    let mut message = MISCONFIGURED_MESSAGE.to_owned();
    if policy.production && policy.fail_on_missing_token_in_prod {
        message.push_str(MISCONFIGURED_PRODUCTION_SUFFIX);
    }
    Denial {
        status: 503,
        error: "SERVER_MISCONFIGURED",
        message,
        headers: Vec::new(),
        reason: DenialReason::NoCredentials,
        detail: None,
    }
}

/// The client address via [`ip::client::resolve`] with the trusted proxies; an IPv4-mapped IPv6
/// address is reported as IPv4.
pub fn resolve_client_ip(
    request: &Request<'_>,
    trusted_proxies: &Allowlist,
    which: ip::ForwardingHeader,
) -> Option<IpAddr> {
    let headers = || -> Vec<ip::HeaderLine<'_>> {
        request
            .headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), Some(v.as_bytes())))
            .collect()
    };
    ip::client::resolve(
        request.remote_addr.as_bytes(),
        headers,
        trusted_proxies,
        which,
    )
}

/// True when `allowlist` admits `ip`: the rule of [`Allowlist::contains`], so an IPv4-mapped
/// address and its IPv4 form match the same entries (IPv4 entries and IPv4-mapped IPv6 entries
/// alike), exactly as `IpAllowlist::contains` answers.
pub fn ip_allowed(allowlist: &Allowlist, ip: IpAddr) -> bool {
    allowlist.contains(ip)
}

/// Authenticates one request at time `now` (unix seconds).
pub fn authenticate(policy: &AuthPolicy<'_>, request: &Request<'_>, now: i64) -> Outcome {
    match authenticate_ref(policy, request, now) {
        Ok(p) => Outcome::Allowed(p.to_principal()),
        Err(d) => Outcome::Denied(d),
    }
}

/// [`authenticate`], with the principal borrowed from the policy.
pub fn authenticate_ref<'a>(
    policy: &AuthPolicy<'a>,
    request: &Request<'_>,
    now: i64,
) -> Result<PrincipalRef<'a>, Denial> {
    transport::check_write_contract(request).map_err(invalid_request)?;
    let client_ip = resolve_client_ip(request, policy.trusted_proxies, policy.forwarded_header)
        .map(|ip| ip.to_canonical());
    if !policy.require_token {
        let anonymous = policy.anonymous_scopes;
        let scopes = if anonymous.iter().all(|s| policy.availability.allows(s)) {
            Cow::Borrowed(anonymous)
        } else {
            Cow::Owned(policy.availability.filter(anonymous))
        };
        return Ok(PrincipalRef {
            credential_id: Cow::Borrowed(ANONYMOUS_ID),
            credential_source: "unknown",
            managed_credential_id: None,
            auth_method: "none",
            principal_fingerprint: Cow::Borrowed(ANONYMOUS_FINGERPRINT),
            scopes,
            // No identity: nothing this caller starts runs without a human.
            force_human_approval: true,
            client_ip,
        });
    }
    if !policy.credentials.any_usable_at(now) && policy.jwt.is_none() {
        return Err(misconfigured(policy));
    }
    let presented = transport::extract(request, policy.allow_query_token)
        .map_err(unauthorized)?
        .ok_or_else(|| unauthorized(DenialReason::TokenMissing))?;
    if let Some(jwt) = policy.jwt
        && presented.method == transport::AuthMethod::Authorization
        && crate::jwt::looks_like_jwt(presented.token)
    {
        return signed_principal(jwt, presented.token, client_ip, now, policy);
    }
    let digest = TokenDigest::of(presented.token.as_bytes());
    let credentials: &'a CredentialSet = policy.credentials;
    let found = credentials.find(&digest);
    // A mistyped or truncated generated token is refused as such, known or not (a credential
    // classifies its own token once).
    let malformed = match found {
        Some(c) => c.token_is_malformed(presented.token),
        None => tokens::format(presented.token) == Format::Malformed,
    };
    if malformed {
        return Err(unauthorized(DenialReason::TokenMalformed));
    }
    let credential = found.ok_or_else(|| unauthorized(DenialReason::TokenUnknown))?;
    admit(credential, client_ip, now).map_err(unauthorized)?;
    Ok(PrincipalRef {
        credential_id: Cow::Borrowed(&credential.id),
        credential_source: credential.source.as_str(),
        managed_credential_id: credential.managed_id,
        auth_method: presented.method.as_str(),
        principal_fingerprint: Cow::Borrowed(credential.fingerprint()),
        scopes: Cow::Borrowed(&credential.scopes[..]),
        force_human_approval: credential.terms.force_human_approval,
        client_ip,
    })
}

/// A Bearer JWT verified with the configured keys.
fn signed_principal<'a>(
    jwt: &jwt_bearer::JwtAuth,
    token: &str,
    client_ip: Option<IpAddr>,
    now: i64,
    policy: &AuthPolicy<'a>,
) -> Result<PrincipalRef<'a>, Denial> {
    let p = jwt.verify(token, now).map_err(|reason| Denial {
        detail: Some(reason),
        ..unauthorized(DenialReason::JwtInvalid)
    })?;
    Ok(PrincipalRef {
        credential_id: Cow::Owned(p.subject),
        credential_source: "jwt",
        managed_credential_id: None,
        auth_method: "jwt",
        principal_fingerprint: Cow::Owned(p.fingerprint),
        scopes: Cow::Owned(policy.availability.filter(&p.scopes)),
        force_human_approval: true,
        client_ip,
    })
}

/// The matched credential's lifecycle at `now`, then its IP allowlist.
fn admit(c: &Credential, client_ip: Option<IpAddr>, now: i64) -> Result<(), DenialReason> {
    match c.terms.lifecycle.mode(now) {
        Mode::Revoked => return Err(DenialReason::TokenRevoked),
        Mode::Expired => return Err(DenialReason::TokenExpired),
        Mode::Paused => return Err(DenialReason::TokenPaused),
        Mode::ExpiringSoon | Mode::Active => {}
    }
    if c.terms.allowlist.is_empty() {
        return Ok(());
    }
    match client_ip {
        None => Err(DenialReason::ClientIpUnknown),
        Some(ip) if ip_allowed(&c.terms.allowlist, ip) => Ok(()),
        Some(_) => Err(DenialReason::IpNotAllowed),
    }
}

#[cfg(test)]
mod tests;
