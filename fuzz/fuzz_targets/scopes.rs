//! The scope-list parser: never panics, output is canonical and idempotent.
#![no_main]

use agents_core::scopes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = scopes::parse(&text);
    assert_eq!(scopes::parse(&parsed.join(",")), parsed);
    for s in &parsed {
        assert!(scopes::has_scope(&parsed, s));
    }
});
