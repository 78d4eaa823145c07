//! The token format (`tokens`): classification, public id, handle slug and hash of arbitrary
//! text, and a generate → classify round trip with the handle and a typo from the input.
//!
//! Never panics. `Other` exactly without the `agt_` prefix; a `Generated` token has the
//! documented length and shape, travels as a Bearer token68 value, and starts with its public id.
//! Slugs are `[a-z0-9-]`, at most 32 characters, without edge dashes, and a slug is its own slug.
//! The hash is 64 lower-case hex digits that read back as the token's digest. A freshly
//! generated token is `Generated` with the slug of the handle, its hash and public id; changing
//! any one of its bytes (to another byte that keeps it text) makes it not `Generated`.
#![no_main]

use agents_core::auth::transport;
use agents_core::digest::TokenDigest;
use agents_core::tokens::{self, CHECK_LEN, Format, HANDLE_MAX, PREFIX, PUBLIC_ID_LEN, SECRET_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    classify(&text);

    let hash = tokens::hash_hex(data);
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert!(TokenDigest::from_hex(&hash) == Some(TokenDigest::of(data)));
    assert!(TokenDigest::from_hex(&hash.to_ascii_uppercase()) == Some(TokenDigest::of(data)));

    let slug = tokens::handle_slug(&text);
    assert!(slug.len() <= HANDLE_MAX);
    assert!(
        slug.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    );
    assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
    assert_eq!(tokens::handle_slug(&slug), slug);

    // Round trip: the first line is the handle, the next two bytes a typo (position, new byte).
    let (handle, typo) = match text.split_once('\n') {
        Some((h, rest)) => (h, rest.as_bytes()),
        None => (text.as_ref(), &[][..]),
    };
    let g = tokens::generate(handle).expect("OS random source");
    let token: &str = &g.token;
    let slug = tokens::handle_slug(handle);
    let expected_id_len =
        PREFIX.len() + if slug.is_empty() { 0 } else { slug.len() + 1 } + PUBLIC_ID_LEN;
    assert_eq!(g.public_id.len(), expected_id_len);
    assert!(g.public_id.starts_with(&format!("{PREFIX}{slug}")));
    assert_eq!(tokens::format(token), Format::Generated, "{token}");
    assert_eq!(tokens::public_id(token), Some(g.public_id.as_str()));
    assert_eq!(g.hash, tokens::hash_hex(token.as_bytes()));
    if let [pos, byte, ..] = *typo {
        let pos = usize::from(pos) % token.len();
        let mut bytes = token.as_bytes().to_vec();
        if bytes[pos] != byte {
            bytes[pos] = byte;
            if let Ok(changed) = String::from_utf8(bytes) {
                assert_ne!(
                    tokens::format(&changed),
                    Format::Generated,
                    "{token} -> {changed}"
                );
            }
        }
    }
});

fn classify(text: &str) {
    let format = tokens::format(text);
    assert_eq!(format == Format::Other, !text.starts_with(PREFIX));
    let public = tokens::public_id(text);
    assert_eq!(public.is_some(), format == Format::Generated);
    if let Some(id) = public {
        assert!(text.starts_with(id) && text.as_bytes()[id.len()] == b'_');
        assert_eq!(text.len(), id.len() + 1 + SECRET_LEN + CHECK_LEN);
        assert!(transport::is_token68(text));
        let slug_len = id.len() - PREFIX.len() - PUBLIC_ID_LEN;
        assert!(
            slug_len == 0 || (2..=HANDLE_MAX + 1).contains(&slug_len),
            "{text}"
        );
    }
}
