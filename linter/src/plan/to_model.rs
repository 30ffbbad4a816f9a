//! A planned resource as the rules see it: a [`Resource`] with `after`'s values, unknown
//! where `after_unknown` marks them, the effective tags, and references from the
//! configuration.
//!
//! An attribute a plan marks "known after apply" that the configuration does not write will
//! hold the provider's default (`false`, none, `{}`) on create, unless AWS itself decides it
//! ([`aws::decided_at_apply`]): a plan of a new database marks `multi_az` unknown although it
//! will be off. `tags_all` marked unknown without provider `default_tags` is the resource's own
//! `tags`. One caveat: a `dynamic` block is absent from a plan's `configuration`, so a block
//! attribute (`replica`) made by a `dynamic` block whose `for_each` is unknown at plan time
//! reads as not written.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use super::{
    configured_below, Configured, Json, PlanDocument, PlanValue, PlannedResource, UnknownMarks,
};
use crate::aws::{self, TagStyle};
use crate::model::{config_key, EffectiveTags, Origin, Resource};
use crate::source::FileId;
use crate::value::Value;

/// A planned resource as the rules see it: `after` with every unknown mark turned into
/// [`Value::Unknown`], `tags_all` as the effective tags, references from the configuration.
/// `scope` names the plan (its path as given), shared by all its resources.
pub fn from_plan(
    scope: &Arc<str>,
    document: &PlanDocument,
    planned: &PlannedResource,
    file: FileId,
) -> Resource {
    let mut values = overlay_unknown(planned.after(), planned.after_unknown());
    if planned.after_unknown().is_none() {
        // Without unknown marks, a configured attribute missing from `after` is unknown.
        if let (Some(config), Value::Map(entries)) = (planned.configuration(), &mut values) {
            for (key, expression) in config.expressions.iter() {
                // `planned.attribute(key) == PlanValue::Unknown` for a key `after` lacks,
                // decided from the expression at hand: asking by name would search both
                // objects for every key, quadratic on a hostile plan.
                if !entries.contains_key(key)
                    && configured_below(expression, &[]) == Configured::Expression
                {
                    entries.insert(key.to_owned(), Value::Unknown);
                }
            }
        }
    }
    if let (Value::Map(entries), Some(config)) = (&mut values, planned.configuration()) {
        for (key, value) in entries.iter_mut() {
            // Known after apply only because the provider fills in its default on create:
            // when the configuration does not write it, the default is what will be.
            if value.is_unknown()
                && key != "tags_all"
                && !config.expressions.contains_key(key.as_str())
                && !aws::decided_at_apply(&planned.resource_type, key)
            {
                *value = Value::Null;
            }
        }
    }
    let tags = effective_tags(document, planned, &values);
    let module_address = planned.module_address.clone().unwrap_or_default();
    let mut references: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(config) = planned.configuration() {
        for (key, expression) in config.expressions.iter() {
            let found = collect_references(expression);
            let targets: Vec<String> = found
                .iter()
                .filter_map(|reference| {
                    let mut parts = reference.split('.');
                    let resource_type = parts.next()?;
                    let name = parts.next()?;
                    let name = name.split('[').next()?;
                    (!matches!(
                        resource_type,
                        "var" | "local" | "module" | "data" | "each" | "count" | "path" | "self"
                    ))
                    .then(|| config_key(scope, &module_address, resource_type, name))
                })
                .collect();
            if !targets.is_empty() {
                references.insert(key.to_owned(), targets);
            }
        }
    }
    let region = planned
        .provider_config_key()
        .and_then(|key| document.provider_config(key))
        .and_then(|config| config.region())
        .map(|region| Value::String(region.into()))
        .unwrap_or(Value::Null);
    Resource {
        address: planned.address.as_str().into(),
        scope: scope.clone(),
        module_address,
        resource_type: planned.resource_type.clone().into(),
        name: planned.name.clone().into(),
        values,
        tags: EffectiveTags::Computed(tags),
        references,
        region,
        origin: Origin::Plan { file },
        expansion_unknown: false,
    }
}

