//! The catalogue of stable string codes: request denial reasons, JWT refusal reasons, webhook
//! verification reasons and posture warning codes.
//!
//! A code, once published, never changes meaning. Each enum maps to its snake_case string with
//! `as_str`; the `ALL` lists let tests check that codes are unique and well formed.

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $code:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
        }

        impl $name {
            /// Every code of this kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable snake_case string for this code.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// Looks a code up by its string.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum! {
    /// Why `Guard::authenticate` denied a request (the `reason` field: for the plugin's log only,
    /// never for the HTTP response).
    DenialReason {
        /// No token was presented by any enabled transport.
        TokenMissing => "token_missing",
        /// An `Authorization` header was present but is not a well-formed Bearer credential.
        AuthorizationMalformed => "authorization_malformed",
        /// A presented token does not have a valid format (bad characters, length, checksum).
        TokenMalformed => "token_malformed",
        /// The token matches no configured credential.
        TokenUnknown => "token_unknown",
        /// The token belongs to a revoked managed credential.
        TokenRevoked => "token_revoked",
        /// The token belongs to a paused managed credential.
        TokenPaused => "token_paused",
        /// The token belongs to an expired credential.
        TokenExpired => "token_expired",
        /// The client IP is outside the credential's allowlist.
        IpNotAllowed => "ip_not_allowed",
        /// The client IP could not be determined, and the credential has an allowlist.
        ClientIpUnknown => "client_ip_unknown",
        /// A non-GET/HEAD request carried `apiToken` in the query string.
        QueryTokenOnWrite => "query_token_on_write",
        /// A write request without a JSON content type.
        WriteNotJson => "write_not_json",
        /// The token is required but no usable credential is configured.
        NoCredentials => "no_credentials",
        /// A signed token (JWT) was refused; the JWT reason follows in the message.
        JwtInvalid => "jwt_invalid",
        /// The request array itself is unusable (e.g. a header value that is not text).
        RequestInvalid => "request_invalid",
    }
}

code_enum! {
    /// Why a JWT was refused (`TokenException` messages start with it; `check()` returns it).
    JwtReason {
        /// Not three dot-separated segments, or otherwise not a compact JWS.
        Malformed => "malformed",
        /// A segment is not canonical unpadded base64url.
        MalformedBase64 => "malformed_base64",
        /// A segment is not valid JSON.
        MalformedJson => "malformed_json",
        /// The header is not a valid JOSE header.
        HeaderInvalid => "header_invalid",
        /// The payload is not a JSON object.
        ClaimsNotObject => "claims_not_object",
        /// `alg: none` in any spelling.
        AlgNone => "alg_none",
        /// The token's `alg` is not the one the selected key is bound to.
        AlgMismatch => "alg_mismatch",
        /// The token's `alg` is not supported or not allowed.
        UnsupportedAlg => "unsupported_alg",
        /// The signature does not verify.
        SignatureInvalid => "signature_invalid",
        /// `exp` is at or before now (minus leeway).
        Expired => "expired",
        /// `nbf` is after now (plus leeway).
        NotYetValid => "not_yet_valid",
        /// `iat` is after now (plus leeway).
        IatInFuture => "iat_in_future",
        /// `exp` is required and absent.
        MissingExp => "missing_exp",
        /// A registered claim has the wrong JSON type.
        InvalidClaimType => "invalid_claim_type",
        /// `iss` is not the configured issuer.
        IssuerMismatch => "issuer_mismatch",
        /// `aud` does not contain the configured audience, or is present when none is configured.
        AudienceMismatch => "audience_mismatch",
        /// A key could not be parsed.
        KeyInvalid => "key_invalid",
        /// The key's type does not fit the algorithm.
        KeyTypeMismatch => "key_type_mismatch",
        /// The key is too weak for the algorithm.
        WeakKey => "weak_key",
        /// No key has the token's `kid`.
        KidUnknown => "kid_unknown",
        /// The `kid` header is not a string.
        KidInvalid => "kid_invalid",
        /// The token is longer than `maxTokenBytes`.
        TokenTooLarge => "token_too_large",
        /// A JSON object repeats a member name.
        DuplicateJsonKey => "duplicate_json_key",
        /// The header lists a `crit` extension that is not understood.
        CritUnsupported => "crit_unsupported",
        /// A JWK is not usable.
        JwkInvalid => "jwk_invalid",
        /// The `scope` claim holds text that is not a scope (outside `[a-z0-9:_*.-]`); it is
        /// refused, never cleaned into another scope.
        InvalidScope => "invalid_scope",
        /// An ECDSA signature is not in its canonical low-S form (`s > n/2`): the same claims
        /// under a second, malleated signature.
        SignatureNotCanonical => "signature_not_canonical",
    }
}

code_enum! {
    /// Why `webhook_verify` refused a delivery.
    WebhookReason {
        /// A required header is absent or empty.
        MissingHeader => "missing_header",
        /// A header is present but not of the expected form.
        MalformedHeader => "malformed_header",
        /// The timestamp is older than the tolerance window.
        StaleTimestamp => "stale_timestamp",
        /// The timestamp is newer than now plus the tolerance window.
        FutureTimestamp => "future_timestamp",
        /// No configured secret produces the presented signature.
        SignatureMismatch => "signature_mismatch",
    }
}

