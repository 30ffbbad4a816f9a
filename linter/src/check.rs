//! One `drlint check` run: load every PATH (directories as Terraform trees, files as plans),
//! decide tiers, run the rules. Bad inputs are collected, never fatal, so one broken file does
//! not hide the findings of the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::finding::Finding;
use crate::hcl::load_tree;
use crate::model::{config_key, Model, Origin, Resource};
use crate::plan::{PathStep, PlanDocument, PlanValue, PlannedResource};
use crate::settings::Settings;
use crate::source::{FileId, SourceMap};
use crate::tiers::ScopedTiers;
use crate::value::Value;
use crate::InputError;

/// Everything a run produced.
pub struct CheckRun {
    pub sources: SourceMap,
    pub model: Model,
    /// The tiers of each configuration (root module or plan).
    pub tiers: ScopedTiers,
    pub findings: Vec<Finding>,
    /// The plans read, kept for reports that quote them (and so that freeing a large plan is
    /// the caller's choice, not a cost in the middle of the run).
    pub plans: Vec<PlanDocument>,
    /// Findings silenced by `drlint-ignore` comments with a reason.
    pub suppressed: usize,
    pub errors: Vec<InputError>,
}

/// Runs the check on a thread whose stack fits the evaluation depth the settings allow, so
/// no input can overflow it.
pub fn check(paths: &[PathBuf], settings: &Settings) -> CheckRun {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("drlint-check".to_owned())
            .stack_size(settings.limits.stack_bytes())
            .spawn_scoped(scope, || check_on_this_thread(paths, settings));
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(run) => run,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(error) => CheckRun {
                sources: SourceMap::default(),
                model: Model::default(),
                tiers: ScopedTiers::default(),
                findings: Vec::new(),
                plans: Vec::new(),
                suppressed: 0,
                errors: vec![InputError {
                    path: PathBuf::from("."),
                    line: 1,
                    column: 1,
                    message: format!(
                        "cannot reserve the {} MiB of stack that `--limit depth={}` needs ({error}): lower the limit",
                        settings.limits.stack_bytes() / (1024 * 1024),
                        settings.limits.depth
                    ),
                }],
            },
        }
    })
}

fn check_on_this_thread(paths: &[PathBuf], settings: &Settings) -> CheckRun {
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let mut model = Model::default();
    let mut trees = Vec::new();
    let mut plans = Vec::new();
    for path in paths {
        if path.is_dir() {
            trees.push(path.clone());
        } else if path.is_file()
            && path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(".tf") || name.ends_with(".tf.json"))
        {
            errors.push(InputError {
                path: path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "a single .tf file is not a module: pass its directory ({}) so variables, locals and modules are evaluated together",
                    path.parent().map_or_else(|| ".".to_owned(), |p| p.display().to_string())
                ),
            });
        } else if path.is_file() {
            if let Some(plan) = load_plan_file(path, &mut sources, &mut model, &mut errors) {
                plans.push(plan);
            }
        } else {
            errors.push(InputError {
                path: path.clone(),
                line: 1,
                column: 1,
                message: "no such file or directory: pass a directory of .tf files or a plan from `terraform show -json`".to_owned(),
            });
        }
    }
    if !trees.is_empty() {
        let tree = load_tree(&trees, settings, &mut sources, &mut errors);
        if model.resources.is_empty() {
            model.resources = tree.resources;
        } else {
            model.resources.extend(tree.resources);
        }
        model.notes.extend(tree.notes);
        model.unresolved_modules.extend(tree.unresolved_modules);
    }
    // Growth leaves up to half of these unused; a large run keeps them to the end.
    model.resources.shrink_to_fit();
    let (mut findings, tiers) = crate::rules::run(&model);
    findings.shrink_to_fit();
    let (suppressed, notes) = crate::suppress::apply(&mut findings, &sources);
    model.notes.extend(notes);
    CheckRun {
        sources,
        model,
        tiers,
        findings,
        plans,
        suppressed,
        errors,
    }
}

fn load_plan_file(
    path: &Path,
    sources: &mut SourceMap,
    model: &mut Model,
    errors: &mut Vec<InputError>,
) -> Option<PlanDocument> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            errors.push(InputError::io(path, &error));
            return None;
        }
    };
    let document = match PlanDocument::parse(&bytes) {
        Ok(document) => document,
        Err(error) => {
            let position = error.position();
            errors.push(InputError {
                path: path.to_path_buf(),
                line: position.map_or(1, |p| p.line),
                column: position.map_or(1, |p| p.column),
                message: error.to_string(),
            });
            return None;
        }
    };
    // Plans are quoted by address, not by source text: keep the file's name only.
    let file = sources.add(path.to_path_buf(), "");
    for planned in &document.resources {
        model
            .resources
            .push(from_plan(path, &document, planned, file));
    }
    Some(document)
}

