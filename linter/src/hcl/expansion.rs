//! `count` and `for_each`: how many instances a resource or module call makes, under which
//! keys, and the `count.index` / `each` bindings of each, held to the run's instance limits.

use hcl_edit::structure::Body;
use hcl_edit::Span;
use indexmap::IndexMap;

use super::eval::Evaluator;
use super::instance::Instance;
use super::load::shift;
use crate::source::FileId;
use crate::value::Value;

/// How many instances a `count`/`for_each` block makes.
pub(super) enum Expansion {
    Single,
    /// Instance key suffix (`[0]`, `["a"]`) and the bindings (`count.index` or `each`).
    Keys(Vec<(String, Binding)>),
    /// The number cannot be known: one instance stands for all of them, uncertainly.
    Unknown,
}

#[derive(Clone)]
pub(super) enum Binding {
    Count(usize),
    Each(Value, Value),
}

/// Terraform writes for_each keys as quoted strings: `["orders"]`.
pub(super) fn instance_key(key: &str) -> String {
    format!("[{}]", serde_json::Value::String(key.to_owned()))
}

/// Binds `count` or `each` for one instance; returns how many bindings to drop afterwards.
pub(super) fn bind(
    evaluator: &mut Evaluator<'_>,
    binding: Option<&Binding>,
    unknown: bool,
) -> usize {
    match binding {
        Some(Binding::Count(index)) => {
            let mut count = IndexMap::new();
            count.insert("index".to_owned(), Value::Number(*index as f64));
            evaluator.bind("count", Value::Map(count.into()));
            1
        }
        Some(Binding::Each(key, value)) => {
            let mut each = IndexMap::new();
            each.insert("key".to_owned(), key.clone());
            each.insert("value".to_owned(), value.clone());
            evaluator.bind("each", Value::Map(each.into()));
            1
        }
        None if unknown => {
            evaluator.bind("count", Value::Unknown);
            evaluator.bind("each", Value::Unknown);
            2
        }
        None => 0,
    }
}

impl Instance<'_> {
    /// The instances `body`'s `count` or `for_each` asks for.
    pub(super) fn expansion(&self, body: &Body, file: FileId, base: usize) -> Expansion {
        let limit = self.run.limits().resource_instances;
        let span_of = |expr: &hcl_edit::expr::Expression| shift(expr.span(), base);
        let too_many = |span, found: String| {
            self.run.problem(
                file,
                span,
                self.run.limits().exceeded("resource-instances", &found),
            );
            Expansion::Unknown
        };
        if let Some(count) = body.get_attribute("count") {
            let mut evaluator = Evaluator::new(self).in_file(file, base);
            let value = evaluator.eval_lenient(&count.value);
            self.run.report(file, evaluator.take_errors());
            return match value {
                Value::Unknown => Expansion::Unknown,
                value => match value.to_number() {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 && n > limit as f64 => {
                        too_many(span_of(&count.value), format!("count = {value}"))
                    }
                    Some(n) if n >= 0.0 && n.fract() == 0.0 => Expansion::Keys(
                        (0..n as usize)
                            .map(|index| (format!("[{index}]"), Binding::Count(index)))
                            .collect(),
                    ),
                    _ => {
                        self.run.note(
                            file,
                            span_of(&count.value),
                            format!("count must be a whole number, not {value}"),
                        );
                        Expansion::Unknown
                    }
                },
            };
        }
        let Some(for_each) = body.get_attribute("for_each") else {
            return Expansion::Single;
        };
        let mut evaluator = Evaluator::new(self).in_file(file, base);
        let value = evaluator.eval_lenient(&for_each.value);
        self.run.report(file, evaluator.take_errors());
        let size = match &value {
            Value::Map(entries) => entries.len(),
            Value::List(items) => items.len(),
            _ => 0,
        };
        if size as u64 > limit {
            return too_many(
                span_of(&for_each.value),
                format!("for_each over {size} elements"),
            );
        }
        match value {
            Value::Map(entries) => Expansion::Keys(
                entries
                    .into_iter()
                    .map(|(key, value)| {
                        (instance_key(&key), Binding::Each(Value::String(key), value))
                    })
                    .collect(),
            ),
            Value::List(items) if items.iter().all(|item| matches!(item, Value::String(_))) => {
                let mut keys: Vec<String> = items
                    .into_iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                Expansion::Keys(
                    keys.into_iter()
                        .map(|key| {
                            (
                                instance_key(&key),
                                Binding::Each(
                                    Value::String(key.clone().into()),
                                    Value::String(key.into()),
                                ),
                            )
                        })
                        .collect(),
                )
            }
            Value::List(items) if items.iter().any(Value::contains_unknown) => Expansion::Unknown,
            Value::Unknown | Value::Partial(_) => Expansion::Unknown,
            other => {
                self.run.note(
                    file,
                    span_of(&for_each.value),
                    format!(
                        "for_each needs a map or a set of strings, not {}",
                        other.type_name()
                    ),
                );
                Expansion::Unknown
            }
        }
    }
}
