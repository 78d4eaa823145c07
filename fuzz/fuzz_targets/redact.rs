//! Redaction of a JSON record from the input, for each resource, with the scope set and the
//! flag taken from the input (first line: `<flag byte><scope>,<scope>,...`; the rest: the record).
//!
//! Never panics. Redaction is idempotent. Without the unlocking scope (and `*`), no object at any
//! depth keeps a non-null value in a field the resource hides (e-mail and address fields when the
//! flag is on; user names always), and no line item keeps a price (a line item is any member of
//! an order's `lineItems`, a list or an object keyed by id). With the scope, or for fields
//! the rules do not name, every value is kept: removing the markers from input and output leaves
//! the same document, except for line-item prices and hidden fields. Resource names other than
//! `order`, `user` and `address` are refused.
#![no_main]

use agents_core::redact::{
    self, ADDRESS_FIELDS, LINE_ITEM_PRICE_FIELDS, Resource, USER_NAME_FIELDS,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (head, record) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let flag = head.first().is_some_and(|b| b & 1 == 1);
    let scope_text = String::from_utf8_lossy(head.get(1..).unwrap_or_default());
    let granted: Vec<&str> = scope_text.split(',').collect();
    let name = String::from_utf8_lossy(head);
    assert_eq!(
        Resource::parse(&name).is_ok(),
        matches!(name.as_ref(), "order" | "user" | "address")
    );
    let Ok(record) = serde_json::from_slice::<Value>(record) else {
        return;
    };
    for resource in [Resource::Order, Resource::User, Resource::Address] {
        let out = redact::redact(record.clone(), resource, &granted, flag);
        assert_eq!(
            redact::redact(out.clone(), resource, &granted, flag),
            out,
            "not idempotent"
        );
        let unlocked = granted.iter().any(|g| {
            let g = g.trim();
            g == "*" || g.eq_ignore_ascii_case(resource.unlocking_scope())
        });
        assert_eq!(redact::unlocked(resource, &granted), unlocked);
        let rules = Rules {
            resource,
            locked: !unlocked,
            flag,
        };
        rules.hidden_everywhere(&out, Place::Plain);
        assert!(
            rules.same_but_hidden(&record, &out, Place::Plain),
            "{record} -> {out}"
        );
    }
});

/// Where a value sits relative to an order's `lineItems` (an independent model of the rule).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Plain,
    /// The value of `lineItems`, or a list inside it: its members are line items.
    LineItems,
    LineItem,
}

impl Place {
    /// The place of a list member.
    fn member(self) -> Place {
        match self {
            Place::Plain => Place::Plain,
            Place::LineItems | Place::LineItem => Place::LineItem,
        }
    }
}

struct Rules {
    resource: Resource,
    locked: bool,
    flag: bool,
}

impl Rules {
    /// Fields nulled in every object, and the marker that goes with them.
    fn nulled(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.locked && self.flag {
            match self.resource {
                Resource::Order | Resource::User => out.push("email"),
                Resource::Address => out.extend(ADDRESS_FIELDS),
            }
        }
        if self.locked && self.resource == Resource::User {
            out.extend(USER_NAME_FIELDS);
        }
        out
    }

    fn markers(&self) -> &'static [&'static str] {
        match self.resource {
            Resource::Order | Resource::User => &["emailRedacted"],
            Resource::Address => &["sensitiveRedacted"],
        }
    }

    fn strips_prices(&self, place: Place) -> bool {
        place == Place::LineItem && self.locked && self.resource == Resource::Order
    }

    /// Where the value of key `k` sits: the value of an order's `lineItems` holds line items.
    fn child_place(&self, k: &str) -> Place {
        if self.resource == Resource::Order && k == "lineItems" {
            Place::LineItems
        } else {
            Place::Plain
        }
    }

    /// No hidden field keeps a value anywhere in `v`.
    fn hidden_everywhere(&self, v: &Value, place: Place) {
        match v {
            Value::Array(items) => items
                .iter()
                .for_each(|i| self.hidden_everywhere(i, place.member())),
            // Every member of a `lineItems` object is a line item, whatever its key.
            Value::Object(m) if place == Place::LineItems => m
                .values()
                .for_each(|i| self.hidden_everywhere(i, Place::LineItem)),
            Value::Object(m) => {
                for f in self.nulled() {
                    assert!(m.get(f).is_none_or(Value::is_null), "{f} kept in {v}");
                }
                if self.strips_prices(place) {
                    for f in LINE_ITEM_PRICE_FIELDS {
                        assert!(!m.contains_key(f), "{f} kept in line item {v}");
                    }
                }
                for (k, child) in m {
                    self.hidden_everywhere(child, self.child_place(k));
                }
            }
            _ => {}
        }
    }

    /// `out` is `input` with hidden fields nulled, prices removed and markers set: nothing else
    /// changed.
    fn same_but_hidden(&self, input: &Value, out: &Value, place: Place) -> bool {
        match (input, out) {
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| self.same_but_hidden(x, y, place.member()))
            }
            (Value::Object(a), Value::Object(b)) if place == Place::LineItems => {
                a.len() == b.len()
                    && a.iter().all(|(k, x)| {
                        b.get(k)
                            .is_some_and(|y| self.same_but_hidden(x, y, Place::LineItem))
                    })
            }
            (Value::Object(a), Value::Object(b)) => {
                let nulled = self.nulled();
                let markers = self.markers();
                let dropped =
                    |k: &str| self.strips_prices(place) && LINE_ITEM_PRICE_FIELDS.contains(&k);
                let kept_keys = a.keys().filter(|k| !dropped(k)).count();
                let added = b.keys().filter(|k| !a.contains_key(*k)).count();
                if b.len() != kept_keys + added
                    || b.keys()
                        .any(|k| !a.contains_key(k) && !markers.contains(&k.as_str()))
                {
                    return false;
                }
                a.iter().filter(|(k, _)| !dropped(k)).all(|(k, x)| {
                    let Some(y) = b.get(k) else { return false };
                    if markers.contains(&k.as_str()) {
                        y.is_boolean() || y == x
                    } else if nulled.contains(&k.as_str()) {
                        y.is_null()
                    } else {
                        self.same_but_hidden(x, y, self.child_place(k))
                    }
                })
            }
            _ => input == out,
        }
    }
}
