//! An HTTP request as the plugin hands it over: method, headers, query and socket peer.
//!
//! Values arrive from PHP already as text; anything that was not valid UTF-8 (or not a string)
//! was replaced by U+FFFD, which no token, address or method grammar accepts, so such input can
//! only ever lead to a denial.

use std::borrow::Cow;

/// The headers any decision reads: token transport and the write contract (`Authorization`,
/// `X-Agents-Token`, `Content-Type`) and the client address behind trusted proxies
/// (`Forwarded`, `X-Forwarded-For`). A caller may pass only these; no other header can change
/// an outcome.
pub const HEADERS: [&str; 5] = [
    "Authorization",
    "X-Agents-Token",
    "Content-Type",
    "Forwarded",
    "X-Forwarded-For",
];

/// The query parameters any decision reads (exact names).
pub const QUERY_PARAMS: [&str; 1] = ["apiToken"];

/// The canonical spelling of header `name` (any case) when it is one of [`HEADERS`].
pub fn header_name(name: &[u8]) -> Option<&'static str> {
    HEADERS
        .into_iter()
        .find(|h| h.as_bytes().eq_ignore_ascii_case(name))
}

/// `name` when it is one of [`QUERY_PARAMS`].
pub fn query_param_name(name: &[u8]) -> Option<&'static str> {
    QUERY_PARAMS.into_iter().find(|q| q.as_bytes() == name)
}

/// One request. Header names may repeat (one entry per header line or list member).
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// HTTP method as sent (compare case-insensitively).
    pub method: Cow<'a, str>,
    /// (name, value) pairs in order; names are matched case-insensitively.
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// (name, value) pairs of the query string.
    pub query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The socket peer address (`REMOTE_ADDR`).
    pub remote_addr: Cow<'a, str>,
}

impl<'a> Request<'a> {
    /// A request from borrowed parts (tests, fuzzing and benchmarks build requests this way).
    pub fn from_parts(
        method: &'a str,
        headers: &[(&'a str, &'a str)],
        query: &[(&'a str, &'a str)],
        remote_addr: &'a str,
    ) -> Self {
        let owned = |pairs: &[(&'a str, &'a str)]| {
            pairs
                .iter()
                .map(|(n, v)| (Cow::Borrowed(*n), Cow::Borrowed(*v)))
                .collect()
        };
        Self {
            method: Cow::Borrowed(method),
            headers: owned(headers),
            query: owned(query),
            remote_addr: Cow::Borrowed(remote_addr),
        }
    }

    /// Every value of header `name`, in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// The first value of query parameter `name` (exact name).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Headers as borrowed (name, value) pairs, the shape `ip::client_ip` takes.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect()
    }

    /// True for GET and HEAD (case-insensitive).
    pub fn is_read(&self) -> bool {
        self.method.eq_ignore_ascii_case("GET") || self.method.eq_ignore_ascii_case("HEAD")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_core_reads() {
        assert_eq!(header_name(b"authorization"), Some("Authorization"));
        assert_eq!(header_name(b"X-FORWARDED-FOR"), Some("X-Forwarded-For"));
        assert_eq!(header_name(b"User-Agent"), None);
        assert_eq!(query_param_name(b"apiToken"), Some("apiToken"));
        assert_eq!(query_param_name(b"apitoken"), None);
    }

    #[test]
    fn headers_are_case_insensitive_and_repeatable() {
        let r = Request {
            method: "get".into(),
            headers: vec![
                ("X-Forwarded-For".into(), "1.1.1.1".into()),
                ("x-forwarded-for".into(), "2.2.2.2".into()),
            ],
            query: vec![("apiToken".into(), "t".into())],
            remote_addr: "127.0.0.1".into(),
        };
        assert_eq!(r.header("X-FORWARDED-FOR"), Some("1.1.1.1"));
        assert_eq!(r.header_values("x-forwarded-for").count(), 2);
        assert_eq!(r.query_param("apiToken"), Some("t"));
        assert_eq!(r.query_param("apitoken"), None);
        assert!(r.is_read());
    }
}
