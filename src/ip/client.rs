//! Client-IP resolution behind trusted reverse proxies.
//!
//! The socket peer is the client unless it is a trusted proxy. Then the forwarding chain is
//! read: the RFC 7239 `Forwarded` header when the request has one, else `X-Forwarded-For`. The
//! chain is walked from the right (the hop appended last, by the proxy closest to us), skipping
//! trusted proxies; the first untrusted hop is the client. When every hop is trusted, the
//! left-most hop is the client. A hop that cannot be read (malformed text, `unknown`, an
//! obfuscated identifier, a value that is not text) ends the walk: the result is then the last
//! hop that was read, which is a trusted proxy, so a value a client could have written is never
//! taken for its address.
//!
//! Because `Forwarded` wins whenever present, a trusted proxy that only maintains
//! `X-Forwarded-For` must strip a `Forwarded` header sent by the client; otherwise the client
//! chooses its own address.
//!
//! Header names are matched case-insensitively; several instances of one header are read as
//! one list, in order (`a` then `b` reads as `a, b`). IPv4-mapped IPv6 results are returned as
//! IPv4.
//!
//! Accepted hop forms. `X-Forwarded-For`: `ipv4`, `ipv6`, `ipv4:port`, `[ipv6]`,
//! `[ipv6]:port`; empty list elements are skipped. `Forwarded`: the `for=` parameter of each
//! element, as a token or quoted string holding `ipv4`, `ipv4:port`, `[ipv6]` or `[ipv6]:port`
//! (ports may be obfuscated, `_abc`); `for=unknown`, `for=_hidden`, a missing or repeated
//! `for`, or any syntax error ends the walk.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::net::IpAddr;

use super::Allowlist;
use super::parse::{parse_addr, parse_v4, parse_v6};

/// One hop of a forwarding chain, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hop {
    /// A readable address.
    Addr(IpAddr),
    /// Anything else: ends the walk.
    Stop,
}

/// One request header: its name and its value (`None` when the value is not text).
pub type Header<'a> = (&'a [u8], Option<&'a [u8]>);

/// Which forwarding header a trusted proxy writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardingHeader {
    /// `Forwarded` when present, else `X-Forwarded-For` (the contract of `client_ip`). Behind a
    /// proxy that only appends `X-Forwarded-For`, a client-sent `Forwarded` would be believed:
    /// pin the header the proxy really writes.
    #[default]
    Auto,
    /// Only `X-Forwarded-For`; a `Forwarded` header is ignored.
    XForwardedFor,
    /// Only RFC 7239 `Forwarded`; an `X-Forwarded-For` header is ignored.
    Forwarded,
}

impl ForwardingHeader {
    /// Reads `auto`, `x-forwarded-for` or `forwarded` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "x-forwarded-for" => Some(Self::XForwardedFor),
            "forwarded" => Some(Self::Forwarded),
            _ => None,
        }
    }
}

