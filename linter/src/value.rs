//! Values as Terraform computes them, plus the state Terraform calls "known after apply".
//!
//! `Unknown` is a value of its own, not an error and not a null: it flows through operators and
//! functions (anything computed from an unknown is unknown) so a rule can tell "configured off"
//! from "cannot be known before apply".

use std::fmt;

use indexmap::IndexMap;

/// A Terraform value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets (sets are kept sorted and free of duplicates when built by `toset`).
    List(Vec<Value>),
    /// Maps and objects, in declaration order.
    Map(IndexMap<String, Value>),
    /// A value that cannot be known before apply.
    Unknown,
}

impl Value {
    /// Whether this value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Map(entries) => entries.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The value as a boolean, with Terraform's string conversion (`"true"`/`"false"`).
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(flag) => Some(*flag),
            Value::String(text) if text == "true" => Some(true),
            Value::String(text) if text == "false" => Some(false),
            _ => None,
        }
    }

    /// The value as a number, with Terraform's string conversion (`"3"` is 3).
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as a string, with Terraform's conversion of numbers and booleans.
    pub fn to_string_value(&self) -> Option<String> {
        match self {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(format_number(*number)),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    /// The type name Terraform would use in an error message.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Unknown => "unknown",
        }
    }

    /// Converts JSON (tfvars.json, plan values) into a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(flag) => Value::Bool(*flag),
            // `as_f64` refuses what overflows f64 (`1e400`); its text still reads as the
            // nearest f64, infinity.
            serde_json::Value::Number(number) => Value::Number(
                number
                    .as_f64()
                    .or_else(|| number.to_string().parse().ok())
                    .unwrap_or(0.0),
            ),
            serde_json::Value::String(text) => Value::String(text.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), Value::from_json(value)))
                    .collect(),
            ),
        }
    }

    /// The value as JSON (`jsonencode`); `None` when something in it is unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(flag) => serde_json::Value::Bool(*flag),
            Value::Number(number) => {
                if number.fract() == 0.0 && number.abs() < 9.0e15 {
                    serde_json::Value::from(*number as i64)
                } else {
                    serde_json::Number::from_f64(*number)
                        .map(serde_json::Value::Number)
                        .unwrap_or(serde_json::Value::Null)
                }
            }
            Value::String(text) => serde_json::Value::String(text.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| Some((key.clone(), value.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Unknown => return None,
        })
    }
}

/// Numbers as Terraform prints them: whole numbers without a fraction.
pub fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(flag) => write!(f, "{flag}"),
            Value::Number(number) => f.write_str(&format_number(*number)),
            Value::String(text) => write!(f, "{text:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key} = {value}")?;
                }
                f.write_str("}")
            }
            Value::Unknown => f.write_str("(known after apply)"),
        }
    }
}

/// What a rule sees when it asks for an attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    /// Configured, with this value.
    Known(&'a Value),
    /// Configured, but the value cannot be known statically.
    Unknown,
    /// Not configured (or null): the provider's default applies.
    NotSet,
}

impl<'a> Lookup<'a> {
    /// Follows `path` (attribute names; a nested block is followed into its first instance).
    pub fn walk(root: &'a Value, path: &[&str]) -> Lookup<'a> {
        let mut current = root;
        for step in path {
            current = match current {
                Value::Unknown => return Lookup::Unknown,
                Value::List(items) => match items.first() {
                    Some(Value::Map(entries)) => match entries.get(*step) {
                        Some(value) => value,
                        None => return Lookup::NotSet,
                    },
                    Some(Value::Unknown) => return Lookup::Unknown,
                    _ => return Lookup::NotSet,
                },
                Value::Map(entries) => match entries.get(*step) {
                    Some(value) => value,
                    None => return Lookup::NotSet,
                },
                _ => return Lookup::NotSet,
            };
        }
        match current {
            Value::Null => Lookup::NotSet,
            Value::Unknown => Lookup::Unknown,
            value => Lookup::Known(value),
        }
    }

    /// The boolean this lookup holds: `Ok(None)` when unset, `Err(())` when unknown or not a bool.
    pub fn flag(self) -> Tri {
        match self {
            Lookup::Known(value) => match value.to_bool() {
                Some(flag) => Tri::Known(flag),
                None => Tri::Unknown,
            },
            Lookup::Unknown => Tri::Unknown,
            Lookup::NotSet => Tri::NotSet,
        }
    }

    pub fn number(self) -> Option<Option<f64>> {
        match self {
            Lookup::Known(value) => value.to_number().map(Some),
            Lookup::Unknown => None,
            Lookup::NotSet => Some(None),
        }
    }

    pub fn string(self) -> Option<Option<String>> {
        match self {
            Lookup::Known(value) => value.to_string_value().map(Some),
            Lookup::Unknown => None,
            Lookup::NotSet => Some(None),
        }
    }
}

/// A configured boolean: on, off, not set, or not knowable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Known(bool),
    NotSet,
    Unknown,
}

impl Tri {
    /// The effective value when the provider default is `default`; `None` when unknown.
    pub fn or_default(self, default: bool) -> Option<bool> {
        match self {
            Tri::Known(flag) => Some(flag),
            Tri::NotSet => Some(default),
            Tri::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_tells_unset_from_unknown() {
        let mut block = IndexMap::new();
        block.insert("enabled".to_owned(), Value::Bool(true));
        let mut root = IndexMap::new();
        root.insert("multi_az".to_owned(), Value::Unknown);
        root.insert("pitr".to_owned(), Value::List(vec![Value::Map(block)]));
        root.insert("gone".to_owned(), Value::Null);
        let root = Value::Map(root);
        assert_eq!(Lookup::walk(&root, &["multi_az"]), Lookup::Unknown);
        assert_eq!(Lookup::walk(&root, &["gone"]), Lookup::NotSet);
        assert_eq!(Lookup::walk(&root, &["absent"]), Lookup::NotSet);
        assert_eq!(
            Lookup::walk(&root, &["pitr", "enabled"]).flag(),
            Tri::Known(true)
        );
        assert_eq!(Tri::NotSet.or_default(false), Some(false));
        assert_eq!(Tri::Unknown.or_default(false), None);
    }

    #[test]
    fn json_numbers_beyond_f64_are_infinite() {
        let json: serde_json::Value =
            serde_json::from_str("[1e400, -1e400, 0.1, 18446744073709551616]").unwrap_or_default();
        assert_eq!(
            Value::from_json(&json),
            Value::List(vec![
                Value::Number(f64::INFINITY),
                Value::Number(f64::NEG_INFINITY),
                Value::Number(0.1),
                Value::Number(18446744073709551616.0),
            ])
        );
    }

    #[test]
    fn json_round_trip_stops_at_unknown() {
        let value = Value::List(vec![Value::Number(3.0), Value::String("a".into())]);
        assert_eq!(value.to_json(), Some(serde_json::json!([3, "a"])));
        assert_eq!(Value::List(vec![Value::Unknown]).to_json(), None);
    }
}