code_enum! {
    /// Posture warning codes (`Guard::warnings()`). The emission order is documented in
    /// `docs/posture.md`.
    WarningCode {
        /// `PLUGIN_AGENTS_API_CREDENTIALS` is present but (partly) unusable.
        CredentialsParseError => "credentials_parse_error",
        /// `PLUGIN_AGENTS_ENV_PROFILE` has an unknown value; the strictest profile is used.
        InvalidEnvProfile => "invalid_env_profile",
        /// The environment name is not a known alias; the strictest profile is used.
        UnknownEnvironment => "unknown_environment",
        /// A setting still holds an unresolved `$VAR` reference and counts as unset.
        UnresolvedEnvReference => "unresolved_env_reference",
        /// A boolean setting could not be parsed; its default applies.
        InvalidBooleanSetting => "invalid_boolean_setting",
        /// An integer setting could not be parsed or is out of range; its default applies.
        InvalidIntegerSetting => "invalid_integer_setting",
        /// An integer setting was above its cap and was lowered.
        SettingCapped => "setting_capped",
        /// `PLUGIN_AGENTS_TOKEN_SCOPES` contains no valid scope; the default scopes apply.
        InvalidTokenScopes => "invalid_token_scopes",
        /// Every scope of `PLUGIN_AGENTS_TOKEN_SCOPES` is unavailable; the default scopes are
        /// empty.
        TokenScopesUnavailable => "token_scopes_unavailable",
        /// `PLUGIN_AGENTS_TOKEN_SCOPES` grants the wildcard scope `*`.
        WildcardTokenScopes => "wildcard_token_scopes",
        /// `PLUGIN_AGENTS_REQUIRE_TOKEN=false` in production was forced back on.
        TokenRequirementForcedInProd => "token_requirement_forced_in_prod",
        /// Token enforcement is disabled.
        TokenEnforcementDisabled => "token_enforcement_disabled",
        /// Query-string token transport is enabled.
        QueryTokenEnabled => "query_token_enabled",
        /// Token enforcement is explicitly disabled in production.
        InsecureNoTokenInProd => "insecure_no_token_in_prod",
        /// The token is required but no usable credential exists.
        MissingCredentials => "missing_credentials",
        /// A managed credential row cannot be used and was skipped.
        ManagedCredentialSkipped => "managed_credential_skipped",
        /// Two credentials share one secret; the later one was dropped.
        DuplicateCredential => "duplicate_credential",
        /// Two env credentials share one id; the later one was dropped.
        DuplicateCredentialId => "duplicate_credential_id",
        /// A configured token carries the generated-token prefix but fails its checksum, so it
        /// could never authenticate; it was skipped.
        CredentialTokenMalformed => "credential_token_malformed",
        /// A credential grants the wildcard scope `*`.
        WildcardScopeGranted => "wildcard_scope_granted",
        /// A credential has no usable scope and grants nothing.
        CredentialWithoutScopes => "credential_without_scopes",
        /// A managed credential has expired.
        CredentialExpired => "credential_expired",
        /// A managed credential expires within its reminder window.
        CredentialExpiringSoon => "credential_expiring_soon",
        /// Webhook URL set but secret missing.
        WebhookSecretMissing => "webhook_secret_missing",
        /// Webhook secret set but URL missing.
        WebhookUrlMissing => "webhook_url_missing",
        /// Webhook URL is not an absolute `http(s)://host` URL.
        WebhookUrlInvalid => "webhook_url_invalid",
        /// Trusted proxies are configured but the forwarding header is not pinned.
        ForwardedHeaderNotPinned => "forwarded_header_not_pinned",
        /// Webhook URL is not https.
        WebhookInsecureUrl => "webhook_insecure_url",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check<T: Copy + std::fmt::Debug>(all: &[T], s: impl Fn(T) -> &'static str) {
        let mut seen = HashSet::new();
        for &c in all {
            let code = s(c);
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(!code.is_empty());
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code} is not snake_case"
            );
        }
    }

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        check(DenialReason::ALL, DenialReason::as_str);
        check(JwtReason::ALL, JwtReason::as_str);
        check(WebhookReason::ALL, WebhookReason::as_str);
        check(WarningCode::ALL, WarningCode::as_str);
        for c in JwtReason::ALL {
            assert_eq!(JwtReason::from_code(c.as_str()), Some(*c));
        }
        assert_eq!(DenialReason::from_code("nope"), None);
    }

    #[test]
    fn jwt_reasons_cover_the_contract() {
        // The JWT reason codes of the PHP contract ([spec:jwt]).
        let contract = "malformed malformed_base64 malformed_json header_invalid claims_not_object \
            alg_none alg_mismatch unsupported_alg signature_invalid expired not_yet_valid \
            iat_in_future missing_exp invalid_claim_type issuer_mismatch audience_mismatch \
            key_invalid key_type_mismatch weak_key kid_unknown kid_invalid token_too_large \
            duplicate_json_key crit_unsupported jwk_invalid";
        for code in contract.split_whitespace() {
            assert!(JwtReason::from_code(code).is_some(), "{code} missing");
        }
    }
}
