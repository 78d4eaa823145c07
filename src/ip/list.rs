//! Reading a list of allowlist entries from the shapes operators and storage use: text split
//! on commas and whitespace, JSON array text (how the plugin stores allowlists), or a list whose
//! members are one entry each. Every entry is checked; every problem is reported.

use std::borrow::Cow;

use serde_json::Value;

use super::parse::{Cidr, parse_entry, scan_entry};
use crate::errors::{InvalidInput, excerpt};

/// Most entries one list may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// Longest text input accepted (bytes): 512 KiB.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;

/// Most characters of an entry quoted back in a problem report.
const EXCERPT_CHARS: usize = 64;

/// One member of a list input.
#[derive(Debug, Clone)]
pub enum ListItem<'a> {
    /// A text member (any bytes; must be UTF-8 to be valid).
    Text(&'a [u8]),
    /// A member that is not text, with a short description of its type (e.g. `(int) 5`).
    Other(String),
}

/// The whole input of an allowlist.
#[derive(Debug, Clone)]
pub enum Input<'a> {
    /// Nothing: an empty list.
    Empty,
    /// Text: entries separated by commas and whitespace, or JSON array text.
    Text(&'a [u8]),
    /// A list: each member one entry.
    List(Vec<ListItem<'a>>),
    /// Something that is neither text nor a list (its type description).
    Other(String),
}

/// One refused entry (or the whole input, when `index` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedEntry {
    /// Position of the entry among the entries read (0-based); `None` for the whole input.
    pub index: Option<usize>,
    /// The entry as written (escaped and shortened), or a type description.
    pub entry: String,
    /// True when `entry` quotes text (as opposed to describing a non-text value).
    pub quoted: bool,
    /// Why it was refused.
    pub reason: String,
}

/// The outcome of reading an allowlist without failing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// Valid entries in canonical order (IPv4 first, by network, then prefix), de-duplicated.
    pub entries: Vec<Cidr>,
    /// Every refused entry, in input order.
    pub invalid: Vec<RefusedEntry>,
}

impl Normalized {
    /// Turns the problems into an [`InvalidInput`] about `subject`, items named `label[i]`.
    pub fn into_result(self, subject: &str, label: &str) -> Result<Vec<Cidr>, InvalidInput> {
        if self.invalid.is_empty() {
            return Ok(self.entries);
        }
        let mut err = InvalidInput::new(subject);
        for p in &self.invalid {
            let item = match (p.index, p.quoted) {
                (Some(i), true) => format!("{label}[{i}] \"{}\"", p.entry),
                (Some(i), false) => format!("{label}[{i}] {}", p.entry),
                (None, _) => format!("{label} {}", p.entry),
            };
            err.push(item, p.reason.clone());
        }
        err.into_result(self.entries)
    }
}

/// Reads every entry of `input`, never failing: valid entries are canonicalised, sorted and
/// de-duplicated; each invalid one is reported with its reason. An input over the limits
/// ([`MAX_ENTRIES`], [`MAX_TEXT_BYTES`]) yields no entry and one problem.
pub fn normalize(input: &Input<'_>) -> Normalized {
    let mut out = Normalized::default();
    match input {
        Input::Empty => {}
        Input::Other(kind) => out.whole(kind.clone(), "must be an array or a string"),
        Input::Text(text) => read_text(text, &mut out),
        Input::List(members) => read_list(members.iter().map(Member::of), &mut out),
    }
    out.finish()
}

/// [`normalize`] of a list given member by member (no list of members is built first).
pub fn normalize_items<'a>(items: impl ExactSizeIterator<Item = ListItem<'a>>) -> Normalized {
    let mut out = Normalized::default();
    read_list(
        items.map(|item| match item {
            ListItem::Text(bytes) => Member::Text(bytes),
            ListItem::Other(kind) => Member::Other(Cow::Owned(kind)),
        }),
        &mut out,
    );
    out.finish()
}

/// Reads a JSON value: a string is text input, an array (or object, by its values) is a list,
/// `null` is empty.
pub fn normalize_value(value: &Value) -> Normalized {
    match value {
        Value::Null => normalize(&Input::Empty),
        Value::String(s) => normalize(&Input::Text(s.as_bytes())),
        Value::Array(items) => normalize_json_members(items.iter()),
        Value::Object(map) => normalize_json_members(map.values()),
        other => normalize(&Input::Other(describe_json(other))),
    }
}

