//! Managed (CP) credential rows ([spec:managed-credentials]), as the plugin reads them from its
//! credential table.
//!
//! Keys: `id` (positive integer), `handle`, `tokenHash` (64 hex digits), `scopes` (list,
//! comma/space string or JSON array text; empty grants nothing — no fallback, [spec:default-scopes]),
//! `ipAllowlist` (list, string or JSON array text), `expiresAt`, `revokedAt`, `pausedAt`,
//! `reminderDays` (or the column name `expiryReminderDays`), `forceHumanApproval` (missing →
//! true, the column default), `webhookResourceTypes`, `webhookActions`. Other columns are
//! ignored. A row with any unusable field is skipped as a whole and reported.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::ScopeList;
use super::expiry::{self, Lifecycle, parse_timestamp};
use super::field::Field;
use super::name::Name;
use super::readers;
use super::terms::{Subscriptions, Terms};
use crate::digest::TokenDigest;
use crate::errors::excerpt;
use crate::ip::Allowlist;

/// One usable managed row.
#[derive(Debug)]
pub struct ManagedEntry {
    /// Row id.
    pub managed_id: i64,
    /// Normalized handle.
    pub handle: Name,
    /// The stored token digest.
    pub digest: TokenDigest,
    /// Stored scopes (parsed, unfiltered); consecutive rows with equal scope columns share one
    /// list.
    pub scopes: ScopeList,
    /// Allowlist, lifecycle, approval and webhook subscriptions.
    pub terms: Terms,
}

/// A row that cannot be used: a label for messages (handle or position) and every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `` `handle` (row n)`` or `row n`.
    pub label: String,
    /// Every problem found.
    pub problems: Vec<String>,
}

impl Skipped {
    /// The warning message (never a hash or secret).
    pub fn message(&self) -> String {
        format!(
            "Managed credential {} was skipped: {}.",
            self.label,
            self.problems.join("; ")
        )
    }
}

/// The columns the core reads; any other column of a row is ignored.
pub const COLUMNS: [&str; 13] = [
    "id",
    "handle",
    "tokenHash",
    "scopes",
    "ipAllowlist",
    "expiresAt",
    "revokedAt",
    "pausedAt",
    "reminderDays",
    "expiryReminderDays",
    "forceHumanApproval",
    "webhookResourceTypes",
    "webhookActions",
];

/// Position of column `name` in [`COLUMNS`]; `None` for a column the core does not read.
/// Always inlined: with a literal name (the row reader's lookups) it folds to a constant.
#[inline(always)]
pub fn column_index(name: &[u8]) -> Option<usize> {
    // A match on the bytes (the compiler switches on the length first) rather than a search
    // of `COLUMNS`: every key of every row comes through here.
    let i = match name {
        b"id" => 0,
        b"handle" => 1,
        b"tokenHash" => 2,
        b"scopes" => 3,
        b"ipAllowlist" => 4,
        b"expiresAt" => 5,
        b"revokedAt" => 6,
        b"pausedAt" => 7,
        b"reminderDays" => 8,
        b"expiryReminderDays" => 9,
        b"forceHumanApproval" => 10,
        b"webhookResourceTypes" => 11,
        b"webhookActions" => 12,
        _ => return None,
    };
    debug_assert_eq!(COLUMNS[i].as_bytes(), name);
    Some(i)
}

/// One row's columns as the core reads them, borrowed from whatever holds the row (a JSON
/// object, a PHP array): filled in one pass over the row, then looked up by name.
#[derive(Debug, Default)]
pub struct Row<'a>([Option<Field<'a>>; COLUMNS.len()]);

impl<'a> Row<'a> {
    /// Keeps `value` as column `name` when it is one of [`COLUMNS`]; any other column is
    /// ignored.
    pub fn set(&mut self, name: &[u8], value: impl FnOnce() -> Field<'a>) {
        if let Some(i) = column_index(name) {
            self.0[i] = Some(value());
        }
    }

