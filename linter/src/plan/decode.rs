//! Reading plan JSON straight into [`Json`] and [`UnknownMarks`] trees.
//!
//! One [`session`] per document shares what the trees are built from: every object key is
//! interned (a plan repeats the same few hundred attribute names for every resource), every
//! array and object is hash-consed (equal containers, down to their last leaf, are one shared
//! allocation: the same tags on a thousand resources are stored once), and the elements of the
//! containers being read wait on one stack each, so that every container is allocated once at
//! its final length.
//!
//! Numbers: the workspace enables `serde_json`'s `arbitrary_precision`, because without it a
//! number beyond `f64` (`1e400`, valid JSON that Terraform can write) fails the whole document.
//! With it, `serde_json` hands over any number that is not a 64-bit integer as its text,
//! wrapped in a one-entry map under a private key; the text is read here as the nearest `f64`.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::cons::{cons, unique, ConsTable, Entries};
use super::json::{Json, Object};
use super::marks::UnknownMarks;
use super::nesting::MAX_NESTING;

/// The key `serde_json` (with `arbitrary_precision`) wraps a number's text in. Not public API
/// of `serde_json`: the `numbers_beyond_f64_are_numbers` test fails if it ever changes.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

#[derive(Default)]
struct Context {
    keys: HashSet<Arc<str>>,
    items: Vec<Json>,
    entries: Vec<(Arc<str>, Json)>,
    mark_items: Vec<UnknownMarks>,
    mark_entries: Vec<(Arc<str>, UnknownMarks)>,
    /// Containers read so far, by the hash of their children (`hasher`, keyed at random, so
    /// that a document cannot be made to collide). A hash that turns out to hold another
    /// container is simply not shared.
    hasher: RandomState,
    arrays: ConsTable<Arc<[Json]>>,
    objects: ConsTable<Entries<Json>>,
    mark_arrays: ConsTable<Arc<[UnknownMarks]>>,
    mark_objects: ConsTable<Entries<UnknownMarks>>,
    /// The deepest level reached since [`Measured`] last reset it.
    deepest: usize,
}

impl Context {
    fn intern(&mut self, key: &str) -> Arc<str> {
        if let Some(shared) = self.keys.get(key) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(key);
        self.keys.insert(Arc::clone(&shared));
        shared
    }
}

thread_local! {
    static SESSION: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Runs `read` with one shared context for every tree it deserializes on this thread.
pub(crate) fn session<T>(read: impl FnOnce() -> T) -> T {
    struct End;
    impl Drop for End {
        fn drop(&mut self) {
            let context = SESSION.with(|slot| slot.borrow_mut().take());
            drop(context);
        }
    }
    SESSION.with(|slot| *slot.borrow_mut() = Some(Context::default()));
    let _end = End;
    read()
}

/// The session's context, or a private one outside a session (or inside a deserializer that
/// already holds it, which the types here never do).
fn with_context<T>(work: impl FnOnce(&mut Context) -> T) -> T {
    SESSION.with(|slot| match slot.try_borrow_mut() {
        Ok(mut slot) => match slot.as_mut() {
            Some(context) => work(context),
            None => work(&mut Context::default()),
        },
        Err(_) => work(&mut Context::default()),
    })
}

/// A value and how deeply it nests (1 for a scalar or an empty container at the top).
pub(crate) struct Measured<T> {
    pub(crate) value: T,
    pub(crate) depth: usize,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Measured<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let outer = with_context(|context| std::mem::take(&mut context.deepest));
        let value = T::deserialize(deserializer);
        let depth = with_context(|context| std::mem::replace(&mut context.deepest, outer));
        Ok(Measured {
            value: value?,
            depth: depth.max(1),
        })
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        with_context(|context| deserializer.deserialize_any(JsonSeed { context, depth: 1 }))
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        with_context(|context| deserializer.deserialize_map(ObjectSeed { context, depth: 1 }))
    }
}

impl<'de> Deserialize<'de> for UnknownMarks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        with_context(|context| deserializer.deserialize_any(MarksSeed { context, depth: 1 }))
    }
}

fn enter<E: de::Error>(context: &mut Context, depth: usize) -> Result<(), E> {
    // The document was measured before parsing; this only guards direct use of the types.
    if depth > MAX_NESTING {
        return Err(E::custom(format_args!(
            "nesting deeper than {MAX_NESTING} levels"
        )));
    }
    context.deepest = context.deepest.max(depth);
    Ok(())
}

fn number<E: de::Error>(text: &str) -> Result<f64, E> {
    // Rust's parser rounds to the nearest f64, and overflows to ±infinity.
    text.parse::<f64>()
        .map_err(|_| E::custom(format_args!("{text:?} is not a number")))
}

