//! The compact JWS serialization (RFC 7515 §7.1): three base64url segments separated by dots,
//! and the checks on the JOSE header that come before any key is touched.
#![forbid(unsafe_code)]

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::json::{self, JsonError};
use super::{alg, b64};
use crate::errors::codes::JwtReason;

type Problem = (JwtReason, String);

/// A token split into its parts, every segment canonical base64url.
#[derive(Debug)]
pub struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a [u8],
    /// The signature segment (base64url text).
    pub signature: &'a str,
    /// The decoded payload (parsed only once the signature has verified).
    pub payload: Vec<u8>,
    /// The JOSE header.
    pub header: Map<String, Value>,
}

/// Splits and decodes a compact JWS; the header is parsed, the payload only decoded.
pub fn split(token: &[u8]) -> Result<Compact<'_>, Problem> {
    let mut dots = token
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    let (first, second) = match (dots.next(), dots.next(), dots.next()) {
        (Some(a), Some(b), None) => (a, b),
        _ => {
            let n = token.iter().filter(|b| **b == b'.').count() + 1;
            return Err((
                JwtReason::Malformed,
                format!("a JWT has three dot-separated segments, this has {n}"),
            ));
        }
    };
    let (header_b64, payload_b64, signature_b64) = (
        &token[..first],
        &token[first + 1..second],
        &token[second + 1..],
    );
    let header = segment(header_b64, "header")?;
    let payload = segment(payload_b64, "payload")?;
    segment(signature_b64, "signature")?;
    let signature = std::str::from_utf8(signature_b64).map_err(|_| not_base64("signature"))?;
    let header = match json::parse(&header) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err((
                JwtReason::HeaderInvalid,
                "the header is not a JSON object".to_owned(),
            ));
        }
        Err(e) => return Err(json_problem(e, "header")),
    };
    Ok(Compact {
        signing_input: &token[..second],
        signature,
        payload,
        header,
    })
}

fn segment(text: &[u8], name: &str) -> Result<Vec<u8>, Problem> {
    b64::decode(text).ok_or_else(|| not_base64(name))
}

fn not_base64(name: &str) -> Problem {
    (
        JwtReason::MalformedBase64,
        format!("the {name} segment is not canonical unpadded base64url"),
    )
}

/// Maps a JSON failure of the header or payload to its reason.
pub fn json_problem(e: JsonError, part: &str) -> Problem {
    match e {
        JsonError::Syntax(detail) => (
            JwtReason::MalformedJson,
            format!("the {part} is not valid JSON ({detail})"),
        ),
        JsonError::DuplicateKey(name) => (
            JwtReason::DuplicateJsonKey,
            format!("the {part} repeats the member \"{name}\""),
        ),
    }
}

/// Reads `alg` and `kid` and refuses headers the verifier does not understand: `crit`
/// (no extension is understood), `b64` other than `true` (RFC 7797 unencoded payloads), and
/// non-string `typ`/`cty`.
pub fn algorithm_and_kid(
    header: &Map<String, Value>,
) -> Result<(Algorithm, Option<&str>), Problem> {
    let a = match header.get("alg") {
        Some(Value::String(name)) => alg::parse(name).map_err(|p| match p {
            alg::NameProblem::None => (
                JwtReason::AlgNone,
                "unsigned tokens (alg \"none\") are never accepted".to_owned(),
            ),
            alg::NameProblem::Unsupported => (
                JwtReason::UnsupportedAlg,
                format!(
                    "algorithm \"{}\" is not supported",
                    crate::errors::excerpt(name, 20)
                ),
            ),
        })?,
        Some(_) => {
            return Err((
                JwtReason::HeaderInvalid,
                "\"alg\" must be a string".to_owned(),
            ));
        }
        None => {
            return Err((
                JwtReason::HeaderInvalid,
                "the header has no \"alg\"".to_owned(),
            ));
        }
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.as_str()),
        Some(_) => return Err((JwtReason::KidInvalid, "\"kid\" must be a string".to_owned())),
    };
    if header.contains_key("crit") {
        return Err((
            JwtReason::CritUnsupported,
            "the header lists critical extensions (\"crit\"), none of which is supported"
                .to_owned(),
        ));
    }
    if header.get("b64").is_some_and(|v| v != &Value::Bool(true)) {
        return Err((
            JwtReason::HeaderInvalid,
            "unencoded payloads (\"b64\") are not supported".to_owned(),
        ));
    }
    for member in ["typ", "cty"] {
        if header.get(member).is_some_and(|v| !v.is_string()) {
            return Err((
                JwtReason::HeaderInvalid,
                format!("\"{member}\" must be a string"),
            ));
        }
    }
    Ok((a, kid))
}

