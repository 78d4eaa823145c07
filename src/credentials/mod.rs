//! Credential sources and the compiled credential set: managed rows (CP), the env JSON set
//! `PLUGIN_AGENTS_API_CREDENTIALS` and the legacy `PLUGIN_AGENTS_API_TOKEN` (reference §4).
//!
//! Provisional: the types below are the interface the Guard and the posture use; the parsing
//! is filled in by the credentials work.
#![forbid(unsafe_code)]

use serde_json::Value;

use crate::scopes::Availability;
use crate::warnings::Warning;

/// What the credential set is built from. Env values are already resolved: `None` when unset,
/// empty or an unresolved `$VAR` reference.
#[derive(Debug, Clone, Copy)]
pub struct CredentialInputs<'a> {
    /// `PLUGIN_AGENTS_API_CREDENTIALS`.
    pub api_credentials: Option<&'a str>,
    /// `PLUGIN_AGENTS_API_TOKEN`.
    pub legacy_token: Option<&'a str>,
    /// Managed credential rows, as the plugin passes them.
    pub managed_rows: &'a [Value],
    /// The effective default token scopes (fallback for env credentials without scopes).
    pub token_scopes: &'a [String],
    /// Which optional API parts are on.
    pub availability: Availability,
    /// Evaluation time, unix seconds.
    pub now: i64,
}

/// Expiry status counts over non-revoked managed credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpirySummary {
    /// Expired.
    pub expired: usize,
    /// Not expired, within the reminder window.
    pub expiring_soon: usize,
    /// Not expired and having an expiry (expiring-soon ones included).
    pub active_with_expiry: usize,
}

/// How webhook events are delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeliveryMode {
    /// Every event is delivered.
    #[default]
    Firehose,
    /// Only events matching some credential's subscription.
    Targeted,
}

impl DeliveryMode {
    /// `firehose` or `targeted`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryMode::Firehose => "firehose",
            DeliveryMode::Targeted => "targeted",
        }
    }
}

/// Non-secret facts about the credential set, for the posture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialSummary {
    /// Usable credentials after de-duplication.
    pub credential_count: usize,
    /// Usable env credentials (JSON set and legacy token).
    pub env_count: usize,
    /// Usable managed credentials.
    pub managed_count: usize,
    /// `<source>:<id>` of every usable credential, e.g. `cp:content-qa`, `env:default`.
    pub ids: Vec<String>,
    /// `PLUGIN_AGENTS_API_CREDENTIALS` was present but (partly) unusable.
    pub parse_error: bool,
    /// `PLUGIN_AGENTS_API_TOKEN` was set.
    pub primary_token_configured: bool,
    /// Managed credential expiry counts.
    pub expiry: ExpirySummary,
    /// Webhook delivery mode derived from managed credentials' subscriptions.
    pub delivery_mode: DeliveryMode,
}

/// The compiled set of usable credentials. Holds digests only, never raw tokens.
#[derive(Debug, Default)]
pub struct CredentialSet {
    summary: CredentialSummary,
}

impl CredentialSet {
    /// Builds the set; rows or entries that cannot be used are skipped and reported.
    pub fn build(inputs: &CredentialInputs<'_>) -> (Self, Vec<Warning>) {
        let summary = CredentialSummary {
            primary_token_configured: inputs.legacy_token.is_some(),
            ..CredentialSummary::default()
        };
        (Self { summary }, Vec::new())
    }

    /// Non-secret facts for the posture.
    pub fn summary(&self) -> &CredentialSummary {
        &self.summary
    }

    /// True when no usable credential exists.
    pub fn is_empty(&self) -> bool {
        self.summary.credential_count == 0
    }
}
