//! The JSON values a plan carries (`after`, state `values`, configuration expressions,
//! variables), stored compactly.
//!
//! A plan of a hundred thousand resources holds millions of small objects, and most of them
//! repeat: the same tags, the same empty blocks, the same attribute names. A general JSON tree
//! (`serde_json::Value` with `preserve_order`) spends 104 bytes per object entry plus a heap
//! string per key and per value. Here the tree is immutable and shared: an entry is 40 bytes,
//! keys and equal containers are stored once per document (the loader hash-conses them as it
//! reads), strings up to 22 bytes live inline, and every array and object is allocated once
//! at its final length. Cloning a value is a reference-count increment.
//!
//! Dropping a tree is iterative, so a hostile document nested thousands of levels deep cannot
//! overflow the stack when it is freed.

use std::fmt;
use std::sync::Arc;

/// A JSON value of a plan document.
///
/// Numbers are read as the nearest `f64`, which is what Terraform's own JSON reading and every
/// rule do with them; a number beyond `f64` (`1e400`) is infinite.
#[derive(Clone, PartialEq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    Array(Arc<[Json]>),
    Object(Object),
}

// Twenty-four bytes: a short string inline, or a pointer and a length.
const _: () = assert!(std::mem::size_of::<Json>() == 24);

/// A JSON object: keys in document order, each once (a repeated key keeps its first place and
/// its last value, as `serde_json` reads it).
#[derive(Clone, PartialEq, Default)]
pub struct Object {
    entries: Arc<[(Arc<str>, Json)]>,
}

/// A string of a plan: up to 22 bytes inline, longer ones on the heap.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

const INLINE: usize = 22;

impl Text {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TextRepr::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
            TextRepr::Heap(text) => text,
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(slot), Ok(len)) => {
                slot.copy_from_slice(text.as_bytes());
                Text(TextRepr::Inline { len, bytes })
            }
            _ => Text(TextRepr::Heap(text.into())),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        if text.len() <= INLINE {
            Text::from(text.as_str())
        } else {
            Text(TextRepr::Heap(text.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Object {
    /// `entries` must not repeat a key (the loader removes repeats as it builds objects).
    pub(crate) fn from_unique(entries: Arc<[(Arc<str>, Json)]>) -> Object {
        Object { entries }
    }

    pub(crate) fn shared(&self) -> &Arc<[(Arc<str>, Json)]> {
        &self.entries
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        // Objects are small (a resource has tens of attributes) and queried a few times each:
        // a scan beats keeping a hash index per object in memory.
        self.entries
            .iter()
            .find(|(name, _)| name.as_ref() == key)
            .map(|(_, value)| value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in document order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &Json)> + ExactSizeIterator + '_ {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_ref(), value))
    }

    /// The entry at position `index`, in document order.
    pub fn get_index(&self, index: usize) -> Option<(&str, &Json)> {
        self.entries
            .get(index)
            .map(|(name, value)| (name.as_ref(), value))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(name, _)| name.as_ref())
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Json> + '_ {
        self.entries.iter().map(|(_, value)| value)
    }

    /// Entries with their shared keys, for building other objects from this one.
    pub(crate) fn entries(&self) -> &[(Arc<str>, Json)] {
        &self.entries
    }
}

impl Json {
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(number) => Some(*number),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The member `key` of an object; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object().and_then(|object| object.get(key))
    }

    /// The value as a `serde_json::Value`, for tests and tools; a number `serde_json` cannot
    /// hold (infinite) becomes `null`. Recursive: meant for values of a known, modest depth.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(flag) => serde_json::Value::Bool(*flag),
            Json::Number(number) => crate::value::number_to_json(*number),
            Json::String(text) => serde_json::Value::String(text.as_str().to_owned()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_json).collect())
            }
            Json::Object(object) => serde_json::Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The children of this node when dropping it would free them (it holds the last
    /// reference to a non-empty container); `None` otherwise.
    fn last_children(&mut self) -> Option<Children<'_>> {
        match self {
            Json::Array(items) if !items.is_empty() => Arc::get_mut(items).map(Children::Items),
            Json::Object(object) if !object.is_empty() => {
                Arc::get_mut(&mut object.entries).map(Children::Entries)
            }
            _ => None,
        }
    }
}