/// The tags the resource ends up with: `tags_all` (its `tags` over the provider's
/// `default_tags`), its own `tags` where `tags_all` is unknown and there are no default tags
/// (or only its keys, where the default tags are unknown too), or the `tag` blocks of types
/// that carry tags that way.
fn effective_tags(document: &PlanDocument, planned: &PlannedResource, values: &Value) -> Value {
    if let TagStyle::Blocks { block } = aws::tag_style(&planned.resource_type) {
        return aws::tags_from_blocks(values, block);
    }
    let own = match values.entry("tags") {
        Some(crate::value::Fact::Known(own)) => own.clone(),
        Some(crate::value::Fact::Unknown) => Value::Unknown,
        _ => Value::Null,
    };
    match planned.attribute("tags_all") {
        PlanValue::Known(Json::Null) | PlanValue::Absent => own,
        PlanValue::Known(json) => {
            let marks = planned
                .after_unknown()
                .and_then(|marks| marks.get("tags_all"));
            overlay_unknown(json, marks)
        }
        PlanValue::Unknown => {
            let defaults = planned
                .provider_config_key()
                .and_then(|key| document.provider_config(key))
                .map_or(PlanValue::Unknown, |config| config.default_tags());
            let defaults = match defaults {
                PlanValue::Absent | PlanValue::Known(Json::Null) => Value::Null,
                PlanValue::Known(json) => overlay_unknown(json, None),
                PlanValue::Unknown => Value::Unknown,
            };
            if matches!((&defaults, &own), (Value::Null, Value::Null)) {
                return Value::Null;
            }
            Value::merge([defaults, own]).unwrap_or(Value::Unknown)
        }
    }
}

/// `after` as a [`Value`], with every part `after_unknown` marks turned into
/// [`Value::Unknown`]: a marked attribute missing from `after` is added, and a marked
/// collection that `after` leaves null is unknown as a whole.
///
/// Iterative, so that a value nested [`MAX_NESTING`](crate::plan::MAX_NESTING) levels deep
/// converts on any thread's stack.
fn overlay_unknown(after: &Json, marks: Option<&UnknownMarks>) -> Value {
    let mut open: Vec<Building<'_>> = Vec::new();
    let mut finished = match Building::start(after, marks) {
        Start::Done(value) => return value,
        Start::Open(building) => {
            open.push(building);
            None
        }
    };
    loop {
        let Some(top) = open.last_mut() else {
            return finished.unwrap_or(Value::Null);
        };
        if let Some(value) = finished.take() {
            top.accept(value);
        }
        match top.next_child() {
            Some((child, child_marks)) => match Building::start(child, child_marks) {
                Start::Done(value) => finished = Some(value),
                Start::Open(building) => open.push(building),
            },
            None => {
                finished = open.pop().map(Building::finish);
                if open.is_empty() {
                    return finished.unwrap_or(Value::Null);
                }
            }
        }
    }
}

/// A converted value, or a container whose children are still to convert.
enum Start<'a> {
    Done(Value),
    Open(Building<'a>),
}

/// Objects of marks up to this many entries are scanned for a key, larger ones indexed.
const MARKS_SCANNED: usize = 16;

/// A map or list of [`overlay_unknown`] whose children are being converted.
enum Building<'a> {
    Map {
        object: &'a crate::plan::Object,
        marks: Option<&'a UnknownMarks>,
        /// The marks by key when there are many: a scan per attribute would be quadratic.
        marks_by_key: Option<HashMap<&'a str, &'a UnknownMarks>>,
        next: usize,
        key: String,
        out: IndexMap<String, Value>,
    },
    List {
        items: &'a [Json],
        marks: Option<&'a UnknownMarks>,
        out: Vec<Value>,
    },
}

