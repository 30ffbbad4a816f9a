//! The parts of the `terraform show -json` format the loader reads, as serde sees them.
//!
//! Only what a rule can use is materialised: `after`, `after_unknown` and the configuration's
//! expressions, straight into the compact trees of [`super::json`] and [`super::marks`].
//! `before`, the sensitivity masks, `prior_state`, `output_changes` and the like are skipped by
//! the parser without allocating, and `planned_values` (a second copy of every `after`) is kept
//! as a borrowed slice of the input, parsed only when a document has no `resource_changes`.
//! Resource changes become [`PlannedResource`]s as they are read, so the raw changes are never
//! all in memory at once.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::address::InstanceKey;
use super::decode::Measured;
use super::json::{Json, Object};
use super::marks::UnknownMarks;
use super::{Action, PlannedResource};

/// `null` where Terraform (or a hand-written plan) leaves a collection out.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize)]
pub(crate) struct Document<'a> {
    pub(crate) format_version: Option<String>,
    pub(crate) terraform_version: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) variables: Object,
    #[serde(borrow)]
    pub(crate) planned_values: Option<&'a RawValue>,
    pub(crate) resource_changes: Option<Changes>,
    pub(crate) configuration: Option<Configuration>,
    /// The resources of `terraform show -json` on a state rather than a plan.
    #[serde(borrow)]
    pub(crate) values: Option<&'a RawValue>,
    pub(crate) errored: Option<bool>,
}

/// `resource_changes`, already reduced to the resources that exist after apply (not yet
/// linked to their configuration, which comes later in the document).
pub(crate) struct Changes(pub(crate) Vec<PlannedResource>);

impl<'de> Deserialize<'de> for Changes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangesVisitor;

        impl<'de> Visitor<'de> for ChangesVisitor {
            type Value = Changes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of resource changes")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Changes, A::Error> {
                let mut kept = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(change) = seq.next_element::<ResourceChange>()? {
                    kept.extend(super::load::from_change(change));
                }
                kept.shrink_to_fit();
                Ok(Changes(kept))
            }
        }

        deserializer.deserialize_seq(ChangesVisitor)
    }
}

#[derive(Deserialize)]
pub(crate) struct ResourceChange {
    pub(crate) address: String,
    pub(crate) module_address: Option<String>,
    pub(crate) mode: Option<String>,
    #[serde(rename = "type")]
    pub(crate) resource_type: String,
    pub(crate) name: String,
    pub(crate) index: Option<InstanceKey>,
    pub(crate) provider_name: Option<String>,
    /// Set on changes to a deposed object (a leftover of `create_before_destroy`), which is
    /// on its way out.
    pub(crate) deposed: Option<IgnoredAny>,
    pub(crate) change: Change,
}

#[derive(Deserialize)]
pub(crate) struct Change {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) actions: Vec<Action>,
    pub(crate) after: Option<Measured<Json>>,
    pub(crate) after_unknown: Option<Measured<UnknownMarks>>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Configuration {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) provider_config: Object,
    pub(crate) root_module: Option<ConfigModule>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ConfigModule {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) resources: Vec<ConfigResource>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) module_calls: BTreeMap<String, ModuleCall>,
}

#[derive(Deserialize)]
pub(crate) struct ModuleCall {
    pub(crate) module: Option<ConfigModule>,
}

#[derive(Deserialize)]
pub(crate) struct ConfigResource {
    pub(crate) address: String,
    pub(crate) mode: Option<String>,
    pub(crate) provider_config_key: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) expressions: Object,
    pub(crate) count_expression: Option<Json>,
    pub(crate) for_each_expression: Option<Json>,
}

/// `planned_values` and a state's `values`.
#[derive(Deserialize)]
pub(crate) struct Values {
    pub(crate) root_module: Option<StateModule>,
}

#[derive(Deserialize, Default)]
pub(crate) struct StateModule {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) resources: Vec<StateResource>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) child_modules: Vec<StateModule>,
}

#[derive(Deserialize)]
pub(crate) struct StateResource {
    pub(crate) address: String,
    pub(crate) mode: Option<String>,
    #[serde(rename = "type")]
    pub(crate) resource_type: String,
    pub(crate) name: String,
    pub(crate) index: Option<InstanceKey>,
    pub(crate) provider_name: Option<String>,
    pub(crate) deposed_key: Option<IgnoredAny>,
    pub(crate) values: Option<Measured<Json>>,
}
