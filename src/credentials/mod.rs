//! Credential sources and the compiled credential set: managed rows (CP), the env JSON set
//! `PLUGIN_AGENTS_API_CREDENTIALS` and the legacy `PLUGIN_AGENTS_API_TOKEN` ([spec:credentials]).
//!
//! Built once per Guard. Merge order is managed ++ env JSON ++ legacy; a credential whose
//! secret (token digest) was already seen is dropped and reported (first wins), and so is an
//! env credential reusing an env id. Unlike the plugin, which kept only id, scopes and token, the whole record
//! survives the merge: scopes, IP allowlist, lifecycle and `forceHumanApproval` reach the
//! request path. Raw env tokens are digested (SHA-256) and wiped; only digests are kept, indexed
//! by a keyed mix of their bytes (stored hashes that share most of their bytes still spread
//! out: [`crate::digest::DigestTable`]) and confirmed with a constant-time comparison of the
//! full digest.
//!
//! Revoked, paused and expired managed rows stay in the index (not counted as usable) so a
//! request presenting their token is denied with the precise reason; their secret also keeps
//! blocking any later duplicate of it.

pub mod env_json;
pub mod expiry;
pub mod field;
pub mod managed;
pub mod name;
pub mod readers;
pub mod terms;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use self::expiry::ExpiryStatus;
pub use self::name::Name;
pub use self::terms::Terms;
use crate::digest::{DigestTable, TokenDigest};
use crate::errors::codes::WarningCode;
use crate::scopes::{Availability, WILDCARD};
use crate::tokens;
use crate::warnings::Warning;

/// What the credential set is built from. Env values are already resolved: `None` when unset,
/// empty or an unresolved `$VAR` reference.
#[derive(Debug, Clone, Copy)]
pub struct CredentialInputs<'a> {
    /// `PLUGIN_AGENTS_API_CREDENTIALS`.
    pub api_credentials: Option<&'a str>,
    /// `PLUGIN_AGENTS_API_TOKEN`.
    pub legacy_token: Option<&'a str>,
    /// Managed credential rows, as the plugin passes them (see also
    /// [`CredentialSet::build_with`] for rows read elsewhere).
    pub managed_rows: &'a [Value],
    /// The effective default token scopes (fallback for env credentials without scopes).
    pub token_scopes: &'a [String],
    /// Which optional API parts are on.
    pub availability: Availability,
    /// Evaluation time, unix seconds.
    pub now: i64,
}

/// A scope list, shared by every credential granted an equal one.
pub type ScopeList = Arc<[String]>;

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

/// Where a credential comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Environment (JSON set or legacy token).
    Env,
    /// Managed in the control panel.
    Cp,
}

impl Source {
    /// `env` or `cp`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Env => "env",
            Source::Cp => "cp",
        }
    }
}

/// One credential with its full policy. Holds the token digest, never the token.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Id (env) or handle (managed), normalized.
    pub id: Name,
    /// Source.
    pub source: Source,
    /// Managed row id.
    pub managed_id: Option<i64>,
    /// Granted scopes, availability-filtered (credentials granted the same list share it).
    pub scopes: ScopeList,
    /// Allowlist, lifecycle, approval and webhook subscriptions.
    pub terms: Terms,
    digest: TokenDigest,
    /// The fingerprint, derived on first use and kept.
    fingerprint: OnceLock<Box<str>>,
    /// Whether the token is a malformed generated one, found out on first use and kept.
    malformed: Verdict,
}

/// Whether a credential's token is a malformed generated token: not known yet, yes or no. A
/// token that matches a credential's digest is that credential's token, so the answer found
/// for one presentation holds for every later one.
#[derive(Debug)]
struct Verdict(AtomicU8);

impl Default for Verdict {
    fn default() -> Self {
        Self(AtomicU8::new(Self::UNKNOWN))
    }
}

impl Verdict {
    const UNKNOWN: u8 = 0;
    const YES: u8 = 1;
    const NO: u8 = 2;
}

impl Clone for Verdict {
    fn clone(&self) -> Self {
        Self(AtomicU8::new(self.0.load(Ordering::Relaxed)))
    }
}

