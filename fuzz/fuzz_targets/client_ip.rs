//! Client-IP resolution from the socket peer and forwarding headers: never panics, the answer
//! is the peer whenever the peer is not a trusted proxy, and whatever a client writes in front
//! of the line its trusted proxy appends, the answer is that appended address or unknown
//! (never the proxy itself).
#![no_main]

use agents_core::ip::{self, Allowlist};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|b| *b == b'\n');
    let remote = lines.next().unwrap_or_default();
    let headers: Vec<(&[u8], Option<&[u8]>)> = lines
        .map(|l| match l.iter().position(|b| *b == b':') {
            Some(i) => (&l[..i], Some(&l[i + 1..])),
            None => (l, None),
        })
        .collect();
    let trusted = Allowlist::parse_value(&serde_json::json!(["10.0.0.0/8", "127.0.0.1", "::1"]))
        .expect("valid proxies");
    let got = ip::client::resolve(remote, || &headers, &trusted, ip::ForwardingHeader::Auto);
    if let Some(peer) = ip::parse_ip_bytes(remote) {
        if !trusted.contains(peer) {
            assert!(got.is_some());
        }
    }
    for (name, appended, which) in [
        (
            &b"Forwarded"[..],
            &b"for=198.51.100.7"[..],
            ip::ForwardingHeader::Forwarded,
        ),
        (
            &b"X-Forwarded-For"[..],
            &b"198.51.100.7"[..],
            ip::ForwardingHeader::XForwardedFor,
        ),
    ] {
        let mut h = headers.clone();
        h.push((name, Some(appended)));
        let got = ip::client::resolve(b"10.0.0.1", || &h, &trusted, which);
        assert!(
            got.is_none() || got == Some("198.51.100.7".parse().expect("address")),
            "{got:?}"
        );
    }
    let none = Allowlist::default();
    let direct = ip::client::resolve(remote, || &headers, &none, ip::ForwardingHeader::Auto);
    assert_eq!(direct.is_some(), ip::parse_ip_bytes(remote).is_some());
});
