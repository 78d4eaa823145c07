//! Client-IP resolution behind trusted reverse proxies.
//!
//! The socket peer is the client unless it is a trusted proxy. Then the forwarding chain is
//! read: the RFC 7239 `Forwarded` header when the request has one, else `X-Forwarded-For`. The
//! chain is walked from the right (the hop appended last, by the proxy closest to us), skipping
//! trusted proxies; the first untrusted hop is the client. When every hop is trusted, the
//! left-most hop is the client.
//!
//! **A chain that cannot be read completely makes the client unknown** (`None`), never the
//! last trusted hop: a value a client wrote can neither be taken for its address nor turn the
//! client into its proxy. The chain is malformed when any instance of the header is not text,
//! holds a control character or is not valid UTF-8, or any element (anywhere in the chain, not
//! only the ones the walk reaches) does not parse: an unterminated quoted string, a bad
//! `name=value` pair, a repeated `for`, a `for` node that is not an address, unbracketed IPv6 in
//! `Forwarded`, a port out of range, an `X-Forwarded-For` element that is not an address. When
//! the walk reaches a hop that is well-formed but names no address (`for=unknown`, an
//! obfuscated identifier `for=_hidden`, an element without `for`, `unknown` in
//! `X-Forwarded-For`), the client is unknown as well. An unknown client has no address, so
//! every IP allowlist denies it.
//!
//! Because `Forwarded` wins whenever present, a trusted proxy that only maintains
//! `X-Forwarded-For` must strip a `Forwarded` header sent by the client; otherwise the client
//! chooses its own address.
//!
//! Header names are matched case-insensitively. Several instances of one header (several
//! header lines) are each read on their own, completely, and their elements are then taken in
//! order (`a` then `b` reads as `a, b`); a quoted string never spans two lines. IPv4-mapped
//! IPv6 results are returned as IPv4.
//!
//! Accepted hop forms. `X-Forwarded-For`: `ipv4`, `ipv6`, `ipv4:port`, `[ipv6]`,
//! `[ipv6]:port`, `unknown`; empty list elements are skipped. `Forwarded`: elements of
//! `;`-separated `name=value` pairs (token or quoted-string values); the `for=` node of each
//! element, as a token or quoted string holding `ipv4`, `ipv4:port`, `[ipv6]`, `[ipv6]:port`
//! (ports may be obfuscated, `_abc`), `unknown` or an obfuscated identifier; empty elements are
//! skipped.

use std::borrow::Cow;
use std::net::IpAddr;

use super::Allowlist;
use super::parse::{parse_addr, parse_v4, parse_v6};

/// One well-formed hop of a forwarding chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hop {
    /// A readable address.
    Addr(IpAddr),
    /// A well-formed hop without an address (`unknown`, obfuscated, no `for`): the client is
    /// unknown if the walk reaches it.
    Unknown,
}

/// The whole chain could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Malformed;

/// One request header: its name and its value (`None` when the value is not text).
pub type HeaderLine<'a> = (&'a [u8], Option<&'a [u8]>);

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
/// a valid IP address, or the peer is a trusted proxy and the client is unknown (a malformed
/// chain, or the walk reached a hop without an address). Only the forwarding header `which`
/// names is read.
///
/// `headers` gives the request's (name, value) pairs; it is called only when the peer is a
/// trusted proxy, so a direct request pays nothing for them.
pub fn resolve<'h, H: AsRef<[HeaderLine<'h>]>>(
    remote_addr: &[u8],
    headers: impl FnOnce() -> H,
    trusted: &Allowlist,
    which: ForwardingHeader,
) -> Option<IpAddr> {
    let peer = super::parse_ip_bytes(remote_addr)?;
    if !trusted.contains(peer) {
        return Some(peer.to_canonical());
    }
    let headers = headers();
    let headers = headers.as_ref();
    let has = |name: &[u8]| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let chain = match which {
        ForwardingHeader::Forwarded => read_chain(headers, b"forwarded", forwarded_hops),
        ForwardingHeader::XForwardedFor => read_chain(headers, b"x-forwarded-for", xff_hops),
        ForwardingHeader::Auto if has(b"forwarded") => {
            read_chain(headers, b"forwarded", forwarded_hops)
        }
        ForwardingHeader::Auto => read_chain(headers, b"x-forwarded-for", xff_hops),
    };
    let hops = chain.ok()?;
    walk(peer, &hops, trusted).map(|ip| ip.to_canonical())
}