/// An object key: interned, or the marker of a number's text.
enum Key {
    Name(Arc<str>),
    Number,
}

struct KeySeed<'c> {
    context: &'c mut Context,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(if key == NUMBER_TOKEN {
            Key::Number
        } else {
            Key::Name(self.context.intern(key))
        })
    }
}

struct JsonSeed<'c> {
    context: &'c mut Context,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for JsonSeed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonSeed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E>(self, flag: bool) -> Result<Json, E> {
        Ok(Json::Bool(flag))
    }

    fn visit_i64<E>(self, number: i64) -> Result<Json, E> {
        Ok(Json::Number(number as f64))
    }

    fn visit_u64<E>(self, number: u64) -> Result<Json, E> {
        Ok(Json::Number(number as f64))
    }

    fn visit_f64<E>(self, number: f64) -> Result<Json, E> {
        Ok(Json::Number(number))
    }

    fn visit_str<E>(self, text: &str) -> Result<Json, E> {
        Ok(Json::String(text.into()))
    }

    fn visit_string<E>(self, text: String) -> Result<Json, E> {
        Ok(Json::String(text.into()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let context = self.context;
        enter(context, self.depth)?;
        let start = context.items.len();
        loop {
            let seed = JsonSeed {
                context: &mut *context,
                depth: self.depth + 1,
            };
            match seq.next_element_seed(seed) {
                Ok(Some(item)) => context.items.push(item),
                Ok(None) => break,
                Err(error) => {
                    context.items.truncate(start);
                    return Err(error);
                }
            }
        }
        Ok(Json::Array(cons(
            &context.hasher,
            &mut context.arrays,
            &mut context.items,
            start,
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Json, A::Error> {
        read_map(self.context, self.depth, map)
    }
}

/// An object, or a number's text in `serde_json`'s wrapper.
fn read_map<'de, A: MapAccess<'de>>(
    context: &mut Context,
    depth: usize,
    mut map: A,
) -> Result<Json, A::Error> {
    enter(context, depth)?;
    let start = context.entries.len();
    let mut first = true;
    loop {
        let key = match map.next_key_seed(KeySeed {
            context: &mut *context,
        }) {
            Ok(Some(key)) => key,
            Ok(None) => break,
            Err(error) => {
                context.entries.truncate(start);
                return Err(error);
            }
        };
        let name = match key {
            Key::Number if first => {
                let text: String = map.next_value()?;
                return Ok(Json::Number(number(&text)?));
            }
            // The marker key later in an object is an ordinary (if odd) key.
            Key::Number => context.intern(NUMBER_TOKEN),
            Key::Name(name) => name,
        };
        first = false;
        let seed = JsonSeed {
            context: &mut *context,
            depth: depth + 1,
        };
        match map.next_value_seed(seed) {
            Ok(value) => context.entries.push((name, value)),
            Err(error) => {
                context.entries.truncate(start);
                return Err(error);
            }
        }
    }
    unique(&mut context.entries, start);
    Ok(Json::Object(Object::from_unique(cons(
        &context.hasher,
        &mut context.objects,
        &mut context.entries,
        start,
    ))))
}

struct ObjectSeed<'c> {
    context: &'c mut Context,
    depth: usize,
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object, A::Error> {
        // Objects are shared, so taking one out of its `Json` is a reference count.
        match read_map(self.context, self.depth, map)?.as_object() {
            Some(object) => Ok(object.clone()),
            None => Err(de::Error::invalid_type(
                de::Unexpected::Other("a number"),
                &self_name(),
            )),
        }
    }
}

/// The `Expected` of an object, for errors raised after the visitor is consumed.
fn self_name() -> impl de::Expected {
    struct AnObject;
    impl de::Expected for AnObject {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
    }
    AnObject
}

struct MarksSeed<'c> {
    context: &'c mut Context,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for MarksSeed<'_> {
    type Value = UnknownMarks;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<UnknownMarks, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MarksSeed<'_> {
    type Value = UnknownMarks;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown-value marks (true, false, or arrays and objects of them)")
    }

    fn visit_bool<E>(self, flag: bool) -> Result<UnknownMarks, E> {
        Ok(if flag {
            UnknownMarks::Unknown
        } else {
            UnknownMarks::None
        })
    }

    // Anything else marks nothing, as Terraform would never write it.
    fn visit_unit<E>(self) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_none<E>(self) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<UnknownMarks, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_str<E>(self, _: &str) -> Result<UnknownMarks, E> {
        Ok(UnknownMarks::None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UnknownMarks, A::Error> {
        let context = self.context;
        enter(context, self.depth)?;
        let start = context.mark_items.len();
        loop {
            let seed = MarksSeed {
                context: &mut *context,
                depth: self.depth + 1,
            };
            match seq.next_element_seed(seed) {
                Ok(Some(item)) => context.mark_items.push(item),
                Ok(None) => break,
                Err(error) => {
                    context.mark_items.truncate(start);
                    return Err(error);
                }
            }
        }
        // Trailing unmarked elements read the same as missing ones.
        while context.mark_items.len() > start
            && context.mark_items.last() == Some(&UnknownMarks::None)
        {
            context.mark_items.pop();
        }
        Ok(UnknownMarks::Array(cons(
            &context.hasher,
            &mut context.mark_arrays,
            &mut context.mark_items,
            start,
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnknownMarks, A::Error> {
        let context = self.context;
        enter(context, self.depth)?;
        let start = context.mark_entries.len();
        let mut first = true;
        loop {
            let key = match map.next_key_seed(KeySeed {
                context: &mut *context,
            }) {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(error) => {
                    context.mark_entries.truncate(start);
                    return Err(error);
                }
            };
            let name = match key {
                Key::Number if first => {
                    map.next_value::<IgnoredAny>()?;
                    return Ok(UnknownMarks::None);
                }
                Key::Number => context.intern(NUMBER_TOKEN),
                Key::Name(name) => name,
            };
            first = false;
            let seed = MarksSeed {
                context: &mut *context,
                depth: self.depth + 1,
            };
            match map.next_value_seed(seed) {
                Ok(marks) => context.mark_entries.push((name, marks)),
                Err(error) => {
                    context.mark_entries.truncate(start);
                    return Err(error);
                }
            }
        }
        unique(&mut context.mark_entries, start);
        Ok(UnknownMarks::Object(cons(
            &context.hasher,
            &mut context.mark_objects,
            &mut context.mark_entries,
            start,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        deserializer.disable_recursion_limit();
        session(|| T::deserialize(&mut deserializer)).ok()
    }

    #[test]
    fn numbers_beyond_f64_are_numbers() {
        let json: Option<Json> = parse(r#"[1e400, -1e400, 0.5, 12345678901234567890123, 7]"#);
        assert_eq!(
            json,
            Some(Json::Array(
                [
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    0.5,
                    1.2345678901234568e22,
                    7.0
                ]
                .map(Json::Number)
                .into()
            ))
        );
        let marks: Option<UnknownMarks> = parse(r#"{"a": 1.5, "b": true}"#);
        assert_eq!(
            marks.as_ref().and_then(|m| m.get("a")),
            Some(&UnknownMarks::None)
        );
    }

    #[test]
    fn repeated_keys_keep_their_first_place_and_last_value() {
        let json: Option<Json> = parse(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(
            json.map(|json| json.to_json().to_string()),
            Some(r#"{"a":3,"b":2}"#.to_owned())
        );
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i},")).collect();
        let json: Option<Json> = parse(&format!("{{{many} \"k3\": true}}"));
        let object = json.as_ref().and_then(Json::as_object);
        assert_eq!(object.map(Object::len), Some(40));
        assert_eq!(object.and_then(|o| o.get("k3")), Some(&Json::Bool(true)));
    }

    #[test]
    fn equal_containers_and_keys_are_shared_within_a_session() {
        let items: Option<Json> =
            parse(r#"[{"name": 1, "tags": {"a": "b"}}, {"name": 2, "tags": {"a": "b"}}, []]"#);
        let items = items.as_ref().and_then(Json::as_array).unwrap_or_default();
        let (Some(Json::Object(first)), Some(Json::Object(second))) = (items.first(), items.get(1))
        else {
            panic!("two objects expected: {items:?}");
        };
        let (Some((first_key, _)), Some((second_key, _))) =
            (first.entries().first(), second.entries().first())
        else {
            panic!("keys expected");
        };
        assert!(Arc::ptr_eq(first_key, second_key));
        match (first.get("tags"), second.get("tags")) {
            (Some(Json::Object(a)), Some(Json::Object(b))) => {
                assert!(Arc::ptr_eq(a.shared(), b.shared()))
            }
            other => panic!("tags expected: {other:?}"),
        }
        assert!(!Arc::ptr_eq(first.shared(), second.shared()));
    }

    #[test]
    fn marks_keep_only_what_marks_something() {
        let marks: Option<UnknownMarks> =
            parse(r#"{"id": true, "list": [false, true, false, false], "tags": {}, "n": null}"#);
        let marks = marks.unwrap_or_default();
        assert!(marks.get("id").is_some_and(UnknownMarks::is_unknown));
        assert_eq!(
            marks.get("list"),
            Some(&UnknownMarks::Array(
                vec![UnknownMarks::None, UnknownMarks::Unknown].into()
            ))
        );
        assert_eq!(marks.get("tags"), Some(&UnknownMarks::Object(Arc::new([]))));
        assert_eq!(marks.get("n"), Some(&UnknownMarks::None));
    }
}
