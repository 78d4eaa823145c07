//! Field redaction for low-scope callers ([spec:redaction]).
//!
//! A caller holding the resource's `*:read_sensitive` scope (or `*`) sees everything; any other
//! caller gets these fields replaced by `null` (keys that are absent stay absent) and a boolean
//! marker beside them:
//!
//! | resource  | unlocking scope            | applies when                    | fields → `null` | marker |
//! |-----------|----------------------------|---------------------------------|-----------------|--------|
//! | `order`   | `orders:read_sensitive`    | no scope and `redactEmail`      | `email` | `emailRedacted` |
//! | `order`   | `orders:read_sensitive`    | no scope (flag ignored)         | line items lose `salePrice`, `subtotal`, `total` (removed) | — |
//! | `user`    | `users:read_sensitive`     | no scope and `redactEmail`      | `email` | `emailRedacted` |
//! | `user`    | `users:read_sensitive`     | no scope (flag ignored)         | `firstName`, `lastName`, `friendlyName`, `unverifiedEmail` | — |
//! | `address` | `addresses:read_sensitive` | no scope and `redactEmail`      | [`ADDRESS_FIELDS`] | `sensitiveRedacted` |
//!
//! The marker is set (to `true` when redacted, else `false`) on every object that holds one of
//! the fields it describes or already holds the marker. The rules apply to the record and to
//! every object nested in it at any depth (a list of records, an order's `customer` block, a
//! response envelope), so sensitive values cannot slip through a nesting level. Line items are the
//! members of an order's `lineItems`, whatever its keys: a list, or an object (a PHP array keyed
//! by line-item id, or a list with gaps after `array_filter`); an order's own `subtotal`/`total`
//! are kept.
//! `redactEmail = false` disables e-mail and address redaction alike, as in the plugin.

use serde_json::{Map, Value};

use crate::errors::InvalidInput;

/// Fields nulled in an address record (list view: the first five; detail view: all).
pub const ADDRESS_FIELDS: [&str; 15] = [
    "fullName",
    "organization",
    "postalCode",
    "locality",
    "administrativeArea",
    "firstName",
    "lastName",
    "organizationTaxId",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "dependentLocality",
    "sortingCode",
    "latitude",
    "longitude",
];

/// User fields nulled without the scope, whatever `redactEmail` says.
pub const USER_NAME_FIELDS: [&str; 4] =
    ["firstName", "lastName", "friendlyName", "unverifiedEmail"];

/// Line-item price fields shown only with `orders:read_sensitive`.
pub const LINE_ITEM_PRICE_FIELDS: [&str; 3] = ["salePrice", "subtotal", "total"];

/// The kinds of record that carry personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Commerce orders.
    Order,
    /// Craft users.
    User,
    /// Addresses.
    Address,
}

impl Resource {
    /// Parses `order`, `user` or `address`; anything else is a caller error.
    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        match name {
            "order" => Ok(Resource::Order),
            "user" => Ok(Resource::User),
            "address" => Ok(Resource::Address),
            other => Err(InvalidInput::single(
                "redaction resource",
                format!("\"{}\"", crate::errors::excerpt(other, 40)),
                "unknown resource (expected order, user or address)",
            )),
        }
    }

    /// The scope that unlocks this resource's sensitive fields.
    pub const fn unlocking_scope(self) -> &'static str {
        match self {
            Resource::Order => "orders:read_sensitive",
            Resource::User => "users:read_sensitive",
            Resource::Address => "addresses:read_sensitive",
        }
    }
}

/// True when `granted` (compared trimmed and lower-cased) holds `*` or the resource's scope.
pub fn unlocked(resource: Resource, granted: &[&str]) -> bool {
    granted.iter().any(|g| {
        let g = g.trim();
        g == "*" || g.eq_ignore_ascii_case(resource.unlocking_scope())
    })
}

/// Redacts `record` (a record, a list of records, or any structure holding them).
pub fn redact(
    mut record: Value,
    resource: Resource,
    granted: &[&str],
    redact_email: bool,
) -> Value {
    let unlocked = unlocked(resource, granted);
    let policy = Policy {
        resource,
        hide_marked: !unlocked && redact_email,
        hide_always: !unlocked,
    };
    walk(&mut record, &policy, Place::Plain);
    record
}

struct Policy {
    resource: Resource,
    /// Fields governed by the flag are hidden (no scope, flag on).
    hide_marked: bool,
    /// Fields independent of the flag are hidden (no scope).
    hide_always: bool,
}