/// The client address of a request; see the module docs. `None` when the peer address is not
/// a valid IP address.
pub fn resolve(remote_addr: &[u8], headers: &[Header<'_>], trusted: &Allowlist) -> Option<IpAddr> {
    resolve_with(remote_addr, headers, trusted, ForwardingHeader::Auto)
}

/// [`resolve`], reading only the forwarding header `which` names.
pub fn resolve_with(
    remote_addr: &[u8],
    headers: &[Header<'_>],
    trusted: &Allowlist,
    which: ForwardingHeader,
) -> Option<IpAddr> {
    let peer = super::parse_ip_bytes(remote_addr)?;
    if !trusted.contains(peer) {
        return Some(peer.to_canonical());
    }
    let mut last = peer;
    let forwarded = match which {
        ForwardingHeader::XForwardedFor => None,
        _ => header(headers, b"forwarded"),
    };
    let xff = match which {
        ForwardingHeader::Forwarded => None,
        _ => header(headers, b"x-forwarded-for"),
    };
    match (forwarded, xff) {
        (Some(Some(v)), _) => walk(forwarded_hops(&v).into_iter().rev(), trusted, &mut last),
        (None, Some(Some(v))) => {
            let hops = v
                .rsplit(|&b| b == b',')
                .map(trim_ows)
                .filter(|h| !h.is_empty())
                .map(xff_hop);
            walk(hops, trusted, &mut last);
        }
        // No forwarding header, or one whose value is not text: the peer is the last hop.
        _ => {}
    }
    Some(last.to_canonical())
}

/// Walks hops right to left. Returns with `last` set to the client: the first untrusted hop,
/// or the last readable trusted one.
fn walk(hops: impl Iterator<Item = Hop>, trusted: &Allowlist, last: &mut IpAddr) {
    for hop in hops {
        match hop {
            Hop::Addr(ip) => {
                *last = ip;
                if !trusted.contains(ip) {
                    return;
                }
            }
            Hop::Stop => return,
        }
    }
}

/// All instances of the header `name` joined with `, `: `None` when absent, `Some(None)` when
/// some instance is not text.
fn header<'a>(headers: &[Header<'a>], name: &[u8]) -> Option<Option<Cow<'a, [u8]>>> {
    let mut found: Option<Option<Cow<'a, [u8]>>> = None;
    for (n, v) in headers {
        if !n.eq_ignore_ascii_case(name) {
            continue;
        }
        found = Some(match (found, v) {
            (Some(None), _) | (_, None) => None,
            (None, Some(v)) => Some(Cow::Borrowed(*v)),
            (Some(Some(prev)), Some(v)) => {
                let mut joined = prev.into_owned();
                joined.extend_from_slice(b", ");
                joined.extend_from_slice(v);
                Some(Cow::Owned(joined))
            }
        });
    }
    found
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ows(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ows(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// One `X-Forwarded-For` element (already trimmed, non-empty).
fn xff_hop(s: &[u8]) -> Hop {
    if s.first() == Some(&b'[') {
        return bracketed_node(s);
    }
    let Ok(text) = std::str::from_utf8(s) else {
        return Hop::Stop;
    };
    if let Ok(ip) = parse_addr(text) {
        return Hop::Addr(ip);
    }
    v4_node(text)
}

/// `ipv4` or `ipv4:port`.
fn v4_node(text: &str) -> Hop {
    let (host, port) = match text.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    match (parse_v4(host), port.is_none_or(valid_port)) {
        (Ok(ip), true) => Hop::Addr(IpAddr::V4(ip)),
        _ => Hop::Stop,
    }
}

/// `[ipv6]` or `[ipv6]:port`.
fn bracketed_node(s: &[u8]) -> Hop {
    let Ok(text) = std::str::from_utf8(s) else {
        return Hop::Stop;
    };
    let Some(rest) = text.strip_prefix('[') else {
        return Hop::Stop;
    };
    let Some((inner, after)) = rest.split_once(']') else {
        return Hop::Stop;
    };
    let port_ok = match after.strip_prefix(':') {
        Some(p) => valid_port(p),
        None => after.is_empty(),
    };
    match (parse_v6(inner), port_ok) {
        (Ok(ip), true) => Hop::Addr(IpAddr::V6(ip)),
        _ => Hop::Stop,
    }
}

/// A decimal port `0..=65535` (1 to 5 digits) or an RFC 7239 obfuscated port (`_` then
/// letters, digits, `.`, `_`, `-`).
fn valid_port(p: &str) -> bool {
    if let Some(obf) = p.strip_prefix('_') {
        return !obf.is_empty()
            && obf
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    }
    !p.is_empty()
        && p.len() <= 5
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.parse::<u16>().is_ok()
}

/// RFC 7230 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The hops of a `Forwarded` value, left to right. Elements are split at commas outside quoted
/// strings; an unterminated quoted string makes the last element unreadable.
fn forwarded_hops(v: &[u8]) -> Vec<Hop> {
    let mut hops = Vec::new();
    let mut start = 0usize;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, &b) in v.iter().enumerate() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_quotes = false;
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if b == b',' {
            push_element(&v[start..i], &mut hops);
            start = i + 1;
        }
    }
    if in_quotes {
        hops.push(Hop::Stop);
    } else {
        push_element(&v[start..], &mut hops);
    }
    hops
}

fn push_element(el: &[u8], hops: &mut Vec<Hop>) {
    let el = trim_ows(el);
    if !el.is_empty() {
        hops.push(element_hop(el));
    }
}