/// True when `token` has the shape of a compact JWS: exactly two dots, a non-empty header and
/// payload, only base64url characters, and a header that starts with `e` (the base64url of a
/// leading `{`). Nothing is decoded; a true answer does not mean the token is valid.
pub fn looks_like_jwt(token: &str) -> bool {
    let b = token.as_bytes();
    let mut parts = b.split(|c| *c == b'.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => {
            h.first() == Some(&b'e')
                && !p.is_empty()
                && b64::is_alphabet(h)
                && b64::is_alphabet(p)
                && b64::is_alphabet(s)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64::encode(header.as_bytes()),
            b64::encode(payload.as_bytes()),
            b64::encode(sig)
        )
    }

    #[test]
    fn splits_three_segments() {
        let t = tok(r#"{"alg":"HS256"}"#, r#"{"a":1}"#, &[1, 2, 3]);
        let c = split(t.as_bytes()).unwrap();
        assert_eq!(c.payload, br#"{"a":1}"#);
        assert_eq!(c.signature, "AQID");
        assert_eq!(c.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
        assert_eq!(c.header["alg"], "HS256");
    }

    #[test]
    fn structural_refusals() {
        let good = tok(r#"{"alg":"HS256"}"#, "{}", &[1]);
        let cases: Vec<(String, JwtReason)> = vec![
            ("a.b".into(), JwtReason::Malformed),
            ("a.b.c.d".into(), JwtReason::Malformed),
            ("".into(), JwtReason::Malformed),
            (format!("{good}="), JwtReason::MalformedBase64),
            (format!(" {good}"), JwtReason::MalformedBase64),
            (format!("{good}\n"), JwtReason::MalformedBase64),
            (good.replacen('.', "=.", 1), JwtReason::MalformedBase64),
            (tok("{", "{}", &[1]), JwtReason::MalformedJson),
            (tok("", "{}", &[1]), JwtReason::MalformedJson),
            (tok("[1]", "{}", &[1]), JwtReason::HeaderInvalid),
            (
                tok(r#"{"alg":"HS256","alg":"none"}"#, "{}", &[1]),
                JwtReason::DuplicateJsonKey,
            ),
        ];
        for (t, want) in cases {
            assert_eq!(split(t.as_bytes()).unwrap_err().0, want, "{t:?}");
        }
        assert_eq!(
            split(b"e\xff.e.e").unwrap_err().0,
            JwtReason::MalformedBase64
        );
    }

    #[test]
    fn header_rules() {
        let check = |h: &str| {
            let m = match json::parse(h.as_bytes()).unwrap() {
                Value::Object(m) => m,
                _ => unreachable!(),
            };
            algorithm_and_kid(&m)
                .map(|(a, k)| (a, k.map(str::to_owned)))
                .map_err(|e| e.0)
        };
        assert_eq!(
            check(r#"{"alg":"ES256","kid":"k1"}"#),
            Ok((Algorithm::ES256, Some("k1".into())))
        );
        assert_eq!(
            check(r#"{"alg":"HS256","typ":"JOSE","cty":"x","b64":true}"#),
            Ok((Algorithm::HS256, None))
        );
        for (h, want) in [
            (r#"{}"#, JwtReason::HeaderInvalid),
            (r#"{"alg":256}"#, JwtReason::HeaderInvalid),
            (r#"{"alg":"none"}"#, JwtReason::AlgNone),
            (r#"{"alg":"NoNe"}"#, JwtReason::AlgNone),
            (r#"{"alg":"hs256"}"#, JwtReason::UnsupportedAlg),
            (r#"{"alg":"ES256K"}"#, JwtReason::UnsupportedAlg),
            (r#"{"alg":"HS256","kid":7}"#, JwtReason::KidInvalid),
            (r#"{"alg":"HS256","kid":null}"#, JwtReason::KidInvalid),
            (
                r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
                JwtReason::CritUnsupported,
            ),
            (r#"{"alg":"HS256","crit":[]}"#, JwtReason::CritUnsupported),
            (r#"{"alg":"HS256","b64":false}"#, JwtReason::HeaderInvalid),
            (r#"{"alg":"HS256","typ":1}"#, JwtReason::HeaderInvalid),
        ] {
            assert_eq!(check(h), Err(want), "{h}");
        }
    }

    #[test]
    fn jwt_shape() {
        assert!(looks_like_jwt("eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln"));
        assert!(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJhIjoxfQ."));
        for not in [
            "",
            "abc",
            "eyJ.eyJ",
            "eyJ..sig",
            "xyJ.eyJ.s",
            "eyJ.eyJ.s.t",
            "eyJ.ey J.s",
            "eyJ.eyJ.s=",
            "agt_abc.def.ghi",
        ] {
            assert!(!looks_like_jwt(not), "{not}");
        }
    }
}
