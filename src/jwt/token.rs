//! The compact JWS serialization (RFC 7515 §7.1): three base64url segments separated by dots,
//! and the checks on the JOSE header that come before any key is touched.

use std::sync::{Arc, Mutex};

use super::alg::Algorithm;
use super::json::{self, HeaderFields, JsonError, TextMember};
use super::{alg, b64};
use crate::errors::codes::JwtReason;

use crate::errors::JwtRefusal;

/// A token split into its parts, every segment canonical base64url, decoded into one buffer.
#[derive(Debug)]
pub struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a [u8],
    /// The header segment (base64url text).
    pub header_segment: &'a [u8],
    /// The decoded header, payload and signature, one after the other.
    decoded: Vec<u8>,
    /// Where the header ends in `decoded`.
    header_end: usize,
    /// Where the payload ends in `decoded`.
    payload_end: usize,
}

impl Compact<'_> {
    /// The decoded header (JSON text; empty when [`split_known`] left it undecoded).
    pub fn header_json(&self) -> &[u8] {
        &self.decoded[..self.header_end]
    }

    /// The decoded payload (JSON text, read only once the signature has verified).
    pub fn payload(&self) -> &[u8] {
        &self.decoded[self.header_end..self.payload_end]
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.decoded[self.payload_end..]
    }

    /// The decoded payload, keeping its buffer.
    pub fn into_payload(self) -> Vec<u8> {
        let mut payload = self.decoded;
        payload.truncate(self.payload_end);
        payload.drain(..self.header_end);
        payload
    }

    /// The header members the verifier reads.
    pub fn header(&self) -> Result<HeaderFields<'_>, JwtRefusal> {
        match json::parse_header(self.header_json()) {
            Ok(Some(h)) => Ok(h),
            Ok(None) => Err((
                JwtReason::HeaderInvalid,
                "the header is not a JSON object".to_owned(),
            )),
            Err(e) => Err(json_problem(e, "header")),
        }
    }
}

/// The last JOSE header a verifier accepted and what [`algorithm_and_kid`] read from it, so a
/// run of tokens with the same header (one issuer, one key) decodes and reads it once. Only the
/// exact same header segment is answered from here (canonical base64url: one text per header),
/// and the reading is a function of that text alone, so every answer is the one decoding and
/// parsing would give. A verifier shared between threads that finds the
/// lock taken parses instead of waiting.
#[derive(Debug, Default)]
pub struct LastHeader(Mutex<Option<Arc<AcceptedHeader>>>);

/// A header [`algorithm_and_kid`] accepted.
#[derive(Debug)]
pub struct AcceptedHeader {
    /// The header segment (base64url text).
    segment: Vec<u8>,
    /// Its algorithm.
    pub alg: Algorithm,
    /// Its `kid`.
    pub kid: Option<String>,
}

impl LastHeader {
    /// The accepted reading of the header `segment`, when it is the one remembered last.
    pub fn get(&self, segment: &[u8]) -> Option<Arc<AcceptedHeader>> {
        let last = self.0.try_lock().ok()?;
        last.as_ref().filter(|h| *h.segment == *segment).cloned()
    }

    /// Remembers that the header `segment` decoded and was accepted as (`alg`, `kid`). The
    /// previous entry's buffers are reused when no caller holds it any more (tokens of two
    /// issuers in turn then allocate nothing here).
    pub fn remember(&self, segment: &[u8], alg: Algorithm, kid: Option<&str>) {
        let Ok(mut last) = self.0.try_lock() else {
            return;
        };
        if let Some(h) = last.as_mut().and_then(Arc::get_mut) {
            h.segment.clear();
            h.segment.extend_from_slice(segment);
            h.alg = alg;
            match (kid, &mut h.kid) {
                (Some(k), Some(old)) => {
                    old.clear();
                    old.push_str(k);
                }
                (k, old) => *old = k.map(str::to_owned),
            }
            return;
        }
        *last = Some(Arc::new(AcceptedHeader {
            segment: segment.to_vec(),
            alg,
            kid: kid.map(str::to_owned),
        }));
    }
}

/// Splits a compact JWS and decodes its segments (nothing is parsed yet).
pub fn split(token: &[u8]) -> Result<Compact<'_>, JwtRefusal> {
    split_known(token, |_| false)
}

