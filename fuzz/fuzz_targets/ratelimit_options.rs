//! The rate limiter's options and store URL reader (`ratelimit::options`).
//!
//! Never panics. A store URL that parses is re-rendered and parses to the same target; the
//! password never appears in a refusal or in the target's `Debug` form. Options built from the
//! input either validate (values within their documented ranges) or name at least one item, and
//! never echo a password.
#![no_main]

use agents_core::ratelimit::options::{self, OptValue, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match options::parse_store_url(data) {
        Ok(t) => {
            assert!(t.port > 0);
            let host = if t.host.contains(':') {
                format!("[{}]", t.host)
            } else {
                t.host.clone()
            };
            let auth = t
                .password
                .as_ref()
                .map_or(String::new(), |p| format!(":{p}@"));
            let again = format!("redis://{auth}{host}:{}/{}", t.port, t.db);
            let t2 = options::parse_store_url(again.as_bytes()).expect("re-rendered URL parses");
            assert_eq!(t, t2);
            if t.password.is_some() {
                assert!(format!("{t:?}").contains("Some(\"<redacted>\")"));
            }
        }
        Err(reason) => assert!(!reason.is_empty()),
    }

    // Options: the first byte picks limit/window, the rest is the store URL and the policy.
    let (head, rest) = data.split_first().map_or((0, &[][..]), |(h, r)| (*h, r));
    let (store, policy) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b"local"[..]),
    };
    let pairs: Vec<(&[u8], OptValue<'_>)> = vec![
        (b"limit", OptValue::Int(i64::from(head) - 8)),
        (b"window", OptValue::Int(i64::from(head >> 4))),
        (b"store", OptValue::Str(store)),
        (b"onStoreError", OptValue::Str(policy)),
    ];
    match options::parse(&pairs) {
        Ok(o) => {
            assert!(o.limit >= 1 && o.window >= 1);
            assert_eq!(matches!(o.store, Store::Local), store == b"local");
        }
        Err(e) => {
            assert!(!e.items.is_empty());
            if let Ok(t) = options::parse_store_url(store) {
                if let Some(p) = t.password {
                    assert!(!e.to_string().contains(&format!(":{p}@")));
                }
            }
        }
    }
});
