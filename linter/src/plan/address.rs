//! Resource and module addresses as Terraform writes them.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// The key of one instance of a resource or module: `[0]` from `count`, `["orders"]` from
/// `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    /// The key as it appears in an address, brackets included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(index) => write!(f, "[{index}]"),
            // Terraform quotes string keys the way JSON does.
            InstanceKey::Str(key) => write!(f, "[{}]", Value::String(key.clone())),
        }
    }
}

impl<'de> Deserialize<'de> for InstanceKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = InstanceKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an instance key: an integer (count) or a string (for_each)")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<InstanceKey, E> {
                Ok(InstanceKey::Int(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<InstanceKey, E> {
                i64::try_from(v)
                    .map(InstanceKey::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<InstanceKey, E> {
                Ok(InstanceKey::Str(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<InstanceKey, E> {
                Ok(InstanceKey::Str(v))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

/// The names of the module calls in a module instance address, instance keys dropped:
/// `module.app["eu"].module.db[0]` → `["app", "db"]`. `None` when the address is not one.
pub(crate) fn module_calls(module_address: &str) -> Option<Vec<&str>> {
    let mut calls = Vec::new();
    let mut rest = module_address;
    while !rest.is_empty() {
        rest = rest.strip_prefix("module.")?;
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        if name.is_empty() {
            return None;
        }
        calls.push(name);
        rest = skip_instance_key(after)?;
        if !rest.is_empty() {
            rest = rest.strip_prefix('.')?;
        }
    }
    Some(calls)
}

/// Splits the module part off a resource instance address:
/// `module.app.aws_db_instance.this[0]` → (`Some("module.app")`, `aws_db_instance.this[0]`).
pub(crate) fn split_module(address: &str) -> Option<(Option<&str>, &str)> {
    let mut rest = address;
    let mut module_end = 0;
    while let Some(after_prefix) = rest.strip_prefix("module.") {
        let name_end = after_prefix.find(['.', '[']).unwrap_or(after_prefix.len());
        let after_key = skip_instance_key(after_prefix.get(name_end..)?)?;
        let resource = after_key.strip_prefix('.')?;
        module_end = address.len() - after_key.len();
        rest = resource;
    }
    let module = (module_end > 0)
        .then(|| address.get(..module_end))
        .flatten();
    Some((module, rest))
}

/// Skips a leading `[0]` or `["key"]` (JSON string escapes included), if there is one.
fn skip_instance_key(text: &str) -> Option<&str> {
    let Some(inside) = text.strip_prefix('[') else {
        return Some(text);
    };
    if let Some(quoted) = inside.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return quoted.get(i + 1..)?.strip_prefix(']'),
                _ => {}
            }
        }
        None
    } else {
        let end = inside.find(']')?;
        inside.get(end + 1..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_display_as_in_addresses() {
        assert_eq!(InstanceKey::Int(0).to_string(), "[0]");
        assert_eq!(
            InstanceKey::Str("orders".to_owned()).to_string(),
            r#"["orders"]"#
        );
        assert_eq!(
            InstanceKey::Str(r#"a"b"#.to_owned()).to_string(),
            r#"["a\"b"]"#
        );
    }

    #[test]
    fn module_calls_drop_instance_keys() {
        assert_eq!(
            module_calls(r#"module.app["eu.west[1]"].module.db[0]"#),
            Some(vec!["app", "db"])
        );
        assert_eq!(module_calls(""), Some(vec![]));
        assert_eq!(module_calls("module."), None);
        assert_eq!(module_calls("aws_db_instance.x"), None);
        assert_eq!(module_calls(r#"module.app["open"#), None);
    }

    #[test]
    fn split_module_separates_the_resource() {
        assert_eq!(
            split_module(r#"module.app["a.b"].module.db.aws_db_instance.this[0]"#),
            Some((
                Some(r#"module.app["a.b"].module.db"#),
                "aws_db_instance.this[0]"
            ))
        );
        assert_eq!(
            split_module("aws_s3_bucket.logs"),
            Some((None, "aws_s3_bucket.logs"))
        );
    }
}
