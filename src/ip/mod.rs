//! IP allowlists and client-IP resolution.
//!
//! Provisional implementation: the public surface below is the contract other modules use
//! (`Allowlist::parse_value`, `Allowlist::contains`, `client_ip`, `parse_ip`).
#![forbid(unsafe_code)]

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use crate::errors::InvalidInput;

/// A compiled list of networks. Parsed once; `contains` never re-parses.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    nets: Vec<IpNet>,
}

/// Parses one address strictly (no zone id, brackets, port or leading zeros).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

impl Allowlist {
    /// Parses entries given as text (split on commas and whitespace, or JSON array text) or as a
    /// JSON list of strings. Every bad entry is reported.
    pub fn parse_value(input: &Value) -> Result<Self, InvalidInput> {
        let mut err = InvalidInput::new("IP allowlist");
        let mut nets = Vec::new();
        let items: Vec<Value> = match input {
            Value::String(s) => s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
            Value::Array(a) => a.clone(),
            Value::Null => Vec::new(),
            _ => {
                err.push("entries", "must be a string or a list");
                return Err(err);
            }
        };
        for (i, it) in items.iter().enumerate() {
            match it.as_str() {
                Some(s) => match s
                    .parse::<IpNet>()
                    .ok()
                    .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
                {
                    Some(n) if n.trunc() == n => nets.push(n),
                    _ => err.push(format!("entries[{i}]"), "not a valid address or network"),
                },
                None => err.push(format!("entries[{i}]"), "not a string"),
            }
        }
        err.into_result(Self { nets })
    }

    /// True when some entry contains `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.nets.len()
    }

    /// True when the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }
}

/// The client address: the socket peer unless it is a trusted proxy, then the forwarding
/// headers walked from the right. `headers` are (name, value) pairs; names case-insensitive.
pub fn client_ip(
    remote_addr: &str,
    headers: &[(&str, &str)],
    trusted: &Allowlist,
) -> Option<IpAddr> {
    let peer = parse_ip(remote_addr.trim())?;
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let xff = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-forwarded-for"))
        .map(|(_, v)| *v)?;
    let mut last = peer;
    for hop in xff.rsplit(',') {
        let ip = parse_ip(hop.trim())?;
        last = ip;
        if !trusted.contains(ip) {
            return Some(ip);
        }
    }
    Some(last)
}
