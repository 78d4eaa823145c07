//! Signed bearer tokens (JWT, RFC 7519, compact JWS, RFC 7515), verified strictly.
//!
//! The verifier parses tokens itself; the signature is checked by [`signature`] on AWS-LC, with
//! every key parsed (and every HMAC key schedule computed) once, at construction. Strictness, in
//! the order checks run:
//!
//! 1. tokens longer than `maxTokenBytes` (default 8192) are refused before decoding
//!    (`token_too_large`);
//! 2. exactly three segments (`malformed`), each canonical unpadded base64url
//!    (`malformed_base64`); the header is JSON without repeated member names (`malformed_json`,
//!    `duplicate_json_key`) and an object (`header_invalid`);
//! 3. `alg` must be a string (`header_invalid`), never `none` in any spelling (`alg_none`), a
//!    supported name (`unsupported_alg`) and one of `algorithms` (`alg_mismatch`); `kid` must be
//!    a string (`kid_invalid`); `crit` is refused (`crit_unsupported`);
//! 4. the key: the one whose `kid` equals the token's `kid`; when no key has it (or the token has
//!    no `kid`), the keys configured without a `kid` (`kid_unknown` when there are none); among
//!    them, only keys bound to the token's `alg` (`alg_mismatch`): the algorithm is pinned by the
//!    key, never chosen by the token, so an HMAC verification with an RSA public key cannot
//!    happen;
//! 5. the signature: for ECDSA, the `r ‖ s` length and the low-S form, checked here before any
//!    backend sees it (`signature_not_canonical`, see [`ecdsa`]); then the backend
//!    (`signature_invalid`);
//! 6. the payload: strict JSON (`malformed_json`, `duplicate_json_key`), an object
//!    (`claims_not_object`);
//! 7. the registered claims, see [`claims`].
//!
//! Keys are read and checked once, by [`JwtVerifier::from_config`] (see [`keys`] for the shapes
//! and binding rules); a configuration problem is an [`InvalidInput`] naming every bad item, each
//! reason starting with its [`JwtReason`] code.
//!
//! API for other modules (the Guard):
//!
//! * [`JwtVerifier::from_config`]`(keys: &Value, options: &Value) -> Result<Self, InvalidInput>`
//!   (`$keys` / `$options` as JSON values; an HMAC `secret` may be a list of byte values);
//! * [`JwtVerifier::check`]`(&self, token: &[u8], now: i64) -> Result<Map<String, Value>, Refusal>`
//!   where [`Refusal`] carries the [`JwtReason`], a message and, for claim-check refusals, the
//!   authentic claims;
//! * [`JwtVerifier::verify_token`], the same without building the claims ([`Verified`] holds the
//!   checked JSON; [`json::build_object`] turns it into any representation);
//! * [`JwtVerifier::verify_build`], the same building the claims with any [`json::Build`]er in
//!   the pass that checks them (what the PHP methods use);
//! * [`looks_like_jwt`]`(token: &str) -> bool`, a shape test to route a bearer token.

pub mod alg;
pub mod b64;
pub mod claims;
pub mod ecdsa;
pub mod ed25519;
pub mod json;
pub mod jwk;
pub mod keys;
pub mod material;
pub mod options;
pub mod pem;
pub mod signature;
pub mod token;

use alg::Algorithm;
use serde_json::{Map, Value};

use crate::errors::InvalidInput;
use crate::errors::codes::JwtReason;
use keys::Key;
use options::Options;

pub use token::looks_like_jwt;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The stable reason code.
    pub reason: JwtReason,
    /// A human explanation (never contains key material).
    pub message: String,
    /// The claims, when the signature verified and a claim check failed (e.g. `expired`):
    /// authentic, but not valid. `None` for every refusal before or at the signature.
    pub claims: Option<Map<String, Value>>,
}

impl Refusal {
    fn new((reason, message): (JwtReason, String)) -> Self {
        Self {
            reason,
            message,
            claims: None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

/// A verified token's payload: strict JSON, an object whose registered claims passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    payload: Vec<u8>,
}

impl Verified {
    /// The claim set as JSON text (valid UTF-8, no repeated member names).
    pub fn json(&self) -> &[u8] {
        &self.payload
    }

    /// The claim set as a map, in document order.
    pub fn claims(&self) -> Result<Map<String, Value>, Refusal> {
        match json::parse(&self.payload) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(not_an_object()),
            Err(e) => Err(Refusal::new(token::json_problem(e, "payload"))),
        }
    }
}

fn not_an_object() -> Refusal {
    Refusal::new((
        JwtReason::ClaimsNotObject,
        "the payload is not a JSON object".to_owned(),
    ))
}

/// A failed claim check's refusal, carrying the authentic claims.
fn with_claims(parts: &token::Compact<'_>, (reason, message): (JwtReason, String)) -> Refusal {
    Refusal {
        reason,
        message,
        claims: match json::parse(parts.payload()) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        },
    }
}

