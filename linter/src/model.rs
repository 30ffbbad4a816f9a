//! What the rules see: resource instances with evaluated values, wherever they came from.
//!
//! HCL trees and plan JSON both become [`Resource`]s: one per instance, at the address Terraform
//! writes (`module.db.aws_db_instance.this[0]`), with a value tree in which nested blocks are
//! lists of objects (as in plan JSON), and with the origin that diagnostics point at.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::source::FileId;
use crate::value::{Fact, Lookup, Text, Value};

/// Where a resource was declared, for diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A `resource` block: `header` spans `resource "TYPE" "NAME"`; `block` is where its text
    /// is, to find an attribute's span when a finding needs it (`None` in `.tf.json`, whose
    /// expressions do not point into the file).
    Hcl {
        file: FileId,
        header: Range<usize>,
        block: Option<BlockText>,
    },
    /// A resource change in a plan file.
    Plan { file: FileId },
}

/// The text of a block, in the file it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockText {
    pub text: Arc<str>,
    pub range: Range<usize>,
}

/// Where a resource's effective tags are.
#[derive(Debug, Clone, PartialEq)]
pub enum EffectiveTags {
    /// Its own `tags` argument, with no provider `default_tags` to merge: kept once, in the
    /// values (a large tree has a tag map per resource).
    Own,
    /// Computed from default tags, `tag` blocks or a plan's `tags_all`.
    Computed(Value),
}

/// The `tags` argument in a resource's values (`Value::Null` when it has none).
pub fn own_tags(values: &Value) -> &Value {
    values
        .as_map()
        .and_then(|values| values.get("tags"))
        .unwrap_or(&Value::Null)
}

/// One resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Full instance address: `module.db["orders"].aws_db_instance.this[0]`.
    pub address: Arc<str>,
    /// The configuration it belongs to (root module directory or plan file): addresses are
    /// only unique within one, so relations never cross it.
    pub scope: Arc<str>,
    /// The module instance it lives in: `""` for the root, else `module.db["orders"]`.
    pub module_address: String,
    pub resource_type: Text,
    pub name: Text,
    /// Evaluated arguments; nested blocks are lists of objects.
    pub values: Value,
    /// Effective tags: provider `default_tags` merged with `tags` (or plan `tags_all`), or the
    /// `tag` blocks of types that carry tags that way ([`crate::aws::tag_style`]). Read them
    /// with [`Resource::tags`].
    pub tags: EffectiveTags,
    /// For each top-level argument, the resources it refers to, as `MODULE.TYPE.NAME` keys
    /// (see [`Resource::config_key`]).
    pub references: HashMap<String, Vec<String>>,
    /// The region of the provider configuration the resource uses, when known.
    pub region: Value,
    pub origin: Origin,
    /// `count`/`for_each` could not be evaluated: this instance stands for an unknown number.
    pub expansion_unknown: bool,
}

impl Resource {
    /// The value at `path` (nested blocks are followed into their first instance).
    ///
    /// For AWS resources an empty string is absent: the provider cannot tell `""` from unset,
    /// and writes `""` for every unset optional string in state, so update plans of existing
    /// resources carry `replicate_source_db = ""` on every primary database.
    pub fn get(&self, path: &[&str]) -> Lookup<'_> {
        match Lookup::walk(&self.values, path) {
            Fact::Known(Value::String(text))
                if text.is_empty() && self.resource_type.starts_with("aws_") =>
            {
                Fact::Absent
            }
            found => found,
        }
    }

    /// The effective tags: `Value::Null` when the resource has none; unknown keys make them
    /// [`Value::Partial`] or `Value::Unknown`.
    pub fn tags(&self) -> &Value {
        match &self.tags {
            EffectiveTags::Own => own_tags(&self.values),
            EffectiveTags::Computed(tags) => tags,
        }
    }

    /// The effective tag `key`.
    pub fn tag(&self, key: &str) -> Lookup<'_> {
        Lookup::walk(self.tags(), &[key])
    }

    /// `MODULE_INSTANCE.TYPE.NAME` without the instance key: what references name.
    pub fn config_key(&self) -> String {
        config_key(
            &self.scope,
            &self.module_address,
            &self.resource_type,
            &self.name,
        )
    }

    /// `MODULE.TYPE.NAME`: the address of the block this is an instance of (its configuration
    /// key without the scope), borrowed from the address where it starts with it.
    pub fn block_address(&self) -> Cow<'_, str> {
        let module = if self.module_address.is_empty() {
            0
        } else {
            self.module_address.len() + 1
        };
        let end = module + self.resource_type.len() + 1 + self.name.len();
        match self.address.get(..end) {
            Some(block)
                if block.ends_with(self.name.as_str())
                    && block[module..].starts_with(self.resource_type.as_str())
                    && (self.address.len() == end || self.address[end..].starts_with('[')) =>
            {
                Cow::Borrowed(block)
            }
            _ if module == 0 => Cow::Owned(format!("{}.{}", self.resource_type, self.name)),
            _ => Cow::Owned(format!(
                "{}.{}.{}",
                self.module_address, self.resource_type, self.name
            )),
        }
    }

    /// `SCOPE::ADDRESS`: what a reference naming this very instance (`TYPE.NAME["key"]`)
    /// records.
    pub fn instance_key(&self) -> String {
        format!("{}::{}", self.scope, self.address)
    }

    /// Whether argument `attribute` refers to `target` (by reference, in the same module):
    /// to its block as a whole or to this instance of it.
    pub fn refers_to(&self, attribute: &str, target: &Resource) -> bool {
        let block = target.config_key();
        let instance = target.instance_key();
        self.references
            .get(attribute)
            .is_some_and(|targets| targets.iter().any(|t| *t == block || *t == instance))
    }

    /// The span to label for `path`: its value when written, else the block header.
    pub fn span_for(&self, path: &[&str]) -> Option<Range<usize>> {
        match &self.origin {
            Origin::Hcl { header, block, .. } => {
                let attributes = block.as_ref().map_or_else(HashMap::new, |block| {
                    let text = block.text.get(block.range.clone()).unwrap_or("");
                    crate::hcl::spans::attribute_spans(text, block.range.start)
                });
                let mut joined = String::new();
                for (index, step) in path.iter().enumerate() {
                    if index > 0 {
                        joined.push('.');
                    }
                    joined.push_str(step);
                    if let Some(span) = attributes.get(&joined) {
                        if index + 1 == path.len() {
                            return Some(span.clone());
                        }
                    }
                }
                // The closest written ancestor (e.g. the block that lacks the attribute).
                for end in (1..path.len()).rev() {
                    if let Some(span) = attributes.get(&path[..end].join(".")) {
                        return Some(span.clone());
                    }
                }
                Some(header.clone())
            }
            Origin::Plan { .. } => None,
        }
    }

    pub fn file(&self) -> FileId {
        match &self.origin {
            Origin::Hcl { file, .. } | Origin::Plan { file } => *file,
        }
    }
}