enum Children<'a> {
    Items(&'a mut [Json]),
    Entries(&'a mut [(Arc<str>, Json)]),
}

impl Children<'_> {
    /// Moves every child that holds a container of its own onto `pending`.
    fn move_containers(self, pending: &mut Vec<Json>) {
        let holds = |child: &Json| matches!(child, Json::Array(_) | Json::Object(_));
        match self {
            Children::Items(items) => pending.extend(
                items
                    .iter_mut()
                    .filter(|child| holds(child))
                    .map(std::mem::take),
            ),
            Children::Entries(entries) => pending.extend(
                entries
                    .iter_mut()
                    .map(|(_, child)| child)
                    .filter(|child| holds(child))
                    .map(std::mem::take),
            ),
        }
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        // The compiler's drop recurses once per level. Instead, containers whose last
        // reference goes away hand their container children to a heap stack, so that every
        // node is dropped with scalars below it only. Shared nodes just lose a reference.
        let Some(children) = self.last_children() else {
            return;
        };
        let mut pending = Vec::new();
        children.move_containers(&mut pending);
        while let Some(mut node) = pending.pop() {
            if let Some(children) = node.last_children() {
                children.move_containers(&mut pending);
            }
        }
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(flag) => write!(f, "{flag}"),
            Json::Number(number) => write!(f, "{number}"),
            Json::String(text) => write!(f, "{text:?}"),
            Json::Array(items) => f.debug_list().entries(items.iter()).finish(),
            Json::Object(object) => object.fmt(f),
        }
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// JSON written as `serde_json` values (in tests, `json!(…)`); numbers become their nearest
/// `f64`. Recursive: meant for values of a known, modest depth.
impl From<&serde_json::Value> for Json {
    fn from(json: &serde_json::Value) -> Json {
        match json {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(flag) => Json::Bool(*flag),
            serde_json::Value::Number(number) => Json::Number(
                number
                    .as_f64()
                    .or_else(|| number.to_string().parse().ok())
                    .unwrap_or(f64::NAN),
            ),
            serde_json::Value::String(text) => Json::String(text.as_str().into()),
            serde_json::Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            // `serde_json` objects hold each key once.
            serde_json::Value::Object(entries) => Json::Object(Object::from_unique(
                entries
                    .iter()
                    .map(|(key, value)| (Arc::from(key.as_str()), Json::from(value)))
                    .collect(),
            )),
        }
    }
}

impl From<serde_json::Value> for Json {
    fn from(json: serde_json::Value) -> Json {
        Json::from(&json)
    }
}

/// Compares with JSON written in tests (`json!(…)`): numbers by value, objects by their keys
/// and values, in order.
impl PartialEq<serde_json::Value> for Json {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Json::Null, serde_json::Value::Null) => true,
            (Json::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Json::Number(a), serde_json::Value::Number(b)) => b.as_f64() == Some(*a),
            (Json::String(a), serde_json::Value::String(b)) => a.as_str() == b,
            (Json::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a == b)
            }
            (Json::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va == vb)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(entries: Vec<(&str, Json)>) -> Json {
        Json::Object(Object::from_unique(
            entries
                .into_iter()
                .map(|(key, value)| (Arc::from(key), value))
                .collect(),
        ))
    }

    #[test]
    fn deep_trees_drop_without_recursion() {
        // Deep enough to overflow a 2 MiB test thread if dropping recursed.
        let mut tree = Json::Null;
        for level in 0..200_000 {
            tree = if level % 2 == 0 {
                Json::Array(vec![tree, Json::Bool(true)].into())
            } else {
                object(vec![("next", tree)])
            };
        }
        // A shared subtree survives the drop of one of its holders.
        let shared = tree.clone();
        drop(tree);
        assert!(matches!(&shared, Json::Object(object) if object.len() == 1));
        drop(shared);
    }

    #[test]
    fn short_strings_are_inline_and_long_ones_are_not() {
        for text in [
            "",
            "eu-west-1",
            "exactly-twenty-two-by",
            "twenty-three-bytes-long",
            "Zürich ✓",
        ] {
            assert_eq!(Text::from(text).as_str(), text);
            assert_eq!(Text::from(text.to_owned()).as_str(), text);
        }
        assert!(matches!(
            Text::from("exactly-twenty-two-by").0,
            TextRepr::Inline { .. }
        ));
        assert!(matches!(
            Text::from("twenty-three-bytes-long").0,
            TextRepr::Heap(_)
        ));
    }

    #[test]
    fn accessors_and_conversions() {
        let tree = object(vec![
            ("multi_az", Json::Bool(false)),
            ("size", Json::Number(7.0)),
            ("tags", object(vec![("dr-tier", Json::String("1".into()))])),
            ("list", Json::Array(vec![Json::Null].into())),
        ]);
        assert_eq!(tree.get("multi_az").and_then(Json::as_bool), Some(false));
        assert_eq!(
            tree.get("tags")
                .and_then(|tags| tags.get("dr-tier"))
                .and_then(Json::as_str),
            Some("1")
        );
        assert_eq!(tree.get("nothing"), None);
        let expected =
            json!({"multi_az": false, "size": 7, "tags": {"dr-tier": "1"}, "list": [null]});
        assert_eq!(tree, expected);
        assert_eq!(tree, Json::from(&expected));
        assert_eq!(tree.to_json(), expected);
        assert_eq!(
            Json::Number(f64::INFINITY).to_json(),
            serde_json::Value::Null
        );
    }
}
