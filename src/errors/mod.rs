//! Errors raised by the core, and the catalogue of stable codes.
//!
//! Two kinds of failure exist:
//!
//! * configuration a caller passed in is wrong: [`InvalidInput`], which names every offending item
//!   and why (never the secret value itself);
//! * a request is denied: never an error, always a result carrying a code from [`codes`].

pub mod codes;

/// Why a token, a key or a JWT setting was refused: the stable reason and a message for the
/// caller (never holding a secret).
pub type JwtRefusal = (codes::JwtReason, String);

use std::fmt;

/// One offending item of a configuration input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidItem {
    /// Where the item sits, e.g. `entries[3]` or `PLUGIN_AGENTS_API_CREDENTIALS[1].token`.
    pub item: String,
    /// Why it was refused, in plain words.
    pub reason: String,
}

/// A caller passed configuration that cannot be used. Lists every bad item, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvalidInput {
    /// What was being read, e.g. `IpAllowlist entries`.
    pub subject: String,
    /// Every offending item, in input order.
    pub items: Vec<InvalidItem>,
}

impl InvalidInput {
    /// An empty collection of problems about `subject`.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            items: Vec::new(),
        }
    }

    /// A single problem about `subject`.
    pub fn single(
        subject: impl Into<String>,
        item: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let mut e = Self::new(subject);
        e.push(item, reason);
        e
    }

    /// Records one more offending item.
    pub fn push(&mut self, item: impl Into<String>, reason: impl Into<String>) {
        self.items.push(InvalidItem {
            item: item.into(),
            reason: reason.into(),
        });
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, InvalidInput> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid {}", self.subject)?;
        let n = self.items.len();
        if n > 0 {
            write!(f, " ({n} problem{}): ", if n == 1 { "" } else { "s" })?;
        }
        for (i, it) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", it.item, it.reason)?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidInput {}

/// Shortens user-supplied text for use in an error message (never used for secrets).
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            return out;
        }
        out.extend(c.escape_debug());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_lists_every_item() {
        let mut e = InvalidInput::new("IpAllowlist entries");
        e.push("entries[0] \"10.0.0.5/8\"", "host bits set");
        e.push("entries[2] (int) 5", "not a string");
        let m = e.to_string();
        assert!(m.starts_with("Invalid IpAllowlist entries (2 problems): "));
        assert!(m.contains("entries[0]") && m.contains("entries[2] (int) 5"));
    }

    #[test]
    fn excerpt_truncates_and_escapes() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("a\nb", 5), "a\\nb");
    }
}