    /// The columns of a JSON object.
    pub fn of_object(obj: &'a Map<String, Value>) -> Self {
        let mut row = Row::default();
        for (name, value) in obj {
            row.set(name.as_bytes(), || Field::from(value));
        }
        row
    }
}

/// The columns of one row, however the row is held, by position in [`COLUMNS`] (as
/// [`column_index`] gives it). [`Row`] holds them converted; a source can also convert each
/// only when the reader asks for it.
pub trait Columns<'a> {
    /// Column number `i`; `None` when the row has no such column.
    fn column(&self, i: usize) -> Option<Cow<'_, Field<'a>>>;

    /// Whether column number `i` equals `value` (what `column(i)` gives, compared with `==`);
    /// `None` when the row has no such column. A source that can compare its value without
    /// converting it first says so here.
    fn column_is(&self, i: usize, value: &Field<'a>) -> Option<bool> {
        self.column(i).map(|c| *c == *value)
    }

    /// Whether column number `i` is `null` or an empty list (what every list column reads as
    /// "none"); `None` when the row has no such column. A source that can tell without
    /// converting the column says so here.
    fn column_is_empty(&self, i: usize) -> Option<bool> {
        self.column(i).map(|c| {
            matches!(*c, Field::Null) || matches!(&*c, Field::List(items) if items.is_empty())
        })
    }
}

impl<'a> Columns<'a> for Row<'a> {
    #[inline]
    fn column(&self, i: usize) -> Option<Cow<'_, Field<'a>>> {
        self.0.get(i)?.as_ref().map(Cow::Borrowed)
    }
}

/// Column `name` (one of [`COLUMNS`]) of `row`.
#[inline(always)]
fn column<'r, 'a, C: Columns<'a>>(row: &'r C, name: &str) -> Option<Cow<'r, Field<'a>>> {
    row.column(column_index(name.as_bytes())?)
}

/// One row, read: a usable entry, or why it is skipped.
pub type ManagedRow = Result<ManagedEntry, Skipped>;

/// Managed rows handed over one at a time, in table order: a reader can hand each row over as
/// soon as it has read it, so the set is compiled without a list of every read row first.
pub trait RowSource {
    /// How many rows there are (it only sizes the set's tables).
    fn size_hint(&self) -> usize;

    /// Calls `f` with every row, in order.
    fn for_each_row(self, f: impl FnMut(ManagedRow));
}

impl RowSource for Vec<ManagedRow> {
    fn size_hint(&self) -> usize {
        self.len()
    }

    fn for_each_row(self, f: impl FnMut(ManagedRow)) {
        self.into_iter().for_each(f);
    }
}

/// The result for a row that is not an array at all.
pub fn not_an_array(index: usize) -> ManagedRow {
    Err(Skipped {
        label: format!("row {}", index + 1),
        problems: vec!["the row is not an array".to_owned()],
    })
}

/// Reads JSON row number `index` (0-based) on its own.
pub fn read_value(row: &Value, index: usize) -> ManagedRow {
    RowReader::default().read_value(row, index)
}

/// Reads JSON rows in order with one [`RowReader`].
pub fn read_values(rows: &[Value]) -> Vec<ManagedRow> {
    let mut reader = RowReader::default();
    rows.iter()
        .enumerate()
        .map(|(i, row)| reader.read_value(row, i))
        .collect()
}

/// Reads row number `index` (0-based) on its own.
pub fn parse_row(row: &Row<'_>, index: usize) -> ManagedRow {
    RowReader::default().read(row, index)
}

/// Reads the rows of one table in order. A table repeats a few scope lists and allowlists over
/// many rows, so the reader keeps the last few distinct ones it read and does not parse an
/// equal one again: the rows share the one list it read.
#[derive(Debug, Default)]
pub struct RowReader<'a> {
    scopes: Recent<'a, Result<ScopeList, String>>,
    allowlists: Recent<'a, Result<Allowlist, String>>,
}

/// What a reader that depends on nothing but the value gave for the last few distinct values
/// (equal values, same shape), most recent last.
#[derive(Debug)]
struct Recent<'a, T> {
    kept: Vec<(Field<'a>, T)>,
}

