//! `after_unknown`: which parts of a planned value are known only after apply.
//!
//! Terraform writes a tree shaped like `after` whose leaves are `true` (unknown) or `false`;
//! only the `true` leaves and the shape leading to them matter, so that is all this keeps:
//! leaves that mark nothing become [`UnknownMarks::None`], and an array's trailing unmarked
//! elements are dropped (a missing position reads like an unmarked one). Like [`Json`]
//! trees, marks are shared: a plan repeats the same few shapes of `after_unknown` for every
//! resource of a type, and the loader stores each shape once.
//!
//! [`Json`]: super::Json

use std::sync::Arc;

/// The `after_unknown` tree of one resource change.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum UnknownMarks {
    /// `false`, or anything else that marks nothing.
    #[default]
    None,
    /// `true`: this value and everything inside it is unknown.
    Unknown,
    /// Marks for list or tuple elements, by position.
    Array(Arc<[UnknownMarks]>),
    /// Marks for object attributes or map keys, in document order, each key once.
    Object(Arc<[(Arc<str>, UnknownMarks)]>),
}

impl UnknownMarks {
    pub fn is_unknown(&self) -> bool {
        matches!(self, UnknownMarks::Unknown)
    }

    /// The marks of object member `key`; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&UnknownMarks> {
        match self {
            UnknownMarks::Object(entries) => entries
                .iter()
                .find(|(name, _)| name.as_ref() == key)
                .map(|(_, marks)| marks),
            _ => None,
        }
    }

    /// The marks of array element `index`; `None` for anything else.
    pub fn index(&self, index: usize) -> Option<&UnknownMarks> {
        match self {
            UnknownMarks::Array(items) => items.get(index),
            _ => None,
        }
    }

    /// Entries of an object mark, in document order (empty for anything else).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &UnknownMarks)> + '_ {
        let entries: &[(Arc<str>, UnknownMarks)] = match self {
            UnknownMarks::Object(entries) => entries,
            _ => &[],
        };
        entries.iter().map(|(name, marks)| (name.as_ref(), marks))
    }

    /// Whether any `true` sits anywhere inside.
    pub fn any_unknown(&self) -> bool {
        let mut pending = vec![self];
        while let Some(node) = pending.pop() {
            match node {
                UnknownMarks::Unknown => return true,
                UnknownMarks::Array(items) => pending.extend(items.iter()),
                UnknownMarks::Object(entries) => pending.extend(entries.iter().map(|(_, m)| m)),
                UnknownMarks::None => {}
            }
        }
        false
    }

    /// The children of this node when dropping it would free them; `None` otherwise.
    fn last_children(&mut self) -> Option<Vec<UnknownMarks>> {
        let holds = |marks: &UnknownMarks| {
            matches!(marks, UnknownMarks::Array(_) | UnknownMarks::Object(_))
        };
        match self {
            UnknownMarks::Array(items) if !items.is_empty() => Arc::get_mut(items).map(|items| {
                items
                    .iter_mut()
                    .filter(|marks| holds(marks))
                    .map(std::mem::take)
                    .collect()
            }),
            UnknownMarks::Object(entries) if !entries.is_empty() => {
                Arc::get_mut(entries).map(|entries| {
                    entries
                        .iter_mut()
                        .map(|(_, marks)| marks)
                        .filter(|marks| holds(marks))
                        .map(std::mem::take)
                        .collect()
                })
            }
            _ => None,
        }
    }
}

impl Drop for UnknownMarks {
    fn drop(&mut self) {
        // As for `Json`: no recursion, whatever the depth; shared nodes lose a reference.
        let Some(mut pending) = self.last_children() else {
            return;
        };
        while let Some(mut node) = pending.pop() {
            if let Some(children) = node.last_children() {
                pending.extend(children);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_marks_drop_without_recursion() {
        let mut marks = UnknownMarks::Unknown;
        for level in 0..200_000 {
            marks = if level % 2 == 0 {
                UnknownMarks::Array(vec![marks].into())
            } else {
                UnknownMarks::Object(vec![(Arc::from("next"), marks)].into())
            };
        }
        assert!(marks.any_unknown());
        drop(marks);
    }
}
