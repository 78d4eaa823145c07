//! Strict JSON for JOSE headers and claim sets: one RFC 8259 text, valid UTF-8, no lone
//! surrogate, at most 127 levels of nesting, numbers that fit a double, and no object that
//! repeats a member name (RFC 7515 §5.2 and RFC 7519 §7.2 require such input to be refused
//! rather than resolved by "last one wins"). Member names are compared after unescaping.
//!
//! One parser serves three readers: [`parse`] builds a `serde_json::Value`; [`parse_header`] and
//! [`scan_claims`] check a whole document but keep only the members the verifier reads,
//! borrowing their text from the input, so the verification path allocates almost nothing.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Number, Value};

/// Why text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON (syntax, invalid UTF-8, lone surrogate, nesting too deep, trailing data, a number
    /// out of range).
    Syntax(String),
    /// An object repeats this member name.
    DuplicateKey(String),
}

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 127;

/// Parses `bytes` as one JSON value, refusing repeated member names at any depth.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    build(bytes, &mut ValueBuilder)
}

/// Parses `bytes` like [`parse`], handing every value to `builder` (so a caller can build its
/// own representation without an intermediate `Value`). Members arrive in document order; a
/// repeated name is refused before the builder sees it.
pub fn build<B: Build>(bytes: &[u8], builder: &mut B) -> Result<B::Value, JsonError> {
    let mut p = Parser::new(bytes)?;
    let v = p.build(builder)?;
    p.finish()?;
    Ok(v)
}

/// Like [`build`] for a document that must be an object: its filled (unfinished) container, or
/// `None` when the document is valid JSON but not an object.
pub fn build_object<B: Build>(bytes: &[u8], b: &mut B) -> Result<Option<B::Object>, JsonError> {
    let mut p = Parser::new(bytes)?;
    if p.peek() != Some(b'{') {
        p.skip_value()?;
        p.finish()?;
        return Ok(None);
    }
    let mut object = b.object();
    p.object(|p, key| {
        let v = p.build(b)?;
        b.insert(&mut object, &key, v);
        Ok(())
    })?;
    p.finish()?;
    Ok(Some(object))
}

/// Builds values of some representation from a JSON document (see [`build`]).
pub trait Build {
    /// A finished value.
    type Value;
    /// An array being filled.
    type Array;
    /// An object being filled.
    type Object;
    /// `null`.
    fn null(&mut self) -> Self::Value;
    /// `true` / `false`.
    fn bool(&mut self, v: bool) -> Self::Value;
    /// An integer that fits `i64`.
    fn i64(&mut self, v: i64) -> Self::Value;
    /// An integer above `i64::MAX` that fits `u64`.
    fn u64(&mut self, v: u64) -> Self::Value;
    /// Any other number (finite).
    fn f64(&mut self, v: f64) -> Self::Value;
    /// A string, unescaped.
    fn str(&mut self, v: &str) -> Self::Value;
    /// Starts an array.
    fn array(&mut self) -> Self::Array;
    /// Appends to an array.
    fn push(&mut self, array: &mut Self::Array, v: Self::Value);
    /// Finishes an array.
    fn end_array(&mut self, array: Self::Array) -> Self::Value;
    /// Starts an object.
    fn object(&mut self) -> Self::Object;
    /// Adds a member (names are never repeated).
    fn insert(&mut self, object: &mut Self::Object, key: &str, v: Self::Value);
    /// Finishes an object.
    fn end_object(&mut self, object: Self::Object) -> Self::Value;
}

/// Builds `serde_json::Value`s.
pub struct ValueBuilder;

impl Build for ValueBuilder {
    type Value = Value;
    type Array = Vec<Value>;
    type Object = Map<String, Value>;

    fn null(&mut self) -> Value {
        Value::Null
    }

    fn bool(&mut self, v: bool) -> Value {
        Value::Bool(v)
    }

    fn i64(&mut self, v: i64) -> Value {
        Value::Number(v.into())
    }

    fn u64(&mut self, v: u64) -> Value {
        Value::Number(v.into())
    }

