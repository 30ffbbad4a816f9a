//! Values as Terraform computes them, plus the state Terraform calls "known after apply".
//!
//! `Unknown` is a value of its own, not an error and not a null: it flows through operators and
//! functions (anything computed from an unknown is unknown) so a rule can tell "configured off"
//! from "cannot be known before apply". Unknown is kept at the smallest part that is unknown: a
//! list whose third element is unknown is a list of known length, an object whose keys are
//! literal has known keys however unknown its values, and [`Value::Partial`] is a map of which
//! some keys are certain while others may exist too (`merge(local.known, var.unknown)`).
//!
//! [`Fact`] is the one three-state answer drlint gives about anything configured: known (with
//! its value), unknown, or absent (not written, or null: the provider default applies).

use std::fmt;

mod entries;

pub use entries::{Entries, Iter, Text};

/// A Terraform value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    /// Lists, tuples and sets (sets are kept sorted and free of duplicates when built by `toset`).
    List(Vec<Value>),
    /// Maps and objects, in declaration order: exactly these keys.
    Map(Entries),
    /// A map or object that certainly has these keys (whose values may be unknown) and may have
    /// others that cannot be known before apply.
    Partial(Entries),
    /// A value that cannot be known before apply.
    Unknown,
}

/// A number as JSON: whole numbers (within f64's exact range) as integers, others as floats;
/// one that JSON cannot hold (infinite, NaN) as `null`.
pub fn number_to_json(number: f64) -> serde_json::Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        serde_json::Value::from(number as i64)
    } else {
        serde_json::Number::from_f64(number)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl Value {
    /// Whether this value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown | Value::Partial(_) => true,
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

    /// The entries of a map whose keys are all known.
    pub fn as_map(&self) -> Option<&Entries> {
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
            Value::String(text) => Some(text.to_string()),
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
            Value::Map(_) | Value::Partial(_) => "map",
            Value::Unknown => "unknown",
        }
    }

    /// The entry `key` of a map: `Absent` when a map certainly lacks it, `Unknown` when a
    /// partial map may have it; `None` when this is not a map at all.
    pub fn entry(&self, key: &str) -> Option<Fact<&Value>> {
        match self {
            Value::Map(entries) => Some(match entries.get(key) {
                Some(value) => Fact::from_value(value),
                None => Fact::Absent,
            }),
            Value::Partial(entries) => Some(match entries.get(key) {
                Some(value) => Fact::from_value(value),
                None => Fact::Unknown,
            }),
            Value::Unknown => Some(Fact::Unknown),
            _ => None,
        }
    }

    /// Converts JSON (tfvars.json, plan values) into a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(flag) => Value::Bool(*flag),
            serde_json::Value::Number(number) => Value::Number(json_number(number)),
            serde_json::Value::String(text) => Value::String(text.as_str().into()),
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
            Value::Number(number) => number_to_json(*number),
            Value::String(text) => serde_json::Value::String(text.to_string()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| Some((key.to_string(), value.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Partial(_) | Value::Unknown => return None,
        })
    }

    /// What `merge()` makes of these maps: later keys win. A partial or unknown argument may
    /// override any key before it, so those keys stay, with unknown values, and the result is
    /// partial; keys written after it are known again. Nulls are skipped.
    pub fn merge(maps: impl IntoIterator<Item = Value>) -> Result<Value, String> {
        let mut out = Entries::new();
        let mut partial = false;
        for map in maps {
            match map {
                Value::Null => {}
                Value::Map(entries) => out.extend(entries),
                Value::Partial(entries) => {
                    for (key, value) in out.iter_mut() {
                        if !entries.contains_key(key) {
                            *value = Value::Unknown;
                        }
                    }
                    out.extend(entries);
                    partial = true;
                }
                Value::Unknown => {
                    out.values_mut().for_each(|value| *value = Value::Unknown);
                    partial = true;
                }
                other => {
                    return Err(format!(
                        "arguments must be maps or objects, got {}",
                        other.type_name()
                    ))
                }
            }
        }
        Ok(if partial {
            Value::Partial(out)
        } else {
            Value::Map(out)
        })
    }

    /// What is certain of a value that is either `self` or `other` (the branches of a
    /// conditional whose condition is unknown): equal parts stay, lists of one length and maps
    /// keep their structure, the rest is unknown.
    pub fn unify(self, other: Value) -> Value {
        if self == other {
            return self;
        }
        match (self, other) {
            (Value::List(a), Value::List(b)) if a.len() == b.len() => {
                Value::List(a.into_iter().zip(b).map(|(a, b)| a.unify(b)).collect())
            }
            (a @ (Value::Map(_) | Value::Partial(_)), b @ (Value::Map(_) | Value::Partial(_))) => {
                let closed = matches!((&a, &b), (Value::Map(x), Value::Map(y)) if x.len() == y.len() && x.keys().all(|k| y.contains_key(k)));
                let (Value::Map(mut left) | Value::Partial(mut left)) = a else {
                    return Value::Unknown;
                };
                let (Value::Map(mut right) | Value::Partial(mut right)) = b else {
                    return Value::Unknown;
                };
                let keys: Vec<Text> = left
                    .keys()
                    .filter(|key| right.contains_key(key))
                    .cloned()
                    .collect();
                let entries: Entries = keys
                    .into_iter()
                    .map(|key| {
                        let a = left.swap_remove(&key).unwrap_or(Value::Unknown);
                        let b = right.swap_remove(&key).unwrap_or(Value::Unknown);
                        (key, a.unify(b))
                    })
                    .collect();
                if closed {
                    Value::Map(entries)
                } else {
                    Value::Partial(entries)
                }
            }
            _ => Value::Unknown,
        }
    }
}