impl<T> Default for Recent<'_, T> {
    fn default() -> Self {
        Self { kept: Vec::new() }
    }
}

impl<'a, T: Clone> Recent<'a, T> {
    /// How many distinct values are kept.
    const KEPT: usize = 4;

    /// The result for column `i` of `row`: the kept one for an equal value (compared by the
    /// row, without converting the column when it can), else `read`'s, kept. `None` when the
    /// row has no such column.
    fn get<C: Columns<'a>>(
        &mut self,
        row: &C,
        i: usize,
        read: impl FnOnce(&Field<'a>) -> T,
    ) -> Option<T> {
        for (kept, result) in self.kept.iter().rev() {
            if row.column_is(i, kept)? {
                return Some(result.clone());
            }
        }
        let field = row.column(i)?.into_owned();
        let result = read(&field);
        if self.kept.len() == Self::KEPT {
            self.kept.remove(0);
        }
        self.kept.push((field, result.clone()));
        Some(result)
    }
}

impl<'a> RowReader<'a> {
    /// Reads JSON row number `index` (0-based).
    pub fn read_value(&mut self, row: &'a Value, index: usize) -> ManagedRow {
        match row {
            Value::Object(obj) => self.read(&Row::of_object(obj), index),
            _ => not_an_array(index),
        }
    }

    /// Reads row number `index` (0-based).
    pub fn read<C: Columns<'a>>(&mut self, row: &C, index: usize) -> ManagedRow {
        let mut problems = Vec::new();
        let handle = match column(row, "handle").as_deref().and_then(readers::id_text) {
            Some(h) => readers::normalize_handle(&h),
            None => Name::default(),
        };
        if handle.is_empty() {
            problems.push("handle is missing or empty".to_owned());
        }
        let managed_id = match column(row, "id").as_deref() {
            Some(&Field::Int(n)) => Some(n),
            Some(Field::Text(s)) => readers::trim(s).parse::<i64>().ok(),
            _ => None,
        }
        .filter(|i| *i > 0);
        if managed_id.is_none() {
            problems.push("id must be a positive integer".to_owned());
        }
        let digest = match column(row, "tokenHash").as_deref() {
            Some(Field::Text(h)) => TokenDigest::from_hex(readers::trim(h)),
            _ => None,
        };
        if digest.is_none() {
            problems.push("tokenHash must be 64 hexadecimal digits".to_owned());
        }
        let scopes_at = column_index(b"scopes").unwrap_or(usize::MAX);
        let scopes = self
            .scopes
            .get(row, scopes_at, |f| readers::scopes(f).map(Arc::from))
            .and_then(|read| match read {
                Ok(v) => Some(v),
                Err(e) => {
                    problems.push(format!("scopes {e}"));
                    None
                }
            });
        let p = &mut problems;
        let allowlist = match allowlist(&mut self.allowlists, row) {
            Some(Err(e)) => {
                p.push(format!("ipAllowlist: {e}"));
                None
            }
            Some(Ok(a)) => Some(a),
            None => None,
        };
        let expires_at = read(row, "expiresAt", " ", parse_timestamp, p).flatten();
        let revoked = read(row, "revokedAt", " ", parse_timestamp, p).flatten();
        let paused = read(row, "pausedAt", " ", parse_timestamp, p).flatten();
        let reminder = column(row, "reminderDays").or_else(|| column(row, "expiryReminderDays"));
        let reminder_days = expiry::reminder_days(reminder.as_deref());
        let force_human_approval =
            readers::flag(column(row, "forceHumanApproval").as_deref(), true).unwrap_or_else(|e| {
                p.push(format!("forceHumanApproval {e}"));
                true
            });
        let webhook_resource_types = words(row, "webhookResourceTypes", p);
        let webhook_actions = words(row, "webhookActions", p);
        match (managed_id, digest) {
            (Some(managed_id), Some(digest)) if problems.is_empty() => Ok(ManagedEntry {
                managed_id,
                handle,
                digest,
                scopes: scopes.unwrap_or_else(|| Arc::from([])),
                terms: Terms {
                    allowlist: allowlist.unwrap_or_default(),
                    lifecycle: Lifecycle {
                        expires_at,
                        revoked: revoked.is_some(),
                        paused: paused.is_some(),
                        reminder_days,
                    },
                    force_human_approval,
                    subscriptions: Subscriptions::of(
                        webhook_resource_types.unwrap_or_default(),
                        webhook_actions.unwrap_or_default(),
                    ),
                },
            }),
            _ => Err(Skipped {
                label: if handle.is_empty() {
                    format!("row {}", index + 1)
                } else {
                    format!("`{}` (row {})", excerpt(&handle, 64), index + 1)
                },
                problems,
            }),
        }
    }
}

