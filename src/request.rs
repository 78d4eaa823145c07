//! An HTTP request as the plugin hands it over: method, headers, query and socket peer.
//!
//! [`RequestReader`] fills a request from the caller's array: its shape is the caller's code
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

/// Fills a [`Request`] from a caller's request array, part by part (in place: the request is
/// the caller's, so it is never moved).
///
/// The array's shape is the caller's code: an unknown key, a missing or non-string `method`, a
/// `headers` or `query` that is not an array, or a `remoteAddr` that is neither a string nor
/// null is a programming error, reported by [`RequestReader::finish`] naming every such key.
/// The values inside `headers` and `query` come from the client and are never an error: a
/// value that is not text reads as [`NOT_TEXT`].
#[derive(Debug)]
pub struct RequestReader<'a, 'r> {
    request: &'r mut Request<'a>,
    has_method: bool,
    /// Created on the first mistake (a well-formed request allocates no message).
    err: Option<crate::errors::InvalidInput>,
}

impl<'a, 'r> RequestReader<'a, 'r> {
    /// A reader that fills `request` (an empty one: what it already holds is kept).
    pub fn new(request: &'r mut Request<'a>) -> Self {
        Self {
            request,
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

    /// `Ok` when the request is complete, else every shape mistake.
    pub fn finish(mut self) -> Result<(), crate::errors::InvalidInput> {
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
            None => Ok(()),
        }
    }
}

/// One name => value pair of a request (a header line, a query parameter).
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// How many pairs [`Pairs`] holds in place. A request carries one or two of the headers the
/// core reads, and rarely a query parameter it reads.
const IN_PLACE: usize = 4;

/// Name => value pairs in order: the first [`IN_PLACE`] held in place, so that reading a usual
/// request allocates nothing; any further ones in a list.
#[derive(Debug, Clone, Default)]
pub struct Pairs<'a> {
    first: [Option<Pair<'a>>; IN_PLACE],
    more: Vec<Pair<'a>>,
}

impl<'a> Pairs<'a> {
    /// Appends a pair.
    pub fn push(&mut self, pair: Pair<'a>) {
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) if self.more.is_empty() => *slot = Some(pair),
            _ => self.more.push(pair),
        }
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Pair<'a>> {
        self.first
            .iter()
            .map_while(Option::as_ref)
            .chain(&self.more)
    }

    /// How many pairs there are.
    pub fn len(&self) -> usize {
        self.first.iter().take_while(|p| p.is_some()).count() + self.more.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.first[0].is_none()
    }
}

impl<'a> FromIterator<Pair<'a>> for Pairs<'a> {
    fn from_iter<I: IntoIterator<Item = Pair<'a>>>(pairs: I) -> Self {
        let mut out = Self::default();
        for pair in pairs {
            out.push(pair);
        }
        out
    }
}

impl<'a> From<Vec<Pair<'a>>> for Pairs<'a> {
    fn from(pairs: Vec<Pair<'a>>) -> Self {
        pairs.into_iter().collect()
    }
}

/// One request. Header names may repeat (one entry per header line or list member).
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// HTTP method as sent (compare case-insensitively).
    pub method: Cow<'a, str>,
    /// (name, value) pairs in order; names are matched case-insensitively.
    pub headers: Pairs<'a>,
    /// (name, value) pairs of the query string.
    pub query: Pairs<'a>,
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
    fn pairs_keep_their_order_in_place_and_past_it() {
        let mut p = Pairs::default();
        assert!(p.is_empty());
        assert_eq!(p.len(), 0);
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        for (i, n) in names.iter().enumerate() {
            p.push((Cow::Borrowed(*n), Cow::Owned(i.to_string())));
            assert_eq!(p.len(), i + 1);
            assert!(!p.is_empty());
            let seen: Vec<&str> = p.iter().map(|(n, _)| n.as_ref()).collect();
            assert_eq!(seen, names[..=i]);
        }
        let values: Vec<&str> = p.iter().map(|(_, v)| v.as_ref()).collect();
        assert_eq!(values, ["0", "1", "2", "3", "4", "5", "6"]);
        let again: Pairs<'_> = p.iter().cloned().collect::<Vec<_>>().into();
        assert!(again.iter().eq(p.iter()));
    }

    #[test]
    fn headers_are_case_insensitive_and_repeatable() {
        let r = Request {
            method: "get".into(),
            headers: vec![
                ("X-Forwarded-For".into(), "1.1.1.1".into()),
                ("x-forwarded-for".into(), "2.2.2.2".into()),
            ]
            .into(),
            query: vec![("apiToken".into(), "t".into())].into(),
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
        let mut req = Request::default();
        let mut r = RequestReader::new(&mut req);
        r.unknown_key("header");
        r.wrong_type(Part::Query, "string");
        let e = r.finish().unwrap_err().to_string();
        assert!(
            e.contains("header") && e.contains("query") && e.contains("method"),
            "{e}"
        );

        let mut req = Request::default();
        let mut r = RequestReader::new(&mut req);
        r.method(b"GET");
        r.header(b"authorization", None);
        r.header(b"X-Forwarded-For", Some(b"\xff"));
        r.header(b"User-Agent", Some(b"x"));
        r.query(b"apiToken", Some(b"t"));
        r.finish().unwrap();
        assert_eq!(req.header("Authorization"), Some(NOT_TEXT));
        assert_eq!(req.header("X-Forwarded-For"), Some("\u{FFFD}"));
        assert_eq!(req.headers.len(), 2);
        assert_eq!(req.query_param("apiToken"), Some("t"));
    }
}
