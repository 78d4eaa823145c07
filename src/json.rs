//! The one strict JSON reader for every security-relevant JSON input: JOSE headers and claim
//! sets, `PLUGIN_AGENTS_API_CREDENTIALS`, JSON-text columns of managed credential rows and JSON
//! allowlists. It accepts exactly one RFC 8259 text: valid UTF-8, no lone surrogate, at most
//! [`MAX_DEPTH`] levels of nesting, numbers that fit a double, and no object that repeats a
//! member name at any depth (a repeated name is refused rather than resolved by "last one
//! wins", so `{"token":"a","token":"b"}` can never silently mean `b`). Member names are
//! compared after unescaping.
//!
//! [`parse`] builds a `serde_json::Value` (members in document order); [`build`] and
//! [`build_object`] hand the values to any [`Build`]er; [`Parser`] is the cursor the JWT
//! scanners (`jwt::json`) use to read only the members they need without building values.

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

/// Member names seen in one object: the first [`Seen::INLINE`] names without escapes kept inline
/// as borrowed text (no allocation and nothing to drop for ordinary documents), the rest and every
/// unescaped copy in a hash set (so a hostile document with thousands of members costs linear
/// time).
struct Seen<'a> {
    inline: [&'a str; Seen::INLINE],
    len: usize,
    more: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> Seen<'a> {
    const INLINE: usize = 16;

    fn new() -> Self {
        Self {
            inline: [""; Seen::INLINE],
            len: 0,
            more: None,
        }
    }

    /// Records `name` (`borrowed`: the same text borrowed from the document, when it had no
    /// escape); false when it was already seen.
    #[inline]
    fn insert(&mut self, name: &str, borrowed: Option<&'a str>) -> bool {
        if self.inline[..self.len].contains(&name) {
            return false;
        }
        if let Some(more) = &self.more
            && more.contains(name)
        {
            return false;
        }
        match borrowed {
            Some(b) if self.len < Self::INLINE => {
                self.inline[self.len] = b;
                self.len += 1;
            }
            _ => {
                self.more
                    .get_or_insert_with(HashSet::new)
                    .insert(borrowed.map_or_else(|| Cow::Owned(name.to_owned()), Cow::Borrowed));
            }
        }
        true
    }
}

/// The length of the leading run of `b` that a string copies as is: no `"`, no `\\`, no control
/// character. Eight bytes at a time: in each word, the lowest byte flagged by the "has a byte
/// below n" test is exactly the first such byte (no borrow reaches it from below).
fn plain_run(b: &[u8]) -> usize {
    use crate::swar::{HIGH, ONES};
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let stop = (below(quote, 1) | below(backslash, 1) | below(w, 0x20)) & HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(b.len() - i)
}

/// A JSON number's value ([`Parser::number_value`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// An integer that fits `i64`.
    I64(i64),
    /// An integer above `i64::MAX` that fits `u64`.
    U64(u64),
    /// Any other number, finite: with a fraction or an exponent, `-0`, or an integer beyond
    /// `u64`.
    F64(f64),
}

impl Num {
    /// The number as `b` builds it.
    pub fn build<B: Build>(self, b: &mut B) -> B::Value {
        match self {
            Num::I64(i) => b.i64(i),
            Num::U64(u) => b.u64(u),
            Num::F64(f) => b.f64(f),
        }
    }
}

/// A position of a [`Parser`], to read a value again ([`Parser::mark`], [`Parser::rewind`]).
#[derive(Debug, Clone, Copy)]
pub struct Mark(usize);