/// The `for=` node of one `Forwarded` element: `pair *( ";" pair )`, `pair = token "=" value`.
fn element_hop(el: &[u8]) -> Hop {
    let mut pos = 0usize;
    let mut node: Option<Cow<'_, [u8]>> = None;
    loop {
        while el.get(pos).copied().is_some_and(is_ows) {
            pos += 1;
        }
        if pos == el.len() {
            break;
        }
        if el[pos] == b';' {
            pos += 1;
            continue;
        }
        let name_start = pos;
        while el.get(pos).copied().is_some_and(is_tchar) {
            pos += 1;
        }
        let name = &el[name_start..pos];
        if name.is_empty() || el.get(pos) != Some(&b'=') {
            return Hop::Stop;
        }
        pos += 1;
        let Some((value, next)) = pair_value(el, pos) else {
            return Hop::Stop;
        };
        pos = next;
        if name.eq_ignore_ascii_case(b"for") {
            if node.is_some() {
                return Hop::Stop;
            }
            node = Some(value);
        }
        while el.get(pos).copied().is_some_and(is_ows) {
            pos += 1;
        }
        match el.get(pos) {
            None => break,
            Some(b';') => pos += 1,
            Some(_) => return Hop::Stop,
        }
    }
    match node {
        Some(n) => forwarded_node(&n),
        None => Hop::Stop,
    }
}

/// A token or quoted-string value starting at `pos`; returns it (unescaped) and the position
/// after it.
fn pair_value(el: &[u8], mut pos: usize) -> Option<(Cow<'_, [u8]>, usize)> {
    if el.get(pos) == Some(&b'"') {
        pos += 1;
        let mut out = Vec::new();
        loop {
            match *el.get(pos)? {
                b'"' => return Some((Cow::Owned(out), pos + 1)),
                b'\\' => {
                    out.push(*el.get(pos + 1)?);
                    pos += 2;
                }
                b => {
                    out.push(b);
                    pos += 1;
                }
            }
        }
    }
    let start = pos;
    while el.get(pos).copied().is_some_and(is_tchar) {
        pos += 1;
    }
    (pos > start).then(|| (Cow::Borrowed(&el[start..pos]), pos))
}

/// RFC 7239 `node`: `ipv4[:port]`, `"[ipv6]"[:port]`; `unknown` and obfuscated names stop.
fn forwarded_node(n: &[u8]) -> Hop {
    if n.first() == Some(&b'[') {
        return bracketed_node(n);
    }
    match std::str::from_utf8(n) {
        Ok(text) => v4_node(text),
        Err(_) => Hop::Stop,
    }
}

