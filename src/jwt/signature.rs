//! Signature checks: one [`Check`] per key and algorithm, built once when the verifier is
//! configured, so a token costs one signature verification and no key parsing or HMAC key
//! schedule.
//!
//! Public-key algorithms run on AWS-LC (`aws-lc-rs`): RSASSA-PKCS1-v1_5 and RSASSA-PSS (MGF1 with
//! the same hash, salt as long as the hash) with 2048- to 8192-bit moduli, ECDSA with the
//! fixed-width `r || s` signature of JWS on P-256/P-384, Ed25519. HMAC runs on the pure-Rust
//! `hmac`/`sha2` crates the webhooks use: a prepared key is copied per token with no foreign call,
//! about a third faster than AWS-LC's HMAC on inputs of a few hundred bytes; the tag is compared
//! in constant time. Why: `docs/crypto.md`.

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::alg::Algorithm;

/// The backend, as `php --ri agents_core` names it.
pub const BACKEND: &str = "aws-lc-rs 1.19 (AWS-LC, statically linked); HMAC: RustCrypto hmac";

/// A key made ready for one algorithm.
pub enum Check {
    /// HS256: an HMAC with its key schedule computed.
    Hs256(Hmac<Sha256>),
    /// HS384.
    Hs384(Hmac<Sha384>),
    /// HS512.
    Hs512(Hmac<Sha512>),
    /// A parsed public key bound to its signature parameters.
    Public(ParsedPublicKey),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never shows key material.
        f.write_str(match self {
            Check::Hs256(_) | Check::Hs384(_) | Check::Hs512(_) => "Check::Hmac",
            Check::Public(_) => "Check::Public",
        })
    }
}

/// Why the backend refused a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected;

/// The key, as the backend takes it.
#[derive(Clone, Copy)]
pub enum KeyRef<'a> {
    /// An HMAC secret.
    Secret(&'a [u8]),
    /// RSA modulus and public exponent, big-endian without leading zero bytes.
    Rsa {
        /// Modulus.
        n: &'a [u8],
        /// Public exponent.
        e: &'a [u8],
    },
    /// EC affine coordinates, each the curve's field size.
    Ec {
        /// X coordinate.
        x: &'a [u8],
        /// Y coordinate.
        y: &'a [u8],
    },
    /// An Ed25519 public key.
    Ed25519(&'a [u8; 32]),
}

impl Check {
    /// Prepares `key` for `alg`. The caller has matched the key type to the algorithm; a
    /// mismatch, or a key the backend cannot parse (an EC point off the curve), is [`Rejected`].
    pub fn new(key: KeyRef<'_>, alg: Algorithm) -> Result<Self, Rejected> {
        match (key, alg) {
            // HMAC takes keys of any length.
            (KeyRef::Secret(s), Algorithm::HS256) => Hmac::new_from_slice(s)
                .map(Check::Hs256)
                .map_err(|_| Rejected),
            (KeyRef::Secret(s), Algorithm::HS384) => Hmac::new_from_slice(s)
                .map(Check::Hs384)
                .map_err(|_| Rejected),
            (KeyRef::Secret(s), Algorithm::HS512) => Hmac::new_from_slice(s)
                .map(Check::Hs512)
                .map_err(|_| Rejected),
            (KeyRef::Rsa { n, e }, _) => {
                let params: &'static sig::RsaParameters = match alg {
                    Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                    Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
                    Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
                    Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
                    Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
                    Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
                    _ => return Err(Rejected),
                };
                RsaPublicKeyComponents { n, e }
                    .to_parsed_public_key(params)
                    .map(Check::Public)
                    .map_err(|_| Rejected)
            }
            (KeyRef::Ec { x, y }, Algorithm::ES256 | Algorithm::ES384) => {
                let params = if alg == Algorithm::ES256 {
                    &sig::ECDSA_P256_SHA256_FIXED
                } else {
                    &sig::ECDSA_P384_SHA384_FIXED
                };
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                // Checks that the point is on the algorithm's curve.
                ParsedPublicKey::new(params, &point)
                    .map(Check::Public)
                    .map_err(|_| Rejected)
            }
            (KeyRef::Ed25519(x), Algorithm::EdDSA) => ParsedPublicKey::new(&sig::ED25519, x)
                .map(Check::Public)
                .map_err(|_| Rejected),
            _ => Err(Rejected),
        }
    }

    /// True when `signature` (decoded bytes) is a valid signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Check::Hs256(key) => hmac_verify(key, message, signature),
            Check::Hs384(key) => hmac_verify(key, message, signature),
            Check::Hs512(key) => hmac_verify(key, message, signature),
            Check::Public(key) => key.verify_sig(message, signature).is_ok(),
        }
    }
}

/// Copies the prepared state and compares the whole tag in constant time (a tag of another
/// length never matches; the length is public).
fn hmac_verify<M: Mac + Clone>(key: &M, message: &[u8], tag: &[u8]) -> bool {
    let mut mac = key.clone();
    mac.update(message);
    let expected = mac.finalize().into_bytes();
    crate::constant_time::equal(&expected, tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_checks_the_whole_tag() {
        let check = Check::new(KeyRef::Secret(&[7u8; 32]), Algorithm::HS256).unwrap();
        // Reference tag from AWS-LC's HMAC.
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &[7u8; 32]);
        let tag = aws_lc_rs::hmac::sign(&key, b"a.b");
        assert!(check.verify(b"a.b", tag.as_ref()));
        assert!(!check.verify(b"a.c", tag.as_ref()));
        assert!(!check.verify(b"a.b", &tag.as_ref()[..31]));
        assert!(!check.verify(b"a.b", b""));
        let mut flipped = tag.as_ref().to_vec();
        flipped[31] ^= 1;
        assert!(!check.verify(b"a.b", &flipped));
        // HS384 with the same secret gives another tag.
        let hs384 = Check::new(KeyRef::Secret(&[7u8; 48]), Algorithm::HS384).unwrap();
        assert!(!hs384.verify(b"a.b", tag.as_ref()));
    }

    #[test]
    fn mismatched_material_and_bad_points_are_rejected() {
        let secret = KeyRef::Secret(&[1u8; 32]);
        assert_eq!(Check::new(secret, Algorithm::RS256).unwrap_err(), Rejected);
        let off_curve = KeyRef::Ec {
            x: &[1; 32],
            y: &[1; 32],
        };
        assert_eq!(
            Check::new(off_curve, Algorithm::ES256).unwrap_err(),
            Rejected
        );
        assert_eq!(
            Check::new(off_curve, Algorithm::EdDSA).unwrap_err(),
            Rejected
        );
        assert!(format!("{:?}", Check::new(secret, Algorithm::HS256).unwrap()) == "Check::Hmac");
    }
}
