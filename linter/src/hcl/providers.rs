//! Provider configurations as resources see them: `default_tags` and `region`, per
//! configuration and alias, inherited by child modules as Terraform passes them down.

use std::collections::HashMap;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::Body;

use super::eval::Evaluator;
use super::instance::Instance;
use crate::aws::{self, TagStyle};
use crate::model::{own_tags, EffectiveTags};
use crate::value::Value;

/// A provider configuration as resources see it.
#[derive(Debug, Clone)]
pub(super) struct ProviderConfig {
    pub default_tags: Value,
    pub region: Value,
}

impl Instance<'_> {
    /// Evaluates this module's own `provider` blocks (legacy in child modules, usual in roots).
    pub(super) fn configure_providers(&self) {
        for decl in &self.module.providers {
            let Some((block, base)) = decl.kept() else {
                continue;
            };
            let body = &block.body;
            let mut evaluator = Evaluator::new(self).in_file(decl.file, base);
            let alias = body
                .get_attribute("alias")
                .and_then(|attribute| evaluator.eval(&attribute.value).ok())
                .and_then(|value| value.as_str().map(str::to_owned));
            let key = match alias {
                Some(alias) => format!("{}.{alias}", decl.labels[0]),
                None => decl.labels[0].clone(),
            };
            let region = match body.get_attribute("region") {
                Some(attribute) => evaluator.eval_lenient(&attribute.value),
                None => Value::Null,
            };
            let default_tags = match body.get_blocks("default_tags").next() {
                Some(block) => match block.body.get_attribute("tags") {
                    Some(attribute) => evaluator.eval_lenient(&attribute.value),
                    None => Value::Null,
                },
                None => Value::Null,
            };
            self.run.report(decl.file, evaluator.take_errors());
            self.providers.borrow_mut().insert(
                key,
                ProviderConfig {
                    default_tags,
                    region,
                },
            );
        }
    }

    /// Default provider configurations pass down implicitly; a `providers` map replaces that
    /// inheritance with exactly the configurations it names.
    pub(super) fn child_providers(&self, body: &Body) -> HashMap<String, ProviderConfig> {
        let parent = self.providers.borrow();
        let Some(map) = body
            .get_attribute("providers")
            .and_then(|a| a.value.as_object())
        else {
            return parent
                .iter()
                .filter(|(key, _)| !key.contains('.'))
                .map(|(key, config)| (key.clone(), config.clone()))
                .collect();
        };
        let mut out = HashMap::new();
        for (key, value) in map.iter() {
            let child_key = match key {
                ObjectKey::Ident(ident) => Some(ident.as_str().to_owned()),
                ObjectKey::Expression(expr) => reference_name(expr),
            };
            let (Some(child_key), Some(parent_key)) = (child_key, reference_name(value.expr()))
            else {
                continue;
            };
            if let Some(config) = parent.get(&parent_key) {
                out.insert(child_key, config.clone());
            }
        }
        out
    }
}

/// `aws.dr` or `aws` as written (a reference, not a value).
pub(super) fn reference_name(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(ident) => Some(ident.as_str().to_owned()),
        Expression::Traversal(traversal) => {
            let mut name = reference_name(&traversal.expr)?;
            for operator in &traversal.operators {
                match operator.value() {
                    TraversalOperator::GetAttr(ident) => {
                        name.push('.');
                        name.push_str(ident.as_str());
                    }
                    _ => return None,
                }
            }
            Some(name)
        }
        Expression::String(text) => Some(text.value().clone()),
        _ => None,
    }
}

/// The tags a resource ends up with, as its type carries them: `tags` merged over the
/// provider's `default_tags`, or a map built from `tag { key value }` blocks.
pub(super) fn effective_tags(
    resource_type: &str,
    default_tags: &Value,
    values: &Value,
) -> EffectiveTags {
    match aws::tag_style(resource_type) {
        TagStyle::Map if matches!(default_tags, Value::Null) => EffectiveTags::Own,
        TagStyle::Map => EffectiveTags::Computed(
            Value::merge([default_tags.clone(), own_tags(values).clone()])
                .unwrap_or(Value::Unknown),
        ),
        TagStyle::Blocks { block } => EffectiveTags::Computed(aws::tags_from_blocks(values, block)),
    }
}
