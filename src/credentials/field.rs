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
    /// A list (for a PHP array: its values in order, keys ignored).
    List(Vec<Field<'a>>),
    /// A JSON object.
    Map,
    /// Something no reader accepts; the text says what it was (e.g. `non-UTF-8 text`).
    Invalid(&'static str),
}

impl<'a> From<&'a Value> for Field<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Field::Int(i),
                (None, Some(f)) if n.is_f64() => Field::Float(f),
                _ => Field::Invalid("an integer out of range"),
            },
            Value::String(s) => Field::Text(s),
            Value::Array(items) => Field::List(items.iter().map(Field::from).collect()),
            Value::Object(_) => Field::Map,
        }
    }
}

impl Field<'_> {
    /// The owned JSON form (for readers that take JSON, such as the IP allowlist parser).
    pub fn to_value(&self) -> Value {
        match self {
            Field::Null | Field::Map | Field::Invalid(_) => Value::Null,
            Field::Bool(b) => Value::Bool(*b),
            Field::Int(i) => Value::from(*i),
            Field::Float(f) => Value::from(*f),
            Field::Text(s) => Value::String((*s).to_owned()),
            Field::List(items) => Value::Array(items.iter().map(Field::to_value).collect()),
        }
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
                Field::Null,
                Field::Bool(true),
                Field::Int(5),
                Field::Float(1.5),
                Field::Text("x"),
                Field::List(vec![Field::Int(1)]),
                Field::Map,
                Field::Invalid("an integer out of range"),
            ])
        );
        assert_eq!(Field::Text("a").to_value(), json!("a"));
        assert_eq!(
            Field::List(vec![Field::Int(1), Field::Text("b")]).to_value(),
            json!([1, "b"])
        );
        assert_eq!(Field::Map.kind(), "an object");
    }
}
