//! Key material: an HMAC secret or a public key (RSA, EC, Ed25519) as read from a JWK, a PEM
//! document or a key spec, with the checks that depend on the material alone (size, validity,
//! fit to an algorithm) and its RFC 7638 thumbprint. Shared by the readers (`jwk`, `pem`) and
//! the key binding (`keys`), which depend on this module and never on each other's types.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::alg::{self, Algorithm, Curve, Family};
use super::signature::{Check, KeyRef};
use super::{b64, ed25519};
use crate::errors::codes::JwtReason;

use crate::errors::JwtRefusal;

/// Largest RSA modulus the backend verifies with.
const MAX_RSA_BITS: usize = 4096;
/// Smallest RSA modulus accepted.
const MIN_RSA_BITS: usize = 2048;

/// Public key material or an HMAC secret.
#[derive(Debug)]
pub enum Material {
    /// An HMAC secret (wiped from memory when dropped).
    Secret(Zeroizing<Vec<u8>>),
    /// An RSA public key: big-endian modulus and exponent without leading zero bytes.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// An EC public key: affine coordinates, each exactly the curve's field size.
    Ec {
        /// The curve.
        curve: Curve,
        /// X coordinate.
        x: Vec<u8>,
        /// Y coordinate.
        y: Vec<u8>,
    },
    /// An Ed25519 public key.
    Ed25519([u8; 32]),
}

impl Material {
    /// What the key is, for messages and `describe`.
    pub fn kty(&self) -> &'static str {
        match self {
            Material::Secret(_) => "oct",
            Material::Rsa { .. } => "RSA",
            Material::Ec { .. } => "EC",
            Material::Ed25519(_) => "OKP",
        }
    }

    pub(super) fn what(&self) -> String {
        match self {
            Material::Secret(_) => "an HMAC secret".to_owned(),
            Material::Rsa { .. } => format!("a {}-bit RSA key", self.bits().unwrap_or(0)),
            Material::Ec { curve, .. } => format!("an EC {} key", curve.jwk_name()),
            Material::Ed25519(_) => "an Ed25519 key".to_owned(),
        }
    }

    /// Key size in bits: RSA modulus, EC field or Ed25519 size (never given for secrets).
    pub fn bits(&self) -> Option<usize> {
        match self {
            Material::Secret(_) => None,
            Material::Rsa { n, .. } => Some(bit_len(n)),
            Material::Ec { curve, .. } => Some(match curve {
                Curve::P521 => 521,
                c => c.coordinate_len() * 8,
            }),
            Material::Ed25519(_) => Some(256),
        }
    }

    /// The curve of an EC or Ed25519 key.
    pub fn curve(&self) -> Option<&'static str> {
        match self {
            Material::Ec { curve, .. } => Some(curve.jwk_name()),
            Material::Ed25519(_) => Some("Ed25519"),
            _ => None,
        }
    }

    /// Checks the material on its own: non-empty secret, sane RSA numbers, a point on the curve.
    pub(super) fn validate(&self) -> Result<(), JwtRefusal> {
        match self {
            Material::Secret(s) if s.is_empty() => {
                Err((JwtReason::KeyInvalid, "the secret is empty".to_owned()))
            }
            Material::Secret(_) => Ok(()),
            Material::Rsa { n, e } => validate_rsa(n, e),
            Material::Ec { curve, .. } => match curve.algorithm() {
                Some(a) => self.backend_accepts(a),
                None => Ok(()),
            },
            // The backend takes any 32 bytes as an Ed25519 key and fails later, per token.
            Material::Ed25519(x) if !ed25519::is_point(x) => Err(self.point_not_valid()),
            Material::Ed25519(_) => Ok(()),
        }
    }

    /// Asks the signature backend to parse this key (fails for points that are not on the
    /// curve).
    pub(super) fn backend_accepts(&self, a: Algorithm) -> Result<(), JwtRefusal> {
        self.prepare(a).map(|_| ())
    }

    fn point_not_valid(&self) -> JwtRefusal {
        (
            JwtReason::KeyInvalid,
            format!("{} whose point is not valid", self.what()),
        )
    }

    /// Checks that this key can serve `a`.
    pub(super) fn check_for(&self, a: Algorithm) -> Result<(), JwtRefusal> {
        let name = alg::name(a);
        match (self, alg::family(a)) {
            (Material::Secret(s), Some(Family::Hmac)) => {
                let min = alg::min_secret_len(a);
                if s.len() < min {
                    Err((
                        JwtReason::WeakKey,
                        format!(
                            "an {name} secret needs at least {min} bytes (got {})",
                            s.len()
                        ),
                    ))
                } else {
                    Ok(())
                }
            }
            (Material::Rsa { n, .. }, Some(Family::Rsa)) => {
                let bits = bit_len(n);
                if bits < MIN_RSA_BITS {
                    Err((
                        JwtReason::WeakKey,
                        format!("RSA keys need at least {MIN_RSA_BITS} bits (got {bits})"),
                    ))
                } else {
                    Ok(())
                }
            }
            (Material::Ec { curve, .. }, Some(Family::Ec(want))) => {
                if *curve == want {
                    Ok(())
                } else if is_smaller(*curve, want) {
                    Err((
                        JwtReason::WeakKey,
                        format!(
                            "{name} needs a {} key; {} is too small",
                            want.jwk_name(),
                            curve.jwk_name()
                        ),
                    ))
                } else {
                    Err((
                        JwtReason::KeyTypeMismatch,
                        format!(
                            "{name} needs a {} key, not {}",
                            want.jwk_name(),
                            self.what()
                        ),
                    ))
                }
            }
            (Material::Ed25519(_), Some(Family::Ed25519)) => Ok(()),
            _ => Err((
                JwtReason::KeyTypeMismatch,
                format!("{name} cannot be verified with {}", self.what()),
            )),
        }
    }

    /// The signature backend's key for `a`: parsed once, an HMAC key schedule computed once.
    /// A key the backend refuses (an EC point off the curve) is `key_invalid`.
    pub(super) fn prepare(&self, a: Algorithm) -> Result<Check, JwtRefusal> {
        let key = match self {
            Material::Secret(s) => KeyRef::Secret(s),
            Material::Rsa { n, e } => KeyRef::Rsa { n, e },
            Material::Ec { x, y, .. } => KeyRef::Ec { x, y },
            Material::Ed25519(x) => KeyRef::Ed25519(x),
        };
        Check::new(key, a).map_err(|_| self.point_not_valid())
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key; `None` for secrets.
    pub fn thumbprint(&self) -> Option<String> {
        let json = match self {
            Material::Secret(_) => return None,
            Material::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                b64::encode(e),
                b64::encode(n)
            ),
            Material::Ec { curve, x, y } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.jwk_name(),
                b64::encode(x),
                b64::encode(y)
            ),
            Material::Ed25519(x) => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                b64::encode(x)
            ),
        };
        Some(b64::encode(&Sha256::digest(json.as_bytes())))
    }
}

