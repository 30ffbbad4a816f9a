//! Sharing equal parts of a document as it is read: hash-consing of arrays and objects, and
//! the removal of repeated object keys.
//!
//! Consing compares children shallowly: a child container is the same only if it is the same
//! allocation, which holds because children are consed before their parents (and keys are
//! interned, so equal keys are one pointer).

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use super::json::Json;
use super::marks::UnknownMarks;

pub(crate) type ConsTable<T> = HashMap<u64, T, BuildHasherDefault<Prehashed>>;

/// The entries of a shared object.
pub(crate) type Entries<V> = Arc<[(Arc<str>, V)]>;

/// The hasher of a table whose keys are hashes already.
#[derive(Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// A child as consing compares it: scalars by value, containers by allocation.
pub(crate) trait Shallow {
    fn shallow_hash(&self, state: &mut impl Hasher);
    fn shallow_eq(&self, other: &Self) -> bool;
}

fn address<T: ?Sized>(shared: &Arc<T>) -> usize {
    Arc::as_ptr(shared).cast::<u8>() as usize
}

impl Shallow for Json {
    fn shallow_hash(&self, state: &mut impl Hasher) {
        match self {
            Json::Null => state.write_u8(0),
            Json::Bool(flag) => state.write_u8(1 + u8::from(*flag)),
            Json::Number(number) => {
                state.write_u8(3);
                state.write_u64(number.to_bits());
            }
            Json::String(text) => {
                state.write_u8(4);
                text.as_str().hash(state);
            }
            Json::Array(items) => {
                state.write_u8(5);
                state.write_usize(address(items));
            }
            Json::Object(object) => {
                state.write_u8(6);
                state.write_usize(address(object.shared()));
            }
        }
    }

    fn shallow_eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::Number(a), Json::Number(b)) => a.to_bits() == b.to_bits(),
            (Json::String(a), Json::String(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => Arc::ptr_eq(a, b),
            (Json::Object(a), Json::Object(b)) => Arc::ptr_eq(a.shared(), b.shared()),
            _ => false,
        }
    }
}

impl Shallow for UnknownMarks {
    fn shallow_hash(&self, state: &mut impl Hasher) {
        match self {
            UnknownMarks::None => state.write_u8(0),
            UnknownMarks::Unknown => state.write_u8(1),
            UnknownMarks::Array(items) => {
                state.write_u8(2);
                state.write_usize(address(items));
            }
            UnknownMarks::Object(entries) => {
                state.write_u8(3);
                state.write_usize(address(entries));
            }
        }
    }

    fn shallow_eq(&self, other: &UnknownMarks) -> bool {
        match (self, other) {
            (UnknownMarks::None, UnknownMarks::None)
            | (UnknownMarks::Unknown, UnknownMarks::Unknown) => true,
            (UnknownMarks::Array(a), UnknownMarks::Array(b)) => Arc::ptr_eq(a, b),
            (UnknownMarks::Object(a), UnknownMarks::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl<V: Shallow> Shallow for (Arc<str>, V) {
    fn shallow_hash(&self, state: &mut impl Hasher) {
        state.write_usize(address(&self.0));
        self.1.shallow_hash(state);
    }

    fn shallow_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) && self.1.shallow_eq(&other.1)
    }
}

/// The shared container equal to `children`, made and remembered if it is new. `children`
/// is the tail of a scratch stack from `start`, which this empties.
pub(crate) fn cons<T: Shallow>(
    hasher: &RandomState,
    table: &mut ConsTable<Arc<[T]>>,
    scratch: &mut Vec<T>,
    start: usize,
) -> Arc<[T]> {
    let children = scratch.get(start..).unwrap_or_default();
    let mut state = hasher.build_hasher();
    state.write_usize(children.len());
    for child in children {
        child.shallow_hash(&mut state);
    }
    let hash = state.finish();
    if let Some(shared) = table.get(&hash) {
        let same = shared.len() == children.len()
            && shared.iter().zip(children).all(|(a, b)| a.shallow_eq(b));
        if same {
            let shared = Arc::clone(shared);
            scratch.truncate(start);
            return shared;
        }
    }
    let made: Arc<[T]> = scratch.drain(start..).collect();
    table.entry(hash).or_insert_with(|| Arc::clone(&made));
    made
}

/// Removes repeated keys from `entries[start..]`, keeping each key's first place and last
/// value (as `serde_json`'s map does). Keys are interned, so equal keys are the same pointer.
pub(crate) fn unique<V>(entries: &mut Vec<(Arc<str>, V)>, start: usize) {
    let read = entries.get(start..).unwrap_or_default();
    let repeated = if read.len() <= 16 {
        read.iter().enumerate().any(|(at, (key, _))| {
            read.get(..at)
                .unwrap_or_default()
                .iter()
                .any(|(earlier, _)| Arc::ptr_eq(earlier, key))
        })
    } else {
        let mut seen = HashSet::with_capacity(read.len());
        !read.iter().all(|(key, _)| seen.insert(address(key)))
    };
    if !repeated {
        return;
    }
    let mut places: HashMap<usize, usize> = HashMap::new();
    let mut kept: Vec<(Arc<str>, V)> = Vec::new();
    for (key, value) in entries.drain(start..) {
        match places.get(&address(&key)).and_then(|&at| kept.get_mut(at)) {
            Some(slot) => slot.1 = value,
            None => {
                places.insert(address(&key), kept.len());
                kept.push((key, value));
            }
        }
    }
    entries.extend(kept);
}