/// A public description of one configured key (never includes secret material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// `kid`, when configured.
    pub kid: Option<String>,
    /// JWK key type: `oct`, `RSA`, `EC` or `OKP`.
    pub kty: &'static str,
    /// The algorithms the key verifies.
    pub algorithms: Vec<&'static str>,
    /// Key size in bits (`None` for HMAC secrets).
    pub bits: Option<usize>,
    /// Curve name for EC and OKP keys.
    pub curve: Option<&'static str>,
    /// RFC 7638 SHA-256 thumbprint of a public key (`None` for HMAC secrets).
    pub thumbprint: Option<String>,
}

/// A compiled verifier: keys checked and bound, options validated. `Sync`; immutable but for the
/// last accepted header it remembers ([`token::LastHeader`]), which changes no answer.
#[derive(Debug)]
pub struct JwtVerifier {
    keys: Vec<Key>,
    options: Options,
    /// The last header accepted (a cache of a pure function of the header's bytes).
    last_header: token::LastHeader,
}

impl JwtVerifier {
    /// Builds a verifier from `$keys` and `$options` (as JSON values; an HMAC `secret` may be a
    /// list of byte values). Every problem is reported at once.
    pub fn from_config(keys: &Value, options: &Value) -> Result<Self, InvalidInput> {
        let mut err = InvalidInput::new("JwtVerifier configuration");
        let options = options::parse(options, &mut err);
        let keys = keys::parse(keys, &options.algorithms, &mut err);
        err.into_result(Self {
            keys,
            options,
            last_header: token::LastHeader::default(),
        })
    }

    /// Verifies `token` at unix time `now`: the claims, or why the token was refused.
    pub fn check(&self, token: &[u8], now: i64) -> Result<Map<String, Value>, Refusal> {
        self.verify_token(token, now)?.claims()
    }

    /// Verifies `token` at unix time `now` without building the claims: the checked payload
    /// (strict JSON, an object, registered claims valid), for callers that convert it themselves.
    pub fn verify_token(&self, token: &[u8], now: i64) -> Result<Verified, Refusal> {
        let parts = self.authentic(token)?;
        let checked = match json::scan_claims(parts.payload()) {
            Ok(Some(fields)) => claims::check(&fields, &self.options, now),
            Ok(None) => return Err(not_an_object()),
            Err(e) => return Err(Refusal::new(token::json_problem(e, "payload"))),
        };
        match checked {
            Ok(()) => Ok(Verified {
                payload: parts.into_payload(),
            }),
            Err(problem) => Err(with_claims(&parts, problem)),
        }
    }

    /// Verifies `token` at unix time `now` like [`JwtVerifier::verify_token`], building the
    /// claims with `b` in the same pass that checks them (see [`json::build_claims`]): the
    /// filled, unfinished object. A refusal is the same as [`JwtVerifier::verify_token`]'s.
    pub fn verify_build<B: json::Build>(
        &self,
        token: &[u8],
        now: i64,
        b: &mut B,
    ) -> Result<B::Object, Refusal> {
        let parts = self.authentic(token)?;
        let (checked, object) = match json::build_claims(parts.payload(), b) {
            Ok(Some((fields, object))) => (claims::check(&fields, &self.options, now), object),
            Ok(None) => return Err(not_an_object()),
            Err(e) => return Err(Refusal::new(token::json_problem(e, "payload"))),
        };
        checked
            .map(|()| object)
            .map_err(|problem| with_claims(&parts, problem))
    }