/// Walks `hops` right to left from the trusted `peer`: the first untrusted address, else the
/// left-most trusted one (the peer when there is no hop); `None` at a hop without an address.
fn walk(peer: IpAddr, hops: &[Hop], trusted: &Allowlist) -> Option<IpAddr> {
    let mut last = peer;
    for hop in hops.iter().rev() {
        match *hop {
            Hop::Addr(ip) => {
                last = ip;
                if !trusted.contains(ip) {
                    return Some(ip);
                }
            }
            Hop::Unknown => return None,
        }
    }
    Some(last)
}

/// Every instance of the header `name`, each read completely by `read`, hops concatenated in
/// order. No instance: no hop.
fn read_chain(
    headers: &[HeaderLine<'_>],
    name: &[u8],
    read: fn(&[u8], &mut Vec<Hop>) -> Result<(), Malformed>,
) -> Result<Vec<Hop>, Malformed> {
    let mut hops = Vec::new();
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            let v = v.ok_or(Malformed)?;
            // Control characters (CR, LF, NUL, ...) never belong in a field value; HTAB does.
            if v.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(Malformed);
            }
            read(v, &mut hops)?;
        }
    }
    Ok(hops)
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ows(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ows(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// The hops of one `X-Forwarded-For` value, left to right; empty elements are skipped.
fn xff_hops(v: &[u8], hops: &mut Vec<Hop>) -> Result<(), Malformed> {
    for el in v.split(|&b| b == b',').map(trim_ows) {
        if !el.is_empty() {
            hops.push(xff_hop(el)?);
        }
    }
    Ok(())
}

/// One `X-Forwarded-For` element (already trimmed, non-empty).
fn xff_hop(s: &[u8]) -> Result<Hop, Malformed> {
    if s.first() == Some(&b'[') {
        return bracketed_node(s);
    }
    if s.eq_ignore_ascii_case(b"unknown") {
        return Ok(Hop::Unknown);
    }
    let text = std::str::from_utf8(s).map_err(|_| Malformed)?;
    if let Ok(ip) = parse_addr(text) {
        return Ok(Hop::Addr(ip));
    }
    v4_node(text)
}

/// `ipv4` or `ipv4:port`.
fn v4_node(text: &str) -> Result<Hop, Malformed> {
    let (host, port) = match text.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    match (parse_v4(host), port.is_none_or(valid_port)) {
        (Ok(ip), true) => Ok(Hop::Addr(IpAddr::V4(ip))),
        _ => Err(Malformed),
    }
}

/// `[ipv6]` or `[ipv6]:port`.
fn bracketed_node(s: &[u8]) -> Result<Hop, Malformed> {
    let text = std::str::from_utf8(s).map_err(|_| Malformed)?;
    let rest = text.strip_prefix('[').ok_or(Malformed)?;
    let (inner, after) = rest.split_once(']').ok_or(Malformed)?;
    let port_ok = match after.strip_prefix(':') {
        Some(p) => valid_port(p),
        None => after.is_empty(),
    };
    match (parse_v6(inner), port_ok) {
        (Ok(ip), true) => Ok(Hop::Addr(IpAddr::V6(ip))),
        _ => Err(Malformed),
    }
}

/// RFC 7239 obfuscated identifier: `_` then letters, digits, `.`, `_`, `-`.
fn obfuscated(s: &[u8]) -> bool {
    s.len() > 1
        && s[0] == b'_'
        && s[1..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A decimal port `0..=65535` (1 to 5 digits) or an RFC 7239 obfuscated port.
fn valid_port(p: &str) -> bool {
    if p.starts_with('_') {
        return obfuscated(p.as_bytes());
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

/// The hops of one `Forwarded` value, left to right. Elements are split at commas outside
/// quoted strings; an unterminated quoted string, or any element that does not parse, makes
/// the whole value malformed. Empty elements are skipped.
fn forwarded_hops(v: &[u8], hops: &mut Vec<Hop>) -> Result<(), Malformed> {
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
            push_element(&v[start..i], hops)?;
            start = i + 1;
        }
    }
    if in_quotes {
        return Err(Malformed);
    }
    push_element(&v[start..], hops)
}

fn push_element(el: &[u8], hops: &mut Vec<Hop>) -> Result<(), Malformed> {
    let el = trim_ows(el);
    if !el.is_empty() {
        hops.push(element_hop(el)?);
    }
    Ok(())
}

/// The `for=` node of one `Forwarded` element: `pair *( ";" pair )`, `pair = token "=" value`.
fn element_hop(el: &[u8]) -> Result<Hop, Malformed> {
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
            return Err(Malformed);
        }
        pos += 1;
        let (value, next) = pair_value(el, pos).ok_or(Malformed)?;
        pos = next;
        if name.eq_ignore_ascii_case(b"for") {
            if node.is_some() {
                return Err(Malformed);
            }
            node = Some(value);
        }
        while el.get(pos).copied().is_some_and(is_ows) {
            pos += 1;
        }
        match el.get(pos) {
            None => break,
            Some(b';') => pos += 1,
            Some(_) => return Err(Malformed),
        }
    }
    match node {
        Some(n) => forwarded_node(&n),
        None => Ok(Hop::Unknown),
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

/// RFC 7239 `node`: `ipv4[:port]`, `"[ipv6]"[:port]`, `unknown` or an obfuscated identifier
/// (both without an address).
fn forwarded_node(n: &[u8]) -> Result<Hop, Malformed> {
    if n.first() == Some(&b'[') {
        return bracketed_node(n);
    }
    let (host, port) = match n.iter().position(|&b| b == b':') {
        Some(i) => (&n[..i], Some(&n[i + 1..])),
        None => (n, None),
    };
    if host.eq_ignore_ascii_case(b"unknown") || obfuscated(host) {
        let port_ok = port.is_none_or(|p| std::str::from_utf8(p).is_ok_and(valid_port));
        return if port_ok {
            Ok(Hop::Unknown)
        } else {
            Err(Malformed)
        };
    }
    v4_node(std::str::from_utf8(n).map_err(|_| Malformed)?)
}

#[cfg(test)]
mod pinned_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pinned_header_ignores_the_other() {
        let trusted = Allowlist::parse_value(&json!(["10.0.0.0/8"])).unwrap();
        let h: Vec<HeaderLine<'_>> = vec![
            (b"Forwarded", Some(b"for=198.51.100.66")),
            (b"X-Forwarded-For", Some(b"203.0.113.9")),
        ];
        let ip = |w| resolve(b"10.0.0.1", || &h, &trusted, w).map(|a| a.to_string());
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
        let h: Vec<HeaderLine<'_>> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), Some(v.as_bytes())))
            .collect();
        resolve(peer.as_bytes(), || &h, &trusted(t), ForwardingHeader::Auto)
            .map(|ip| ip.to_string())
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
    fn malformed_xff_makes_the_client_unknown() {
        // Wherever the unreadable element is: reached by the walk or beyond the client.
        for v in [
            "1.1.1.1, garbage, 10.0.0.2",
            "garbage, 198.51.100.7, 10.0.0.2",
            "198.51.100.7, 10.0.0.2:99999",
            "1.1.1.1, fe80::1%eth0",
            "1.1.1.1, [2001:db8::1",
            "1.1.1.1, 01.2.3.4",
        ] {
            assert_eq!(
                resolve_str("10.0.0.1", &[("X-Forwarded-For", v)], PROXIES),
                None,
                "{v}"
            );
        }
        let h = [("X-Forwarded-For", "1.1.1.1, unknown")];
        assert_eq!(resolve_str("10.0.0.1", &h, PROXIES), None);
        // `unknown` beyond the client is well-formed and not reached.
        let h = [("X-Forwarded-For", "unknown, 198.51.100.7, 10.0.0.2")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("198.51.100.7")
        );
        let h = [("X-Forwarded-For", "1.1.1.1,,  ,10.0.0.2,")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("1.1.1.1")
        );
    }

    #[test]
    fn issue_reproduction_unterminated_quote_is_not_the_proxy() {
        // The quoted string swallowed the proxy's own element; the walk used to stop and
        // answer the proxy itself.
        for v in [
            r#"for=", for=198.51.100.7"#,
            r#"for="[, for=198.51.100.7"#,
            r#"for="\", for=198.51.100.7"#,
            r#"for="\"#,
            r#"for=198.51.100.7;by="x"#,
        ] {
            for which in [ForwardingHeader::Auto, ForwardingHeader::Forwarded] {
                let h: [HeaderLine<'_>; 1] = [(b"Forwarded", Some(v.as_bytes()))];
                let got = resolve(b"10.0.0.1", || &h, &trusted("10.0.0.1"), which);
                assert_eq!(got, None, "{v} {which:?}");
            }
        }
    }

    #[test]
    fn header_lines_are_read_one_by_one() {
        // A quote opened on one line cannot swallow the next line.
        let h = [
            ("Forwarded", r#"for="198.51.100.9"#),
            ("Forwarded", "for=10.0.0.2"),
        ];
        assert_eq!(resolve_str("10.0.0.1", &h, PROXIES), None);
        let h = [
            ("X-Forwarded-For", "[2001:db8::1"),
            ("X-Forwarded-For", "10.0.0.2"),
        ];
        assert_eq!(resolve_str("10.0.0.1", &h, PROXIES), None);
        // Well-formed lines are joined in order.
        let h = [
            ("Forwarded", "for=198.51.100.9"),
            ("forwarded", "for=10.0.0.2"),
        ];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("198.51.100.9")
        );
        // A line that is not text, or holds a line break, spoils the chain.
        let t = trusted(PROXIES);
        let bad: [&[HeaderLine<'_>]; 4] = [
            &[
                (b"Forwarded", Some(b"for=198.51.100.9")),
                (b"Forwarded", None),
            ],
            &[
                (b"X-Forwarded-For", Some(b"198.51.100.9")),
                (b"x-forwarded-for", None),
            ],
            &[(b"X-Forwarded-For", Some(b"198.51.100.9\r\n, 10.0.0.2"))],
            &[(b"Forwarded", Some(b"for=198.51.100.9\n"))],
        ];
        for h in bad {
            assert_eq!(
                resolve(b"10.0.0.1", || h, &t, ForwardingHeader::Auto),
                None,
                "{h:?}"
            );
        }
    }

    #[test]
    fn xff_ports_and_brackets() {
        let h = [("X-Forwarded-For", "[2001:db8::7]:443, 10.0.0.2:8080")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("2001:db8::7")
        );
        let h = [("X-Forwarded-For", "1.2.3.4:99999")];
        assert_eq!(resolve_str("10.0.0.1", &h, PROXIES), None);
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
    fn forwarded_unknown_obfuscated_and_syntax_errors_make_the_client_unknown() {
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
            assert_eq!(got, None, "{v}");
        }
        // Syntax errors beyond the client spoil the chain too; `unknown` there does not.
        for v in [
            "for=1.2.3.4 x, for=198.51.100.7",
            "for=\"[2001:db8::zz]\", for=198.51.100.7",
            "for=1.1.1.1;for=2.2.2.2, for=198.51.100.7",
        ] {
            let got = resolve_str("10.0.0.1", &[("Forwarded", v)], PROXIES);
            assert_eq!(got, None, "{v}");
        }
        let h = [("Forwarded", "for=unknown, for=_x, for=198.51.100.7")];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("198.51.100.7")
        );
        let h = [("Forwarded", r#"for="[2001:db8::1]:_p"; proto=https"#)];
        assert_eq!(
            resolve_str("10.0.0.1", &h, PROXIES).as_deref(),
            Some("2001:db8::1")
        );
        let h = [("Forwarded", r#"for="1.2.\"3.4""#)];
        assert_eq!(resolve_str("10.0.0.1", &h, PROXIES), None);
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
        let t = trusted(PROXIES);
        let ip =
            |peer: &[u8], h: &[HeaderLine<'_>]| resolve(peer, || h, &t, ForwardingHeader::Auto);
        assert_eq!(ip(b"10.0.0.1", &[(b"X-Forwarded-For", None)]), None);
        let h: [HeaderLine<'_>; 1] = [(b"X-Forwarded-For", Some(b"1.1.1.1, \xff, 10.0.0.2"))];
        assert_eq!(ip(b"10.0.0.1", &h), None);
        // Not text from an untrusted peer: the peer, whatever the headers hold.
        assert_eq!(ip(b"203.0.113.9", &h), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(ip(b"10.0.0.1\xff", &[]), None);
    }
}