/// Where a value sits relative to an order's `lineItems`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Anywhere else.
    Plain,
    /// The value of a `lineItems` key (or a list nested in one): its members are line items.
    LineItems,
    /// A line item.
    LineItem,
}

fn walk(v: &mut Value, p: &Policy, place: Place) {
    match v {
        Value::Array(items) => {
            let inner = if place == Place::Plain {
                Place::Plain
            } else {
                Place::LineItem
            };
            items.iter_mut().for_each(|i| walk(i, p, inner));
        }
        // A PHP array keyed by line-item id (or a filtered list) reaches us as an object: its
        // members are line items all the same; the container itself is not one.
        Value::Object(m) if place == Place::LineItems => {
            m.values_mut().for_each(|i| walk(i, p, Place::LineItem));
        }
        Value::Object(m) => {
            apply(m, p, place == Place::LineItem);
            for (k, child) in m.iter_mut() {
                if child.is_object() || child.is_array() {
                    let child_place = if p.resource == Resource::Order && k == "lineItems" {
                        Place::LineItems
                    } else {
                        Place::Plain
                    };
                    walk(child, p, child_place);
                }
            }
        }
        _ => {}
    }
}

fn apply(m: &mut Map<String, Value>, p: &Policy, line_item: bool) {
    match p.resource {
        Resource::Order => {
            mark(m, &["email"], "emailRedacted", p.hide_marked);
            if line_item && p.hide_always {
                for f in LINE_ITEM_PRICE_FIELDS {
                    m.remove(f);
                }
            }
        }
        Resource::User => {
            mark(m, &["email"], "emailRedacted", p.hide_marked);
            if p.hide_always {
                null_present(m, &USER_NAME_FIELDS);
            }
        }
        Resource::Address => mark(m, &ADDRESS_FIELDS, "sensitiveRedacted", p.hide_marked),
    }
}

/// Where any of `fields` (or the marker) is present: null the fields when `hide`, set the marker.
fn mark(m: &mut Map<String, Value>, fields: &[&str], marker: &str, hide: bool) {
    if !m.contains_key(marker) && !fields.iter().any(|f| m.contains_key(*f)) {
        return;
    }
    if hide {
        null_present(m, fields);
    }
    m.insert(marker.to_owned(), Value::Bool(hide));
}