impl<'a> Building<'a> {
    /// The converted value when it has no children to convert, else the container to fill.
    fn start(after: &'a Json, marks: Option<&'a UnknownMarks>) -> Start<'a> {
        let marks = match marks {
            Some(UnknownMarks::Unknown) => return Start::Done(Value::Unknown),
            Some(marks @ (UnknownMarks::Object(_) | UnknownMarks::Array(_))) => Some(marks),
            _ => None,
        };
        let marks_object = marks.filter(|marks| matches!(marks, UnknownMarks::Object(_)));
        let marks_array = marks.filter(|marks| matches!(marks, UnknownMarks::Array(_)));
        Start::Open(match after {
            // Marks for parts of a value the plan leaves null: the whole value is unknown.
            Json::Null if marks.is_some() => return Start::Done(Value::Unknown),
            Json::Null => return Start::Done(Value::Null),
            Json::Bool(flag) => return Start::Done(Value::Bool(*flag)),
            Json::Number(number) => return Start::Done(Value::Number(*number)),
            Json::String(text) => return Start::Done(Value::String(text.as_str().into())),
            Json::Object(object) => {
                let added = marks_object.map_or(0, |marks| {
                    marks
                        .entries()
                        .filter(|(_, mark)| mark.is_unknown())
                        .count()
                });
                let marks_by_key = marks_object
                    .filter(|marks| marks.entries().nth(MARKS_SCANNED).is_some())
                    .map(|marks| marks.entries().collect());
                Building::Map {
                    object,
                    marks: marks_object,
                    marks_by_key,
                    next: 0,
                    key: String::new(),
                    out: IndexMap::with_capacity(object.len() + added),
                }
            }
            Json::Array(items) => Building::List {
                items,
                marks: marks_array,
                out: Vec::with_capacity(items.len()),
            },
        })
    }

    fn next_child(&mut self) -> Option<(&'a Json, Option<&'a UnknownMarks>)> {
        match self {
            Building::Map {
                object,
                marks,
                marks_by_key,
                next,
                key,
                ..
            } => {
                let (name, value) = object.get_index(*next)?;
                *next += 1;
                name.clone_into(key);
                let child_marks = match marks_by_key {
                    Some(by_key) => by_key.get(name).copied(),
                    None => marks.and_then(|marks| marks.get(name)),
                };
                Some((value, child_marks))
            }
            Building::List { items, marks, out } => {
                let index = out.len();
                let item = items.get(index)?;
                Some((item, marks.and_then(|marks| marks.index(index))))
            }
        }
    }

    fn accept(&mut self, value: Value) {
        match self {
            Building::Map { key, out, .. } => {
                out.insert(std::mem::take(key), value);
            }
            Building::List { out, .. } => out.push(value),
        }
    }

    fn finish(self) -> Value {
        match self {
            Building::Map { marks, mut out, .. } => {
                for (key, mark) in marks.into_iter().flat_map(UnknownMarks::entries) {
                    if mark.is_unknown() {
                        out.insert(key.to_owned(), Value::Unknown);
                    }
                }
                Value::Map(out.into())
            }
            Building::List { out, .. } => Value::List(out),
        }
    }
}

/// Every `references` list in a configuration expression tree, in document order.
fn collect_references(expression: &Json) -> Vec<String> {
    let mut found = Vec::new();
    // Depth first without recursion: children are pushed last first.
    let mut pending = vec![expression];
    while let Some(node) = pending.pop() {
        match node {
            Json::Object(entries) => {
                if let Some(Json::Array(references)) = entries.get("references") {
                    found.extend(
                        references
                            .iter()
                            .filter_map(|r| r.as_str().map(str::to_owned)),
                    );
                }
                pending.extend(
                    entries
                        .iter()
                        .rev()
                        .filter(|(key, _)| *key != "references")
                        .map(|(_, value)| value),
                );
            }
            Json::Array(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
    found
}