    /// Every check before the payload is read: size, segments, header, key, signature.
    fn authentic<'t>(&self, token: &'t [u8]) -> Result<token::Compact<'t>, Refusal> {
        if token.len() > self.options.max_token_bytes {
            return Err(Refusal::new((
                JwtReason::TokenTooLarge,
                format!(
                    "the token is {} bytes; at most {} are accepted",
                    token.len(),
                    self.options.max_token_bytes
                ),
            )));
        }
        let mut remembered = None;
        let parts = token::split_known(token, |segment| {
            remembered = self.last_header.get(segment);
            remembered.is_some()
        })
        .map_err(Refusal::new)?;
        {
            let header;
            let (alg, kid) = match &remembered {
                Some(h) => (h.alg, h.kid.as_deref()),
                None => {
                    header = parts.header().map_err(Refusal::new)?;
                    let (alg, kid) = token::algorithm_and_kid(&header).map_err(Refusal::new)?;
                    self.last_header.remember(parts.header_segment, alg, kid);
                    (alg, kid)
                }
            };
            if !self.options.algorithms.contains(&alg) {
                return Err(Refusal::new((
                    JwtReason::AlgMismatch,
                    format!(
                        "the token's algorithm {} is not allowed (allowed: {})",
                        alg::name(alg),
                        alg::list(&self.options.algorithms)
                    ),
                )));
            }
            self.verify_signature(&parts, alg, kid)?;
        }
        Ok(parts)
    }

    /// Selects the keys for (`kid`, `alg`) and checks the signature with each until one verifies.
    fn verify_signature(
        &self,
        parts: &token::Compact<'_>,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<(), Refusal> {
        let exact = |k: &&Key| kid.is_some() && k.kid.as_deref() == kid;
        let by_kid = self.keys.iter().any(|k| exact(&k));
        let pool = || {
            self.keys
                .iter()
                .filter(move |k| if by_kid { exact(k) } else { k.kid.is_none() })
        };
        if pool().next().is_none() {
            return Err(Refusal::new((
                JwtReason::KidUnknown,
                match kid {
                    Some(k) => format!("no key has kid \"{}\"", crate::errors::excerpt(k, 60)),
                    None => "the token has no kid, and every configured key has one".to_owned(),
                },
            )));
        }
        let mut candidates = pool().filter(|k| k.algs.contains(&alg)).peekable();
        if candidates.peek().is_none() {
            return Err(Refusal::new((
                JwtReason::AlgMismatch,
                format!(
                    "the key{} does not verify {}",
                    kid.filter(|_| by_kid)
                        .map(|k| format!(" with kid \"{}\"", crate::errors::excerpt(k, 60)))
                        .unwrap_or_default(),
                    alg::name(alg)
                ),
            )));
        }
        ecdsa::check_canonical(alg, parts.signature()).map_err(Refusal::new)?;
        for key in candidates {
            if key.verify(alg, parts.signing_input, parts.signature()) {
                return Ok(());
            }
        }
        Err(Refusal::new((
            JwtReason::SignatureInvalid,
            "the signature does not verify".to_owned(),
        )))
    }

    /// The configured keys that can verify tokens, in configuration order.
    pub fn describe(&self) -> Vec<KeyInfo> {
        self.keys
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid.clone(),
                kty: k.material.kty(),
                algorithms: k.algs.iter().map(|a| alg::name(*a)).collect(),
                bits: k.material.bits(),
                curve: k.material.curve(),
                thumbprint: k.material.thumbprint(),
            })
            .collect()
    }

    /// The validated options' algorithm list.
    pub fn algorithms(&self) -> Vec<&'static str> {
        self.options
            .algorithms
            .iter()
            .map(|a| alg::name(*a))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn sign(header: &Value, claims: &Value, secret: &[u8]) -> String {
        let h = b64::encode(header.to_string().as_bytes());
        let p = b64::encode(claims.to_string().as_bytes());
        raw(&h, &p, secret)
    }

    fn raw(h: &str, p: &str, secret: &[u8]) -> String {
        // Signed with the RustCrypto HMAC, independent of the verifier's backend.
        let input = format!("{h}.{p}");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        let sig = b64::encode(&mac.finalize().into_bytes());
        format!("{input}.{sig}")
    }

    fn verifier(keys: Value, options: Value) -> JwtVerifier {
        JwtVerifier::from_config(&keys, &options).unwrap()
    }

    fn hs() -> JwtVerifier {
        verifier(
            json!({"alg": "HS256", "secret": std::str::from_utf8(SECRET).unwrap()}),
            json!({"algorithms": ["HS256"]}),
        )
    }

    fn reason(v: &JwtVerifier, t: &str) -> JwtReason {
        v.check(t.as_bytes(), NOW).unwrap_err().reason
    }

    #[test]
    fn valid_token_gives_claims_in_order() {
        let t = sign(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &json!({"sub": "a", "exp": NOW + 60}),
            SECRET,
        );
        let c = hs().check(t.as_bytes(), NOW).unwrap();
        assert_eq!(Value::Object(c), json!({"sub": "a", "exp": NOW + 60}));
    }

    #[test]
    fn exp_is_required_by_default() {
        let t = sign(&json!({"alg": "HS256"}), &json!({"sub": "a"}), SECRET);
        assert_eq!(reason(&hs(), &t), JwtReason::MissingExp);
        let lax = verifier(
            json!({"alg": "HS256", "secret": std::str::from_utf8(SECRET).unwrap()}),
            json!({"algorithms": ["HS256"], "requireExp": false}),
        );
        assert!(lax.check(t.as_bytes(), NOW).is_ok());
    }

    #[test]
    fn expired_refusal_carries_the_authentic_claims() {
        let t = sign(
            &json!({"alg": "HS256"}),
            &json!({"sub": "a", "exp": NOW}),
            SECRET,
        );
        let r = hs().check(t.as_bytes(), NOW).unwrap_err();
        assert_eq!(r.reason, JwtReason::Expired);
        assert_eq!(r.claims.unwrap()["sub"], "a");
        let forged = sign(
            &json!({"alg": "HS256"}),
            &json!({"sub": "a", "exp": NOW}),
            b"another-secret-another-secret-32",
        );
        let r = hs().check(forged.as_bytes(), NOW).unwrap_err();
        assert_eq!(r.reason, JwtReason::SignatureInvalid);
        assert!(r.claims.is_none());
    }

    #[test]
    fn alg_none_in_any_spelling_and_rs_to_hs_confusion() {
        let claims = json!({"exp": NOW + 60});
        for alg in ["none", "None", "NONE", "nOnE"] {
            let t = format!(
                "{}.{}.",
                b64::encode(json!({"alg": alg}).to_string().as_bytes()),
                b64::encode(claims.to_string().as_bytes())
            );
            assert_eq!(reason(&hs(), &t), JwtReason::AlgNone, "{alg}");
        }
        // An RS256-only verifier never runs HMAC, whatever the token asks for.
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
        let ed = verifier(
            json!({"alg": "EdDSA", "pem": pem}),
            json!({"algorithms": ["EdDSA"]}),
        );
        let t = sign(&json!({"alg": "HS256"}), &claims, pem.as_bytes());
        assert_eq!(reason(&ed, &t), JwtReason::AlgMismatch);
        let both = verifier(
            json!([{"alg": "EdDSA", "pem": pem}, {"alg": "HS384", "secret": "x".repeat(48), "kid": "h"}]),
            json!({"algorithms": ["EdDSA", "HS256", "HS384"]}),
        );
        // HS256 is allowed, but no key is bound to it.
        assert_eq!(reason(&both, &t), JwtReason::AlgMismatch);
    }

    #[test]
    fn strict_parsing_refusals() {
        let v = hs();
        let good = sign(&json!({"alg": "HS256"}), &json!({"exp": NOW + 60}), SECRET);
        assert!(v.check(good.as_bytes(), NOW).is_ok());
        let (h, rest) = good.split_once('.').unwrap();
        let (p, s) = rest.split_once('.').unwrap();
        assert_eq!(
            reason(&v, &format!("{h}.{p}.{s}=")),
            JwtReason::MalformedBase64
        );
        assert_eq!(reason(&v, &format!("{h}.{p}")), JwtReason::Malformed);
        assert_eq!(reason(&v, &format!("{h}.{p}.{s}.")), JwtReason::Malformed);
        // Payload with a repeated member, correctly signed.
        let dup = raw(h, &b64::encode(br#"{"exp":1,"exp":9999999999}"#), SECRET);
        assert_eq!(reason(&v, &dup), JwtReason::DuplicateJsonKey);
        let arr = raw(h, &b64::encode(b"[]"), SECRET);
        assert_eq!(reason(&v, &arr), JwtReason::ClaimsNotObject);
        let crit = sign(
            &json!({"alg": "HS256", "crit": ["exp"]}),
            &json!({"exp": NOW + 60}),
            SECRET,
        );
        assert_eq!(reason(&v, &crit), JwtReason::CritUnsupported);
        // Non-UTF-8 bytes never panic.
        assert_eq!(
            v.check(b"\xff\xfe.\x00.\x80", NOW).unwrap_err().reason,
            JwtReason::MalformedBase64
        );
    }

    #[test]
    fn size_limit_is_checked_before_decoding() {
        let v = verifier(
            json!({"alg": "HS256", "secret": std::str::from_utf8(SECRET).unwrap()}),
            json!({"algorithms": ["HS256"], "maxTokenBytes": 64}),
        );
        let t = sign(
            &json!({"alg": "HS256"}),
            &json!({"exp": NOW + 60, "pad": "x".repeat(40)}),
            SECRET,
        );
        assert_eq!(reason(&v, &t), JwtReason::TokenTooLarge);
        assert_eq!(reason(&v, &"a".repeat(65)), JwtReason::TokenTooLarge);
        assert_eq!(reason(&v, &"a".repeat(64)), JwtReason::Malformed);
    }

    #[test]
    fn key_selection_by_kid() {
        let a = "a".repeat(32);
        let b = "b".repeat(32);
        let v = verifier(
            json!([{"alg": "HS256", "secret": a, "kid": "ka"}, {"alg": "HS256", "secret": b, "kid": "kb"}]),
            json!({"algorithms": ["HS256"]}),
        );
        let claims = json!({"exp": NOW + 60});
        let tb = sign(&json!({"alg": "HS256", "kid": "kb"}), &claims, b.as_bytes());
        assert!(v.check(tb.as_bytes(), NOW).is_ok());
        // Signed with b but naming ka: the kid pins the key.
        let wrong = sign(&json!({"alg": "HS256", "kid": "ka"}), &claims, b.as_bytes());
        assert_eq!(reason(&v, &wrong), JwtReason::SignatureInvalid);
        let unknown = sign(&json!({"alg": "HS256", "kid": "kc"}), &claims, b.as_bytes());
        assert_eq!(reason(&v, &unknown), JwtReason::KidUnknown);
        let none = sign(&json!({"alg": "HS256"}), &claims, b.as_bytes());
        assert_eq!(reason(&v, &none), JwtReason::KidUnknown);
        let bad = sign(&json!({"alg": "HS256", "kid": 1}), &claims, b.as_bytes());
        assert_eq!(reason(&v, &bad), JwtReason::KidInvalid);
        // Keys without kid serve any kid and tokens without one; several are tried in turn.
        let plain = verifier(
            json!([{"alg": "HS256", "secret": a}, {"alg": "HS256", "secret": b}]),
            json!({"algorithms": ["HS256"]}),
        );
        let any_kid = sign(
            &json!({"alg": "HS256", "kid": "whatever"}),
            &claims,
            b.as_bytes(),
        );
        assert!(plain.check(any_kid.as_bytes(), NOW).is_ok());
        assert!(plain.check(none.as_bytes(), NOW).is_ok());
    }

    #[test]
    fn a_remembered_header_changes_no_answer() {
        let a = "a".repeat(32);
        let b = "b".repeat(32);
        let keys =
            json!([{"alg": "HS256", "secret": a, "kid": "ka"}, {"alg": "HS256", "secret": b}]);
        let fresh = || verifier(keys.clone(), json!({"algorithms": ["HS256"]}));
        let claims = json!({"exp": NOW + 60});
        let expired = json!({"exp": NOW});
        let mut tokens = Vec::new();
        for header in [
            json!({"alg": "HS256", "kid": "ka"}),
            json!({"alg": "HS256"}),
            json!({"alg": "HS256", "kid": "kx"}),
            json!({"alg": "HS256", "kid": 1}),
            json!({"alg": "HS384"}),
            json!({"alg": "none"}),
        ] {
            for (c, secret) in [(&claims, &a), (&claims, &b), (&expired, &a)] {
                tokens.push(sign(&header, c, secret.as_bytes()));
            }
        }
        let h = tokens[0].split_once('.').unwrap().0.to_owned();
        tokens.push(format!("{h}.e30."));
        tokens.push(format!("{h}.!.x"));
        // Header segments that differ from a remembered one by a character.
        tokens.push(format!("{h}x.e30."));
        tokens.push(format!("{}.e30.", &h[..h.len() - 1]));
        let shared = fresh();
        // Twice through, in order and reversed: each answer is a fresh verifier's.
        for t in tokens.iter().chain(tokens.iter().rev()).chain(&tokens) {
            assert_eq!(
                shared.check(t.as_bytes(), NOW),
                fresh().check(t.as_bytes(), NOW),
                "{t}"
            );
        }
    }

    #[test]
    fn describe_lists_usable_keys_without_secrets() {
        let v = verifier(
            json!([{"alg": "HS256", "secret": "s".repeat(32), "kid": "h"}]),
            json!({"algorithms": ["HS256"]}),
        );
        let d = v.describe();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kid.as_deref(), Some("h"));
        assert_eq!(d[0].kty, "oct");
        assert_eq!(d[0].algorithms, ["HS256"]);
        assert!(d[0].thumbprint.is_none() && d[0].bits.is_none());
        assert_eq!(v.algorithms(), ["HS256"]);
    }

    #[test]
    fn verifier_is_shareable_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<JwtVerifier>();
    }
}