/// A JSON number as Terraform's number: out-of-range literals (`1e400`) become infinities.
fn json_number(number: &serde_json::Number) -> f64 {
    number
        .as_f64()
        .or_else(|| number.to_string().parse().ok())
        .unwrap_or(f64::NAN)
}

/// Numbers as Terraform prints them: whole numbers without a fraction.
pub fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else if number.abs() >= 1e21 {
        format!("{number:e}")
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
            Value::Map(entries) | Value::Partial(entries) => {
                f.write_str("{")?;
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key} = {value}")?;
                }
                if matches!(self, Value::Partial(_)) {
                    f.write_str(if entries.is_empty() { "..." } else { ", ..." })?;
                }
                f.write_str("}")
            }
            Value::Unknown => f.write_str("(known after apply)"),
        }
    }
}

/// What drlint knows about something configured: its value, that it cannot be known before
/// apply, or that it is absent (not written, or null: the provider default applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact<T> {
    Known(T),
    Unknown,
    Absent,
}

/// What a rule sees when it asks for an attribute.
pub type Lookup<'a> = Fact<&'a Value>;

impl<T> Fact<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(value) => Fact::Known(f(value)),
            Fact::Unknown => Fact::Unknown,
            Fact::Absent => Fact::Absent,
        }
    }

    /// Known only when `f` gives a value; otherwise unknown.
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Option<U>) -> Fact<U> {
        match self {
            Fact::Known(value) => f(value).map_or(Fact::Unknown, Fact::Known),
            Fact::Unknown => Fact::Unknown,
            Fact::Absent => Fact::Absent,
        }
    }

    /// The effective value when an absent one means `default`; `None` when unknown.
    pub fn or_default(self, default: T) -> Option<T> {
        match self {
            Fact::Known(value) => Some(value),
            Fact::Absent => Some(default),
            Fact::Unknown => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Fact::Absent)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Fact::Unknown)
    }
}