pub fn config_key(scope: &str, module_address: &str, resource_type: &str, name: &str) -> String {
    if module_address.is_empty() {
        format!("{scope}::{resource_type}.{name}")
    } else {
        format!("{scope}::{module_address}.{resource_type}.{name}")
    }
}

/// Something drlint could not analyse and wants the reader to know (not a rule finding).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub message: String,
    pub file: Option<FileId>,
    pub span: Option<Range<usize>>,
}

/// A module call whose source is not on disk (a registry or git module before `terraform
/// init`): everything it would create is unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct UnresolvedModule {
    /// The call's instance address: `module.vpc`, `module.app["eu"].module.vpc`.
    pub address: Arc<str>,
    pub source: String,
    /// The root module directory it belongs to.
    pub scope: Arc<str>,
    pub file: FileId,
    /// The `module "NAME"` header (`None` in `.tf.json`, whose spans do not point into the
    /// file).
    pub header: Option<Range<usize>>,
    /// For a registry module known to tag what it creates with one argument
    /// ([`crate::aws::registry_module`]): that argument's value merged over the provider's
    /// `default_tags`, i.e. the tags its resources carry.
    pub tags: Option<Value>,
}

/// A module call instance that was followed: where a `drlint-ignore` comment covering what it
/// creates may be.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleCall {
    /// The root module directory it belongs to.
    pub scope: Arc<str>,
    /// The instance address: `module.vpc`, `module.app["eu"].module.vpc`.
    pub address: Arc<str>,
    pub file: FileId,
    /// The `module "NAME"` header (`None` in `.tf.json`).
    pub header: Option<Range<usize>>,
}

/// Everything loaded from the inputs.
#[derive(Debug, Default, Clone)]
pub struct Model {
    pub resources: Vec<Resource>,
    pub notes: Vec<Note>,
    pub unresolved_modules: Vec<UnresolvedModule>,
    /// The module call instances followed into their modules.
    pub module_calls: Vec<ModuleCall>,
}

impl Model {
    pub fn of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |resource| resource.resource_type == resource_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(address: &str, module_address: &str, resource_type: &str, name: &str) -> Resource {
        Resource {
            address: address.into(),
            scope: "envs/prod".into(),
            module_address: module_address.to_owned(),
            resource_type: resource_type.into(),
            name: name.into(),
            values: Value::Null,
            tags: EffectiveTags::Own,
            references: HashMap::new(),
            region: Value::Null,
            origin: Origin::Plan { file: FileId(0) },
            expansion_unknown: false,
        }
    }

    #[test]
    fn block_address_is_the_address_without_its_instance_key() {
        let cases = [
            (
                "aws_db_instance.main",
                "",
                "aws_db_instance",
                "main",
                "aws_db_instance.main",
            ),
            (
                "aws_db_instance.main[0]",
                "",
                "aws_db_instance",
                "main",
                "aws_db_instance.main",
            ),
            (
                r#"module.db["eu"].aws_db_instance.this["a.b]"]"#,
                r#"module.db["eu"]"#,
                "aws_db_instance",
                "this",
                r#"module.db["eu"].aws_db_instance.this"#,
            ),
            // A plan's data source: its address does not start with the type.
            (
                "data.aws_region.current",
                "",
                "aws_region",
                "current",
                "aws_region.current",
            ),
        ];
        for (address, module, resource_type, name, block) in cases {
            let resource = resource(address, module, resource_type, name);
            assert_eq!(resource.block_address(), block, "{address}");
            assert_eq!(
                resource.config_key(),
                format!("envs/prod::{block}"),
                "{address}"
            );
        }
    }
}