    fn f64(&mut self, v: f64) -> Value {
        Number::from_f64(v).map_or(Value::Null, Value::Number)
    }

    fn str(&mut self, v: &str) -> Value {
        Value::String(v.to_owned())
    }

    fn array(&mut self) -> Vec<Value> {
        Vec::new()
    }

    fn push(&mut self, array: &mut Vec<Value>, v: Value) {
        array.push(v);
    }

    fn end_array(&mut self, array: Vec<Value>) -> Value {
        Value::Array(array)
    }

    fn object(&mut self) -> Map<String, Value> {
        Map::new()
    }

    fn insert(&mut self, object: &mut Map<String, Value>, key: &str, v: Value) {
        object.insert(key.to_owned(), v);
    }

    fn end_object(&mut self, object: Map<String, Value>) -> Value {
        Value::Object(object)
    }
}

/// A header or claim member read as text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Member<'a> {
    /// Not in the document.
    #[default]
    Absent,
    /// A JSON string.
    Text(Cow<'a, str>),
    /// Any other JSON value.
    NotText,
}

/// A NumericDate claim (`exp`, `nbf`, `iat`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Date {
    /// Not in the claim set.
    #[default]
    Absent,
    /// Whole seconds: fractions floored, out-of-range values saturated.
    Seconds(i64),
    /// Not a JSON number.
    NotNumber,
}

/// The `aud` claim.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Audience<'a> {
    /// Not in the claim set.
    #[default]
    Absent,
    /// A string, or a list of strings (possibly empty).
    Values(Vec<Cow<'a, str>>),
    /// Any other JSON value.
    Invalid,
}

/// The JOSE header members the verifier reads; every other member is checked (valid JSON, no
/// repeated names at any depth) but not kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HeaderFields<'a> {
    /// `alg`.
    pub alg: Member<'a>,
    /// `kid`.
    pub kid: Member<'a>,
    /// `typ`.
    pub typ: Member<'a>,
    /// `cty`.
    pub cty: Member<'a>,
    /// `crit` is present.
    pub crit: bool,
    /// `b64` is present with a value other than `true`.
    pub b64_not_true: bool,
}

/// The registered claims the verifier checks; every other member is checked but not kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClaimsFields<'a> {
    /// `exp`.
    pub exp: Date,
    /// `nbf`.
    pub nbf: Date,
    /// `iat`.
    pub iat: Date,
    /// `iss`.
    pub iss: Member<'a>,
    /// `aud`.
    pub aud: Audience<'a>,
}

/// Reads a JOSE header as strictly as [`parse`]; `Ok(None)` when the JSON is valid but not an
/// object.
pub fn parse_header(bytes: &[u8]) -> Result<Option<HeaderFields<'_>>, JsonError> {
    let mut p = Parser::new(bytes)?;
    if p.peek() != Some(b'{') {
        p.skip_value()?;
        p.finish()?;
        return Ok(None);
    }
    let mut h = HeaderFields::default();
    p.object(|p, key| {
        match &*key {
            "alg" => h.alg = p.text_member()?,
            "kid" => h.kid = p.text_member()?,
            "typ" => h.typ = p.text_member()?,
            "cty" => h.cty = p.text_member()?,
            "b64" => h.b64_not_true = !p.is_true()?,
            other => {
                h.crit |= other == "crit";
                p.skip_value()?;
            }
        }
        Ok(())
    })?;
    p.finish()?;
    Ok(Some(h))
}

/// Checks a claim set as strictly as [`parse`] and reads its registered claims; `Ok(None)` when
/// the JSON is valid but not an object.
pub fn scan_claims(bytes: &[u8]) -> Result<Option<ClaimsFields<'_>>, JsonError> {
    let mut p = Parser::new(bytes)?;
    if p.peek() != Some(b'{') {
        p.skip_value()?;
        p.finish()?;
        return Ok(None);
    }
    let mut c = ClaimsFields::default();
    p.object(|p, key| {
        match &*key {
            "exp" => c.exp = p.date()?,
            "nbf" => c.nbf = p.date()?,
            "iat" => c.iat = p.date()?,
            "iss" => c.iss = p.text_member()?,
            "aud" => c.aud = p.audience()?,
            _ => p.skip_value()?,
        }
        Ok(())
    })?;
    p.finish()?;
    Ok(Some(c))
}

