//! The parts of the `terraform show -json` format the loader reads, as serde sees them.
//!
//! Only what a rule can use is materialised: `after`, `after_unknown` and the configuration's
//! expressions. `before`, the sensitivity masks, `prior_state`, `output_changes` and the like
//! are skipped by the parser without allocating, and `planned_values` (a second copy of every
//! `after`) is kept as a borrowed slice of the input, parsed only when a document has no
//! `resource_changes`.

use std::collections::BTreeMap;

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::address::InstanceKey;
use super::Action;

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
    pub(crate) variables: Map<String, Value>,
    #[serde(borrow)]
    pub(crate) planned_values: Option<&'a RawValue>,
    pub(crate) resource_changes: Option<Vec<ResourceChange>>,
    pub(crate) configuration: Option<Configuration>,
    /// The resources of `terraform show -json` on a state rather than a plan.
    #[serde(borrow)]
    pub(crate) values: Option<&'a RawValue>,
    pub(crate) errored: Option<bool>,
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
    pub(crate) after: Option<Value>,
    pub(crate) after_unknown: Option<Value>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Configuration {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) provider_config: Map<String, Value>,
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
    pub(crate) expressions: Map<String, Value>,
    pub(crate) count_expression: Option<Value>,
    pub(crate) for_each_expression: Option<Value>,
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
    pub(crate) values: Option<Value>,
}