fn normalize_json_members<'a>(items: impl ExactSizeIterator<Item = &'a Value>) -> Normalized {
    normalize_items(items.map(|v| match v {
        Value::String(s) => ListItem::Text(s.as_bytes()),
        other => ListItem::Other(describe_json(other)),
    }))
}

/// A short description of a JSON value's type, in the style of PHP's (`(int) 5`).
pub fn describe_json(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("(bool) {b}"),
        Value::Number(n) if n.is_f64() => format!("(float) {n}"),
        Value::Number(n) => format!("(int) {n}"),
        Value::String(_) => "string".to_owned(),
        Value::Array(_) | Value::Object(_) => "array".to_owned(),
    }
}

impl Normalized {
    /// Sorts and de-duplicates the valid entries.
    fn finish(mut self) -> Self {
        self.entries.sort_unstable();
        self.entries.dedup();
        self
    }

    fn whole(&mut self, entry: String, reason: impl Into<String>) {
        self.entries.clear();
        self.invalid.clear();
        self.invalid.push(RefusedEntry {
            index: None,
            entry,
            quoted: false,
            reason: reason.into(),
        });
    }

    fn too_many(&mut self, n: usize) {
        self.whole(
            format!("({n} entries)"),
            format!("more than {MAX_ENTRIES} entries"),
        );
    }

    fn read_one(&mut self, index: usize, bytes: &[u8]) {
        if let Some(net) = scan_entry(bytes) {
            self.entries.push(net);
            return;
        }
        let problem = |reason: String| RefusedEntry {
            index: Some(index),
            entry: quote(bytes),
            quoted: true,
            reason,
        };
        match std::str::from_utf8(bytes) {
            Err(_) => self.invalid.push(problem("not valid UTF-8".to_owned())),
            Ok(text) => match parse_entry(text) {
                Ok(net) => self.entries.push(net),
                Err(e) => self.invalid.push(problem(e.to_string())),
            },
        }
    }
}

/// The entry text for a report: lossy UTF-8, control characters escaped, shortened.
fn quote(bytes: &[u8]) -> String {
    excerpt(&String::from_utf8_lossy(bytes), EXCERPT_CHARS)
}

/// Separators of text input: commas and ASCII whitespace (including vertical tab).
fn is_separator(b: u8) -> bool {
    matches!(b, b',' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |e| e + 1);
    &bytes[start..end.max(start)]
}

fn is_space(b: u8) -> bool {
    b != b',' && is_separator(b)
}

fn read_text(text: &[u8], out: &mut Normalized) {
    if text.len() > MAX_TEXT_BYTES {
        out.whole(
            format!("(text of {} bytes)", text.len()),
            format!("longer than {MAX_TEXT_BYTES} bytes"),
        );
        return;
    }
    let trimmed = trim(text);
    if trimmed.first() == Some(&b'[') {
        // The crate's one strict reader (a repeated member name is refused).
        match crate::json::parse(trimmed) {
            Ok(value) => {
                *out = normalize_value(&value);
                return;
            }
            Err(crate::json::JsonError::DuplicateKey(name)) => {
                out.whole(
                    format!("\"{}\"", quote(trimmed)),
                    format!(
                        "not a valid JSON array: an object repeats the member name \"{}\"",
                        crate::errors::excerpt(&name, 40)
                    ),
                );
                return;
            }
            // `[::1]` and the like are not JSON: read them as entries (and refuse the
            // brackets). Text with quotes was meant as JSON.
            Err(crate::json::JsonError::Syntax(e)) if trimmed.contains(&b'"') => {
                out.whole(
                    format!("\"{}\"", quote(trimmed)),
                    format!("not a valid JSON array: {e}"),
                );
                return;
            }
            Err(_) => {}
        }
    }
    let mut pieces = text.split(|&b| is_separator(b)).filter(|p| !p.is_empty());
    let mut taken: Vec<&[u8]> = Vec::new();
    for piece in pieces.by_ref() {
        if taken.len() == MAX_ENTRIES {
            out.too_many(MAX_ENTRIES + 1 + pieces.count());
            return;
        }
        taken.push(piece);
    }
    for (i, piece) in taken.into_iter().enumerate() {
        out.read_one(i, piece);
    }
}