/// Like [`split`], leaving the header undecoded (its [`Compact::header_json`] empty) when
/// `known(header segment)` says the caller has already read that exact segment, which it may say
/// only of a segment that decoded and was accepted before. Refusals come in the same order.
pub fn split_known<'a>(
    token: &'a [u8],
    known: impl FnOnce(&'a [u8]) -> bool,
) -> Result<Compact<'a>, JwtRefusal> {
    let Some((first, second)) = two_dots(token) else {
        let n = token.iter().filter(|b| **b == b'.').count() + 1;
        return Err((
            JwtReason::Malformed,
            format!("a JWT has three dot-separated segments, this has {n}"),
        ));
    };
    let (header_b64, payload_b64, signature_b64) = (
        &token[..first],
        &token[first + 1..second],
        &token[second + 1..],
    );
    // Four characters decode to at most three bytes.
    let mut decoded = Vec::with_capacity(token.len() / 4 * 3 + 6);
    if !known(header_b64) && !b64::decode_into(header_b64, &mut decoded) {
        return Err(not_base64("header"));
    }
    let header_end = decoded.len();
    if !b64::decode_into(payload_b64, &mut decoded) {
        return Err(not_base64("payload"));
    }
    let payload_end = decoded.len();
    if !b64::decode_into(signature_b64, &mut decoded) {
        return Err(not_base64("signature"));
    }
    Ok(Compact {
        signing_input: &token[..second],
        header_segment: header_b64,
        decoded,
        header_end,
        payload_end,
    })
}

/// The positions of the two dots of `token`, when it has exactly two.
fn two_dots(token: &[u8]) -> Option<(usize, usize)> {
    let first = find_dot(token)?;
    let second = first + 1 + find_dot(&token[first + 1..])?;
    match find_dot(&token[second + 1..]) {
        None => Some((first, second)),
        Some(_) => None,
    }
}

/// The position of the first `.` in `b`. Eight bytes at a time: in each word, the lowest byte
/// flagged by the "has a zero byte" test (of the word XOR dots) is exactly the first dot.
fn find_dot(b: &[u8]) -> Option<usize> {
    use crate::swar::{HIGH, ONES};
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word) ^ (ONES * u64::from(b'.'));
        let zero = w.wrapping_sub(ONES) & !w & HIGH;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..].iter().position(|c| *c == b'.').map(|p| i + p)
}

fn not_base64(name: &str) -> JwtRefusal {
    (
        JwtReason::MalformedBase64,
        format!("the {name} segment is not canonical unpadded base64url"),
    )
}

/// Maps a JSON failure of the header or payload to its reason.
pub fn json_problem(e: JsonError, part: &str) -> JwtRefusal {
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
) -> Result<(Algorithm, Option<&'h str>), JwtRefusal> {
    let a = match &header.alg {
        TextMember::Text(name) => alg::parse(name).map_err(|p| match p {
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
        TextMember::NotText => {
            return Err((
                JwtReason::HeaderInvalid,
                "\"alg\" must be a string".to_owned(),
            ));
        }
        TextMember::Absent => {
            return Err((
                JwtReason::HeaderInvalid,
                "the header has no \"alg\"".to_owned(),
            ));
        }
    };
    let kid = match &header.kid {
        TextMember::Absent => None,
        TextMember::Text(k) => Some(&**k),
        TextMember::NotText => {
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
        if *value == TextMember::NotText {
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
        assert_eq!(c.payload(), br#"{"a":1}"#);
        assert_eq!(c.signature(), [1, 2, 3]);
        assert_eq!(c.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
        assert_eq!(header.alg, TextMember::Text("HS256".into()));
    }

    #[test]
    fn dots_are_found_at_every_offset() {
        for len in 0..24 {
            for a in 0..len {
                for b in a + 1..len {
                    let mut t = vec![b'x'; len];
                    t[a] = b'.';
                    t[b] = b'.';
                    assert_eq!(two_dots(&t), Some((a, b)), "{len} {a} {b}");
                    assert_eq!(find_dot(&t[a + 1..]), Some(b - a - 1));
                    for c in b + 1..len {
                        t[c] = b'.';
                        assert_eq!(two_dots(&t), None);
                        t[c] = b'x';
                    }
                }
                let mut one = vec![b'/'; len];
                one[a] = b'.';
                assert_eq!(find_dot(&one), Some(a));
                assert_eq!(two_dots(&one), None);
            }
            assert_eq!(find_dot(&vec![b'-'; len]), None);
        }
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