impl Credential {
    /// `<source>:<id>`.
    pub fn qualified_id(&self) -> String {
        let source = self.source.as_str();
        let mut out = String::with_capacity(source.len() + 1 + self.id.len());
        out.push_str(source);
        out.push(':');
        out.push_str(&self.id);
        out
    }

    /// The non-secret principal fingerprint, derived from the digest on first use and kept
    /// (building the set hashes nothing twice; later requests do not hash it again).
    pub fn fingerprint(&self) -> &str {
        self.fingerprint
            .get_or_init(|| self.digest.fingerprint().into_boxed_str())
    }

    /// True when `token`, this credential's token (its digest matched), carries the generated
    /// prefix but is not a well-formed generated token ([`tokens::format`]). Classified on
    /// first use and kept: every later presentation is the same token.
    pub(crate) fn token_is_malformed(&self, token: &str) -> bool {
        match self.malformed.0.load(Ordering::Relaxed) {
            Verdict::YES => true,
            Verdict::NO => false,
            _ => {
                let malformed = tokens::format(token) == tokens::Format::Malformed;
                let seen = if malformed { Verdict::YES } else { Verdict::NO };
                self.malformed.0.store(seen, Ordering::Relaxed);
                malformed
            }
        }
    }

    /// Has webhook subscriptions.
    pub fn has_subscriptions(&self) -> bool {
        !self.terms.webhook_resource_types().is_empty() || !self.terms.webhook_actions().is_empty()
    }
}

/// The compiled set of credentials. Holds digests only, never raw tokens.
///
/// Nothing that depends on the time is frozen at build: the summary and the warnings are
/// available as of any instant ([`CredentialSet::summary_at`], [`CredentialSet::warnings_at`]),
/// and [`CredentialSet::time_signature`] tells cheaply whether two instants see the same state.
#[derive(Debug, Default)]
pub struct CredentialSet {
    entries: Vec<Credential>,
    index: DigestTable,
    env_ids: HashSet<Name>,
    /// `PLUGIN_AGENTS_API_CREDENTIALS` was present but (partly) unusable.
    parse_error: bool,
    /// `PLUGIN_AGENTS_API_TOKEN` was set.
    primary_token_configured: bool,
    /// The instant of the build (`inputs.now`).
    built_at: i64,
    /// The summary as of the build, derived when first asked for.
    summary: OnceLock<CredentialSummary>,
    /// The warnings that do not depend on the time, in order; each credential's expiry
    /// warning, if any at the instant asked, goes after those raised before it was added.
    notes: Vec<Note>,
    /// The instants at which an expiry status changes, sorted when first asked for (by the
    /// posture, never by a request).
    times: OnceLock<TimePoints>,
    /// Some credential is usable whatever the time (not revoked, not paused, no expiry).
    usable_always: bool,
    /// The latest expiry of the credentials that are usable until they expire.
    usable_until: Option<i64>,
}

/// The digest of the entry at each position, as the digest table asks for it.
fn digest_at<'e>(entries: &'e [Credential]) -> impl Fn(usize) -> Option<&'e TokenDigest> {
    move |i| entries.get(i).map(|e| &e.digest)
}

/// The instants at which some credential's expiry status changes.
#[derive(Debug, Default)]
struct TimePoints {
    /// Sorted expiry times of non-revoked credentials (expired at `now` iff `t <= now`).
    expiry: Vec<i64>,
    /// Sorted starts of the reminder windows of the same credentials (`now > t` inside).
    reminder: Vec<i64>,
}

/// A credential warning that does not depend on the time, with the number of credentials the
/// set held when it was raised: it goes before the expiry warning of every later credential.
#[derive(Debug, Clone)]
struct Note {
    at: usize,
    warning: Warning,
}

/// A credential before de-duplication.
struct Candidate {
    id: Name,
    source: Source,
    managed_id: Option<i64>,
    digest: TokenDigest,
    scopes: Option<ScopeList>,
    terms: Terms,
}

impl Candidate {
    fn env(id: String, digest: TokenDigest, scopes: Option<Vec<String>>, terms: Terms) -> Self {
        Self {
            id: Name::from(id),
            source: Source::Env,
            managed_id: None,
            digest,
            scopes: scopes.map(Arc::from),
            terms,
        }
    }
}