/// A cursor over a UTF-8 document, for readers that keep only some members (see the module
/// docs). Every method checks what it consumes as strictly as [`parse`].
pub struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    /// A cursor at the first value of `bytes` (which must be UTF-8).
    pub fn new(bytes: &'a [u8]) -> Result<Self, JsonError> {
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

    /// The byte at the cursor, if any.
    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Consumes the literal `true` when the cursor is on it.
    pub fn eat_true(&mut self) -> bool {
        if self.b[self.pos..].starts_with(b"true") {
            self.pos += 4;
            true
        } else {
            false
        }
    }

    /// Only whitespace may follow the value.
    pub fn finish(&mut self) -> Result<(), JsonError> {
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
    pub fn object(
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
            let borrowed = match &key {
                Cow::Borrowed(b) => Some(*b),
                Cow::Owned(_) => None,
            };
            if !seen.insert(&key, borrowed) {
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
    pub fn array(
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
    #[inline]
    pub fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1;
        let start = self.pos;
        self.pos += plain_run(&self.b[self.pos..]);
        match self.peek() {
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => return self.error("control character in string"),
            None => return self.error("unterminated string"),
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
                    self.pos += plain_run(&self.b[self.pos..]);
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
    pub fn number(&mut self) -> Result<(&'a str, bool), JsonError> {
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

    /// The number at the cursor, as its value.
    pub fn number_value(&mut self) -> Result<Num, JsonError> {
        if let Some(n) = self.short_integer() {
            return Ok(Num::I64(n));
        }
        let (text, integer) = self.number()?;
        // "-0" is the double -0.0 (as serde_json reads it), not the integer 0.
        if integer && text != "-0" {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, text),
            };
            // Up to 18 digits always fit: no parse needed.
            if digits.len() <= 18 {
                let v = digits
                    .bytes()
                    .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
                return Ok(Num::I64(if negative { -v } else { v }));
            }
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Num::I64(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Num::U64(u));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Num::F64(f)),
            _ => self.error("number out of range"),
        }
    }

    /// The common case of [`Parser::number_value`] in one pass: an integer of 1 to 18 digits
    /// without a leading zero (or `0` itself, but not `-0`), not followed by a fraction, an
    /// exponent or another digit, which [`Parser::number`] would read with the same end. `None`
    /// (the cursor unmoved) for anything else.
    fn short_integer(&mut self) -> Option<i64> {
        let rest = &self.b[self.pos..];
        let negative = rest.first() == Some(&b'-');
        let start = usize::from(negative);
        let (mut end, mut v) = (start, 0i64);
        while let Some(&d) = rest.get(end) {
            if !d.is_ascii_digit() || end - start == 18 {
                break;
            }
            v = v * 10 + i64::from(d - b'0');
            end += 1;
        }
        let len = end - start;
        let ends = !matches!(rest.get(end), Some(b'.' | b'e' | b'E' | b'0'..=b'9'));
        let zero_led = rest.get(start) == Some(&b'0') && (len > 1 || negative);
        if len == 0 || zero_led || !ends {
            return None;
        }
        self.pos += end;
        Some(if negative { -v } else { v })
    }

    /// Moves past a run of ASCII digits.
    fn digits(&mut self) {
        let rest = &self.b[self.pos..];
        self.pos += rest
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(rest.len());
    }

    /// Where the cursor is, for [`Parser::rewind`].
    pub fn mark(&self) -> Mark {
        Mark(self.pos)
    }

    /// Moves the cursor back to `mark`, taken at the start of a value this cursor has read since
    /// (at the same nesting depth), so that value can be read again in another way.
    pub fn rewind(&mut self, mark: Mark) {
        self.pos = mark.0;
    }

    /// Checks the value at the cursor and drops it.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
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

    /// Builds the value at the cursor with `b`.
    pub fn build<B: Build>(&mut self, b: &mut B) -> Result<B::Value, JsonError> {
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
            Some(b'-' | b'0'..=b'9') => self.number_value().map(|n| n.build(b)),
            Some(_) => self.error("expected a value"),
            None => self.error("unexpected end"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_reader_refuses_repeated_names_and_keeps_order() {
        assert_eq!(
            parse(br#"{"token":"first","token":"second"}"#),
            Err(JsonError::DuplicateKey("token".into()))
        );
        assert_eq!(
            parse(br#"[{"x":{"a":1,"\u0061":2}}]"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        let v = parse(br#"{"b":1,"a":[1,2]}"#).unwrap();
        assert_eq!(v, json!({"b": 1, "a": [1, 2]}));
        assert_eq!(v.as_object().unwrap().keys().next().unwrap(), "b");
        assert!(matches!(parse(b"{\"a\":1} x"), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn plain_runs_stop_at_the_first_quote_backslash_or_control_character() {
        let slow = |b: &[u8]| {
            b.iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .unwrap_or(b.len())
        };
        for stop in [b'"', b'\\', 0, 0x1f, b'\n'] {
            for len in 0..20 {
                for at in 0..=len {
                    // Bytes around the stop that a word-wide test could confuse with it.
                    let mut b: Vec<u8> = (0..len)
                        .map(|i| [b'a', 0x20, 0x7f, 0x80, 0xff, b'!', b'#', b'['][i % 8])
                        .collect();
                    if at < len {
                        b[at] = stop;
                    }
                    assert_eq!(plain_run(&b), slow(&b), "{b:?}");
                }
            }
        }
    }

    #[test]
    fn the_cursor_reads_members_without_building() {
        let mut p = Parser::new(br#"{"a":true,"b":"x","c":[1,{"d":null}]}"#).unwrap();
        let mut seen = Vec::new();
        p.object(|p, key| {
            match &*key {
                "a" => assert!(p.eat_true()),
                "b" => assert_eq!(p.string().unwrap(), "x"),
                _ => p.skip_value()?,
            }
            seen.push(key.into_owned());
            Ok(())
        })
        .unwrap();
        p.finish().unwrap();
        assert_eq!(seen, ["a", "b", "c"]);
    }
}
