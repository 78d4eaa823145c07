//! Client-IP resolution from the socket peer and forwarding headers: never panics, and the
//! answer is the peer whenever the peer is not a trusted proxy.
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
    let got = ip::client::resolve(remote, &headers, &trusted);
    if let Some(peer) = ip::parse_ip_bytes(remote) {
        if !trusted.contains(peer) {
            assert!(got.is_some());
        }
    }
    let none = Allowlist::default();
    let direct = ip::client::resolve(remote, &headers, &none);
    assert_eq!(direct.is_some(), ip::parse_ip_bytes(remote).is_some());
});
