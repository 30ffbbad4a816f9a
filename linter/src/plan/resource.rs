//! A planned resource instance and the configuration it came from: the questions rules ask.

use std::sync::Arc;

use super::json::{Json, Object};
use super::marks::UnknownMarks;
use super::value::{configured, marked_unknown, walk, walk_marks, Configured, NULL};
use super::{Action, InstanceKey, PathStep, PlanValue};

/// A managed resource instance as it will be after apply.
#[derive(Debug, Clone)]
pub struct PlannedResource {
    /// Exactly as Terraform writes it: `module.db.aws_db_instance.this[0]`,
    /// `aws_db_instance.db["orders"]`.
    pub address: String,
    /// The module instance, e.g. `module.app["eu"].module.db`; `None` in the root module.
    pub module_address: Option<String>,
    pub resource_type: String,
    pub name: String,
    pub index: Option<InstanceKey>,
    /// E.g. `registry.terraform.io/hashicorp/aws`; empty when the document leaves it out.
    pub provider_name: String,
    /// Empty when the document records no changes ([`ResourceSource::PlannedValues`](super::ResourceSource::PlannedValues) or
    /// [`ResourceSource::State`](super::ResourceSource::State)).
    pub actions: Vec<Action>,
    pub(crate) after: Json,
    /// `None` when the document does not record which values are unknown.
    pub(crate) after_unknown: Option<UnknownMarks>,
    pub(crate) configuration: Option<Arc<ConfiguredResource>>,
    /// How deeply `after` and `after_unknown` nest: what recursing over them needs.
    pub(crate) nesting: usize,
}

/// A resource block of the configuration, shared by all of its instances.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfiguredResource {
    /// Without instance keys: `module.app.module.db.aws_db_instance.this`.
    pub address: String,
    /// The key into [`PlanDocument::provider_configs`](super::PlanDocument::provider_configs), e.g. `aws.west` or `db:aws`.
    pub provider_config_key: Option<String>,
    /// Attribute and block expressions as `terraform show -json` writes them.
    pub expressions: Object,
    pub count_expression: Option<Json>,
    pub for_each_expression: Option<Json>,
}

/// A `provider` block of the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// `aws`, `aws.west`, or with a module prefix (`db:aws`, `module.db:aws`) in child modules.
    pub key: String,
    pub name: String,
    pub full_name: Option<String>,
    pub alias: Option<String>,
    pub module_address: Option<String>,
    pub expressions: Object,
}

impl ProviderConfig {
    /// The `default_tags { tags = … }` map: known when written as a constant, unknown when it
    /// is an expression of variables or locals, not set when there is no `default_tags`.
    pub fn default_tags(&self) -> PlanValue<'_> {
        let path = [
            PathStep::Key("default_tags"),
            PathStep::Index(0),
            PathStep::Key("tags"),
        ];
        match configured(&self.expressions, &path) {
            Configured::No => PlanValue::Absent,
            Configured::Constant(value) => PlanValue::Known(value),
            Configured::Expression | Configured::Block => PlanValue::Unknown,
        }
    }

    /// The configured `region`, when written as a constant.
    pub fn region(&self) -> Option<&str> {
        match configured(&self.expressions, &[PathStep::Key("region")]) {
            Configured::Constant(value) => value.as_str(),
            _ => None,
        }
    }
}

