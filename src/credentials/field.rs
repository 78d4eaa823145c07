//! A borrowed configuration value: what a column of a managed row or a member of an env JSON
//! entry holds, read without copying. JSON values and PHP arrays both map onto it, so the one
//! set of readers in [`super::readers`] serves both (and the PHP glue converts nothing it does not
//! need).

use serde_json::Value;

/// One value, borrowed from its holder.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// UTF-8 text.
    Text(&'a str),
    /// A list (for a PHP array: its values in order, keys ignored), read one level deep.
    List(Vec<Item<'a>>),
    /// A JSON object.
    Map,
    /// Something no reader accepts; the text says what it was (e.g. `non-UTF-8 text`).
    Invalid(&'static str),
}

/// One member of a [`Field::List`]. No configuration value nests lists, so a list or object
/// inside a list is only named, never read: a member is a plain value, and a list of them is
/// freed without visiting its members.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// UTF-8 text.
    Text(&'a str),
    /// A JSON array inside the list (its contents are not kept).
    List,
    /// A JSON object inside the list.
    Map,
    /// Something no reader accepts; the text says what it was (e.g. `non-UTF-8 text`).
    Invalid(&'static str),
}

impl<'a> From<&'a Value> for Field<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Array(items) => Field::List(items.iter().map(Item::from).collect()),
            Value::Object(_) => Field::Map,
            scalar => Field::from(Item::from(scalar)),
        }
    }
}

impl<'a> From<&'a Value> for Item<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Item::Null,
            Value::Bool(b) => Item::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Item::Int(i),
                (None, Some(f)) if n.is_f64() => Item::Float(f),
                _ => Item::Invalid("an integer out of range"),
            },
            Value::String(s) => Item::Text(s),
            Value::Array(_) => Item::List,
            Value::Object(_) => Item::Map,
        }
    }
}

impl<'a> From<Item<'a>> for Field<'a> {
    /// The same value as a column: a nested list (whose contents are not kept) is one no
    /// reader accepts.
    fn from(item: Item<'a>) -> Self {
        match item {
            Item::Null => Field::Null,
            Item::Bool(b) => Field::Bool(b),
            Item::Int(i) => Field::Int(i),
            Item::Float(f) => Field::Float(f),
            Item::Text(s) => Field::Text(s),
            Item::List => Field::Invalid("a nested list"),
            Item::Map => Field::Map,
            Item::Invalid(what) => Field::Invalid(what),
        }
    }
}

impl<'a> Field<'a> {
    /// The same value as a list member; `None` for a list (a member is never one).
    pub fn as_item(&self) -> Option<Item<'a>> {
        Some(match self {
            Field::Null => Item::Null,
            Field::Bool(b) => Item::Bool(*b),
            Field::Int(i) => Item::Int(*i),
            Field::Float(f) => Item::Float(*f),
            Field::Text(s) => Item::Text(s),
            Field::List(_) => return None,
            Field::Map => Item::Map,
            Field::Invalid(what) => Item::Invalid(what),
        })
    }

    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "a boolean",
            Field::Int(_) => "an integer",
            Field::Float(_) => "a float",
            Field::Text(_) => "text",
            Field::List(_) => "a list",
            Field::Map => "an object",
            Field::Invalid(what) => what,
        }
    }
}

impl Item<'_> {
    /// The owned JSON form, for readers that take JSON (the IP allowlist's messages describe a
    /// member by it): a nested list becomes an empty list; a nested object, like anything no
    /// reader accepts, `null`.
    pub fn to_value(&self) -> Value {
        match self {
            Item::Null | Item::Map | Item::Invalid(_) => Value::Null,
            Item::Bool(b) => Value::Bool(*b),
            Item::Int(i) => Value::from(*i),
            Item::Float(f) => Value::from(*f),
            Item::Text(s) => Value::String((*s).to_owned()),
            Item::List => Value::Array(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_maps_onto_fields() {
        let v = json!([null, true, 5, 1.5, "x", [1], {"a": 1}, u64::MAX]);
        let f = Field::from(&v);
        assert_eq!(
            f,
            Field::List(vec![
                Item::Null,
                Item::Bool(true),
                Item::Int(5),
                Item::Float(1.5),
                Item::Text("x"),
                Item::List,
                Item::Map,
                Item::Invalid("an integer out of range"),
            ])
        );
        let members = [Item::Int(1), Item::Text("b"), Item::List, Item::Map];
        assert_eq!(
            members.map(|m| m.to_value()),
            [json!(1), json!("b"), json!([]), json!(null)]
        );
        assert_eq!(Field::from(&json!({"a": [1]})), Field::Map);
        // A value other than a list is the same value as a member, and back.
        for f in [
            Field::Null,
            Field::Int(5),
            Field::Text("x"),
            Field::Map,
            Field::Invalid("y"),
        ] {
            assert_eq!(f.as_item().map(Field::from), Some(f.clone()));
        }
        assert_eq!(Field::List(vec![]).as_item(), None);
        assert_eq!(Field::from(&json!("x")), Field::Text("x"));
        assert_eq!(Field::Map.kind(), "an object");
    }
}
