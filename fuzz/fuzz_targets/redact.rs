//! Redaction of a JSON record from the input, for each resource, with the scope set and the
//! flag taken from the input (first line: `<flag byte><scope>,<scope>,...`; the rest: the record).
//!
//! Never panics. Redaction is idempotent. Without the unlocking scope (and `*`), no object at any
//! depth keeps a non-null value in a field the resource hides (e-mail and address fields when the
//! flag is on; user names always), and no line item keeps a price. With the scope, or for fields
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
        rules.hidden_everywhere(&out, false);
        assert!(
            rules.same_but_hidden(&record, &out, false),
            "{record} -> {out}"
        );
    }
});

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

    fn strips_prices(&self, line_item: bool) -> bool {
        line_item && self.locked && self.resource == Resource::Order
    }

    /// No hidden field keeps a value anywhere in `v`.
    fn hidden_everywhere(&self, v: &Value, line_item: bool) {
        match v {
            Value::Array(items) => items
                .iter()
                .for_each(|i| self.hidden_everywhere(i, line_item)),
            Value::Object(m) => {
                for f in self.nulled() {
                    assert!(m.get(f).is_none_or(Value::is_null), "{f} kept in {v}");
                }
                if self.strips_prices(line_item) {
                    for f in LINE_ITEM_PRICE_FIELDS {
                        assert!(!m.contains_key(f), "{f} kept in line item {v}");
                    }
                }
                for (k, child) in m {
                    self.hidden_everywhere(
                        child,
                        self.resource == Resource::Order && k == "lineItems",
                    );
                }
            }
            _ => {}
        }
    }

    /// `out` is `input` with hidden fields nulled, prices removed and markers set: nothing else
    /// changed.
    fn same_but_hidden(&self, input: &Value, out: &Value, line_item: bool) -> bool {
        match (input, out) {
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| self.same_but_hidden(x, y, line_item))
            }
            (Value::Object(a), Value::Object(b)) => {
                let nulled = self.nulled();
                let markers = self.markers();
                let dropped =
                    |k: &str| self.strips_prices(line_item) && LINE_ITEM_PRICE_FIELDS.contains(&k);
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
                        let child_items = self.resource == Resource::Order && k == "lineItems";
                        self.same_but_hidden(x, y, child_items)
                    }
                })
            }
            _ => input == out,
        }
    }
}