/// One member of a list, borrowed from a [`ListItem`] or taken from one.
enum Member<'m> {
    Text(&'m [u8]),
    Other(Cow<'m, str>),
}

impl<'m> Member<'m> {
    fn of(item: &'m ListItem<'_>) -> Self {
        match item {
            ListItem::Text(bytes) => Member::Text(bytes),
            ListItem::Other(kind) => Member::Other(Cow::Borrowed(kind)),
        }
    }
}

fn read_list<'m>(members: impl ExactSizeIterator<Item = Member<'m>>, out: &mut Normalized) {
    if members.len() > MAX_ENTRIES {
        out.too_many(members.len());
        return;
    }
    out.entries.reserve_exact(members.len());
    let mut index = 0usize;
    for member in members {
        match member {
            Member::Text(bytes) => {
                // A valid entry has no blank or separator to trim or report.
                if let Some(net) = scan_entry(bytes) {
                    out.entries.push(net);
                    index += 1;
                    continue;
                }
                let entry = trim(bytes);
                if entry.is_empty() {
                    // A blank line of a form: nothing to read.
                    continue;
                }
                if let Some(&sep) = entry.iter().find(|&&b| is_separator(b)) {
                    out.invalid.push(RefusedEntry {
                        index: Some(index),
                        entry: quote(bytes),
                        quoted: true,
                        reason: format!(
                            "one entry per list member (found {})",
                            describe_separator(sep)
                        ),
                    });
                } else {
                    out.read_one(index, entry);
                }
            }
            Member::Other(kind) => out.invalid.push(RefusedEntry {
                index: Some(index),
                entry: kind.into_owned(),
                quoted: false,
                reason: "not a string".to_owned(),
            }),
        }
        index += 1;
    }
}