/// What the build keeps between candidates: the warnings so far, and the last granted scope list
/// with its availability-filtered form (candidates sharing a list share the filtered one too).
struct Building<'i, 'a> {
    inputs: &'i CredentialInputs<'a>,
    notes: Vec<Note>,
    last_scopes: Option<(ScopeList, ScopeList)>,
}

impl Building<'_, '_> {
    /// Records a warning raised when the set held `at` credentials.
    fn note(&mut self, at: usize, code: WarningCode, message: String) {
        self.notes.push(Note {
            at,
            warning: Warning::warn(code, message),
        });
    }

    /// `granted` without the scopes unavailable under this configuration (the same list when
    /// every scope is available).
    fn available(&mut self, granted: ScopeList) -> ScopeList {
        if let Some((last, filtered)) = &self.last_scopes
            && Arc::ptr_eq(last, &granted)
        {
            // The list itself when nothing was filtered out (no reference count to move).
            return if Arc::ptr_eq(filtered, &granted) {
                granted
            } else {
                Arc::clone(filtered)
            };
        }
        let availability = self.inputs.availability;
        let filtered = if granted.iter().all(|s| availability.allows(s)) {
            Arc::clone(&granted)
        } else {
            Arc::from(availability.filter(&granted))
        };
        self.last_scopes = Some((granted, Arc::clone(&filtered)));
        filtered
    }
}

impl CredentialSet {
    /// Builds the set; rows or entries that cannot be used are skipped and reported.
    pub fn build(inputs: &CredentialInputs<'_>) -> (Self, Vec<Warning>) {
        Self::build_with(inputs, managed::read_values(inputs.managed_rows))
    }

    /// [`CredentialSet::build`] with the managed rows already read (by [`managed::parse_row`]
    /// into a [`managed::Row`]); `inputs.managed_rows` is not looked at.
    pub fn build_with(
        inputs: &CredentialInputs<'_>,
        managed_rows: Vec<managed::ManagedRow>,
    ) -> (Self, Vec<Warning>) {
        let set = Self::compile(inputs, managed_rows);
        let warnings = set.warnings_at(inputs.now);
        (set, warnings)
    }

