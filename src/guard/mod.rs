//! The Guard: one compiled policy per configuration. Built once from the plugin's env values,
//! managed credential rows and options; answers `authenticate`, `posture`, `capabilities`,
//! `warnings` and `diagnostics`.

use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use crate::auth::{self, AuthPolicy, Denial, Outcome, PrincipalRef};
use crate::credentials::managed::{self, RowSource};
use crate::credentials::{CredentialInputs, CredentialSet, CredentialSummary};
use crate::errors::InvalidInput;
use crate::errors::codes::WarningCode;
use crate::posture;
use crate::request::Request;
use crate::settings::RuntimeConfig;
use crate::warnings::Warning;

mod env;
mod options;

pub use env::{normalize_env, wipe_env};
pub use options::{GuardOptions, OPTION_KEYS};

/// The compiled policy. Nothing that depends on the time is frozen at build: every answer
/// reads the clock (or the `now` option) when it is asked.
#[derive(Debug)]
pub struct Guard {
    config: RuntimeConfig,
    credentials: CredentialSet,
    options: GuardOptions,
    /// The trusted proxies are configured without a pinned forwarding header.
    forwarding_unpinned: bool,
    /// The last state derived for some instant, reused while the time signature holds.
    view: Mutex<Option<Arc<View>>>,
}

/// What the Guard reports at a range of instants that see the same credential states.
#[derive(Debug)]
pub struct View {
    signature: (usize, usize),
    summary: CredentialSummary,
    warnings: Vec<Warning>,
    posture: OnceLock<Arc<Value>>,
    warning_values: OnceLock<Arc<Value>>,
}

impl View {
    /// The credential summary.
    pub fn summary(&self) -> &CredentialSummary {
        &self.summary
    }

    /// Every warning, in the documented order.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

impl Guard {
    /// Compiles the policy from `$env`, `$managedCredentials` and `$options`.
    pub fn new(
        env: &Map<String, Value>,
        managed_rows: &[Value],
        options: &Map<String, Value>,
    ) -> Result<Self, InvalidInput> {
        Self::with_rows(env, managed::read_values(managed_rows), options)
    }

