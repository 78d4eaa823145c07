//! IP allowlists and client-IP resolution.
//!
//! * [`parse`]: strict address and CIDR text parsers with precise reasons;
//! * [`list`]: reading whole allowlists (text, JSON array text, lists) with limits;
//! * [`matcher`]: the compiled form, one bisection per lookup;
//! * [`client`]: the client address behind trusted proxies.
//!
//! An [`Allowlist`] is parsed once and matched many times; its lookup cost does not grow
//! linearly with the number of entries. IPv4 and IPv6 never cross, except for one rule: an
//! IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) and its IPv4 form `a.b.c.d` match the same
//! entries, so `10.0.0.0/8` and `::ffff:10.0.0.0/104` both hold `10.1.2.3` and
//! `::ffff:10.1.2.3`. [`Allowlist::contains`], [`ip_allowed`] and the Guard all follow it.

pub mod client;
pub mod list;
pub mod matcher;
pub mod parse;

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value;

use crate::errors::InvalidInput;

pub use client::{ForwardingHeader, HeaderLine};
pub use list::{
    Input, ListItem, MAX_ENTRIES, MAX_TEXT_BYTES, Normalized, RefusedEntry, describe_json,
    normalize,
};
pub use matcher::Matcher;
pub use parse::{AddrError, Cidr, EntryError, MAX_ENTRY_BYTES, parse_entry};

/// A compiled list of networks. Parsed once; `contains` never re-parses. A copy shares the
/// compiled form (a clone costs one reference count; the empty list holds nothing).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    compiled: Option<Arc<Compiled>>,
}

/// The entries of a non-empty allowlist and their matcher.
#[derive(Debug)]
struct Compiled {
    entries: Vec<Cidr>,
    matcher: Matcher,
}

/// Parses one address strictly (no zone id, brackets, port, surrounding space or leading
/// zeros).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    parse::parse_addr(text).ok()
}

/// [`parse_ip`] for raw bytes (request values need not be UTF-8; such values are invalid).
pub fn parse_ip_bytes(bytes: &[u8]) -> Option<IpAddr> {
    parse::parse_addr_bytes(bytes)
}

impl Allowlist {
    /// Parses entries given as text (split on commas and whitespace, or JSON array text), as a
    /// JSON list of strings, or `null` (empty). Every bad entry is reported.
    pub fn parse_value(input: &Value) -> Result<Self, InvalidInput> {
        list::normalize_value(input)
            .into_result("IP allowlist", "entries")
            .map(Self::from_sorted)
    }

    /// Parses `input` strictly; the error is about `subject` and names items `label[i]`.
    pub fn parse(input: &Input<'_>, subject: &str, label: &str) -> Result<Self, InvalidInput> {
        normalize(input)
            .into_result(subject, label)
            .map(Self::from_sorted)
    }

    /// [`Allowlist::parse`] of a list given member by member.
    pub fn parse_items<'a>(
        items: impl ExactSizeIterator<Item = ListItem<'a>>,
        subject: &str,
        label: &str,
    ) -> Result<Self, InvalidInput> {
        list::normalize_items(items)
            .into_result(subject, label)
            .map(Self::from_sorted)
    }

    /// An allowlist of the valid entries of `normalized`, ignoring the invalid ones.
    pub fn from_valid(normalized: Normalized) -> Self {
        Self::from_sorted(normalized.entries)
    }

    /// An allowlist of `nets` (any order; duplicates are removed).
    pub fn from_nets(nets: impl IntoIterator<Item = Cidr>) -> Self {
        let mut entries: Vec<Cidr> = nets.into_iter().collect();
        entries.sort_unstable();
        entries.dedup();
        Self::from_sorted(entries)
    }

    fn from_sorted(entries: Vec<Cidr>) -> Self {
        if entries.is_empty() {
            return Self::default();
        }
        let matcher = Matcher::new(&entries);
        Self {
            compiled: Some(Arc::new(Compiled { entries, matcher })),
        }
    }

    /// True when some entry contains `ip` (see the module docs for IPv4-mapped addresses).
    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.compiled
            .as_ref()
            .is_some_and(|c| c.matcher.contains(ip))
    }

    /// [`Allowlist::contains`] for address text from a request: invalid text (including
    /// non-UTF-8) is never contained.
    #[inline]
    pub fn contains_text(&self, ip: &[u8]) -> bool {
        parse_ip_bytes(ip).is_some_and(|ip| self.contains(ip))
    }

    /// The entries in canonical order, de-duplicated.
    pub fn entries(&self) -> &[Cidr] {
        self.compiled.as_ref().map_or(&[], |c| &c.entries)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// True when the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_none()
    }
}

