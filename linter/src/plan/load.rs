//! From the raw sections of a document to [`PlanDocument`](super::PlanDocument)'s parts:
//! which resources exist after apply, and the configuration block of each.

use std::collections::HashMap;
use std::sync::Arc;

use super::json::{Json, Object};
use super::resource::{ConfiguredResource, PlannedResource, ProviderConfig};
use super::{address, raw, Action};

/// Configuration resource blocks by address without instance keys.
pub(crate) type ConfigIndex = HashMap<String, Arc<ConfiguredResource>>;

pub(crate) fn index_configuration(root: Option<raw::ConfigModule>) -> ConfigIndex {
    let mut index = HashMap::new();
    let mut pending = vec![(String::new(), root.unwrap_or_default())];
    while let Some((prefix, module)) = pending.pop() {
        for resource in module.resources {
            let is_data =
                resource.mode.as_deref() == Some("data") || resource.address.starts_with("data.");
            if is_data {
                continue;
            }
            let address = format!("{prefix}{}", resource.address);
            index.insert(
                address.clone(),
                Arc::new(ConfiguredResource {
                    address,
                    provider_config_key: resource.provider_config_key,
                    expressions: resource.expressions,
                    count_expression: resource.count_expression,
                    for_each_expression: resource.for_each_expression,
                }),
            );
        }
        for (name, call) in module.module_calls {
            if let Some(module) = call.module {
                pending.push((format!("{prefix}module.{name}."), module));
            }
        }
    }
    index
}

/// Links every resource to its configuration block.
pub(crate) fn link_configuration(resources: &mut [PlannedResource], index: &ConfigIndex) {
    if index.is_empty() {
        return;
    }
    for resource in resources {
        resource.configuration = configuration_for(
            index,
            resource.module_address.as_deref(),
            &resource.resource_type,
            &resource.name,
        );
    }
}

fn configuration_for(
    index: &ConfigIndex,
    module_address: Option<&str>,
    resource_type: &str,
    name: &str,
) -> Option<Arc<ConfiguredResource>> {
    let calls = address::module_calls(module_address.unwrap_or_default())?;
    let mut key = String::with_capacity(64);
    for call in calls {
        key.push_str("module.");
        key.push_str(call);
        key.push('.');
    }
    key.push_str(resource_type);
    key.push('.');
    key.push_str(name);
    index.get(&key).cloned()
}

pub(crate) fn provider_configs(configs: Object) -> Vec<ProviderConfig> {
    configs
        .iter()
        .map(|(key, config)| {
            let text = |field: &str| config.get(field).and_then(Json::as_str).map(str::to_owned);
            ProviderConfig {
                name: text("name").unwrap_or_else(|| provider_name_from_key(key)),
                key: key.to_owned(),
                full_name: text("full_name"),
                alias: text("alias"),
                module_address: text("module_address"),
                // Values are shared: taking one is a reference count, not a copy.
                expressions: config
                    .get("expressions")
                    .and_then(Json::as_object)
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// `variables.NAME.value` for every root module variable.
pub(crate) fn variable_values(variables: Object) -> Object {
    Object::from_unique(
        variables
            .entries()
            .iter()
            .map(|(name, variable)| {
                let value = variable.get("value").cloned().unwrap_or_default();
                (Arc::clone(name), value)
            })
            .collect(),
    )
}

/// `module.db:aws.west` → `aws`.
fn provider_name_from_key(key: &str) -> String {
    let local = key.rsplit(':').next().unwrap_or(key);
    local.split('.').next().unwrap_or(local).to_owned()
}

/// Whether a change leaves the resource in place after apply.
fn survives(actions: &[Action]) -> bool {
    actions.is_empty()
        || !actions
            .iter()
            .all(|action| matches!(action, Action::Delete | Action::Forget))
}

/// The resource a change leaves after apply, not yet linked to its configuration; `None` for
/// data sources, deposed objects and deletions.
pub(crate) fn from_change(change: raw::ResourceChange) -> Option<PlannedResource> {
    let is_data = change.mode.as_deref() == Some("data") || change.address.starts_with("data.");
    if is_data || change.deposed.is_some() || !survives(&change.change.actions) {
        return None;
    }
    let module_address = change.module_address.or_else(|| {
        address::split_module(&change.address)
            .and_then(|(module, _)| module)
            .map(str::to_owned)
    });
    let (after, after_depth) = change
        .change
        .after
        .map_or((Json::Null, 1), |after| (after.value, after.depth));
    let (after_unknown, marks_depth) = match change.change.after_unknown {
        Some(marks) => (Some(marks.value), marks.depth),
        None => (None, 1),
    };
    Some(PlannedResource {
        address: change.address,
        module_address,
        resource_type: change.resource_type,
        name: change.name,
        index: change.index,
        provider_name: change.provider_name.unwrap_or_default(),
        actions: change.change.actions,
        after,
        after_unknown,
        configuration: None,
        nesting: after_depth.max(marks_depth),
    })
}

/// The managed resources of `planned_values` or of a state's `values`, depth first with
/// children in document order, not yet linked to their configuration.
pub(crate) fn from_values(values: raw::Values) -> Vec<PlannedResource> {
    let mut resources = Vec::new();
    let mut pending = vec![values.root_module.unwrap_or_default()];
    while let Some(mut module) = pending.pop() {
        for resource in module.resources {
            let is_data =
                resource.mode.as_deref() == Some("data") || resource.address.starts_with("data.");
            if is_data || resource.deposed_key.is_some() {
                continue;
            }
            let module_address = address::split_module(&resource.address)
                .and_then(|(module, _)| module)
                .map(str::to_owned);
            let (after, nesting) = resource
                .values
                .map_or((Json::Null, 1), |values| (values.value, values.depth));
            resources.push(PlannedResource {
                address: resource.address,
                module_address,
                resource_type: resource.resource_type,
                name: resource.name,
                index: resource.index,
                provider_name: resource.provider_name.unwrap_or_default(),
                actions: Vec::new(),
                after,
                after_unknown: None,
                configuration: None,
                nesting,
            });
        }
        module.child_modules.reverse();
        pending.append(&mut module.child_modules);
    }
    resources
}