fn bit_len(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        Some(i) => (n.len() - i) * 8 - n[i].leading_zeros() as usize,
        None => 0,
    }
}

fn is_smaller(have: Curve, want: Curve) -> bool {
    have.coordinate_len() < want.coordinate_len()
}

fn validate_rsa(n: &[u8], e: &[u8]) -> Result<(), JwtRefusal> {
    let invalid = |m: String| Err((JwtReason::KeyInvalid, m));
    let bits = bit_len(n);
    if bits > MAX_RSA_BITS {
        return invalid(format!(
            "RSA keys above {MAX_RSA_BITS} bits are not supported (got {bits})"
        ));
    }
    if n.last().is_none_or(|b| b & 1 == 0) {
        return invalid("the RSA modulus is not odd".to_owned());
    }
    // 3 <= e <= 2^33 - 1 and odd: the range the RSA backend verifies with.
    let e_value = if e.len() <= 8 {
        e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    } else {
        u64::MAX
    };
    if !(3..=(1 << 33) - 1).contains(&e_value) || e_value & 1 == 0 {
        return invalid("the RSA public exponent must be odd and between 3 and 2^33-1".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_numbers_are_checked() {
        let n2048 = {
            let mut n = vec![0xC5u8; 256];
            n[255] |= 1;
            n
        };
        let ok = Material::Rsa {
            n: n2048.clone(),
            e: vec![1, 0, 1],
        };
        assert!(ok.validate().is_ok());
        assert!(ok.check_for(Algorithm::PS512).is_ok());
        assert_eq!(ok.bits(), Some(2048));
        let even = Material::Rsa {
            n: vec![0xC4; 256],
            e: vec![1, 0, 1],
        };
        assert_eq!(even.validate().unwrap_err().0, JwtReason::KeyInvalid);
        let e1 = Material::Rsa {
            n: n2048.clone(),
            e: vec![1],
        };
        assert_eq!(e1.validate().unwrap_err().0, JwtReason::KeyInvalid);
        let huge = Material::Rsa {
            n: vec![0xFF; 513],
            e: vec![3],
        };
        assert_eq!(huge.validate().unwrap_err().0, JwtReason::KeyInvalid);
        let small = Material::Rsa {
            n: vec![0xFF; 128],
            e: vec![3],
        };
        assert_eq!(
            small.check_for(Algorithm::RS256).unwrap_err().0,
            JwtReason::WeakKey
        );
        assert_eq!(
            ok.check_for(Algorithm::ES256).unwrap_err().0,
            JwtReason::KeyTypeMismatch
        );
    }

    #[test]
    fn ec_curves_must_match_the_algorithm() {
        let key = |curve: Curve| Material::Ec {
            curve,
            x: vec![1; curve.coordinate_len()],
            y: vec![1; curve.coordinate_len()],
        };
        assert_eq!(
            key(Curve::P192).check_for(Algorithm::ES256).unwrap_err().0,
            JwtReason::WeakKey
        );
        assert_eq!(
            key(Curve::P256).check_for(Algorithm::ES384).unwrap_err().0,
            JwtReason::WeakKey
        );
        assert_eq!(
            key(Curve::P384).check_for(Algorithm::ES256).unwrap_err().0,
            JwtReason::KeyTypeMismatch
        );
        assert_eq!(
            key(Curve::Secp256k1)
                .check_for(Algorithm::ES256)
                .unwrap_err()
                .0,
            JwtReason::KeyTypeMismatch
        );
        // (1, 1) is not on P-256.
        assert_eq!(
            key(Curve::P256).validate().unwrap_err().0,
            JwtReason::KeyInvalid
        );
    }

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let m = Material::Rsa {
            n: b64::decode(n.as_bytes()).unwrap(),
            e: b64::decode(b"AQAB").unwrap(),
        };
        assert_eq!(
            m.thumbprint().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert!(
            Material::Secret(Zeroizing::new(vec![1; 32]))
                .thumbprint()
                .is_none()
        );
    }
}
