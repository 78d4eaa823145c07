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
    /// Webhook subscriptions; `None` for none (every event). Boxed: most credentials have
    /// none, and the compiled set keeps a `Terms` for every credential.
    pub subscriptions: Option<Box<Subscriptions>>,
}

/// What a credential subscribes to among webhook events (at least one list is not empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscriptions {
    /// Subscribed webhook resource types (empty = any).
    pub resource_types: Vec<String>,
    /// Subscribed webhook actions (empty = any).
    pub actions: Vec<String>,
}

impl Subscriptions {
    /// The subscriptions of these two lists: `None` when both are empty.
    pub fn of(resource_types: Vec<String>, actions: Vec<String>) -> Option<Box<Self>> {
        (!resource_types.is_empty() || !actions.is_empty()).then(|| {
            Box::new(Self {
                resource_types,
                actions,
            })
        })
    }
}

impl Terms {
    /// Subscribed webhook resource types (empty = any).
    pub fn webhook_resource_types(&self) -> &[String] {
        self.subscriptions
            .as_deref()
            .map_or(&[], |s| s.resource_types.as_slice())
    }

    /// Subscribed webhook actions (empty = any).
    pub fn webhook_actions(&self) -> &[String] {
        self.subscriptions
            .as_deref()
            .map_or(&[], |s| s.actions.as_slice())
    }
}
