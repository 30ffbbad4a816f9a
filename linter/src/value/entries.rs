//! The entries of a map or object: a list of key/value pairs in declaration order, with a hash
//! index once there are enough of them for a search to cost more than the index.
//!
//! A model holds a few small maps per resource (its arguments, its tags, each nested block),
//! so a small map is one allocation for the table and one for its pairs; a general-purpose
//! ordered hash map would add a hash per entry and an index table to each.

use std::fmt;
use std::hash::{BuildHasher, RandomState};

use compact_str::CompactString;
use hashbrown::HashTable;
use indexmap::IndexMap;

use super::Value;

/// A map key or string value: most are argument and tag names and short literals, kept inline
/// up to 24 bytes (a large tree has a few dozen per resource).
pub type Text = CompactString;

/// Maps up to this size are searched from the start; larger ones are indexed.
const SEARCHED_UP_TO: usize = 8;

/// A map's entries, boxed: most values are strings and numbers, and keeping the map out of
/// line keeps every [`Value`] at 32 bytes.
#[derive(Clone, Default)]
pub struct Entries(Box<Table>);

#[derive(Clone, Default)]
struct Table {
    items: Vec<(Text, Value)>,
    index: Option<Box<Index>>,
}

/// Positions in `items`, by the hash of their key; the hasher is seeded per map, so keys an
/// input chooses cannot be made to collide.
#[derive(Clone)]
struct Index {
    positions: HashTable<usize>,
    hasher: RandomState,
}

impl Index {
    fn build(items: &[(Text, Value)]) -> Index {
        let hasher = RandomState::new();
        let mut positions = HashTable::with_capacity(items.len());
        for (position, (key, _)) in items.iter().enumerate() {
            let hash = hasher.hash_one(key.as_str());
            positions.insert_unique(hash, position, |&at| hasher.hash_one(items[at].0.as_str()));
        }
        Index { positions, hasher }
    }
}

impl Table {
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            None => self.items.iter().position(|(k, _)| k == key),
            Some(index) => index
                .positions
                .find(index.hasher.hash_one(key), |&at| self.items[at].0 == key)
                .copied(),
        }
    }

    fn reindex(&mut self) {
        self.index =
            (self.items.len() > SEARCHED_UP_TO).then(|| Box::new(Index::build(&self.items)));
    }
}

impl Entries {
    pub fn new() -> Entries {
        Entries::default()
    }

    pub fn with_capacity(capacity: usize) -> Entries {
        Entries(Box::new(Table {
            items: Vec::with_capacity(capacity),
            index: None,
        }))
    }

    pub fn len(&self) -> usize {
        self.0.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.items.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.position(key).map(|at| &self.0.items[at].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.position(key).map(|at| &mut self.0.items[at].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.position(key).is_some()
    }

    /// The entry at `position` in declaration order.
    pub fn get_index(&self, position: usize) -> Option<(&Text, &Value)> {
        self.0.items.get(position).map(|(key, value)| (key, value))
    }

    /// Sets `key`, keeping its place when it is already there; returns the value it replaced.
    pub fn insert(&mut self, key: impl Into<Text>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(at) = self.0.position(&key) {
            return Some(std::mem::replace(&mut self.0.items[at].1, value));
        }
        let table = &mut *self.0;
        let position = table.items.len();
        match &mut table.index {
            Some(index) => {
                let hash = index.hasher.hash_one(key.as_str());
                let items = &table.items;
                let hasher = &index.hasher;
                index.positions.insert_unique(hash, position, |&at| {
                    let key = if at == position {
                        key.as_str()
                    } else {
                        items[at].0.as_str()
                    };
                    hasher.hash_one(key)
                });
                table.items.push((key, value));
            }
            None => {
                table.items.push((key, value));
                if table.items.len() > SEARCHED_UP_TO {
                    table.reindex();
                }
            }
        }
        None
    }

    /// Takes `key` out, moving the last entry into its place (for maps about to be dropped).
    pub fn swap_remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.position(key)?;
        let table = &mut *self.0;
        let last = table.items.len() - 1;
        if let Some(index) = &mut table.index {
            let hash = index.hasher.hash_one(key);
            if let Ok(found) = index.positions.find_entry(hash, |&p| p == at) {
                found.remove();
            }
            if at != last {
                let moved = index.hasher.hash_one(table.items[last].0.as_str());
                if let Some(position) = index.positions.find_mut(moved, |&p| p == last) {
                    *position = at;
                }
            }
        }
        Some(table.items.swap_remove(at).1)
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.0.items.iter())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Text, &mut Value)> {
        self.0.items.iter_mut().map(|(key, value)| (&*key, value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Text> + ExactSizeIterator {
        self.0.items.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.items.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.0.items.iter_mut().map(|(_, value)| value)
    }

    pub fn shrink_to_fit(&mut self) {
        self.0.items.shrink_to_fit();
        if let Some(index) = &mut self.0.index {
            let items = &self.0.items;
            let hasher = &index.hasher;
            index
                .positions
                .shrink_to_fit(|&at| hasher.hash_one(items[at].0.as_str()));
        }
    }
}

/// Equal when they hold the same keys with equal values, in any order (as Terraform compares
/// maps and objects).
impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key).is_some_and(|theirs| theirs == value))
    }
}

