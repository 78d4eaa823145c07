//! The canonical (low-S) form of ECDSA signatures, checked by this crate before any crypto
//! backend sees the signature.
//!
//! An ECDSA signature `(r, s)` over a curve of order `n` also verifies as `(r, n − s)`: the same
//! claims under two different token strings. Only the low form, `1 ≤ s ≤ ⌊n/2⌋`, is accepted; a
//! high `s` is refused as `signature_not_canonical` whatever the backend would say. The JWS form
//! of an ECDSA signature is `r ‖ s`, each a fixed-length big-endian integer (32 bytes for ES256
//! on P-256, 48 for ES384 on P-384); a signature of another length is `signature_invalid`. Every
//! ECDSA algorithm the verifier supports (ES256, ES384) follows this rule; any other algorithm is
//! not affected.

use jsonwebtoken::Algorithm;

use crate::errors::codes::JwtReason;

/// The order `n` of P-256, big-endian.
pub const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The order `n` of P-384, big-endian.
pub const P384_ORDER: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// `⌊n/2⌋` of P-256, big-endian.
const P256_HALF: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// `⌊n/2⌋` of P-384, big-endian.
const P384_HALF: [u8; 48] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe3, 0xb1, 0xa6, 0xc0, 0xfa, 0x1b, 0x96, 0xef,
    0xac, 0x0d, 0x06, 0xd9, 0x24, 0x58, 0x53, 0xbd, 0x76, 0x76, 0x0c, 0xb5, 0x66, 0x62, 0x94, 0xb9,
];

/// `⌊n/2⌋` for an ECDSA algorithm; `None` for every other algorithm.
fn half_order(alg: Algorithm) -> Option<&'static [u8]> {
    match alg {
        Algorithm::ES256 => Some(&P256_HALF),
        Algorithm::ES384 => Some(&P384_HALF),
        _ => None,
    }
}

/// [`check_canonical`] for the signature segment (base64url text, already checked to be
/// canonical); decodes it only for ECDSA algorithms.
pub fn check_segment(alg: Algorithm, segment: &str) -> Result<(), (JwtReason, String)> {
    if half_order(alg).is_none() {
        return Ok(());
    }
    let raw = super::b64::decode(segment.as_bytes()).ok_or_else(|| {
        (
            JwtReason::MalformedBase64,
            "the signature is not canonical base64url".to_owned(),
        )
    })?;
    check_canonical(alg, &raw)
}

/// Checks the raw JWS signature bytes of an `alg` token: for ECDSA, the `r ‖ s` length and the
/// low-S rule; nothing for other algorithms.
pub fn check_canonical(alg: Algorithm, signature: &[u8]) -> Result<(), (JwtReason, String)> {
    let Some(half) = half_order(alg) else {
        return Ok(());
    };
    if signature.len() != 2 * half.len() {
        return Err((
            JwtReason::SignatureInvalid,
            format!(
                "the signature is {} bytes, not the {} of r || s",
                signature.len(),
                2 * half.len()
            ),
        ));
    }
    let s = &signature[half.len()..];
    // Equal lengths, big-endian: byte order is numeric order.
    if s > half {
        return Err((
            JwtReason::SignatureNotCanonical,
            "the ECDSA signature is not in low-S form (s > n/2)".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n − s` for big-endian numbers of equal length (`s < n`).
    fn negate(n: &[u8], s: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; n.len()];
        let mut borrow = 0i16;
        for i in (0..n.len()).rev() {
            let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
            borrow = i16::from(d < 0);
            out[i] = (d + 256 * borrow) as u8;
        }
        out
    }

    #[test]
    fn halves_are_half_the_orders() {
        // 2·half + 1 == n (both orders are odd).
        for (n, half) in [
            (&P256_ORDER[..], &P256_HALF[..]),
            (&P384_ORDER[..], &P384_HALF[..]),
        ] {
            let rest = negate(n, half);
            let mut plus_one = half.to_vec();
            for b in plus_one.iter_mut().rev() {
                let (v, carry) = b.overflowing_add(1);
                *b = v;
                if !carry {
                    break;
                }
            }
            assert_eq!(rest, plus_one);
        }
    }

    #[test]
    fn boundaries() {
        let mut sig = vec![0u8; 64];
        sig[32..].copy_from_slice(&P256_HALF);
        assert_eq!(check_canonical(Algorithm::ES256, &sig), Ok(()));
        sig[63] += 1;
        assert_eq!(
            check_canonical(Algorithm::ES256, &sig).unwrap_err().0,
            JwtReason::SignatureNotCanonical
        );
        assert_eq!(
            check_canonical(Algorithm::ES256, &sig[..63]).unwrap_err().0,
            JwtReason::SignatureInvalid
        );
        let mut sig = vec![0u8; 96];
        sig[48..].copy_from_slice(&P384_HALF);
        assert_eq!(check_canonical(Algorithm::ES384, &sig), Ok(()));
        sig[48] = 0x80;
        assert_eq!(
            check_canonical(Algorithm::ES384, &sig).unwrap_err().0,
            JwtReason::SignatureNotCanonical
        );
        assert_eq!(check_canonical(Algorithm::HS256, &[0xff; 64]), Ok(()));
        assert_eq!(check_canonical(Algorithm::EdDSA, &[0xff; 64]), Ok(()));
    }
}