    /// [`CredentialSet::build_with`] without the warnings as of the build: for a caller that
    /// asks for them at the instant it needs them ([`CredentialSet::warnings_at`]). The summary
    /// as of the build is derived when [`CredentialSet::summary`] is first called.
    pub fn compile(inputs: &CredentialInputs<'_>, managed_rows: impl managed::RowSource) -> Self {
        let mut set = CredentialSet {
            built_at: inputs.now,
            ..CredentialSet::default()
        };
        let rows = managed_rows.size_hint();
        set.entries.reserve(rows + 1);
        set.index = DigestTable::with_capacity(rows + 1);
        let mut b = Building {
            inputs,
            notes: Vec::new(),
            last_scopes: None,
        };
        managed_rows.for_each_row(|row| set.add_managed(row, &mut b));
        if let Some(raw) = inputs
            .api_credentials
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            set.add_env_json(raw, &mut b);
        }
        if let Some(token) = inputs.legacy_token.map(str::trim).filter(|s| !s.is_empty()) {
            set.add_legacy(token, &mut b);
        }
        set.notes = b.notes;
        set
    }

    /// Counts a credential just added towards [`CredentialSet::any_usable_at`].
    fn note_usable(&mut self, lifecycle: &expiry::Lifecycle) {
        if lifecycle.revoked || lifecycle.paused {
            return;
        }
        match lifecycle.expires_at {
            Some(exp) => self.usable_until = self.usable_until.max(Some(exp)),
            None => self.usable_always = true,
        }
    }

    /// The instants at which a credential's expiry status changes, sorted on first use.
    fn time_points(&self) -> &TimePoints {
        self.times.get_or_init(|| {
            let mut t = TimePoints::default();
            for c in self.entries.iter().filter(|c| !c.terms.lifecycle.revoked) {
                if let Some(exp) = c.terms.lifecycle.expires_at {
                    t.expiry.push(exp);
                    // Expiring soon iff floor((exp - now) / DAY) <= reminderDays, that is
                    // now > exp - (reminderDays + 1) * DAY.
                    let window = c.terms.lifecycle.reminder_days.saturating_add(1);
                    t.reminder
                        .push(exp.saturating_sub(window.saturating_mul(expiry::DAY)));
                }
            }
            t.expiry.sort_unstable();
            t.reminder.sort_unstable();
            t
        })
    }

    /// Two instants with the same signature see the same summary and warnings (each expiry
    /// status is a threshold on the time, so how many thresholds lie behind `now` tells which).
    pub fn time_signature(&self, now: i64) -> (usize, usize) {
        let t = self.time_points();
        (
            t.expiry.partition_point(|&t| t <= now),
            t.reminder.partition_point(|&t| t < now),
        )
    }

    /// True when some credential can authenticate at `now` (two comparisons, for the request
    /// path: a credential usable until it expires is usable at `now` iff `now` is before its
    /// expiry, so the latest of those expiries tells).
    pub fn any_usable_at(&self, now: i64) -> bool {
        self.usable_always || self.usable_until.is_some_and(|t| now < t)
    }

    /// The per-credential warnings as of `now`, in order.
    pub fn warnings_at(&self, now: i64) -> Vec<Warning> {
        let mut out = Vec::with_capacity(self.notes.len());
        let mut notes = self.notes.iter().peekable();
        for (i, c) in self.entries.iter().enumerate() {
            while let Some(note) = notes.next_if(|n| n.at <= i) {
                out.push(note.warning.clone());
            }
            let lifecycle = &c.terms.lifecycle;
            if lifecycle.revoked || lifecycle.expires_at.is_none() {
                continue;
            }
            let name = || format!("`{}`", c.qualified_id());
            match lifecycle.expiry_status(now) {
                ExpiryStatus::Expired => out.push(Warning::warn(
                    WarningCode::CredentialExpired,
                    format!(
                        "Credential {} has expired and can no longer authenticate.",
                        name()
                    ),
                )),
                ExpiryStatus::ExpiringSoon => out.push(Warning::warn(
                    WarningCode::CredentialExpiringSoon,
                    format!("Credential {} expires within its reminder window.", name()),
                )),
                _ => {}
            }
        }
        out.extend(notes.map(|n| n.warning.clone()));
        out
    }

    fn add_managed(&mut self, row: managed::ManagedRow, b: &mut Building<'_, '_>) {
        match row {
            Ok(m) => self.add(
                Candidate {
                    id: m.handle,
                    source: Source::Cp,
                    managed_id: Some(m.managed_id),
                    digest: m.digest,
                    scopes: Some(m.scopes),
                    terms: m.terms,
                },
                b,
            ),
            Err(skipped) => b.note(
                self.entries.len(),
                WarningCode::ManagedCredentialSkipped,
                skipped.message(),
            ),
        }
    }

    fn add_env_json(&mut self, raw: &str, b: &mut Building<'_, '_>) {
        let parsed = env_json::parse(raw);
        self.parse_error = !parsed.problems.is_empty();
        for problem in parsed.problems {
            b.note(
                self.entries.len(),
                WarningCode::CredentialsParseError,
                problem,
            );
        }
        for e in parsed.entries {
            let digest = TokenDigest::of(e.token.as_bytes());
            let c = Candidate::env(e.id, digest, e.scopes, e.terms);
            self.add(c, b);
        }
    }

    fn add_legacy(&mut self, token: &str, b: &mut Building<'_, '_>) {
        self.primary_token_configured = true;
        match env_json::check_token_format(token) {
            Ok(()) => {
                let digest = TokenDigest::of(token.as_bytes());
                let c = Candidate::env("default".to_owned(), digest, None, Terms::default());
                self.add(c, b);
            }
            Err(why) => b.note(
                self.entries.len(),
                WarningCode::CredentialTokenMalformed,
                format!("`PLUGIN_AGENTS_API_TOKEN` was skipped: {why}."),
            ),
        }
    }

    fn add(&mut self, c: Candidate, b: &mut Building<'_, '_>) {
        let name = || format!("`{}:{}`", c.source.as_str(), c.id);
        let at = self.entries.len();
        // One probe of the table: the slot found here is the one filled below.
        let slot = match self.index.slot(&c.digest, digest_at(&self.entries)) {
            Err(first) => {
                b.note(
                    at,
                    WarningCode::DuplicateCredential,
                    format!(
                        "Credential {} uses the same secret as `{}` and was dropped (the first \
                         one wins).",
                        name(),
                        self.entries
                            .get(first)
                            .map(Credential::qualified_id)
                            .unwrap_or_default()
                    ),
                );
                return;
            }
            Ok(slot) => slot,
        };
        if c.source == Source::Env && !self.env_ids.insert(c.id.clone()) {
            b.note(
                at,
                WarningCode::DuplicateCredentialId,
                format!(
                    "A second env credential uses the id {}; it was dropped (ids must be \
                     unique: they bind sync-state writes).",
                    name()
                ),
            );
            return;
        }
        let granted = c.scopes.unwrap_or_else(|| Arc::from(b.inputs.token_scopes));
        let scopes = b.available(granted);
        if !c.terms.lifecycle.revoked {
            if scopes.is_empty() {
                b.note(
                    at,
                    WarningCode::CredentialWithoutScopes,
                    format!(
                        "Credential {} has no available scope and grants nothing (an empty \
                         scope list never falls back to other scopes).",
                        name()
                    ),
                );
            }
            if scopes.iter().any(|s| s == WILDCARD) {
                b.note(
                    at,
                    WarningCode::WildcardScopeGranted,
                    format!(
                        "Credential {} grants the wildcard scope `*` (every scope).",
                        name()
                    ),
                );
            }
        }
        slot.fill(at);
        self.note_usable(&c.terms.lifecycle);
        self.entries.push(Credential {
            id: c.id,
            source: c.source,
            managed_id: c.managed_id,
            scopes,
            terms: c.terms,
            digest: c.digest,
            fingerprint: OnceLock::new(),
            malformed: Verdict::default(),
        });
    }

    /// Non-secret facts as of `now` (a pass over every credential: for the posture, not for
    /// the request path).
    pub fn summary_at(&self, now: i64) -> CredentialSummary {
        let mut s = CredentialSummary {
            parse_error: self.parse_error,
            primary_token_configured: self.primary_token_configured,
            ..CredentialSummary::default()
        };
        for c in &self.entries {
            if c.source == Source::Cp && !c.terms.lifecycle.revoked {
                match c.terms.lifecycle.expiry_status(now) {
                    ExpiryStatus::Expired => s.expiry.expired += 1,
                    ExpiryStatus::ExpiringSoon => {
                        s.expiry.expiring_soon += 1;
                        s.expiry.active_with_expiry += 1;
                    }
                    ExpiryStatus::Active => s.expiry.active_with_expiry += 1,
                    ExpiryStatus::None | ExpiryStatus::Never => {}
                }
            }
            if !c.terms.lifecycle.mode(now).is_usable() {
                continue;
            }
            s.credential_count += 1;
            match c.source {
                Source::Cp => {
                    s.managed_count += 1;
                    if c.has_subscriptions() {
                        s.delivery_mode = DeliveryMode::Targeted;
                    }
                }
                Source::Env => s.env_count += 1,
            }
            s.ids.push(c.qualified_id());
        }
        s
    }

    /// The credential whose token digest is `digest`. One hash lookup (flat in the number of
    /// credentials), then a constant-time comparison of the full digest.
    pub fn find(&self, digest: &TokenDigest) -> Option<&Credential> {
        // The table confirms the whole digest (in constant time) before it answers.
        let at = self.index.find(digest, digest_at(&self.entries))?;
        self.entries.get(at)
    }

    /// Every credential in the set (usable or not), in merge order.
    pub fn iter(&self) -> impl Iterator<Item = &Credential> {
        self.entries.iter()
    }

    /// Non-secret facts as of the build (see [`CredentialSet::summary_at`]).
    pub fn summary(&self) -> &CredentialSummary {
        self.summary.get_or_init(|| self.summary_at(self.built_at))
    }

    /// True when no usable credential exists at the build.
    pub fn is_empty(&self) -> bool {
        self.summary().credential_count == 0
    }
}

#[cfg(test)]
mod tests;
