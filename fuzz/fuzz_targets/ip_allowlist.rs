//! Allowlist entries (text, JSON array text, lists) and address parsing: never panics, and a
//! parsed list agrees with itself on every address the input names.
#![no_main]

use agents_core::ip::{self, Allowlist};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let normalized = ip::normalize(&ip::Input::Text(data));
    let list = Allowlist::from_valid(normalized);
    let members: Vec<ip::ListItem<'_>> = data
        .split(|b| *b == b'\n')
        .map(ip::ListItem::Text)
        .collect();
    let strict = Allowlist::parse(&ip::Input::List(members.clone()), "fuzz", "entries");
    for part in data.split(|b| b.is_ascii_whitespace() || *b == b',') {
        let in_list = list.contains_text(part);
        if let Some(addr) = ip::parse_ip_bytes(part) {
            assert_eq!(in_list, list.contains(addr));
        } else {
            assert!(!in_list);
        }
        let _ = ip::ip_allowed(part, &members);
        if let Ok(s) = &strict {
            let _ = s.contains_text(part);
        }
    }
});