/// Member names seen in one object: the first [`Seen::INLINE`] kept inline (no allocation for
/// ordinary documents), the rest in a hash set (so a hostile document with thousands of members
/// costs linear time).
struct Seen<'a> {
    inline: [Cow<'a, str>; Seen::INLINE],
    len: usize,
    more: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> Seen<'a> {
    const INLINE: usize = 16;

    fn new() -> Self {
        Self {
            inline: std::array::from_fn(|_| Cow::Borrowed("")),
            len: 0,
            more: None,
        }
    }

    /// Records `key`; false when it was already seen.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if self.inline[..self.len].contains(&key) {
            return false;
        }
        if self.len < Self::INLINE {
            self.inline[self.len] = key;
            self.len += 1;
            return true;
        }
        self.more.get_or_insert_with(HashSet::new).insert(key)
    }
}

/// A cursor over a UTF-8 document.
struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, JsonError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| JsonError::Syntax(format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
        let mut p = Self {
            text,
            b: bytes,
            pos: 0,
            depth: 0,
        };
        p.ws();
        Ok(p)
    }

    fn error<T>(&self, what: &str) -> Result<T, JsonError> {
        Err(JsonError::Syntax(format!("{what} at byte {}", self.pos)))
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Only whitespace may follow the value.
    fn finish(&mut self) -> Result<(), JsonError> {
        self.ws();
        if self.pos == self.b.len() {
            Ok(())
        } else {
            self.error("trailing characters")
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("nesting too deep");
        }
        self.pos += 1;
        self.ws();
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.error("invalid literal")
        }
    }

    /// Visits every member of the object at the cursor (which is on `{`), refusing repeated
    /// names; `member` must consume the value.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.enter()?;
        let mut seen = Seen::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return self.error("expected a member name");
            }
            let key = self.string()?;
            if !seen.insert(key.clone()) {
                return Err(JsonError::DuplicateKey(crate::errors::excerpt(&key, 40)));
            }
            self.ws();
            if self.peek() != Some(b':') {
                return self.error("expected ':'");
            }
            self.pos += 1;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return self.error("expected ',' or '}'"),
            }
        }
    }

    /// Visits every element of the array at the cursor (which is on `[`).
    fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return self.error("expected ',' or ']'"),
            }
        }
    }

    /// The string at the cursor (on its opening quote), unescaped; borrowed when it has no
    /// escape.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return self.error("control character in string"),
                Some(_) => self.pos += 1,
                None => return self.error("unterminated string"),
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(0..=0x1f) => return self.error("control character in string"),
                Some(_) => {
                    let run = self.pos;
                    while !matches!(self.peek(), None | Some(b'"' | b'\\' | 0..=0x1f)) {
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run..self.pos]);
                }
                None => return self.error("unterminated string"),
            }
        }
    }

    /// One escape sequence, the backslash already consumed.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if !self.b[self.pos..].starts_with(b"\\u") {
                        return self.error("lone leading surrogate");
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return self.error("invalid low surrogate");
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return self.error("lone trailing surrogate");
                } else {
                    hi
                };
                match char::from_u32(code) {
                    Some(ch) => out.push(ch),
                    None => return self.error("invalid escape"),
                }
                return Ok(());
            }
            _ => return self.error("invalid escape"),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(digits) = self.b.get(self.pos..self.pos + 4) else {
            return self.error("truncated \\u escape");
        };
        let mut v = 0u32;
        for d in digits {
            let n = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return self.error("invalid \\u escape"),
            };
            v = (v << 4) | u32::from(n);
        }
        self.pos += 4;
        Ok(v)
    }

    /// The number at the cursor: its text and whether it is an integer (no fraction or exponent).
    fn number(&mut self) -> Result<(&'a str, bool), JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.error("invalid number"),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.error("invalid number");
            }
            self.digits();
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.error("invalid number");
            }
            self.digits();
            integer = false;
        }
        let text = &self.text[start..self.pos];
        // Integers of up to 18 digits always fit; longer ones and non-integers must at least be
        // a finite double.
        let short = integer && text.len() <= 18;
        if !short
            && !(integer && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()))
            && !text.parse::<f64>().is_ok_and(f64::is_finite)
        {
            return self.error("number out of range");
        }
        Ok((text, integer))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Checks the value at the cursor and drops it.
    fn skip_value(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.object(|p, _| p.skip_value()),
            Some(b'[') => self.array(Self::skip_value),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(_) => self.error("expected a value"),
            None => self.error("unexpected end"),
        }
    }

    /// Builds the value at the cursor.
    fn build<B: Build>(&mut self, b: &mut B) -> Result<B::Value, JsonError> {
        match self.peek() {
            Some(b'{') => {
                let mut object = b.object();
                self.object(|p, key| {
                    let v = p.build(b)?;
                    b.insert(&mut object, &key, v);
                    Ok(())
                })?;
                Ok(b.end_object(object))
            }
            Some(b'[') => {
                let mut array = b.array();
                self.array(|p| {
                    let v = p.build(b)?;
                    b.push(&mut array, v);
                    Ok(())
                })?;
                Ok(b.end_array(array))
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(b.str(&s))
            }
            Some(b't') => self.literal(b"true").map(|()| b.bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| b.bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| b.null()),
            Some(b'-' | b'0'..=b'9') => {
                let (text, integer) = self.number()?;
                // "-0" is the double -0.0 (as serde_json reads it), not the integer 0.
                if integer && text != "-0" {
                    if let Ok(i) = text.parse::<i64>() {
                        return Ok(b.i64(i));
                    }
                    if let Ok(u) = text.parse::<u64>() {
                        return Ok(b.u64(u));
                    }
                }
                match text.parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(b.f64(f)),
                    _ => self.error("number out of range"),
                }
            }
            Some(_) => self.error("expected a value"),
            None => self.error("unexpected end"),
        }
    }

    /// A member value as text, or [`Member::NotText`] (checked and dropped).
    fn text_member(&mut self) -> Result<Member<'a>, JsonError> {
        if self.peek() == Some(b'"') {
            self.string().map(Member::Text)
        } else {
            self.skip_value().map(|()| Member::NotText)
        }
    }

    /// True for the literal `true`; any other value is checked and answers false.
    fn is_true(&mut self) -> Result<bool, JsonError> {
        if self.b[self.pos..].starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else {
            self.skip_value().map(|()| false)
        }
    }

    /// A NumericDate member value.
    fn date(&mut self) -> Result<Date, JsonError> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return self.skip_value().map(|()| Date::NotNumber);
        }
        let (text, integer) = self.number()?;
        if integer && let Ok(i) = text.parse::<i64>() {
            return Ok(Date::Seconds(i));
        }
        // Saturating float-to-int conversion of a finite double (checked by `number`).
        Ok(Date::Seconds(
            text.parse::<f64>().map_or(0, |f| f.floor() as i64),
        ))
    }

    /// The `aud` member value.
    fn audience(&mut self) -> Result<Audience<'a>, JsonError> {
        match self.peek() {
            Some(b'"') => Ok(Audience::Values(vec![self.string()?])),
            Some(b'[') => {
                let mut values = Vec::new();
                let mut all_text = true;
                self.array(|p| {
                    match p.text_member()? {
                        Member::Text(t) => values.push(t),
                        _ => all_text = false,
                    }
                    Ok(())
                })?;
                Ok(if all_text {
                    Audience::Values(values)
                } else {
                    Audience::Invalid
                })
            }
            _ => self.skip_value().map(|()| Audience::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_ordinary_json_in_order() {
        let v = parse(br#"{"b":1,"a":[true,null,"x",-2,1.5,{"c":{}}]}"#).unwrap();
        assert_eq!(
            v,
            json!({"b": 1, "a": [true, null, "x", -2, 1.5, {"c": {}}]})
        );
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(parse(b" [1] \n").unwrap(), json!([1]));
    }

    #[test]
    fn refuses_repeated_member_names_at_any_depth() {
        assert_eq!(
            parse(br#"{"alg":"HS256","alg":"none"}"#),
            Err(JsonError::DuplicateKey("alg".into()))
        );
        assert_eq!(
            parse(br#"{"a":[{"x":1,"y":2,"x":3}]}"#),
            Err(JsonError::DuplicateKey("x".into()))
        );
        // Same name, different escapes: still the same member.
        assert_eq!(
            parse(br#"{"exp":1,"\u0065xp":2}"#),
            Err(JsonError::DuplicateKey("exp".into()))
        );
        // Same name in sibling objects is fine.
        assert!(parse(br#"{"a":{"x":1},"b":{"x":1}}"#).is_ok());
    }

    #[test]
    fn refuses_everything_that_is_not_one_json_text() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\":1} x",
            b"{'a':1}",
            b"{\"a\":\"\x80\"}",
            b"\xEF\xBB\xBF{}",
            br#"{"a":"\ud800"}"#,
            b"{\"a\":1,}",
            b"NaN",
            b"1e400",
        ] {
            assert!(
                matches!(parse(bad), Err(JsonError::Syntax(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(parse(deep.as_bytes()), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn header_keeps_known_members_and_checks_the_rest() {
        let h = parse_header(br#"{"alg":"HS256","kid":"k","x":{"y":[1,{"z":2}]},"typ":"JWT"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(h.alg, Member::Text("HS256".into()));
        assert_eq!(h.kid, Member::Text("k".into()));
        assert_eq!(h.typ, Member::Text("JWT".into()));
        assert_eq!(h.cty, Member::Absent);
        assert!(!h.crit && !h.b64_not_true);
        let h = parse_header(br#"{"alg":1,"kid":null,"cty":["x"],"crit":[],"b64":false}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (h.alg, h.kid, h.cty),
            (Member::NotText, Member::NotText, Member::NotText)
        );
        assert!(h.crit && h.b64_not_true);
        let h = parse_header(br#"{"b64":true,"kid":"a\u0062"}"#)
            .unwrap()
            .unwrap();
        assert!(!h.b64_not_true);
        assert_eq!(h.kid, Member::Text("ab".into()));
        assert_eq!(
            parse_header(br#"{"kid":{"a":1,"a":2}}"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        assert_eq!(parse_header(b"[1,2]").unwrap(), None);
        assert_eq!(parse_header(b"\"x\"").unwrap(), None);
        for (bad, dup) in [
            (&br#"{"alg":"HS256","alg":"none"}"#[..], "alg"),
            (br#"{"x":1,"\u0078":2}"#, "x"),
            (br#"{"alg":"HS256","x":{"a":1,"a":2}}"#, "a"),
            (br#"{"alg":"HS256","x":[{"a":1,"a":2}]}"#, "a"),
            (br#"[{"a":1,"a":2}]"#, "a"),
        ] {
            assert_eq!(parse_header(bad), Err(JsonError::DuplicateKey(dup.into())));
        }
        for bad in [&b"{"[..], b"{\"alg\":\"\x80\"}", b"{} {}", b""] {
            assert!(matches!(parse_header(bad), Err(JsonError::Syntax(_))));
        }
    }

    #[test]
    fn claims_scan_reads_registered_claims() {
        let c = scan_claims(
            br#"{"sub":"a","exp":1700000000,"nbf":1.75,"iat":-3,"iss":"https://i","aud":["x","y"],"n":{"a":[1]}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.exp, Date::Seconds(1_700_000_000));
        assert_eq!(c.nbf, Date::Seconds(1));
        assert_eq!(c.iat, Date::Seconds(-3));
        assert_eq!(c.iss, Member::Text("https://i".into()));
        assert_eq!(c.aud, Audience::Values(vec!["x".into(), "y".into()]));
        let c = scan_claims(br#"{"exp":"1","nbf":null,"iat":[1],"iss":5,"aud":"solo"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.exp, c.nbf, c.iat),
            (Date::NotNumber, Date::NotNumber, Date::NotNumber)
        );
        assert_eq!(c.iss, Member::NotText);
        assert_eq!(c.aud, Audience::Values(vec!["solo".into()]));
        for aud in [
            &br#"{"aud":["x",1]}"#[..],
            br#"{"aud":{"x":1}}"#,
            br#"{"aud":null}"#,
        ] {
            assert_eq!(scan_claims(aud).unwrap().unwrap().aud, Audience::Invalid);
        }
        assert_eq!(
            scan_claims(br#"{"aud":[]}"#).unwrap().unwrap().aud,
            Audience::Values(vec![])
        );
        let big = scan_claims(br#"{"exp":18446744073709551615,"nbf":1e300,"iat":-1e300}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (big.exp, big.nbf, big.iat),
            (
                Date::Seconds(i64::MAX),
                Date::Seconds(i64::MAX),
                Date::Seconds(i64::MIN)
            )
        );
        assert_eq!(scan_claims(b"[]").unwrap(), None);
        assert_eq!(
            scan_claims(br#"{"exp":1,"exp":2}"#),
            Err(JsonError::DuplicateKey("exp".into()))
        );
        assert_eq!(
            scan_claims(br#"{"x":{"deep":[{"k":1,"k":1}]}}"#),
            Err(JsonError::DuplicateKey("k".into()))
        );
    }

    #[test]
    fn many_members_are_checked_in_linear_time_and_still_refused_when_repeated() {
        let members: Vec<String> = (0..5000).map(|i| format!("\"m{i}\":{i}")).collect();
        let ok = format!("{{{}}}", members.join(","));
        assert!(scan_claims(ok.as_bytes()).unwrap().is_some());
        assert!(parse_header(ok.as_bytes()).unwrap().is_some());
        for repeat in ["m0", "m15", "m16", "m4999"] {
            let bad = format!("{{{},\"{repeat}\":0}}", members.join(","));
            assert_eq!(
                scan_claims(bad.as_bytes()),
                Err(JsonError::DuplicateKey(repeat.into())),
                "{repeat}"
            );
            assert_eq!(
                parse(bad.as_bytes()),
                Err(JsonError::DuplicateKey(repeat.into()))
            );
        }
        let nested = format!("{{\"x\":{{{},\"m3\":1}}}}", members.join(","));
        assert_eq!(
            parse_header(nested.as_bytes()),
            Err(JsonError::DuplicateKey("m3".into()))
        );
    }

    /// The reference: serde_json's parser with a visitor that refuses repeated member names.
    mod reference {
        use serde::Deserialize;
        use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
        use serde_json::{Map, Number, Value};
        use std::fmt;

        pub struct Strict(pub Value);

        impl<'de> Deserialize<'de> for Strict {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V).map(Strict)
            }
        }

        struct V;

        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(v.into())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Number::from_f64(v)
                    .map(Value::Number)
                    .ok_or_else(|| E::custom("nan"))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(Strict(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut out = Map::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.contains_key(&k) {
                        return Err(de::Error::custom(format_args!("DUP:{k}")));
                    }
                    let Strict(v) = map.next_value()?;
                    out.insert(k, v);
                }
                Ok(Value::Object(out))
            }
        }

        /// `Ok(value)`, `Err(Some(name))` for a repeated name, `Err(None)` for anything else.
        pub fn parse(bytes: &[u8]) -> Result<Value, Option<String>> {
            serde_json::from_slice::<Strict>(bytes)
                .map(|s| s.0)
                .map_err(|e| {
                    let t = e.to_string();
                    t.strip_prefix("DUP:")
                        .map(|r| r.rsplit_once(" at line ").map_or(r, |(n, _)| n).to_owned())
                })
        }
    }

    /// Equal values; doubles may differ in the last place (ours are correctly rounded, serde_json
    /// without its `float_roundtrip` feature is not always), but not in sign or kind.
    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(1.0));
                x.is_sign_negative() == y.is_sign_negative()
                    && (x == y || ((x - y) / y).abs() < 4.0 * f64::EPSILON)
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, a), (kb, b))| ka == kb && close(a, b))
            }
            _ => a == b,
        }
    }

    fn same_as_reference(bytes: &[u8]) {
        let ours = parse(bytes);
        let theirs = reference::parse(bytes);
        let text = String::from_utf8_lossy(bytes);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert!(close(a, b), "{text:?}: {a} vs {b}"),
            (Err(JsonError::DuplicateKey(a)), Err(Some(b))) => assert_eq!(a, b, "{text:?}"),
            (Err(JsonError::Syntax(_)), Err(None)) => {}
            _ => panic!("{text:?}: ours {ours:?}, reference {theirs:?}"),
        }
        // The partial readers accept and refuse exactly what the full parser does.
        let header = parse_header(bytes).map(|_| ());
        let claims = scan_claims(bytes).map(|_| ());
        assert_eq!(header, ours.clone().map(|_| ()), "{text:?}");
        assert_eq!(claims, ours.map(|_| ()), "{text:?}");
    }

    #[test]
    fn edge_cases_match_the_reference() {
        for doc in [
            "0",
            "-0",
            "-0.0",
            "1",
            "-1",
            "1.5",
            "1e5",
            "1E+5",
            "1e-5",
            "0.1",
            "-9223372036854775808",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "1e308",
            "1e309",
            "-1e309",
            "1e-400",
            "123456789012345678901234567890",
            "1.59223372036854775808",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "0x1",
            "1.5e3.2",
            "true",
            "false",
            "null",
            "tru",
            "nulll",
            "True",
            "\"\"",
            "\"a\\\"b\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\u{1}\"",
            "\"a\tb\"",
            "\"é\"",
            "[]",
            "{}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            " [ 1 , { \"a\" : [ ] } ] ",
            "[1]x",
            "",
            "   ",
            "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"b\":1}}",
            "{\"\\u0061\":1,\"a\":2}",
            "[{\"x\":1},{\"x\":1}]",
            "\u{feff}{}",
            "{\"a\":\"\\/\"}",
            "[1e400]",
            "{\"exp\":1e400}",
        ] {
            same_as_reference(doc.as_bytes());
        }
        for depth in [127, 128, 129, 200] {
            same_as_reference(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).as_bytes());
            let objs = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            same_as_reference(objs.as_bytes());
        }
        same_as_reference(b"\"\xff\"");
        same_as_reference(b"{\"a\xc3\":1}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn random_documents_match_the_reference(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\n", "\"a\"", "\"b\"", "\"a\"", "\"\\u0061\"",
                "\"exp\"", "\"aud\"", "\"alg\"", "\"kid\"", "\"b64\"", "\"crit\"", "\"\\ud83d\\ude00\"",
                "\"\\ud800\"", "\"\\n\"", "\"x\\\\y\"", "\"é\"", "1", "-0", "0", "1.5", "-2e3", "1e400",
                "01", "9223372036854775808", "true", "false", "null", "nul", "\"", "\\", "x",
            ]), 0..24)
        ) {
            same_as_reference(parts.concat().as_bytes());
        }
    }

    #[test]
    fn build_object_fills_the_top_level_container() {
        let m = build_object(br#"{"a":[1,{"b":null}],"c":"\u00e9"}"#, &mut ValueBuilder)
            .unwrap()
            .unwrap();
        assert_eq!(Value::Object(m), json!({"a": [1, {"b": null}], "c": "é"}));
        assert_eq!(build_object(b"[1]", &mut ValueBuilder).unwrap(), None);
        assert!(build_object(br#"{"a":1,"a":1}"#, &mut ValueBuilder).is_err());
        assert!(build_object(br#"{"a":1} x"#, &mut ValueBuilder).is_err());
    }

    #[test]
    fn odd_member_names_are_just_names() {
        let v = parse(br#"{"\u0001duplicate member:x":1}"#).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 1);
        let dup = parse(br#"{"\u0001duplicate member:x":1,"\u0001duplicate member:x":2}"#);
        assert!(matches!(dup, Err(JsonError::DuplicateKey(_))));
    }
}