impl fmt::Debug for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Pairs<'a>(&'a Entries);
        impl fmt::Debug for Pairs<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter()).finish()
            }
        }
        f.debug_tuple("Entries").field(&Pairs(self)).finish()
    }
}

/// The pairs of [`Entries`], in declaration order.
pub struct Iter<'a>(std::slice::Iter<'a, (Text, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Text, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key, value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(key, value)| (key, value))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl From<IndexMap<String, Value>> for Entries {
    fn from(entries: IndexMap<String, Value>) -> Entries {
        let mut table = Table {
            items: entries
                .into_iter()
                .map(|(key, value)| (Text::from(key), value))
                .collect(),
            index: None,
        };
        table.reindex();
        Entries(Box::new(table))
    }
}

impl From<Entries> for IndexMap<String, Value> {
    fn from(entries: Entries) -> IndexMap<String, Value> {
        entries
            .0
            .items
            .into_iter()
            .map(|(key, value)| (key.into_string(), value))
            .collect()
    }
}

/// Later pairs win over earlier ones with the same key, which keep their place.
impl<K: Into<Text>> FromIterator<(K, Value)> for Entries {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(items: I) -> Entries {
        let mut entries = Entries::new();
        entries.extend(items);
        entries
    }
}

impl IntoIterator for Entries {
    type Item = (Text, Value);
    type IntoIter = std::vec::IntoIter<(Text, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = (&'a Text, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Into<Text>> Extend<(K, Value)> for Entries {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, items: I) {
        let items = items.into_iter();
        self.0.items.reserve(items.size_hint().0);
        for (key, value) in items {
            self.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(count: usize) -> Entries {
        (0..count)
            .map(|n| (format!("k{n}"), Value::Number(n as f64)))
            .collect()
    }

    #[test]
    fn small_and_indexed_maps_answer_alike() {
        for count in [0, 1, SEARCHED_UP_TO, SEARCHED_UP_TO + 1, 1000] {
            let mut entries = numbered(count);
            assert_eq!(entries.len(), count);
            for n in 0..count {
                assert_eq!(
                    entries.get(&format!("k{n}")),
                    Some(&Value::Number(n as f64))
                );
            }
            assert_eq!(entries.get("absent"), None);
            // Replacing keeps the place; adding goes last.
            if count > 0 {
                assert_eq!(
                    entries.insert("k0".to_owned(), Value::Bool(true)),
                    Some(Value::Number(0.0))
                );
                assert_eq!(entries.get_index(0).map(|(k, _)| k.as_str()), Some("k0"));
            }
            entries.insert("new".to_owned(), Value::Null);
            assert_eq!(entries.keys().last().map(Text::as_str), Some("new"));
            assert_eq!(entries.len(), count + 1);
        }
    }

    #[test]
    fn removal_keeps_every_other_key_findable() {
        for count in [3, SEARCHED_UP_TO + 1, 100] {
            let mut entries = numbered(count);
            assert_eq!(entries.swap_remove("k1"), Some(Value::Number(1.0)));
            assert_eq!(entries.swap_remove("k1"), None);
            for n in (0..count).filter(|&n| n != 1) {
                assert!(entries.contains_key(&format!("k{n}")), "k{n} of {count}");
            }
        }
    }

    #[test]
    fn equality_ignores_order() {
        let forward = numbered(20);
        let backward: Entries = forward
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(forward, backward);
        assert_ne!(forward, numbered(19));
    }
}