/// One-shot membership: true when `ip` is valid and inside a valid entry of `entries`. Invalid
/// entries never match; an empty list, or one over [`MAX_ENTRIES`], matches nothing.
pub fn ip_allowed(ip: &[u8], entries: &[ListItem<'_>]) -> bool {
    let Some(ip) = parse_ip_bytes(ip) else {
        return false;
    };
    if entries.len() > MAX_ENTRIES {
        return false;
    }
    entries.iter().any(|m| match m {
        ListItem::Text(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| parse_entry(t.trim_matches(is_entry_space)).ok())
            .is_some_and(|net| net.contains(ip)),
        ListItem::Other(_) => false,
    })
}

fn is_entry_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_value_shapes() {
        let a = Allowlist::parse_value(&json!("10.0.0.0/8, ::1")).unwrap();
        assert_eq!(a.len(), 2);
        assert!(a.contains("10.1.2.3".parse().unwrap()));
        let a = Allowlist::parse_value(&json!(["10.0.0.0/8"])).unwrap();
        assert_eq!(a.len(), 1);
        let a = Allowlist::parse_value(&json!("[\"10.0.0.0/8\",\"10.0.0.0/8\"]")).unwrap();
        assert_eq!(a.len(), 1);
        let a = Allowlist::parse_value(&Value::Null).unwrap();
        assert!(a.is_empty() && !a.contains("1.2.3.4".parse().unwrap()));
        let e = Allowlist::parse_value(&json!(["10.0.0.5/8", 5, "x"])).unwrap_err();
        assert_eq!(e.items.len(), 3);
        assert!(
            e.to_string()
                .starts_with("Invalid IP allowlist (3 problems)")
        );
    }

    #[test]
    fn json_text_with_a_repeated_member_name_is_refused() {
        let e = Allowlist::parse_value(&json!(r#"["10.0.0.0/8", {"a":1,"a":2}]"#)).unwrap_err();
        assert!(e.to_string().contains("repeats the member name"), "{e}");
    }

    #[test]
    fn contains_text_is_strict() {
        let a = Allowlist::parse_value(&json!("0.0.0.0/0 ::/0")).unwrap();
        assert!(a.contains_text(b"1.2.3.4"));
        assert!(!a.contains_text(b" 1.2.3.4"));
        assert!(!a.contains_text(b"01.2.3.4"));
        assert!(!a.contains_text(b"[::1]"));
        assert!(!a.contains_text(b"fe80::1%lo"));
        assert!(!a.contains_text(b"1.2.3.4\0"));
        assert!(!a.contains_text(b"\xff"));
        assert!(!a.contains_text(&[b'1'; 1 << 20]));
    }

    #[test]
    fn one_shot_ignores_invalid_entries() {
        let m = |s: &'static str| ListItem::Text(s.as_bytes());
        assert!(ip_allowed(
            b"10.1.1.1",
            &[m("10.0.0.5/8"), m(" 10.0.0.0/8 ")]
        ));
        assert!(!ip_allowed(
            b"10.1.1.1",
            &[m("10.0.0.5/8"), ListItem::Other("(int) 5".into())]
        ));
        assert!(!ip_allowed(b"10.1.1.1", &[]));
        assert!(ip_allowed(b"::ffff:10.1.1.1", &[m("10.0.0.0/8")]));
        assert!(!ip_allowed(b"bogus", &[m("0.0.0.0/0")]));
        let many = vec![m("0.0.0.0/0"); MAX_ENTRIES + 1];
        assert!(!ip_allowed(b"1.1.1.1", &many));
    }

    #[test]
    fn client_behind_a_trusted_proxy() {
        let t = Allowlist::parse_value(&json!(["10.0.0.0/8"])).unwrap();
        let h: [HeaderLine<'_>; 1] = [(b"X-Forwarded-For", Some(b"198.51.100.1, 10.0.0.2"))];
        let got = client::resolve(b"10.0.0.1", || h, &t, ForwardingHeader::Auto);
        assert_eq!(got, Some("198.51.100.1".parse().unwrap()));
    }
}