fn null_present(m: &mut Map<String, Value>, fields: &[&str]) {
    for f in fields {
        if let Some(v) = m.get_mut(*f) {
            *v = Value::Null;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Value {
        json!({
            "id": 7, "email": "a@example.com", "total": 90.5, "subtotal": 80,
            "customer": {"id": 3, "email": "a@example.com"},
            "lineItems": [{"sku": "X", "qty": 2, "salePrice": 40, "subtotal": 80, "total": 80}]
        })
    }

    #[test]
    fn order_without_the_scope() {
        let r = redact(order(), Resource::Order, &["orders:read"], true);
        assert_eq!(
            r,
            json!({
                "id": 7, "email": null, "total": 90.5, "subtotal": 80,
                "customer": {"id": 3, "email": null, "emailRedacted": true},
                "lineItems": [{"sku": "X", "qty": 2}],
                "emailRedacted": true
            })
        );
    }

    #[test]
    fn line_items_keyed_by_id_or_with_gaps_lose_their_prices() {
        // `array_filter` leaves keys 1 and 3; a map keyed by line-item id; a nested list.
        for items in [
            json!({"1": {"sku": "A", "salePrice": 5, "subtotal": 5, "total": 5},
                   "3": {"sku": "B", "total": 7}}),
            json!({"li-9": {"sku": "A", "salePrice": 5}, "total": {"sku": "B", "total": 7}}),
            json!([[{"sku": "A", "salePrice": 5}]]),
        ] {
            let o = json!({"id": 1, "total": 12, "lineItems": items.clone()});
            let r = redact(o, Resource::Order, &["orders:read"], true);
            assert_eq!(r["total"], 12);
            let members: Vec<&Value> = match &r["lineItems"] {
                Value::Object(m) => m.values().collect(),
                Value::Array(a) => a.iter().flat_map(|i| i.as_array().unwrap()).collect(),
                other => panic!("{other}"),
            };
            for item in members {
                for f in LINE_ITEM_PRICE_FIELDS {
                    assert!(item.get(f).is_none(), "{f} in {item}");
                }
            }
            assert!(r["lineItems"].to_string().contains("\"sku\":\"A\""));
            // The container's own keys stay, even one named like a price field.
            if items.get("total").is_some() {
                assert_eq!(r["lineItems"]["total"], json!({"sku": "B"}));
            }
            let r = redact(
                json!({"lineItems": items.clone()}),
                Resource::Order,
                &["*"],
                true,
            );
            assert_eq!(r["lineItems"], items);
        }
    }

    #[test]
    fn order_with_the_scope_or_wildcard() {
        for scopes in [
            &["orders:read", "orders:read_sensitive"][..],
            &["*"],
            &[" ORDERS:READ_SENSITIVE "],
        ] {
            let r = redact(order(), Resource::Order, scopes, true);
            assert_eq!(r["email"], "a@example.com");
            assert_eq!(r["emailRedacted"], false);
            assert_eq!(r["customer"]["emailRedacted"], false);
            assert_eq!(r["lineItems"][0]["salePrice"], 40);
        }
    }

    #[test]
    fn order_with_redaction_off_keeps_email_but_not_prices() {
        let r = redact(order(), Resource::Order, &["orders:read"], false);
        assert_eq!(r["email"], "a@example.com");
        assert_eq!(r["emailRedacted"], false);
        assert!(r["lineItems"][0].get("salePrice").is_none());
        assert_eq!(r["total"], 90.5);
    }

    #[test]
    fn lists_of_records_and_other_scopes() {
        let list = json!([order(), {"id": 8, "email": "b@example.com"}]);
        let r = redact(
            list,
            Resource::Order,
            &["users:read_sensitive", "addresses:read_sensitive"],
            true,
        );
        assert_eq!(r[0]["email"], Value::Null);
        assert_eq!(r[1], json!({"id": 8, "email": null, "emailRedacted": true}));
    }

    #[test]
    fn users() {
        let u = json!({"id": 1, "email": "u@example.com", "firstName": "Ada", "lastName": "L",
                       "friendlyName": "Ada", "unverifiedEmail": "n@example.com", "username": "ada"});
        let r = redact(u.clone(), Resource::User, &[], true);
        assert_eq!(
            r,
            json!({"id": 1, "email": null, "firstName": null, "lastName": null, "friendlyName": null,
                   "unverifiedEmail": null, "username": "ada", "emailRedacted": true})
        );
        let r = redact(u.clone(), Resource::User, &["users:read"], false);
        assert_eq!(r["email"], "u@example.com");
        assert_eq!(r["emailRedacted"], false);
        assert_eq!(r["firstName"], Value::Null);
        let r = redact(u.clone(), Resource::User, &["users:read_sensitive"], true);
        let mut want = u;
        want["emailRedacted"] = json!(false);
        assert_eq!(r, want);
        // A list record without names gets only the e-mail rule.
        let r = redact(
            json!([{"id": 2, "email": "x@y"}]),
            Resource::User,
            &[],
            true,
        );
        assert_eq!(r, json!([{"id": 2, "email": null, "emailRedacted": true}]));
    }

    #[test]
    fn addresses() {
        let a = json!({"id": 5, "countryCode": "DE", "fullName": "A B", "postalCode": "10115",
                       "locality": "Berlin", "addressLine1": "Str. 1", "latitude": 52.5});
        let r = redact(a.clone(), Resource::Address, &["addresses:read"], true);
        assert_eq!(
            r,
            json!({"id": 5, "countryCode": "DE", "fullName": null, "postalCode": null,
                   "locality": null, "addressLine1": null, "latitude": null, "sensitiveRedacted": true})
        );
        let r = redact(a.clone(), Resource::Address, &["addresses:read"], false);
        assert_eq!(r["fullName"], "A B");
        assert_eq!(r["sensitiveRedacted"], false);
        let r = redact(a, Resource::Address, &["*"], true);
        assert_eq!(r["sensitiveRedacted"], false);
        assert_eq!(r["latitude"], 52.5);
    }

    #[test]
    fn objects_without_the_fields_get_no_marker_unless_they_had_one() {
        let r = redact(
            json!({"id": 1, "meta": {"x": 1}}),
            Resource::User,
            &[],
            true,
        );
        assert_eq!(r, json!({"id": 1, "meta": {"x": 1}}));
        let r = redact(
            json!({"id": 1, "emailRedacted": false}),
            Resource::User,
            &[],
            true,
        );
        assert_eq!(r["emailRedacted"], true);
        assert_eq!(redact(json!([]), Resource::Order, &[], true), json!([]));
    }

    #[test]
    fn unknown_resource_is_a_caller_error() {
        assert_eq!(Resource::parse("user").unwrap(), Resource::User);
        for bad in ["users", "Order", "", "entry"] {
            assert!(Resource::parse(bad).is_err(), "{bad}");
        }
    }
}
