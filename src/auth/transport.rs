//! Token transport ([spec:transport]): the write contract, and which
//! token a request presents.
//!
//! Sources, first found wins (a wrong token never falls back to the next source):
//!
//! 1. `Authorization: Bearer <token68>` — scheme case-insensitive, RFC 6750 characters
//!    `[A-Za-z0-9-._~+/]+=*`, exactly one such header. A Bearer header that does not fit, a
//!    header that is not `scheme [credentials]`, or several headers is a failure
//!    (`authorization_malformed`), not ignored. A well-formed header of another scheme (e.g.
//!    `Basic` from a protecting proxy) is not ours and is left alone.
//! 2. `X-Agents-Token`, trimmed (any characters; several non-empty values are refused).
//! 3. `?apiToken`, trimmed — only when query tokens are enabled and only for GET/HEAD.

use crate::byte_class;
use crate::errors::codes::DenialReason;
use crate::request::Request;

/// Message of the 400 for `apiToken` on a write ([spec:write-contract]).
pub const QUERY_TOKEN_ON_WRITE_MESSAGE: &str = "Write requests must authenticate via \
    Authorization or X-Agents-Token headers. Query-token auth is limited to GET/HEAD requests.";

/// Message of the 400 for a write without a JSON body type ([spec:write-contract]).
pub const WRITE_NOT_JSON_MESSAGE: &str = "Write requests must use Content-Type: application/json.";

/// The query parameter carrying a token.
pub const QUERY_PARAM: &str = "apiToken";

/// The header carrying a token.
pub const TOKEN_HEADER: &str = "X-Agents-Token";

/// Longest token accepted from any source, bytes.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// How the token was presented (`authMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Authorization: Bearer`.
    Authorization,
    /// `X-Agents-Token`.
    XAgentsToken,
    /// `?apiToken`.
    Query,
}

impl AuthMethod {
    /// `authorization`, `x-agents-token` or `query`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Authorization => "authorization",
            AuthMethod::XAgentsToken => "x-agents-token",
            AuthMethod::Query => "query",
        }
    }
}

/// A presented token, borrowed from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented<'r> {
    /// The token text.
    pub token: &'r str,
    /// Where it came from.
    pub method: AuthMethod,
}

/// The write contract ([spec:write-contract]), for every non-GET/HEAD request: no `apiToken` query
/// parameter (whatever its value and whether or not query tokens are enabled), and a JSON
/// `Content-Type` (`application/json` or any `…/…+json`, parameters ignored).
pub fn check_write_contract(request: &Request<'_>) -> Result<(), DenialReason> {
    if request.is_read() {
        return Ok(());
    }
    if request.query.iter().any(|(n, _)| n == QUERY_PARAM) {
        return Err(DenialReason::QueryTokenOnWrite);
    }
    let mut seen = false;
    for value in request.header_values("content-type") {
        if !is_json_media_type(value) {
            return Err(DenialReason::WriteNotJson);
        }
        seen = true;
    }
    if seen {
        Ok(())
    } else {
        Err(DenialReason::WriteNotJson)
    }
}

/// RFC 7230 `tchar`.
const TCHAR: u8 = 1;
/// RFC 6750 `b64token` body character.
const TOKEN68: u8 = 2;

/// The classes of every byte value.
const CLASSES: byte_class::Table = {
    use byte_class::{alphanumeric, bytes};
    let t = alphanumeric(byte_class::EMPTY, TCHAR | TOKEN68);
    bytes(bytes(t, b"!#$%&'*+-.^_`|~", TCHAR), b"-._~+/", TOKEN68)
};

fn is_tchar(b: u8) -> bool {
    CLASSES[usize::from(b)] & TCHAR != 0
}

#[cfg(test)]
fn is_token68_byte(b: u8) -> bool {
    CLASSES[usize::from(b)] & TOKEN68 != 0
}

