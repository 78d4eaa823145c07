//! An HTTP request as the plugin hands it over: method, headers, query and socket peer.
//!
//! [`RequestReader`] builds a request from the caller's array: its shape is the caller's code
//! (a mistake there is an error naming the key), its values are the client's (never an error:
//! text that is not valid UTF-8, or a value that is not a string, carries U+FFFD, which no
//! token, address or method grammar accepts, so such input can only ever lead to a denial).

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

/// The keys of a request array; any other key is the caller's mistake.
pub const REQUEST_KEYS: [&str; 4] = ["method", "headers", "query", "remoteAddr"];

/// Stands for a header or query value that is not text: no grammar accepts it, so it can only
/// lead to a denial.
pub const NOT_TEXT: &str = "\u{FFFD}";

/// A part of a request array, named by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `method`: the HTTP method, a string (required).
    Method,
    /// `headers`: name => string | list of strings.
    Headers,
    /// `query`: name => string | list of strings.
    Query,
    /// `remoteAddr`: the socket peer, a string or null.
    RemoteAddr,
}

impl Part {
    /// The part a key names, if any.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        match key {
            b"method" => Some(Part::Method),
            b"headers" => Some(Part::Headers),
            b"query" => Some(Part::Query),
            b"remoteAddr" => Some(Part::RemoteAddr),
            _ => None,
        }
    }

    /// The key.
    pub const fn key(self) -> &'static str {
        match self {
            Part::Method => "method",
            Part::Headers => "headers",
            Part::Query => "query",
            Part::RemoteAddr => "remoteAddr",
        }
    }
}

/// Text of a client value: UTF-8 is borrowed; other bytes are decoded lossily (the U+FFFD they
/// gain matches no grammar); a value that is not a string becomes [`NOT_TEXT`].
fn client_text(value: Option<&[u8]>) -> Cow<'_, str> {
    match value {
        Some(b) => match std::str::from_utf8(b) {
            Ok(t) => Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(b),
        },
        None => Cow::Borrowed(NOT_TEXT),
    }
}

/// Builds a [`Request`] from a caller's request array, part by part.
///
/// The array's shape is the caller's code: an unknown key, a missing or non-string `method`, a
/// `headers` or `query` that is not an array, or a `remoteAddr` that is neither a string nor
/// null is a programming error, reported by [`RequestReader::finish`] naming every such key.
/// The values inside `headers` and `query` come from the client and are never an error: a
/// value that is not text reads as [`NOT_TEXT`].
#[derive(Debug)]
pub struct RequestReader<'a> {
    request: Request<'a>,
    has_method: bool,
    /// Created on the first mistake (a well-formed request allocates no message).
    err: Option<crate::errors::InvalidInput>,
}

impl Default for RequestReader<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> RequestReader<'a> {
    /// An empty reader.
    pub fn new() -> Self {
        Self {
            request: Request::default(),
            has_method: false,
            err: None,
        }
    }

    fn err(&mut self) -> &mut crate::errors::InvalidInput {
        self.err
            .get_or_insert_with(|| crate::errors::InvalidInput::new("request array"))
    }

    /// A key that names no part (`key` as text, for the message).
    pub fn unknown_key(&mut self, key: &str) {
        self.err().push(
            crate::errors::excerpt(key, 64),
            format!("unknown key (known: {})", REQUEST_KEYS.join(", ")),
        );
    }

    /// A part whose value has the wrong type (`given` describes it).
    pub fn wrong_type(&mut self, part: Part, given: &str) {
        let expected = match part {
            Part::Method => "a string",
            Part::Headers | Part::Query => "an array of name => string or list of strings",
            Part::RemoteAddr => "a string or null",
        };
        self.err()
            .push(part.key(), format!("must be {expected}, {given} given"));
    }

    /// `method`'s bytes.
    pub fn method(&mut self, method: &'a [u8]) {
        self.has_method = true;
        self.request.method = client_text(Some(method));
    }

    /// `remoteAddr`'s bytes.
    pub fn remote_addr(&mut self, addr: &'a [u8]) {
        self.request.remote_addr = client_text(Some(addr));
    }

    /// One header line: kept when the core reads that header, `None` when not text.
    pub fn header(&mut self, name: &[u8], value: Option<&'a [u8]>) {
        if let Some(name) = header_name(name) {
            self.request
                .headers
                .push((Cow::Borrowed(name), client_text(value)));
        }
    }

    /// One query parameter: kept when the core reads it, `None` when not text.
    pub fn query(&mut self, name: &[u8], value: Option<&'a [u8]>) {
        if let Some(name) = query_param_name(name) {
            self.request
                .query
                .push((Cow::Borrowed(name), client_text(value)));
        }
    }

    /// The request, or every shape mistake.
    pub fn finish(mut self) -> Result<Request<'a>, crate::errors::InvalidInput> {
        let named = |e: &Option<crate::errors::InvalidInput>| {
            e.as_ref()
                .is_some_and(|e| e.items.iter().any(|i| i.item == "method"))
        };
        if !self.has_method && !named(&self.err) {
            self.err()
                .push("method", "is required (the HTTP method as a string)");
        }
        match self.err {
            Some(e) => Err(e),
            None => Ok(self.request),
        }
    }
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

    #[test]
    fn reader_names_every_shape_mistake_and_never_client_values() {
        let mut r = RequestReader::new();
        r.unknown_key("header");
        r.wrong_type(Part::Query, "string");
        let e = r.finish().unwrap_err().to_string();
        assert!(
            e.contains("header") && e.contains("query") && e.contains("method"),
            "{e}"
        );

        let mut r = RequestReader::new();
        r.method(b"GET");
        r.header(b"authorization", None);
        r.header(b"X-Forwarded-For", Some(b"\xff"));
        r.header(b"User-Agent", Some(b"x"));
        r.query(b"apiToken", Some(b"t"));
        let req = r.finish().unwrap();
        assert_eq!(req.header("Authorization"), Some(NOT_TEXT));
        assert_eq!(req.header("X-Forwarded-For"), Some("\u{FFFD}"));
        assert_eq!(req.headers.len(), 2);
        assert_eq!(req.query_param("apiToken"), Some("t"));
    }
}