/// The allowlist column of `row` ([`readers::allowlist`]), `None` when there is none; an empty
/// column (`null`, an empty list) is read on the spot, any other through `recent`.
fn allowlist<'a, C: Columns<'a>>(
    recent: &mut Recent<'a, Result<Allowlist, String>>,
    row: &C,
) -> Option<Result<Allowlist, String>> {
    let at = column_index(b"ipAllowlist")?;
    if row.column_is_empty(at)? {
        return Some(Ok(Allowlist::default()));
    }
    recent.get(row, at, readers::allowlist)
}

/// A list of words ([`readers::words`]) from optional column `name`; `None` when there is none
/// or it is `null` or an empty list (the usual value: no subscription), which is read on the
/// spot.
#[inline(always)]
fn words<'a, C: Columns<'a>>(
    row: &C,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Vec<String>> {
    if row.column_is_empty(column_index(name.as_bytes())?)? {
        return None;
    }
    read(row, name, " ", readers::words, problems)
}

/// Reads optional column `name` with `parse`; a missing column is `None`, a parse error is
/// recorded as `<name><sep><error>`.
#[inline(always)]
fn read<'a, C: Columns<'a>, T, E: std::fmt::Display>(
    row: &C,
    name: &str,
    sep: &str,
    mut parse: impl FnMut(&Field<'a>) -> Result<T, E>,
    problems: &mut Vec<String>,
) -> Option<T> {
    let value = column(row, name)?;
    match parse(&value) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!("{name}{sep}{e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::field::Item;
    use serde_json::json;

    fn parse_row_json(row: &Value, index: usize) -> ManagedRow {
        read_value(row, index)
    }

    const HASH: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    fn row(extra: Value) -> Value {
        let mut r = json!({"id": 7, "handle": "content-qa", "tokenHash": HASH});
        if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                r.insert(k.clone(), v.clone());
            }
        }
        r
    }

    #[test]
    fn every_column_has_its_own_index() {
        for (i, name) in COLUMNS.iter().enumerate() {
            assert_eq!(column_index(name.as_bytes()), Some(i), "{name}");
        }
        assert_eq!(column_index(b"displayName"), None);
        assert_eq!(column_index(b"ID"), None);
    }

    #[test]
    fn a_reader_gives_every_row_its_own_scopes() {
        let rows = [
            row(json!({"scopes": ["auth:read", "entries:write"]})),
            row(json!({"scopes": ["auth:read", "entries:write"]})),
            row(json!({"scopes": "auth:read entries:write"})),
            row(json!({"scopes": ["health:read"]})),
            row(json!({"scopes": [5, {"a": 1}]})),
            row(json!({"scopes": [5, {"a": 1}]})),
            row(json!({"scopes": ["auth:read", "entries:write"]})),
        ];
        let mut reader = RowReader::default();
        let read: Vec<ManagedRow> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| reader.read_value(r, i))
            .collect();
        let alone: Vec<ManagedRow> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| read_value(r, i))
            .collect();
        for (i, (a, b)) in read.iter().zip(&alone).enumerate() {
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a.scopes, b.scopes, "row {i}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "row {i}"),
                _ => panic!("row {i}: {a:?} vs {b:?}"),
            }
        }
        let scopes = |i: usize| read[i].as_ref().map(|e| e.scopes.clone()).unwrap();
        assert_eq!(*scopes(0), ["auth:read", "entries:write:draft"]);
        assert_eq!(scopes(1), scopes(0));
        assert_eq!(scopes(2), scopes(0));
        assert_eq!(*scopes(3), ["health:read"]);
        assert!(read[4].is_err() && read[5].is_err());
        assert_eq!(scopes(6), scopes(0));
    }

    #[test]
    fn a_reader_gives_every_row_its_own_allowlist() {
        let lists = [
            json!(["10.0.0.0/8", "192.0.2.0/24"]),
            json!(null),
            json!(["2001:db8::/32"]),
            json!("10.0.0.0/8 192.0.2.0/24"),
            json!(["10.0.0.5/8", 5]),
            json!([]),
            json!("[\"198.51.100.0/24\"]"),
            json!(["203.0.113.7"]),
            json!(["10.0.0.0/8"]),
        ];
        // More distinct values than a reader keeps, revisited in another order.
        let order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 4, 2, 8, 8, 6, 0, 1, 3];
        let rows: Vec<Value> = order
            .iter()
            .map(|&i| row(json!({"ipAllowlist": lists[i]})))
            .collect();
        let mut reader = RowReader::default();
        for (i, r) in rows.iter().enumerate() {
            match (reader.read_value(r, i), read_value(r, i)) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(
                        a.terms.allowlist.entries(),
                        b.terms.allowlist.entries(),
                        "{i}"
                    );
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "row {i}"),
                (a, b) => panic!("row {i}: {a:?} vs {b:?}"),
            }
        }
    }

    /// Columns converted only when asked for, and compared without converting where the value
    /// allows it (what the PHP glue does over PHP arrays).
    struct OnDemand<'a>(&'a Map<String, Value>);

    impl<'a> Columns<'a> for OnDemand<'a> {
        fn column(&self, i: usize) -> Option<Cow<'_, Field<'a>>> {
            let v = self.0.get(*COLUMNS.get(i)?)?;
            Some(Cow::Owned(Field::from(v)))
        }

        fn column_is(&self, i: usize, value: &Field<'a>) -> Option<bool> {
            let v = self.0.get(*COLUMNS.get(i)?)?;
            Some(match (v, value) {
                (Value::Array(items), Field::List(fields)) => {
                    items.len() == fields.len()
                        && items.iter().zip(fields).all(|(v, f)| Item::from(v) == *f)
                }
                (Value::String(s), Field::Text(t)) => s == t,
                (v, f) => Field::from(v) == *f,
            })
        }
    }

    #[test]
    fn columns_read_on_demand_give_what_a_filled_row_gives() {
        let scopes = [
            json!(["auth:read", "entries:write"]),
            json!(["auth:read", "entries:write", 5]),
            json!(["auth:read", 5]),
            json!(["auth:read", "5"]),
            json!("auth:read entries:write"),
            json!("[\"auth:read\"]"),
            json!([]),
            json!(null),
            json!([["nested"]]),
            json!({"a": 1}),
            json!(7),
        ];
        let allowlists = [
            json!(["10.0.0.0/8", "192.0.2.0/24"]),
            json!([]),
            json!(null),
            json!(""),
            json!(["10.0.0.0/8", 5]),
            json!(["10.0.0.5/8"]),
            json!("10.0.0.0/8"),
            json!([null]),
            json!(false),
        ];
        let mut rows = Vec::new();
        for i in 0..60usize {
            let mut r = row(json!({
                "scopes": scopes[i % scopes.len()],
                "ipAllowlist": allowlists[(i * 7) % allowlists.len()],
                "webhookActions": if i % 5 == 0 { json!(["Created"]) } else { json!([]) },
                "expiresAt": if i % 3 == 0 { json!("2030-01-01 00:00:00") } else { json!(null) },
            }));
            if i % 11 == 0 {
                r.as_object_mut().map(|o| o.remove("ipAllowlist"));
            }
            if i % 13 == 0 {
                r.as_object_mut().map(|o| o.remove("scopes"));
            }
            rows.push(r);
        }
        let mut reader = RowReader::default();
        for (i, r) in rows.iter().enumerate() {
            let on_demand = reader.read(&OnDemand(r.as_object().unwrap()), i);
            let alone = read_value(r, i);
            assert_eq!(format!("{on_demand:?}"), format!("{alone:?}"), "row {i}");
        }
    }

    #[test]
    fn a_minimal_row_takes_the_documented_defaults() {
        let e = parse_row_json(&row(json!({})), 0).unwrap();
        assert_eq!(e.managed_id, 7);
        assert_eq!(e.handle, "content-qa");
        assert_eq!(e.digest.to_hex(), HASH);
        assert!(e.scopes.is_empty());
        assert!(e.terms.allowlist.is_empty());
        assert!(e.terms.force_human_approval);
        assert_eq!(e.terms.lifecycle, Lifecycle::default());
    }

    #[test]
    fn every_field_in_its_shapes() {
        let e = parse_row_json(
            &row(json!({
                "id": "12",
                "tokenHash": HASH.to_ascii_uppercase(),
                "scopes": "[\"orders:read\",\"auth:read\"]",
                "ipAllowlist": "[\"10.0.0.0/8\",\"2001:db8::/32\"]",
                "expiresAt": "2030-01-01 00:00:00",
                "revokedAt": null,
                "pausedAt": 1_700_000_000,
                "expiryReminderDays": "0",
                "forceHumanApproval": 0,
                "webhookResourceTypes": ["entry"],
                "webhookActions": "[\"created\"]",
                "displayName": "ignored",
                "tokenPrefix": "ignored",
            })),
            0,
        )
        .unwrap();
        assert_eq!(e.managed_id, 12);
        assert_eq!(*e.scopes, ["auth:read", "orders:read"]);
        assert!(e.terms.allowlist.contains("10.1.1.1".parse().unwrap()));
        assert_eq!(e.terms.lifecycle.expires_at, Some(1_893_456_000));
        assert!(e.terms.lifecycle.paused && !e.terms.lifecycle.revoked);
        assert_eq!(e.terms.lifecycle.reminder_days, 0);
        assert!(!e.terms.force_human_approval);
        assert_eq!(e.terms.webhook_resource_types(), ["entry"]);
        assert_eq!(e.terms.webhook_actions(), ["created"]);
    }

    #[test]
    fn unusable_rows_are_skipped_with_every_problem() {
        let s = parse_row_json(
            &json!({"handle": "!!", "tokenHash": "abc", "ipAllowlist": "nope", "expiresAt": "x", "forceHumanApproval": "y"}),
            2,
        )
        .unwrap_err();
        assert_eq!(s.label, "row 3");
        let m = s.message();
        for part in [
            "handle",
            "id",
            "tokenHash",
            "ipAllowlist",
            "expiresAt",
            "forceHumanApproval",
        ] {
            assert!(m.contains(part), "{part} missing in {m}");
        }
        assert!(parse_row_json(&json!("row"), 0).is_err());
        // A stored allowlist that cannot be read never becomes "no allowlist".
        let s = parse_row_json(&row(json!({"ipAllowlist": "[\"10.0.0.0/8\", \"bad\"]"})), 0)
            .unwrap_err();
        assert_eq!(s.label, "`content-qa` (row 1)");
        assert!(parse_row_json(&row(json!({"id": 0})), 0).is_err());
        assert!(parse_row_json(&row(json!({"scopes": {"a": "b"}})), 0).is_err());
        assert!(parse_row_json(&row(json!({"revokedAt": ""})), 0).is_err());
    }

    #[test]
    fn messages_never_carry_the_hash() {
        let s = parse_row_json(&row(json!({"ipAllowlist": "bad"})), 0).unwrap_err();
        assert!(!s.message().contains(HASH));
    }
}