    /// [`Guard::new`] with the managed rows read elsewhere (by a
    /// `credentials::managed::RowReader` over any source of columns, such as a PHP array),
    /// already or as they are handed over.
    pub fn with_rows(
        env: &Map<String, Value>,
        managed_rows: impl RowSource,
        options: &Map<String, Value>,
    ) -> Result<Self, InvalidInput> {
        let env = normalize_env(env);
        let options = GuardOptions::parse(options);
        let (mut env, options) = match (env, options) {
            (Ok(e), Ok(o)) => (e, o),
            (Err(mut a), Err(b)) => {
                a.subject = "Guard configuration".to_owned();
                a.items.extend(b.items);
                return Err(a);
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let mut config = RuntimeConfig::resolve(&env, &options.settings);
        let now = options.now.unwrap_or_else(crate::time::unix_now);
        let inputs = CredentialInputs {
            api_credentials: config.api_credentials.as_deref(),
            legacy_token: config.legacy_token.as_deref(),
            managed_rows: &[],
            token_scopes: &config.token_scopes,
            availability: config.availability,
            now,
        };
        let credentials = CredentialSet::compile(&inputs, managed_rows);
        if let Some(t) = config.legacy_token.as_mut() {
            zeroize::Zeroize::zeroize(t);
        }
        config.legacy_token = None;
        if let Some(t) = config.api_credentials.as_mut() {
            zeroize::Zeroize::zeroize(t);
        }
        config.api_credentials = None;
        wipe_env(&mut env);
        let forwarding_unpinned =
            !options.trusted_proxies.is_empty() && !options.forwarded_header_pinned;
        Ok(Self {
            config,
            credentials,
            options,
            forwarding_unpinned,
            view: Mutex::new(None),
        })
    }

    /// The state as of `now`: derived again only when some credential's expiry status differs
    /// from the last instant asked.
    pub fn view_at(&self, now: i64) -> Arc<View> {
        let signature = self.credentials.time_signature(now);
        let mut last = self.view.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = last.as_ref().filter(|v| v.signature == signature) {
            return Arc::clone(v);
        }
        let summary = self.credentials.summary_at(now);
        let credential_warnings = self.credentials.warnings_at(now);
        let mut warnings = posture::warnings(&self.config, &summary, &credential_warnings);
        if self.forwarding_unpinned {
            warnings.push(Warning::warn(
                WarningCode::ForwardedHeaderNotPinned,
                "Trusted proxies are configured but the forwarding header is not pinned: a \
                 client-sent `Forwarded` header is believed when the proxy only appends \
                 `X-Forwarded-For`. Set the Guard option `forwardedHeader` to the header your \
                 proxy writes.",
            ));
        }
        let view = Arc::new(View {
            signature,
            summary,
            warnings,
            posture: OnceLock::new(),
            warning_values: OnceLock::new(),
        });
        *last = Some(Arc::clone(&view));
        view
    }

    /// The state as of now (the clock, or the `now` option).
    pub fn view(&self) -> Arc<View> {
        self.view_at(self.now(None))
    }

    fn now(&self, now: Option<i64>) -> i64 {
        now.or(self.options.now)
            .unwrap_or_else(crate::time::unix_now)
    }

    /// The resolved settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Authenticates one request.
    pub fn authenticate(&self, request: &Request<'_>) -> Outcome {
        auth::authenticate(&self.policy(), request, self.now(None))
    }

    /// [`Guard::authenticate`], with the principal borrowed from the Guard.
    pub fn authenticate_ref(&self, request: &Request<'_>) -> Result<PrincipalRef<'_>, Denial> {
        auth::authenticate_ref(&self.policy(), request, self.now(None))
    }

    fn policy(&self) -> AuthPolicy<'_> {
        AuthPolicy {
            require_token: self.config.require_token,
            allow_query_token: self.config.allow_query_token,
            anonymous_scopes: &self.config.token_scopes,
            credentials: &self.credentials,
            trusted_proxies: &self.options.trusted_proxies,
            production: self.config.is_production,
            fail_on_missing_token_in_prod: self.config.fail_on_missing_token_in_prod,
            availability: self.config.availability,
            jwt: self.options.jwt.as_deref(),
            forwarded_header: self.options.forwarded_header,
        }
    }

    /// True when the principal's `scopes` satisfy `required` (any of them, for a list); scopes
    /// unavailable under this configuration never count.
    pub fn has_scope<S: AsRef<str>, R: AsRef<str>>(
        &self,
        principal_scopes: &[S],
        required: &[R],
    ) -> bool {
        self.config
            .availability
            .has_any_scope(principal_scopes, required)
    }

    /// The posture object as of now (the clock, or the `now` option).
    pub fn posture(&self) -> Arc<Value> {
        let view = self.view();
        Arc::clone(view.posture.get_or_init(|| {
            Arc::new(posture::posture(
                &self.config,
                &view.summary,
                &view.warnings,
            ))
        }))
    }

    /// The `authentication` block of `/capabilities`, as of now.
    pub fn capabilities(&self) -> Value {
        posture::capabilities(&self.config, &self.view().summary)
    }

    /// Every warning with its code, as of now.
    pub fn warnings(&self) -> Vec<Warning> {
        self.view().warnings.clone()
    }

    /// Every warning as a `{level, code, message}` list, as of now.
    pub fn warning_values(&self) -> Arc<Value> {
        let view = self.view();
        Arc::clone(view.warning_values.get_or_init(|| {
            Arc::new(Value::Array(
                view.warnings.iter().map(Warning::to_value).collect(),
            ))
        }))
    }

    /// `checks.auth` of the diagnostics bundle, as of now.
    pub fn diagnostics(&self) -> Value {
        let now = self.now(None);
        let view = self.view_at(now);
        posture::diagnostics(&self.config, &view.summary, &view.warnings, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn unknown_and_mistyped_options_are_all_named() {
        let e = Guard::new(
            &map(json!({"X": []})),
            &[],
            &map(json!({"trustedProxy": ["10.0.0.0/8"], "now": "soon", "commerceEnabled": 1})),
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("trustedProxy") && m.contains("now") && m.contains("commerceEnabled"));
        assert!(m.contains("X"), "{m}");
    }
}
