//! JWS algorithm names (RFC 7518 §3.1) and what each one needs from a key.
//!
//! Names are matched exactly (case-sensitive), except `none`, which is recognised in any
//! spelling so it can be refused with its own reason.

/// A JWS signature algorithm the verifier supports (RFC 7518 §3.1 names; `none` is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, 32-byte salt).
    PS256,
    /// RSASSA-PSS with SHA-384 (MGF1 SHA-384, 48-byte salt).
    PS384,
    /// RSASSA-PSS with SHA-512 (MGF1 SHA-512, 64-byte salt).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519 (RFC 8037).
    EdDSA,
}

/// Every algorithm the verifier supports, in the order they are listed in messages.
pub const SUPPORTED: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Why an algorithm name was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// `none`, in any spelling.
    None,
    /// A name this verifier does not support (e.g. `ES256K`, `ES512`, `hs256`).
    Unsupported,
}

/// Parses an algorithm name exactly as RFC 7518 spells it.
pub fn parse(name: &str) -> Result<Algorithm, NameProblem> {
    if let Some(a) = SUPPORTED.iter().copied().find(|a| self::name(*a) == name) {
        return Ok(a);
    }
    if name.trim().eq_ignore_ascii_case("none") {
        return Err(NameProblem::None);
    }
    Err(NameProblem::Unsupported)
}

/// The RFC 7518 name of an algorithm.
pub const fn name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
    }
}

/// The kind of key an algorithm verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A shared HMAC secret.
    Hmac,
    /// An RSA public key (PKCS#1 v1.5 or PSS).
    Rsa,
    /// An EC public key on the named curve.
    Ec(Curve),
    /// An Ed25519 public key.
    Ed25519,
}

/// Elliptic curves that can appear in a key, supported or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-192 (secp192r1): too small for any JWS algorithm.
    P192,
    /// NIST P-224 (secp224r1): too small for any JWS algorithm.
    P224,
    /// NIST P-256 (secp256r1), for ES256.
    P256,
    /// NIST P-384 (secp384r1), for ES384.
    P384,
    /// NIST P-521 (secp521r1), for ES512, which is not supported.
    P521,
    /// secp256k1, for ES256K, which is not supported.
    Secp256k1,
}

impl Curve {
    /// The JWK `crv` name.
    pub const fn jwk_name(self) -> &'static str {
        match self {
            Curve::P192 => "P-192",
            Curve::P224 => "P-224",
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Secp256k1 => "secp256k1",
        }
    }

    /// Looks a curve up by its JWK `crv` name.
    pub fn from_jwk_name(name: &str) -> Option<Self> {
        [
            Curve::P192,
            Curve::P224,
            Curve::P256,
            Curve::P384,
            Curve::P521,
            Curve::Secp256k1,
        ]
        .into_iter()
        .find(|c| c.jwk_name() == name)
    }

    /// Size of a field element (one affine coordinate) in bytes.
    pub const fn coordinate_len(self) -> usize {
        match self {
            Curve::P192 => 24,
            Curve::P224 => 28,
            Curve::P256 | Curve::Secp256k1 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The algorithm this curve serves, when it is supported.
    pub const fn algorithm(self) -> Option<Algorithm> {
        match self {
            Curve::P256 => Some(Algorithm::ES256),
            Curve::P384 => Some(Algorithm::ES384),
            _ => None,
        }
    }
}

/// The key family an algorithm needs (always `Some`: every [`Algorithm`] is supported).
pub const fn family(alg: Algorithm) -> Option<Family> {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Some(Family::Hmac),
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => Some(Family::Rsa),
        Algorithm::ES256 => Some(Family::Ec(Curve::P256)),
        Algorithm::ES384 => Some(Family::Ec(Curve::P384)),
        Algorithm::EdDSA => Some(Family::Ed25519),
    }
}

/// Shortest HMAC secret accepted for an algorithm: the hash output size (RFC 7518 §3.2).
pub const fn min_secret_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    }
}

/// Comma-separated names, for messages.
pub fn list(algs: &[Algorithm]) -> String {
    algs.iter().map(|a| name(*a)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_exactly() {
        for a in SUPPORTED {
            assert_eq!(parse(name(a)), Ok(a));
        }
        assert_eq!(parse("hs256"), Err(NameProblem::Unsupported));
        assert_eq!(parse("ES256K"), Err(NameProblem::Unsupported));
        assert_eq!(parse("ES512"), Err(NameProblem::Unsupported));
        assert_eq!(parse(""), Err(NameProblem::Unsupported));
    }

    #[test]
    fn none_is_recognised_in_any_spelling() {
        for n in ["none", "None", "NONE", "nOnE", " none "] {
            assert_eq!(parse(n), Err(NameProblem::None), "{n}");
        }
    }

    #[test]
    fn families_and_secret_lengths() {
        assert_eq!(family(Algorithm::PS384), Some(Family::Rsa));
        assert_eq!(family(Algorithm::ES384), Some(Family::Ec(Curve::P384)));
        assert_eq!(min_secret_len(Algorithm::HS256), 32);
        assert_eq!(min_secret_len(Algorithm::HS384), 48);
        assert_eq!(min_secret_len(Algorithm::HS512), 64);
        assert_eq!(Curve::from_jwk_name("P-256"), Some(Curve::P256));
        assert_eq!(Curve::from_jwk_name("p-256"), None);
        assert_eq!(list(&[Algorithm::HS256, Algorithm::EdDSA]), "HS256, EdDSA");
    }
}
