//! Resource blocks: each instance's body evaluated into a value tree (nested blocks as lists
//! of objects, `dynamic` blocks expanded), with the span of every written attribute and the
//! resources each argument refers to.

use std::collections::HashMap;

use hcl_edit::structure::{Block, Body, Structure};

use super::calls::Children;
use super::eval::{iteration_pairs, Evaluator};
use super::expansion::{bind, Binding, Expansion};
use super::instance::Instance;
use super::load::BlockDecl;
use super::providers::{effective_tags, reference_name};
use crate::model::{Origin, Resource};
use crate::value::{Entries, Value};

/// Where one resource instance's evaluation writes what it finds: for each top-level
/// argument, the resources it refers to.
struct Collected {
    references: HashMap<String, Vec<String>>,
}

impl Instance<'_> {
    /// Every resource instance of this module instance and of the modules it calls.
    pub(super) fn collect(&self, out: &mut Vec<Resource>) {
        for decl in &self.module.resources {
            self.expand_resource(decl, out);
        }
        for call in &self.module.module_calls {
            let Some(children) = self.children(&call.labels[0]) else {
                continue;
            };
            if let Children::Instances { list, .. } = children.as_ref() {
                for (_, child) in list {
                    child.collect(out);
                }
            }
        }
    }

    fn expand_resource(&self, decl: &BlockDecl, out: &mut Vec<Resource>) {
        let resource_type = &decl.labels[0];
        let name = &decl.labels[1];
        // The block is parsed again for this evaluation and dropped after it.
        let Some((block, base)) = decl.block() else {
            return;
        };
        let body = &block.body;
        let expansion = self.expansion(body, decl.file, base);
        let unknown = matches!(expansion, Expansion::Unknown);
        let keys: Vec<(String, Option<Binding>)> = match expansion {
            Expansion::Single | Expansion::Unknown => vec![(String::new(), None)],
            Expansion::Keys(keys) => keys
                .into_iter()
                .map(|(suffix, binding)| (suffix, Some(binding)))
                .collect(),
        };
        if keys.is_empty()
            || !self
                .run
                .take_instances(keys.len() as u64, decl.file, Some(decl.header.clone()))
        {
            return;
        }
        let provider_key = body
            .get_attribute("provider")
            .and_then(|attribute| reference_name(&attribute.value))
            .unwrap_or_else(|| resource_type.split('_').next().unwrap_or("").to_owned());
        let provider = self.providers.borrow().get(&provider_key).cloned();
        for (suffix, binding) in keys {
            let mut evaluator = Evaluator::new(self).in_file(decl.file, base);
            let bound = bind(&mut evaluator, binding.as_ref(), unknown);
            let mut collected = Collected {
                references: HashMap::new(),
            };
            let values = self.eval_body(&mut evaluator, body, "", &mut collected, None);
            evaluator.unbind(bound);
            self.run.report(decl.file, evaluator.take_errors());
            let tags = effective_tags(
                resource_type,
                provider
                    .as_ref()
                    .map(|p| &p.default_tags)
                    .unwrap_or(&Value::Null),
                &values,
            );
            let local = format!("{resource_type}.{name}{suffix}");
            out.push(Resource {
                address: if self.address.is_empty() {
                    local.into()
                } else {
                    format!("{}.{local}", self.address).into()
                },
                scope: self.root.scope.clone(),
                module_address: self.address.clone(),
                resource_type: resource_type.clone().into(),
                name: name.clone().into(),
                values,
                tags,
                references: collected.references,
                region: provider
                    .as_ref()
                    .map(|p| p.region.clone())
                    .unwrap_or(Value::Null),
                origin: Origin::Hcl {
                    file: decl.file,
                    header: decl.header.clone(),
                    block: decl.text(),
                },
                expansion_unknown: unknown || self.expansion_unknown,
            });
        }
    }

    /// Evaluates a block body into an object; nested blocks become lists of objects and
    /// `dynamic` blocks are expanded. `top` is the top-level argument that references are
    /// filed under (`None` at the top level itself).
    fn eval_body(
        &self,
        evaluator: &mut Evaluator<'_>,
        body: &Body,
        prefix: &str,
        collected: &mut Collected,
        top: Option<&str>,
    ) -> Value {
        let mut entries = Entries::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if top.is_none()
                        && matches!(key, "count" | "for_each" | "provider" | "depends_on")
                    {
                        continue;
                    }
                    let before = evaluator.references.len();
                    let value = evaluator.eval_lenient(&attribute.value);
                    file_references(evaluator, before, top.unwrap_or(key), collected);
                    entries.insert(key.to_owned(), value);
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if top.is_none() && matches!(ident, "lifecycle" | "provisioner" | "connection")
                    {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.eval_dynamic(evaluator, block, prefix, collected, top, &mut entries);
                        continue;
                    }
                    let path = format!("{prefix}{ident}");
                    let value = self.eval_body(
                        evaluator,
                        &block.body,
                        &format!("{path}."),
                        collected,
                        Some(top.unwrap_or(ident)),
                    );
                    push_block(&mut entries, ident, value);
                }
            }
        }
        // A model holds one of these per block of every instance: no room to spare.
        entries.shrink_to_fit();
        Value::Map(entries)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_dynamic(
        &self,
        evaluator: &mut Evaluator<'_>,
        block: &Block,
        prefix: &str,
        collected: &mut Collected,
        top: Option<&str>,
        entries: &mut Entries,
    ) {
        let Some(label) = block.labels.first().map(|label| label.as_str().to_owned()) else {
            return;
        };
        let path = format!("{prefix}{label}");
        let top_key = top.unwrap_or(&label).to_owned();
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|attribute| reference_name(&attribute.value))
            .unwrap_or_else(|| label.clone());
        let before = evaluator.references.len();
        let collection = match block.body.get_attribute("for_each") {
            Some(attribute) => evaluator.eval_lenient(&attribute.value),
            None => Value::Unknown,
        };
        file_references(evaluator, before, &top_key, collected);
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        let pairs = match &collection {
            Value::Unknown | Value::Partial(_) => None,
            other => iteration_pairs(other),
        };
        let Some(pairs) = pairs else {
            // Unknown for_each: the block may or may not exist.
            push_block(entries, &label, Value::Unknown);
            return;
        };
        if pairs.is_empty() {
            // Zero dynamic blocks is "not set"; keep the key so the span is known, as an empty list.
            if !entries.contains_key(&label) {
                entries.insert(label, Value::List(Vec::new()));
            }
            return;
        }
        if self.run.budget.collection(pairs.len()).is_err() {
            push_block(entries, &label, Value::Unknown);
            return;
        }
        for (key, value) in pairs {
            let item = Entries::from_iter([("key", key), ("value", value)]);
            evaluator.bind(&iterator, Value::Map(item));
            let value = self.eval_body(
                evaluator,
                &content.body,
                &format!("{path}."),
                collected,
                Some(&top_key),
            );
            evaluator.unbind(1);
            push_block(entries, &label, value);
        }
    }
}

/// Files the references an evaluation made since `before` under argument `key`.
fn file_references(
    evaluator: &mut Evaluator<'_>,
    before: usize,
    key: &str,
    collected: &mut Collected,
) {
    if evaluator.references.len() <= before {
        return;
    }
    let found: Vec<String> = evaluator.references.drain(before..).collect();
    let entry = collected.references.entry(key.to_owned()).or_default();
    for reference in found {
        if !entry.contains(&reference) {
            entry.push(reference);
        }
    }
}

fn push_block(entries: &mut Entries, ident: &str, value: Value) {
    match entries.get_mut(ident) {
        Some(Value::List(items)) => items.push(value),
        Some(other) => *other = Value::List(vec![value]),
        None => {
            entries.insert(ident, Value::List(vec![value]));
        }
    }
}