/// True for `application/json` and `<type>/<subtype>+json`, case-insensitive, parameters
/// after `;` ignored.
pub fn is_json_media_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim_matches([' ', '\t']);
    let Some((ty, sub)) = essence.split_once('/') else {
        return false;
    };
    let valid = |s: &str| !s.is_empty() && s.bytes().all(is_tchar);
    if !valid(ty) || !valid(sub) {
        return false;
    }
    (ty.eq_ignore_ascii_case("application") && sub.eq_ignore_ascii_case("json"))
        || (sub.len() > 5 && sub[sub.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// PHP's `trim` set: space, tab, LF, CR, NUL, vertical tab.
fn php_trim(s: &str) -> &str {
    // Every byte trimmed is ASCII, so the bounds found byte by byte are character boundaries.
    let trimmed = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0B');
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !trimmed(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !trimmed(b))
        .map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// What an `Authorization` header holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationValue<'r> {
    /// A well-formed Bearer credential.
    Bearer(&'r str),
    /// A well-formed credential of another scheme.
    OtherScheme,
    /// Not `scheme [credentials]`, or a Bearer value that is not token68.
    Malformed,
}

/// Parses one (non-empty, trimmed) `Authorization` value.
pub fn parse_authorization(value: &str) -> AuthorizationValue<'_> {
    let scheme_len = value.bytes().take_while(|&b| is_tchar(b)).count();
    if scheme_len == 0 {
        return AuthorizationValue::Malformed;
    }
    let (scheme, rest) = value.split_at(scheme_len);
    let credentials = rest.trim_start_matches([' ', '\t']);
    if credentials.len() == rest.len() || credentials.is_empty() {
        // No whitespace after the scheme (e.g. `Bearer`, `Bearer:x`, a bare token).
        return AuthorizationValue::Malformed;
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return AuthorizationValue::OtherScheme;
    }
    if is_token68(credentials) {
        AuthorizationValue::Bearer(credentials)
    } else {
        AuthorizationValue::Malformed
    }
}

/// RFC 6750 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn is_token68(s: &str) -> bool {
    let body = s.as_bytes();
    let end = body.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let body = &body[..end];
    // One table lookup and one AND per byte: no branch on the token's content.
    !body.is_empty() && body.len() <= MAX_TOKEN_BYTES && byte_class::all_in(&CLASSES, body, TOKEN68)
}

/// The single non-empty (trimmed) value among `values`: `Ok(None)` for none, an error for
/// several.
fn single<'r>(
    values: impl Iterator<Item = &'r str>,
    several: DenialReason,
) -> Result<Option<&'r str>, DenialReason> {
    let mut found = None;
    for v in values.map(php_trim).filter(|v| !v.is_empty()) {
        if found.is_some() {
            return Err(several);
        }
        found = Some(v);
    }
    Ok(found)
}

/// A header or query token must be plain text of bounded size (U+FFFD marks a value that was
/// not text).
fn plain(token: &str) -> Result<&str, DenialReason> {
    if token.len() > MAX_TOKEN_BYTES || token.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
        Err(DenialReason::TokenMalformed)
    } else {
        Ok(token)
    }
}

