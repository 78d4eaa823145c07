//! Posture warnings: a level, a stable code from the catalogue and a message.

use serde_json::{Value, json};

use crate::errors::codes::WarningCode;

/// How serious a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Degraded or risky, but the site is protected.
    Warning,
    /// The configuration is unsafe or cannot serve requests.
    Error,
}

impl Level {
    /// `warning` or `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One posture warning. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Severity.
    pub level: Level,
    /// Stable code.
    pub code: WarningCode,
    /// Human explanation.
    pub message: String,
}

impl Warning {
    /// A warning-level entry.
    pub fn warn(code: WarningCode, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            code,
            message: message.into(),
        }
    }

    /// An error-level entry.
    pub fn error(code: WarningCode, message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            code,
            message: message.into(),
        }
    }

    /// `{level, code, message}` as in the PHP contract.
    pub fn to_value(&self) -> Value {
        json!({"level": self.level.as_str(), "code": self.code.as_str(), "message": self.message})
    }
}