impl PlannedResource {
    /// The planned value at an attribute path (e.g. `["multi_az"]`, `["replica", 0, "region"]`,
    /// `["tags_all", "dr-tier"]`); see the module documentation for how the answer is found.
    pub fn value(&self, path: &[PathStep<'_>]) -> PlanValue<'_> {
        if let Some(marks) = &self.after_unknown {
            if marked_unknown(marks, path) {
                return PlanValue::Unknown;
            }
        }
        let after = walk(&self.after, path);
        if let Some(value) = after.filter(|value| !value.is_null()) {
            return PlanValue::Known(value);
        }
        let written = self
            .configuration
            .as_deref()
            .map_or(Configured::No, |config| {
                configured(&config.expressions, path)
            });
        match written {
            Configured::No => PlanValue::Absent,
            // Without unknown marks, a value the configuration computes but the document
            // leaves out is one Terraform could not know yet.
            Configured::Expression if self.after_unknown.is_none() => PlanValue::Unknown,
            Configured::Constant(constant) => PlanValue::Known(after.unwrap_or(constant)),
            Configured::Expression | Configured::Block => PlanValue::Known(after.unwrap_or(&NULL)),
        }
    }

    /// [`value`](Self::value) of a top-level attribute.
    pub fn attribute(&self, name: &str) -> PlanValue<'_> {
        self.value(&[PathStep::Key(name)])
    }

    /// The tags the resource ends up with: `tags_all` (resource tags merged over the provider's
    /// `default_tags`), or `tags` where the provider predates `tags_all`.
    pub fn tags(&self) -> PlanValue<'_> {
        match self.attribute("tags_all") {
            PlanValue::Absent | PlanValue::Known(Json::Null) => self.attribute("tags"),
            tags_all => tags_all,
        }
    }

    /// One tag of [`tags`](Self::tags). When `tags_all` is unknown (a default tag computed
    /// at apply, say) a key the resource sets itself is still known: resource tags override
    /// default tags key by key.
    pub fn tag(&self, key: &str) -> PlanValue<'_> {
        let own = || self.value(&[PathStep::Key("tags"), PathStep::Key(key)]);
        match self.attribute("tags_all") {
            PlanValue::Absent | PlanValue::Known(Json::Null) => own(),
            PlanValue::Unknown => match own() {
                PlanValue::Known(value) if !value.is_null() => PlanValue::Known(value),
                _ => PlanValue::Unknown,
            },
            PlanValue::Known(_) => {
                match self.value(&[PathStep::Key("tags_all"), PathStep::Key(key)]) {
                    PlanValue::Unknown => match own() {
                        PlanValue::Known(value) if !value.is_null() => PlanValue::Known(value),
                        _ => PlanValue::Unknown,
                    },
                    merged => merged,
                }
            }
        }
    }

    /// Whether any part of the value at `path` is unknown, for a [`PlanValue::Known`] list or
    /// object whose nulls may stand for values known only after apply. Always false when the
    /// document does not record unknown values.
    pub fn contains_unknown(&self, path: &[PathStep<'_>]) -> bool {
        let Some(marks) = &self.after_unknown else {
            return false;
        };
        marked_unknown(marks, path)
            || walk_marks(marks, path).is_some_and(UnknownMarks::any_unknown)
    }

    /// Whether the configuration writes the attribute at `path` at all (as a constant, an
    /// expression or a block); `None` when the document does not carry the resource's block.
    ///
    /// This separates a provider-computed default from a value the author chose: the AWS
    /// provider computes an unwritten `multi_az` on create, so the plan marks it unknown,
    /// yet it will be the provider default (false).
    pub fn is_configured(&self, path: &[PathStep<'_>]) -> Option<bool> {
        self.configuration()
            .map(|config| configured(&config.expressions, path) != Configured::No)
    }

    /// The whole planned object (`change.after`, or the state's `values`).
    pub fn after(&self) -> &Json {
        &self.after
    }

    /// `change.after_unknown`, when the document records it.
    pub fn after_unknown(&self) -> Option<&UnknownMarks> {
        self.after_unknown.as_ref()
    }

    /// The resource's block in the configuration, when the document carries it.
    pub fn configuration(&self) -> Option<&ConfiguredResource> {
        self.configuration.as_deref()
    }

    /// The provider configuration the resource uses (a key of
    /// [`PlanDocument::provider_configs`](super::PlanDocument::provider_configs)), when the configuration names it.
    pub fn provider_config_key(&self) -> Option<&str> {
        self.configuration()
            .and_then(|config| config.provider_config_key.as_deref())
    }

    /// How deeply the planned value (or its unknown marks) nests, 1 for a scalar: recursing over
    /// [`after`](Self::after) needs a stack for that many levels.
    pub fn nesting(&self) -> usize {
        self.nesting
    }

    /// Whether the plan destroys the current object and creates a new one.
    pub fn is_replaced(&self) -> bool {
        self.actions.contains(&Action::Delete) && self.actions.contains(&Action::Create)
    }
}