fn describe_separator(b: u8) -> &'static str {
    match b {
        b',' => "a comma",
        _ => "whitespace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(n: &Normalized) -> Vec<String> {
        n.entries.iter().map(ToString::to_string).collect()
    }

    fn reasons(n: &Normalized) -> Vec<(String, String)> {
        n.invalid
            .iter()
            .map(|p| (p.entry.clone(), p.reason.clone()))
            .collect()
    }

    #[test]
    fn text_is_split_sorted_and_deduplicated() {
        let n = normalize(&Input::Text(
            b"2001:DB8::/32, 10.0.0.0/8\n\t192.168.1.1 ,, ::1 10.0.0.0/8 2001:db8::/32 1.2.3.4/24",
        ));
        assert_eq!(
            canon(&n),
            ["10.0.0.0/8", "192.168.1.1/32", "::1/128", "2001:db8::/32"]
        );
        assert_eq!(
            reasons(&n),
            [(
                "1.2.3.4/24".to_owned(),
                "host bits set below /24: did you mean 1.2.3.0/24?".to_owned()
            )]
        );
        assert_eq!(n.invalid[0].index, Some(6));
    }

    #[test]
    fn sort_order_is_family_network_prefix() {
        let n = normalize(&Input::Text(
            b"::/0 10.0.0.0/16 10.0.0.0/8 9.0.0.0/8 0.0.0.0/0",
        ));
        assert_eq!(
            canon(&n),
            [
                "0.0.0.0/0",
                "9.0.0.0/8",
                "10.0.0.0/8",
                "10.0.0.0/16",
                "::/0"
            ]
        );
    }

    #[test]
    fn reference_example_is_refused_precisely() {
        let n = normalize(&Input::Text(
            b"10.1.2.3/8, 192.168.1.1 ::1 2001:db8::1/33 1.2.3.4/33 bad 300.1.1.1 10.0.0.0/08 1.2.3.4/ ::ffff:10.0.0.1/104",
        ));
        assert_eq!(canon(&n), ["192.168.1.1/32", "::1/128"]);
        let got: Vec<String> = n.invalid.iter().map(|p| p.reason.clone()).collect();
        assert_eq!(
            got,
            [
                "host bits set below /8: did you mean 10.0.0.0/8?",
                "host bits set below /33: did you mean 2001:db8::/33?",
                "prefix 33 > 32",
                "not an IP address or CIDR",
                "octet 300 > 255",
                "leading zero in prefix",
                "empty prefix after '/'",
                "host bits set below /104: did you mean ::ffff:10.0.0.0/104?",
            ]
        );
    }

    #[test]
    fn json_array_text_is_decoded() {
        let n = normalize(&Input::Text(br#" ["10.0.0.0/8", "::1", 5, null] "#));
        assert_eq!(canon(&n), ["10.0.0.0/8", "::1/128"]);
        assert_eq!(
            reasons(&n),
            [
                ("(int) 5".to_owned(), "not a string".to_owned()),
                ("null".to_owned(), "not a string".to_owned())
            ]
        );
        assert!(normalize(&Input::Text(b"[]")).entries.is_empty());
        assert!(normalize(&Input::Text(b"[]")).invalid.is_empty());
    }

    #[test]
    fn bracketed_text_that_is_not_json_is_read_as_entries() {
        let n = normalize(&Input::Text(b"[::1]"));
        assert_eq!(
            reasons(&n),
            [("[::1]".to_owned(), "brackets not allowed".to_owned())]
        );
        let n = normalize(&Input::Text(br#"["10.0.0.0/8""#));
        assert_eq!(n.invalid.len(), 1);
        assert!(n.invalid[0].reason.starts_with("not a valid JSON array"));
        assert_eq!(n.invalid[0].index, None);
    }

    #[test]
    fn list_members_are_one_entry_each() {
        let n = normalize(&Input::List(vec![
            ListItem::Text(b" 10.0.0.0/8 "),
            ListItem::Text(b""),
            ListItem::Text(b"1.2.3.4, 5.6.7.8"),
            ListItem::Other("(int) 5".into()),
            ListItem::Text(b"\xff\xfe"),
        ]));
        assert_eq!(canon(&n), ["10.0.0.0/8"]);
        let r = reasons(&n);
        assert_eq!(r[0].1, "one entry per list member (found a comma)");
        assert_eq!(r[1], ("(int) 5".to_owned(), "not a string".to_owned()));
        assert_eq!(r[2].1, "not valid UTF-8");
        assert_eq!(n.invalid[2].index, Some(3));
    }

    #[test]
    fn limits_refuse_the_whole_input() {
        let big = "1.2.3.4 ".repeat(MAX_TEXT_BYTES / 8 + 1);
        let n = normalize(&Input::Text(big.as_bytes()));
        assert!(n.entries.is_empty());
        assert_eq!(n.invalid.len(), 1);
        assert_eq!(n.invalid[0].reason, "longer than 524288 bytes");

        let many = "1.2.3.4,".repeat(MAX_ENTRIES + 5);
        let n = normalize(&Input::Text(many.as_bytes()));
        assert!(n.entries.is_empty());
        assert_eq!(n.invalid[0].reason, "more than 10000 entries");
        assert_eq!(n.invalid[0].entry, "(10005 entries)");

        let ok = "1.2.3.4,".repeat(MAX_ENTRIES);
        assert_eq!(normalize(&Input::Text(ok.as_bytes())).entries.len(), 1);

        let members = vec![ListItem::Text(b"1.2.3.4"); MAX_ENTRIES + 1];
        assert_eq!(normalize(&Input::List(members)).invalid.len(), 1);
    }

    #[test]
    fn values() {
        assert!(normalize_value(&Value::Null).entries.is_empty());
        let n = normalize_value(&json!(["10.0.0.0/8", 1.5, true, ["x"]]));
        assert_eq!(canon(&n), ["10.0.0.0/8"]);
        let d: Vec<String> = n.invalid.iter().map(|p| p.entry.clone()).collect();
        assert_eq!(d, ["(float) 1.5", "(bool) true", "array"]);
        let n = normalize_value(&json!(5));
        assert_eq!(n.invalid[0].reason, "must be an array or a string");
        let n = normalize_value(&json!("[\"10.0.0.0/8\"]"));
        assert_eq!(canon(&n), ["10.0.0.0/8"]);
    }

    #[test]
    fn invalid_input_names_every_entry() {
        let n = normalize(&Input::List(vec![
            ListItem::Text(b"10.0.0.5/8"),
            ListItem::Other("(int) 5".into()),
        ]));
        let e = n.into_result("IpAllowlist entries", "entries").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("entries[0] \"10.0.0.5/8\": host bits set below /8"),
            "{m}"
        );
        assert!(m.contains("entries[1] (int) 5: not a string"), "{m}");
    }

    #[test]
    fn nul_and_control_bytes_are_escaped_in_reports() {
        let n = normalize(&Input::Text(b"10.0.0.0/8\0"));
        assert_eq!(n.invalid[0].entry, "10.0.0.0/8\\0");
        assert_eq!(n.invalid[0].reason, "prefix must be plain decimal digits");
    }
}
