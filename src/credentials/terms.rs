//! The terms every credential is granted on, whatever its source.

use super::expiry::Lifecycle;
use crate::ip::Allowlist;

/// The terms a credential is granted on (from where, until when, with which approvals and
/// subscriptions): the fields every credential source
/// carries (managed rows, env entries) and the compiled credential keeps. Scopes are apart: a
/// source may leave them out (env entries then take the configured token scopes), the compiled
/// credential always has them.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    /// Allowed client networks (empty = any).
    pub allowlist: Allowlist,
    /// Expiry, revocation, pause, reminder window.
    pub lifecycle: Lifecycle,
    /// Actions by this credential need a human approval.
    pub force_human_approval: bool,
    /// Subscribed webhook resource types (empty = any).
    pub webhook_resource_types: Vec<String>,
    /// Subscribed webhook actions (empty = any).
    pub webhook_actions: Vec<String>,
}