#[cfg(test)]
mod pinned_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pinned_header_ignores_the_other() {
        let trusted = Allowlist::parse_value(&json!(["10.0.0.0/8"])).unwrap();
        let h: Vec<Header<'_>> = vec![
            (b"Forwarded", Some(b"for=198.51.100.66")),
            (b"X-Forwarded-For", Some(b"203.0.113.9")),
        ];
        let ip = |w| resolve_with(b"10.0.0.1", &h, &trusted, w).map(|a| a.to_string());
        assert_eq!(ip(ForwardingHeader::Auto).as_deref(), Some("198.51.100.66"));
        assert_eq!(
            ip(ForwardingHeader::XForwardedFor).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            ip(ForwardingHeader::Forwarded).as_deref(),
            Some("198.51.100.66")
        );
        assert_eq!(
            ForwardingHeader::from_name(" X-Forwarded-For "),
            Some(ForwardingHeader::XForwardedFor)
        );
        assert_eq!(ForwardingHeader::from_name("via"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(list: &str) -> Allowlist {
        Allowlist::parse_value(&serde_json::Value::String(list.to_owned())).unwrap()
    }

    fn resolve_str(peer: &str, headers: &[(&str, &str)], t: &str) -> Option<String> {
        let h: Vec<Header<'_>> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), Some(v.as_bytes())))
            .collect();
        resolve(peer.as_bytes(), &h, &trusted(t)).map(|ip| ip.to_string())
    }

    const PROXIES: &str = "10.0.0.0/8 ::1";

    #[test]
    fn untrusted_peer_is_the_client_whatever_the_headers_say() {
        let got = resolve_str("203.0.113.9", &[("X-Forwarded-For", "1.1.1.1")], PROXIES);
        assert_eq!(got.as_deref(), Some("203.0.113.9"));
        let got = resolve_str("203.0.113.9", &[("Forwarded", "for=1.1.1.1")], "");
        assert_eq!(got.as_deref(), Some("203.0.113.9"));
    }

    #[test]
    fn xff_is_walked_from_the_right_skipping_trusted_hops() {
        let h = [("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("198.51.100.7")
        );
        let h = [("X-FORWARDED-FOR", "10.0.0.3 , 10.0.0.2")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("10.0.0.3")
        );
        assert_eq!(
            resolve_str("10.0.0.1", &[], PROXIES).as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn malformed_hops_stop_at_the_last_trusted_hop() {
        let h = [("X-Forwarded-For", "1.1.1.1, garbage, 10.0.0.2")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("10.0.0.2")
        );
        let h = [("X-Forwarded-For", "1.1.1.1, unknown")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("10.0.0.1")
        );
        let h = [("X-Forwarded-For", "1.1.1.1,,  ,10.0.0.2,")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("1.1.1.1")
        );
    }

    #[test]
    fn xff_ports_and_brackets() {
        let h = [("X-Forwarded-For", "[2001:db8::7]:443, 10.0.0.2:8080")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("2001:db8::7")
        );
        let h = [("X-Forwarded-For", "1.2.3.4:99999")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn repeated_headers_join_in_order() {
        let h = [
            ("X-Forwarded-For", "5.5.5.5"),
            ("Accept", "x"),
            ("x-forwarded-for", "10.0.0.9"),
        ];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("5.5.5.5")
        );
    }

    #[test]
    fn forwarded_wins_over_xff() {
        let h = [
            ("X-Forwarded-For", "7.7.7.7"),
            (
                "Forwarded",
                r#"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#,
            ),
        ];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("2001:db8:cafe::17")
        );
        let h = [("Forwarded", r#"for=192.0.2.60, For="[::1]""#)];
        assert_eq!(
            resolve_str("::1", &h, PROXIES).as_deref(),
            Some("192.0.2.60")
        );
    }

    #[test]
    fn forwarded_stops_on_unknown_obfuscated_and_syntax_errors() {
        for v in [
            "for=1.1.1.1, for=unknown",
            "for=1.1.1.1, for=_hidden",
            "for=1.1.1.1, proto=https",
            "for=1.1.1.1, for=2001:db8::1",
            "for=1.1.1.1, for=\"[2001:db8::1]",
            "for=1.1.1.1, for=1.2.3.4;for=5.6.7.8",
            "for=1.1.1.1, for==1.2.3.4",
            "for=1.1.1.1, for=1.2.3.4 x",
            "for=1.1.1.1, for=\"1.2.3.4:70000\"",
        ] {
            let got = resolve_str("10.0.0.1", &[("Forwarded", v)], PROXIES);
            assert_eq!(got.as_deref(), Some("10.0.0.1"), "{v}");
        }
        let h = [("Forwarded", r#"for="[2001:db8::1]:_p"; proto=https"#)];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("2001:db8::1")
        );
        let h = [("Forwarded", r#"for="1.2.\"3.4""#)];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn quoted_commas_do_not_split_elements() {
        // The client tries to smuggle a hop inside a quoted string of its own element.
        let h = [(
            "Forwarded",
            r#"for=1.1.1.1;x="a, for=6.6.6.6", for=10.0.0.2"#,
        )];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("1.1.1.1")
        );
    }

    #[test]
    fn mapped_addresses_are_unwrapped() {
        assert_eq!(
            resolve_str("::ffff:203.0.113.9", &[], PROXIES).as_deref(),
            Some("203.0.113.9")
        );
        let h = [("X-Forwarded-For", "::ffff:198.51.100.1")];
        assert_eq!(
            resolve_str("::ffff:10.0.0.1", &h, PROXIES).as_deref(),
            Some("198.51.100.1")
        );
    }

    #[test]
    fn invalid_peer_or_values_fail_closed() {
        assert_eq!(resolve_str("", &[], PROXIES), None);
        assert_eq!(resolve_str("unknown", &[], PROXIES), None);
        assert_eq!(resolve_str(" 10.0.0.1", &[], PROXIES), None);
        let h: [Header<'_>; 1] = [(b"X-Forwarded-For", None)];
        let got = resolve(b"10.0.0.1", &h, &trusted(PROXIES));
        assert_eq!(got, Some("10.0.0.1".parse().unwrap()));
        let h: [Header<'_>; 1] = [(b"X-Forwarded-For", Some(b"1.1.1.1, \xff, 10.0.0.2"))];
        let got = resolve(b"10.0.0.1", &h, &trusted(PROXIES));
        assert_eq!(got, Some("10.0.0.2".parse().unwrap()));
        assert_eq!(resolve(b"10.0.0.1\xff", &[], &trusted(PROXIES)), None);
    }
}