/// A planned resource as the rules see it: `after` with every unknown mark turned into
/// [`Value::Unknown`], `tags_all` as the effective tags, references from the configuration.
pub fn from_plan(
    path: &Path,
    document: &PlanDocument,
    planned: &PlannedResource,
    file: FileId,
) -> Resource {
    let mut values = overlay_unknown(planned.after(), planned.after_unknown());
    if planned.after_unknown().is_none() {
        // Without unknown marks, a configured attribute missing from `after` is unknown.
        if let (Some(config), Value::Map(entries)) = (planned.configuration(), &mut values) {
            for key in config.expressions.keys() {
                if !entries.contains_key(key) && planned.attribute(key) == PlanValue::Unknown {
                    entries.insert(key.clone(), Value::Unknown);
                }
            }
        }
    }
    if let Value::Map(entries) = &mut values {
        for key in PROVIDER_DEFAULTED {
            // Known after apply only because the provider fills in its default on create:
            // when the configuration does not write it, the default is what will be.
            if entries.get(*key).is_some_and(Value::is_unknown)
                && planned.is_configured(&[PathStep::Key(key)]) == Some(false)
            {
                entries.insert((*key).to_owned(), Value::Null);
            }
        }
    }
    let tags = match planned.tags() {
        PlanValue::Known(json) => {
            let marks = planned
                .after_unknown()
                .and_then(|marks| marks.get("tags_all").or_else(|| marks.get("tags")));
            overlay_unknown(json, marks)
        }
        PlanValue::Unknown => Value::Unknown,
        PlanValue::NotSet => Value::Null,
    };
    let module_address = planned.module_address.clone().unwrap_or_default();
    let scope = path.display().to_string();
    let mut references: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(config) = planned.configuration() {
        for (key, expression) in &config.expressions {
            let mut found = Vec::new();
            collect_references(expression, &mut found);
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
                    .then(|| config_key(&scope, &module_address, resource_type, name))
                })
                .collect();
            if !targets.is_empty() {
                references.insert(key.clone(), targets);
            }
        }
    }
    let region = planned
        .provider_config_key()
        .and_then(|key| document.provider_config(key))
        .and_then(|config| config.region())
        .map(|region| Value::String(region.to_owned()))
        .unwrap_or(Value::Null);
    Resource {
        address: planned.address.clone(),
        scope,
        module_address,
        resource_type: planned.resource_type.clone(),
        name: planned.name.clone(),
        values,
        tags,
        references,
        region,
        origin: Origin::Plan { file },
        expansion_unknown: false,
    }
}

/// Optional arguments the AWS provider computes when they are not written, so a plan marks
/// them "known after apply" on create although they will hold the provider's default (the
/// rules apply that default to an unset value). Attributes only: a `dynamic` block is absent
/// from a plan's `configuration`, so an unwritten block is no proof of "not configured".
const PROVIDER_DEFAULTED: &[&str] = &[
    "multi_az",
    "multi_az_enabled",
    "automatic_failover_enabled",
    "deletion_protection",
    "deletion_protection_enabled",
    "backup_retention_period",
    "snapshot_retention_limit",
    "num_cache_clusters",
    "num_cache_nodes",
    "az_mode",
    "replicas_per_node_group",
    "num_replicas_per_shard",
    "replication_factor",
    "deployment_mode",
    "deployment_type",
    "availability_zone_name",
    "multi_region",
];

fn overlay_unknown(after: &serde_json::Value, marks: Option<&serde_json::Value>) -> Value {
    match marks {
        Some(serde_json::Value::Bool(true)) => Value::Unknown,
        Some(serde_json::Value::Object(marked)) => match after {
            serde_json::Value::Object(entries) => {
                let mut out: indexmap::IndexMap<String, Value> = entries
                    .iter()
                    .map(|(key, value)| (key.clone(), overlay_unknown(value, marked.get(key))))
                    .collect();
                for (key, mark) in marked {
                    if mark == &serde_json::Value::Bool(true) {
                        out.insert(key.clone(), Value::Unknown);
                    }
                }
                Value::Map(out.into())
            }
            serde_json::Value::Null => Value::Unknown,
            other => Value::from_json(other),
        },
        Some(serde_json::Value::Array(marked)) => match after {
            serde_json::Value::Array(items) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| overlay_unknown(item, marked.get(index)))
                    .collect(),
            ),
            serde_json::Value::Null => Value::Unknown,
            other => Value::from_json(other),
        },
        _ => Value::from_json(after),
    }
}

/// Every `references` list in a configuration expression tree.
fn collect_references(expression: &serde_json::Value, out: &mut Vec<String>) {
    match expression {
        serde_json::Value::Object(entries) => {
            if let Some(serde_json::Value::Array(references)) = entries.get("references") {
                out.extend(
                    references
                        .iter()
                        .filter_map(|r| r.as_str().map(str::to_owned)),
                );
            }
            for (key, value) in entries {
                if key != "references" {
                    collect_references(value, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                collect_references(item, out);
            }
        }
        _ => {}
    }
}
