//! The compact JWS serialization (RFC 7515 §7.1): three base64url segments separated by dots,
//! and the checks on the JOSE header that come before any key is touched.

use jsonwebtoken::Algorithm;

use super::json::{self, HeaderFields, JsonError, Member};
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
    /// The decoded header (JSON text).
    pub header_json: Vec<u8>,
    /// The decoded payload (JSON text, read only once the signature has verified).
    pub payload: Vec<u8>,
}

impl Compact<'_> {
    /// The header members the verifier reads.
    pub fn header(&self) -> Result<HeaderFields<'_>, Problem> {
        match json::parse_header(&self.header_json) {
            Ok(Some(h)) => Ok(h),
            Ok(None) => Err((
                JwtReason::HeaderInvalid,
                "the header is not a JSON object".to_owned(),
            )),
            Err(e) => Err(json_problem(e, "header")),
        }
    }
}

/// Splits a compact JWS and decodes its segments (nothing is parsed yet).
pub fn split(token: &[u8]) -> Result<Compact<'_>, Problem> {
    let first = token.iter().position(|b| *b == b'.');
    let second = first.and_then(|f| {
        token[f + 1..]
            .iter()
            .position(|b| *b == b'.')
            .map(|i| f + 1 + i)
    });
    let third = second.and_then(|s| token[s + 1..].iter().position(|b| *b == b'.'));
    let (first, second) = match (first, second, third) {
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
    let header_json = segment(header_b64, "header")?;
    let payload = segment(payload_b64, "payload")?;
    if !b64::is_canonical(signature_b64) {
        return Err(not_base64("signature"));
    }
    let signature = std::str::from_utf8(signature_b64).map_err(|_| not_base64("signature"))?;
    Ok(Compact {
        signing_input: &token[..second],
        signature,
        header_json,
        payload,
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
pub fn algorithm_and_kid<'h>(
    header: &'h HeaderFields<'_>,
) -> Result<(Algorithm, Option<&'h str>), Problem> {
    let a = match &header.alg {
        Member::Text(name) => alg::parse(name).map_err(|p| match p {
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
        Member::NotText => {
            return Err((
                JwtReason::HeaderInvalid,
                "\"alg\" must be a string".to_owned(),
            ));
        }
        Member::Absent => {
            return Err((
                JwtReason::HeaderInvalid,
                "the header has no \"alg\"".to_owned(),
            ));
        }
    };
    let kid = match &header.kid {
        Member::Absent => None,
        Member::Text(k) => Some(&**k),
        Member::NotText => {
            return Err((JwtReason::KidInvalid, "\"kid\" must be a string".to_owned()));
        }
    };
    if header.crit {
        return Err((
            JwtReason::CritUnsupported,
            "the header lists critical extensions (\"crit\"), none of which is supported"
                .to_owned(),
        ));
    }
    if header.b64_not_true {
        return Err((
            JwtReason::HeaderInvalid,
            "unencoded payloads (\"b64\") are not supported".to_owned(),
        ));
    }
    for (member, value) in [("typ", &header.typ), ("cty", &header.cty)] {
        if *value == Member::NotText {
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
        let header = c.header().unwrap();
        assert_eq!(c.payload, br#"{"a":1}"#);
        assert_eq!(c.signature, "AQID");
        assert_eq!(c.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
        assert_eq!(header.alg, Member::Text("HS256".into()));
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
            let got = split(t.as_bytes()).and_then(|c| c.header().map(|_| ()));
            assert_eq!(got.unwrap_err().0, want, "{t:?}");
        }
        assert_eq!(
            split(b"e\xff.e.e").unwrap_err().0,
            JwtReason::MalformedBase64
        );
    }

    #[test]
    fn header_rules() {
        let check = |h: &str| {
            let fields = json::parse_header(h.as_bytes()).unwrap().unwrap();
            algorithm_and_kid(&fields)
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