/// The token the request presents, by precedence. `Ok(None)`: nothing presented.
pub fn extract<'r>(
    request: &'r Request<'_>,
    allow_query_token: bool,
) -> Result<Option<Presented<'r>>, DenialReason> {
    let authorization = single(
        request.header_values("authorization"),
        DenialReason::AuthorizationMalformed,
    )?;
    if let Some(value) = authorization {
        match parse_authorization(value) {
            AuthorizationValue::Bearer(token) => {
                return Ok(Some(Presented {
                    token,
                    method: AuthMethod::Authorization,
                }));
            }
            AuthorizationValue::Malformed => return Err(DenialReason::AuthorizationMalformed),
            AuthorizationValue::OtherScheme => {}
        }
    }
    let header = single(
        request.header_values(TOKEN_HEADER),
        DenialReason::TokenMalformed,
    )?;
    if let Some(token) = header {
        return Ok(Some(Presented {
            token: plain(token)?,
            method: AuthMethod::XAgentsToken,
        }));
    }
    if allow_query_token && request.is_read() {
        let values = request
            .query
            .iter()
            .filter(|(n, _)| n == QUERY_PARAM)
            .map(|(_, v)| v.as_ref());
        if let Some(token) = single(values, DenialReason::TokenMalformed)? {
            return Ok(Some(Presented {
                token: plain(token)?,
                method: AuthMethod::Query,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(
        method: &'a str,
        headers: &[(&'a str, &'a str)],
        query: &[(&'a str, &'a str)],
    ) -> Request<'a> {
        Request::from_parts(method, headers, query, "127.0.0.1")
    }

    /// The token68 check against its definition over strings made of every class of byte.
    #[test]
    fn token68_equals_its_definition() {
        fn model(s: &str) -> bool {
            let body = s.trim_end_matches('=');
            !body.is_empty() && body.len() <= MAX_TOKEN_BYTES && body.bytes().all(is_token68_byte)
        }
        let pieces = [
            "a", "Z", "9", "-", ".", "_", "~", "+", "/", "=", " ", "é", ",", "\0", "%",
        ];
        let mut seed = 7u32;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 9) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                s.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
            }
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            assert_eq!(is_token68(&s), model(&s), "{s:?}");
        }
        let long = "a".repeat(MAX_TOKEN_BYTES);
        assert!(is_token68(&long) && is_token68(&format!("{long}==")));
        assert!(!is_token68(&format!("{long}a")));
    }

    #[test]
    fn php_trim_is_trim_with_php_characters() {
        for s in [
            "",
            " ",
            "\t a \n",
            "\0\x0Bé\r",
            "a",
            " é ",
            "\u{a0}x\u{a0}",
            "  \t\n\r\0\x0B  ",
        ] {
            assert_eq!(
                php_trim(s),
                s.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0B']),
                "{s:?}"
            );
        }
    }

    #[test]
    fn bearer_grammar() {
        use AuthorizationValue::*;
        assert_eq!(
            parse_authorization("Bearer abc.DEF-123_~+="),
            Bearer("abc.DEF-123_~+=")
        );
        assert_eq!(
            parse_authorization("Bearer abc.DEF-123_~+/="),
            Bearer("abc.DEF-123_~+/=")
        );
        assert_eq!(parse_authorization("bearer abc"), Bearer("abc"));
        assert_eq!(parse_authorization("BEARER\t\tabc=="), Bearer("abc=="));
        assert_eq!(parse_authorization("Bearer abc:def"), Malformed);
        assert_eq!(parse_authorization("Bearer abc def"), Malformed);
        assert_eq!(parse_authorization("Bearer ab=c"), Malformed);
        assert_eq!(parse_authorization("Bearer ="), Malformed);
        assert_eq!(parse_authorization("Bearer"), Malformed);
        assert_eq!(parse_authorization("Bearer:abc"), Malformed);
        assert_eq!(parse_authorization("abc123"), Malformed);
        assert_eq!(parse_authorization("\u{FFFD}"), Malformed);
        assert_eq!(parse_authorization("Bearer \u{FFFD}"), Malformed);
        assert_eq!(parse_authorization("Basic dXNlcjpwYXNz"), OtherScheme);
        assert_eq!(
            parse_authorization(&format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1))),
            Malformed
        );
    }

    #[test]
    fn precedence_and_trimming() {
        let r = req(
            "GET",
            &[
                ("authorization", "  Bearer  abc  "),
                ("X-Agents-Token", "hdr"),
            ],
            &[("apiToken", "q")],
        );
        assert_eq!(
            extract(&r, true),
            Ok(Some(Presented {
                token: "abc",
                method: AuthMethod::Authorization
            }))
        );
        let r = req(
            "GET",
            &[("x-agents-token", "  hdr tok  ")],
            &[("apiToken", "q")],
        );
        assert_eq!(
            extract(&r, true),
            Ok(Some(Presented {
                token: "hdr tok",
                method: AuthMethod::XAgentsToken
            }))
        );
        let r = req("HEAD", &[], &[("apiToken", " q ")]);
        assert_eq!(
            extract(&r, true),
            Ok(Some(Presented {
                token: "q",
                method: AuthMethod::Query
            }))
        );
        assert_eq!(extract(&r, false), Ok(None));
        let r = req("POST", &[], &[("apiToken", "q")]);
        assert_eq!(extract(&r, true), Ok(None));
        // Foreign schemes are left alone; empty values are absent.
        let r = req(
            "GET",
            &[("Authorization", "Basic dTpw"), ("X-Agents-Token", "hdr")],
            &[],
        );
        assert_eq!(
            extract(&r, false).map(|p| p.map(|p| p.method)),
            Ok(Some(AuthMethod::XAgentsToken))
        );
        let r = req(
            "GET",
            &[("Authorization", " "), ("X-Agents-Token", "hdr")],
            &[],
        );
        assert_eq!(
            extract(&r, false).map(|p| p.map(|p| p.token)),
            Ok(Some("hdr"))
        );
        assert_eq!(
            extract(&req("GET", &[("X-Agents-Token", "  ")], &[]), true),
            Ok(None)
        );
    }

    #[test]
    fn failures() {
        let bad =
            |h: &[(&str, &str)], q: &[(&str, &str)]| extract(&req("GET", h, q), true).unwrap_err();
        assert_eq!(
            bad(
                &[("Authorization", "Bearer a:b"), ("X-Agents-Token", "ok")],
                &[]
            ),
            DenialReason::AuthorizationMalformed
        );
        assert_eq!(
            bad(
                &[("Authorization", "Bearer a"), ("authorization", "Bearer b")],
                &[]
            ),
            DenialReason::AuthorizationMalformed
        );
        assert_eq!(
            bad(&[("X-Agents-Token", "a"), ("x-agents-token", "b")], &[]),
            DenialReason::TokenMalformed
        );
        assert_eq!(
            bad(&[("X-Agents-Token", "a\u{FFFD}")], &[]),
            DenialReason::TokenMalformed
        );
        assert_eq!(
            bad(&[("X-Agents-Token", "a\u{1}b")], &[]),
            DenialReason::TokenMalformed
        );
        assert_eq!(
            bad(&[], &[("apiToken", "a"), ("apiToken", "b")]),
            DenialReason::TokenMalformed
        );
    }

    #[test]
    fn write_contract() {
        let json = [("Content-Type", "application/json; charset=utf-8")];
        assert_eq!(
            check_write_contract(&req("GET", &[], &[("apiToken", "x")])),
            Ok(())
        );
        assert_eq!(check_write_contract(&req("head", &[], &[])), Ok(()));
        assert_eq!(check_write_contract(&req("POST", &json, &[])), Ok(()));
        assert_eq!(
            check_write_contract(&req("POST", &json, &[("apiToken", "x")])),
            Err(DenialReason::QueryTokenOnWrite)
        );
        assert_eq!(
            check_write_contract(&req("DELETE", &json, &[("apiToken", "")])),
            Err(DenialReason::QueryTokenOnWrite)
        );
        assert_eq!(
            check_write_contract(&req("POST", &[], &[])),
            Err(DenialReason::WriteNotJson)
        );
        assert_eq!(
            check_write_contract(&req("PUT", &[("content-type", "text/plain")], &[])),
            Err(DenialReason::WriteNotJson)
        );
        assert_eq!(
            check_write_contract(&req(
                "PATCH",
                &[
                    ("content-type", "application/json"),
                    ("Content-Type", "text/html")
                ],
                &[]
            )),
            Err(DenialReason::WriteNotJson)
        );
    }

    #[test]
    fn byte_classes() {
        let tchar: Vec<u8> = (0..=255u8).filter(|&b| is_tchar(b)).collect();
        let token68: Vec<u8> = (0..=255u8).filter(|&b| is_token68_byte(b)).collect();
        let alnum = (0..=255u8).filter(u8::is_ascii_alphanumeric).count();
        assert_eq!(tchar.len(), alnum + 15);
        assert_eq!(token68.len(), alnum + 6);
        assert!(!is_tchar(b':') && !is_tchar(b' ') && is_tchar(b'~'));
        assert!(!is_token68_byte(b'=') && is_token68_byte(b'/') && !is_token68_byte(0xff));
    }

    #[test]
    fn media_types() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json;charset=utf-8",
            "application/merge-patch+json",
            " application/vnd.api+json ; x=y",
        ] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for bad in [
            "",
            "json",
            "text/plain",
            "application/jsonx",
            "application/+json",
            "/json",
            "application/json x",
            "multipart/form-data",
        ] {
            assert!(!is_json_media_type(bad), "{bad}");
        }
    }
}