impl<'a> Fact<&'a Value> {
    /// A value as a fact: null is absent, unknown is unknown.
    pub fn from_value(value: &'a Value) -> Fact<&'a Value> {
        match value {
            Value::Null => Fact::Absent,
            Value::Unknown => Fact::Unknown,
            value => Fact::Known(value),
        }
    }

    /// Follows `path` (attribute names; a nested block is followed into its first instance).
    pub fn walk(root: &'a Value, path: &[&str]) -> Fact<&'a Value> {
        let mut current = Fact::from_value(root);
        for step in path {
            current = match current {
                Fact::Known(Value::List(items)) => match items.first() {
                    Some(first) => first.entry(step).unwrap_or(Fact::Absent),
                    None => Fact::Absent,
                },
                Fact::Known(value) => value.entry(step).unwrap_or(Fact::Absent),
                other => return other,
            };
        }
        current
    }

    /// The boolean this fact holds (unknown when it is not a bool).
    pub fn flag(self) -> Fact<bool> {
        self.and_then(Value::to_bool)
    }

    /// The number this fact holds (unknown when it is not a number).
    pub fn number(self) -> Fact<f64> {
        self.and_then(Value::to_number)
    }

    /// The string this fact holds (unknown when it is not a string, number or bool).
    pub fn string(self) -> Fact<String> {
        self.and_then(Value::to_string_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Entries {
        entries
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn lookup_tells_unset_from_unknown() {
        let block = map(&[("enabled", Value::Bool(true))]);
        let root = Value::Map(map(&[
            ("multi_az", Value::Unknown),
            ("pitr", Value::List(vec![Value::Map(block)])),
            ("gone", Value::Null),
        ]));
        assert_eq!(Lookup::walk(&root, &["multi_az"]), Fact::Unknown);
        assert_eq!(Lookup::walk(&root, &["gone"]), Fact::Absent);
        assert_eq!(Lookup::walk(&root, &["absent"]), Fact::Absent);
        assert_eq!(
            Lookup::walk(&root, &["pitr", "enabled"]).flag(),
            Fact::Known(true)
        );
        assert_eq!(Fact::<bool>::Absent.or_default(false), Some(false));
        assert_eq!(Fact::<bool>::Unknown.or_default(false), None);
    }

    #[test]
    fn partial_maps_know_their_keys_only() {
        let tags = Value::Partial(map(&[("Name", Value::String("db".into()))]));
        assert_eq!(
            Lookup::walk(&tags, &["Name"]).string(),
            Fact::Known("db".to_owned())
        );
        assert_eq!(Lookup::walk(&tags, &["dr-tier"]), Fact::Unknown);
        let closed = Value::Map(map(&[("Owner", Value::Unknown)]));
        assert_eq!(Lookup::walk(&closed, &["dr-tier"]), Fact::Absent);
    }

    #[test]
    fn merge_keeps_what_later_arguments_cannot_change() {
        let known = Value::Map(map(&[("dr-tier", Value::String("1".into()))]));
        let merged = Value::merge([Value::Unknown, known.clone()]);
        assert_eq!(
            merged,
            Ok(Value::Partial(map(&[(
                "dr-tier",
                Value::String("1".into())
            )])))
        );
        // An unknown map after the known one may override its key.
        let merged = Value::merge([known, Value::Unknown]);
        assert_eq!(
            merged,
            Ok(Value::Partial(map(&[("dr-tier", Value::Unknown)])))
        );
    }

    #[test]
    fn unify_keeps_the_common_structure() {
        let a = Value::Map(map(&[("dr-tier", Value::String("1".into()))]));
        let b = Value::Map(map(&[("dr-tier", Value::String("3".into()))]));
        assert_eq!(
            a.clone().unify(b),
            Value::Map(map(&[("dr-tier", Value::Unknown)]))
        );
        let c = Value::Map(map(&[
            ("dr-tier", Value::String("1".into())),
            ("x", Value::Null),
        ]));
        assert_eq!(
            a.unify(c),
            Value::Partial(map(&[("dr-tier", Value::String("1".into()))]))
        );
    }

    #[test]
    fn values_stay_small() {
        // Most of a model is values: a map in line would make every one of them 80 bytes.
        assert!(std::mem::size_of::<Value>() <= 32);
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
