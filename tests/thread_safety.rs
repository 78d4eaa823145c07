//! The compiled policy objects can be shared between threads (what a thread-safe PHP, or a
//! worker keeping one Guard for many requests, relies on). Checked at compile time; no ZTS PHP
//! runs here (see README.md, Threads).

use agents_core::guard::Guard;
use agents_core::ip::{Allowlist, Matcher};
use agents_core::jwt::JwtVerifier;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn compiled_policy_objects_are_send_and_sync() {
    assert_send_sync::<Guard>();
    assert_send_sync::<Allowlist>();
    assert_send_sync::<Matcher>();
    assert_send_sync::<JwtVerifier>();
}
