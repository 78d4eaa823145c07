//! PEM public keys: `PUBLIC KEY` (SubjectPublicKeyInfo, RFC 5280 §4.1) for RSA, EC (named curves
//! only) and Ed25519, and `RSA PUBLIC KEY` (PKCS#1). Private keys and certificates are refused.

use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::alg::Curve;
use super::material::Material;
use crate::errors::codes::JwtReason;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

/// Named curves by OID (RFC 5480 §2.1.1.1, SEC 2).
const CURVES: [(ObjectIdentifier, Curve); 6] = [
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1"),
        Curve::P192,
    ),
    (ObjectIdentifier::new_unwrap("1.3.132.0.33"), Curve::P224),
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        Curve::P256,
    ),
    (ObjectIdentifier::new_unwrap("1.3.132.0.34"), Curve::P384),
    (ObjectIdentifier::new_unwrap("1.3.132.0.35"), Curve::P521),
    (
        ObjectIdentifier::new_unwrap("1.3.132.0.10"),
        Curve::Secp256k1,
    ),
];

use crate::errors::JwtRefusal;

fn invalid(msg: impl Into<String>) -> JwtRefusal {
    (JwtReason::KeyInvalid, msg.into())
}

/// Parses one PEM-armoured public key.
pub fn parse(text: &str) -> Result<Material, JwtRefusal> {
    let (label, der) = spki::der::pem::decode_vec(text.trim().as_bytes())
        .map_err(|e| invalid(format!("not a PEM-encoded key ({e})")))?;
    match label {
        "PUBLIC KEY" => parse_spki(&der),
        "RSA PUBLIC KEY" => rsa_from_pkcs1(&der),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => Err(
            invalid("this is a private key; configure the public key (PEM \"PUBLIC KEY\")"),
        ),
        "CERTIFICATE" => Err(invalid(
            "certificates are not accepted; configure the public key (PEM \"PUBLIC KEY\")",
        )),
        other => Err(invalid(format!(
            "PEM label \"{}\" is not a public key",
            crate::errors::excerpt(other, 40)
        ))),
    }
}

fn parse_spki(der: &[u8]) -> Result<Material, JwtRefusal> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| invalid(format!("not a SubjectPublicKeyInfo ({e})")))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid("the public key bit string has unused bits"))?;
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        match spki.algorithm.parameters {
            None => {}
            Some(p) if p.is_null() => {}
            Some(_) => return Err(invalid("RSA key parameters must be NULL")),
        }
        rsa_from_pkcs1(key)
    } else if oid == EC_PUBLIC_KEY {
        let curve_oid = spki.algorithm.parameters_oid().map_err(|_| {
            invalid("EC key with explicit curve parameters; only named curves are accepted")
        })?;
        let curve = CURVES
            .iter()
            .find(|(o, _)| *o == curve_oid)
            .map(|(_, c)| *c)
            .ok_or_else(|| invalid(format!("EC curve {curve_oid} is not supported")))?;
        ec_point(curve, key)
    } else if oid == ED25519 {
        if spki.algorithm.parameters.is_some() {
            return Err(invalid("Ed25519 keys take no parameters"));
        }
        let x: [u8; 32] = key
            .try_into()
            .map_err(|_| invalid("an Ed25519 public key is 32 bytes"))?;
        Ok(Material::Ed25519(x))
    } else if oid == ED448 {
        Err(invalid("Ed448 keys are not supported"))
    } else if oid == RSASSA_PSS {
        Err(invalid(
            "RSASSA-PSS-restricted keys are not supported; use an rsaEncryption key",
        ))
    } else {
        Err(invalid(format!("key algorithm {oid} is not supported")))
    }
}

fn rsa_from_pkcs1(der: &[u8]) -> Result<Material, JwtRefusal> {
    let key = pkcs1::RsaPublicKey::from_der(der)
        .map_err(|e| invalid(format!("not a PKCS#1 RSA public key ({e})")))?;
    Ok(Material::Rsa {
        n: key.modulus.as_bytes().to_vec(),
        e: key.public_exponent.as_bytes().to_vec(),
    })
}

/// An uncompressed SEC1 point (`0x04 || x || y`) on `curve`.
fn ec_point(curve: Curve, point: &[u8]) -> Result<Material, JwtRefusal> {
    let len = curve.coordinate_len();
    match point.split_first() {
        Some((4, xy)) if xy.len() == 2 * len => {
            let (x, y) = xy.split_at(len);
            Ok(Material::Ec {
                curve,
                x: x.to_vec(),
                y: y.to_vec(),
            })
        }
        Some((2 | 3, _)) => Err(invalid(
            "compressed EC points are not accepted; use the uncompressed form",
        )),
        _ => Err(invalid(format!(
            "not an uncompressed {} point",
            curve.jwk_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n\
        -----END PUBLIC KEY-----\n";

    #[test]
    fn ed25519_spki() {
        match parse(ED_PEM).unwrap() {
            Material::Ed25519(x) => assert_eq!(x[0], 0x19),
            other => panic!("{other:?}"),
        }
        // Surrounding whitespace is tolerated.
        assert!(parse(&format!("\n  {ED_PEM}\n")).is_ok());
    }

    #[test]
    fn refuses_private_keys_certificates_and_garbage() {
        let private = "-----BEGIN PRIVATE KEY-----\n\
            MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
            -----END PRIVATE KEY-----\n";
        let (code, msg) = parse(private).unwrap_err();
        assert_eq!(code, JwtReason::KeyInvalid);
        assert!(msg.contains("private key"), "{msg}");
        assert!(!msg.contains("MC4CAQ"));
        let cert = ED_PEM.replace("PUBLIC KEY", "CERTIFICATE");
        assert!(parse(&cert).unwrap_err().1.contains("certificates"));
        assert_eq!(parse("hello").unwrap_err().0, JwtReason::KeyInvalid);
        assert_eq!(parse("").unwrap_err().0, JwtReason::KeyInvalid);
        // Truncated body.
        let cut = ED_PEM.replace("rXAxZuE=", "");
        assert_eq!(parse(&cut).unwrap_err().0, JwtReason::KeyInvalid);
    }
}
